// Start-MfaApproval: sends one approval per user in the background and returns a pending
// request for each at once.
using System.Globalization;
using System.Management.Automation;
using MfaApproval.Json;

namespace MfaApproval.Cmdlets
{
    [Cmdlet(VerbsLifecycle.Start, "MfaApproval")]
    [OutputType(typeof(Request))]
    public sealed class StartMfaApprovalCommand : ApprovalCmdlet
    {
        [Parameter]
        [ValidateRequestField("initiatingIpAddress")]
        public string InitiatingIpAddress { get; set; }

        protected override void ProcessRecord()
        {
            foreach (string user in UserName)
            {
                JsonObject request = ApprovalRequest(user, InitiatingIpAddress);
                WriteVerbose(string.Format(CultureInfo.InvariantCulture, "Starting an approval for '{0}' on {1} (timeout {2} s)", user, Resolved.Uri, Timeout));
                WriteObject(StartRequest(Resolved, request, user, "authenticate", Timeout));
            }
        }
    }
}
