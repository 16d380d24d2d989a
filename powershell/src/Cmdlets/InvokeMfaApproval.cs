// Invoke-MfaApproval: asks each user in turn and waits for the answer; -Assert turns
// anything but Approved into a terminating error (the shape a MIM workflow needs).
using System.Globalization;
using System.Management.Automation;
using MfaApproval.Json;

namespace MfaApproval.Cmdlets
{
    [Cmdlet(VerbsLifecycle.Invoke, "MfaApproval")]
    [OutputType(typeof(Result))]
    public sealed class InvokeMfaApprovalCommand : MfaCmdlet
    {
        int timeout = 120;
        Connection connection;

        [Parameter]
        public PSObject Connection { get; set; }

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        [ValidateRequestField("userName")]
        public string UserName { get; set; }

        [Parameter]
        [ValidateRequestField("timeoutSeconds")]
        public int Timeout { get { return timeout; } set { timeout = value; } }

        [Parameter]
        [ValidateRequestField("applicationName")]
        public string ApplicationName { get; set; }

        /// <summary>Duo: context shown with the push (pushinfo), e.g. @{ 'MIM request' = $id }.</summary>
        [Parameter]
        public System.Collections.IDictionary PushInfo { get; set; }

        [Parameter]
        [ArgumentCompleter(typeof(ModeCompleter))]
        [ValidateRequestField("mode")]
        public string Mode { get; set; }

        [Parameter]
        public SwitchParameter Assert { get; set; }

        protected override void BeginProcessing()
        {
            connection = ResolveConnection(Connection);
        }

        protected override void ProcessRecord()
        {
            JsonObject request = new JsonObject().Add("userName", UserName).Add("timeoutSeconds", Timeout);
            if (!string.IsNullOrEmpty(ApplicationName)) request.Add("applicationName", ApplicationName);
            if (!string.IsNullOrEmpty(Mode)) request.Add("mode", Mode);
            if (PushInfo != null) request.Add("pushInfo", JsonObject.FromDictionary(PushInfo));
            WriteVerbose(string.Format(CultureInfo.InvariantCulture, "Asking '{0}' to approve via {1} (timeout {2} s)", UserName, connection.Uri, Timeout));
            Request pending = StartRequest(connection, request, UserName, "authenticate", Timeout);
            pending.Waited = true;
            Result result = null;
            // The native deadline ends the request as TimedOut; the wait bound is a safety net.
            Wait(new Request[] { pending }, Timeout + 10, "Waiting for " + UserName + " to approve", delegate (Result r) { result = r; });
            foreach (string w in result.Warnings) WriteWarning(w);
            if (Assert && !result.Approved) ThrowTerminatingError(Errors.ForResult(result));
            WriteObject(result);
        }
    }
}
