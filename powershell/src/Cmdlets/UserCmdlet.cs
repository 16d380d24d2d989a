// The parameters the per-user commands share: -Connection (else the session default) and
// -UserName (checked by the engine's user-name rule), with the connection resolved once.
// ApprovalCmdlet adds what an approval takes.
using System.Collections;
using System.Management.Automation;
using MfaApproval.Json;

namespace MfaApproval.Cmdlets
{
    public abstract class UserCmdlet : MfaCmdlet
    {
        [Parameter]
        public PSObject Connection { get; set; }

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        [ValidateRequestField("userName")]
        public string[] UserName { get; set; }

        /// <summary>The connection in use (resolved in BeginProcessing).</summary>
        protected Connection Resolved { get; private set; }

        protected override void BeginProcessing()
        {
            Resolved = ResolveConnection(Connection);
        }
    }

    /// <summary>Invoke-MfaApproval and Start-MfaApproval: what one approval request takes.</summary>
    public abstract class ApprovalCmdlet : UserCmdlet
    {
        int timeout = (int)Contract.DefaultTimeoutSeconds;

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
        public IDictionary Context { get; set; }

        [Parameter]
        [ArgumentCompleter(typeof(ModeCompleter))]
        [ValidateRequestField("mode")]
        public string Mode { get; set; }

        /// <summary>The request JSON for one approval: -Reason becomes the push's text (its
        /// pushType; also the applicationName unless one is given or the provider's registry
        /// entry says the reason is the push text, ReasonIsPushText), -Context its details
        /// (Duo's pushinfo; recorded in the audit trail for both providers).</summary>
        protected JsonObject ApprovalRequest(string user, string initiatingIpAddress)
        {
            JsonObject request = new JsonObject().Add("userName", user).Add("timeoutSeconds", Timeout);
            ProviderSpec provider = Providers.Find(Resolved.Provider);
            bool pushText = provider != null && provider.ReasonIsPushText;
            string app = !string.IsNullOrEmpty(ApplicationName) ? ApplicationName : (!pushText && !string.IsNullOrEmpty(Reason) ? Reason : null);
            if (app != null) request.Add("applicationName", app);
            if (!string.IsNullOrEmpty(Reason)) request.Add("pushType", Reason);
            if (!string.IsNullOrEmpty(Mode)) request.Add("mode", Mode);
            if (Context != null && Context.Count > 0) request.Add("pushInfo", JsonObject.FromDictionary(Context));
            if (!string.IsNullOrEmpty(initiatingIpAddress)) request.Add("initiatingIpAddress", initiatingIpAddress);
            return request;
        }
    }
}
