// Get-MfaApproval: refreshes State and Status of started requests without waiting.
using System.Management.Automation;

namespace MfaApproval.Cmdlets
{
    [Cmdlet(VerbsCommon.Get, "MfaApproval")]
    [OutputType(typeof(Request))]
    public sealed class GetMfaApprovalCommand : MfaCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        public PSObject[] Request { get; set; }

        protected override void ProcessRecord()
        {
            foreach (Request r in Requests(Request))
            {
                r.Refresh();
                WriteObject(r);
            }
        }
    }
}
