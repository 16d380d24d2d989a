// Start-MfaApproval: sends one approval per user in the background and returns a pending
// request for each at once.
using System.Globalization;
using System.Management.Automation;
using MfaApproval.Json;

namespace MfaApproval.Cmdlets
{
    [Cmdlet(VerbsLifecycle.Start, "MfaApproval")]
    [OutputType(typeof(Request))]
    public sealed class StartMfaApprovalCommand : MfaCmdlet
    {
        int timeout = 120;
        Connection connection;

        [Parameter]
        public PSObject Connection { get; set; }

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        [ValidateRequestField("userName")]
        public string[] UserName { get; set; }

        [Parameter]
        [ValidateRequestField("timeoutSeconds")]
        public int Timeout { get { return timeout; } set { timeout = value; } }

        [Parameter]
        [ValidateRequestField("applicationName")]
        public string ApplicationName { get; set; }

        [Parameter]
        [ValidateRequestField("pushType")]
        public string Reason { get; set; }

        /// <summary>Context shown with the push (Duo's pushinfo) and kept in the audit trail.</summary>
        [Parameter]
        [Alias("PushInfo")]
        public System.Collections.IDictionary Context { get; set; }

        [Parameter]
        [ArgumentCompleter(typeof(ModeCompleter))]
        [ValidateRequestField("mode")]
        public string Mode { get; set; }

        [Parameter]
        [ValidateRequestField("initiatingIpAddress")]
        public string InitiatingIpAddress { get; set; }

        protected override void BeginProcessing()
        {
            connection = ResolveConnection(Connection);
        }

        protected override void ProcessRecord()
        {
            foreach (string user in UserName)
            {
                JsonObject request = ApprovalRequest(connection, user, Timeout, ApplicationName, Mode, Reason, Context, InitiatingIpAddress);
                WriteVerbose(string.Format(CultureInfo.InvariantCulture, "Starting an approval for '{0}' on {1} (timeout {2} s)", user, connection.Uri, Timeout));
                WriteObject(StartRequest(connection, request, user, "authenticate", Timeout));
            }
        }
    }
}
