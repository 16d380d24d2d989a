// Stop-MfaApproval: cancels started requests at once; a cancelled request is never an approval.
using System.Globalization;
using System.Management.Automation;

namespace MfaApproval.Cmdlets
{
    [Cmdlet(VerbsLifecycle.Stop, "MfaApproval", SupportsShouldProcess = true)]
    [OutputType(typeof(Request))]
    public sealed class StopMfaApprovalCommand : MfaCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        public PSObject[] Request { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            foreach (Request r in Requests(Request))
            {
                if (ShouldProcess(r.UserName, "Cancel MFA approval"))
                {
                    r.Cancel();
                    WriteVerbose(string.Format(CultureInfo.InvariantCulture, "Cancelled the approval for '{0}' (Id {1})", r.UserName, r.Id));
                }
                if (PassThru)
                {
                    // The request as it is now (a cancel settles it at once), not as it was.
                    r.Refresh();
                    WriteObject(r);
                }
            }
        }
    }
}
