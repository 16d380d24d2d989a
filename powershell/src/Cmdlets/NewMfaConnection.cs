// New-MfaConnection: builds a native client from the parameters. Every value rule is the
// engine's (checked at binding by ValidateConfigField, and again by mfa_client_new); a
// refusal names the parameter. Secrets reach the engine as UTF-8 in unmanaged memory only.
using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Security;
using MfaApproval.Interop;
using MfaApproval.Json;

namespace MfaApproval.Cmdlets
{
    public enum BasicAuthenticationMode { Preemptive, Challenge }

    [Cmdlet(VerbsCommon.New, "MfaConnection")]
    [OutputType(typeof(Connection))]
    public sealed class NewMfaConnectionCommand : MfaCmdlet
    {
        static readonly Dictionary<string, string> ConfigParameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            { "uri", "Uri" },
            { "userName", "Credential" },
            { "basicPassword", "Credential" },
            { "basicMode", "BasicAuthentication" },
            { "allowUnencryptedAuthentication", "AllowUnencryptedAuthentication" },
            { "clientCertificateFile", "ClientCertificateFile" },
            { "clientKeyFile", "ClientKeyFile" },
            { "clientCertificatePassword", "ClientCertificatePassword" },
            { "serverCertificateSha256", "ServerCertificateHash" },
            { "caCertificateFile", "CaCertificateFile" },
            { "httpTimeoutSeconds", "HttpTimeout" },
            { "initiatingAuthenticationType", "InitiatingAuthenticationType" },
            { "applicationName", "ApplicationName" },
            { "requireUserMatch", "AllowUnknownUser" },
        };

        PSCredential credential = PSCredential.Empty;
        BasicAuthenticationMode basic = BasicAuthenticationMode.Preemptive;
        string authType = "pfsdk";
        string applicationName = "MfaApproval";
        int httpTimeout = 100;

        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNull]
        [ValidateConfigField("uri")]
        public Uri Uri { get; set; }

        [Parameter]
        [Credential]
        public PSCredential Credential { get { return credential; } set { credential = value; } }

        [Parameter]
        public BasicAuthenticationMode BasicAuthentication { get { return basic; } set { basic = value; } }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string ClientCertificateFile { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string ClientKeyFile { get; set; }

        [Parameter]
        public SecureString ClientCertificatePassword { get; set; }

        [Parameter]
        [ValidateConfigField("serverCertificateSha256")]
        public string[] ServerCertificateHash { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string CaCertificateFile { get; set; }

        [Parameter]
        [ArgumentCompleter(typeof(AuthenticationTypeCompleter))]
        [ValidateConfigField("initiatingAuthenticationType")]
        public string InitiatingAuthenticationType { get { return authType; } set { authType = value; } }

        [Parameter]
        [ValidateConfigField("applicationName")]
        public string ApplicationName { get { return applicationName; } set { applicationName = value; } }

        [Parameter]
        [ValidateConfigField("httpTimeoutSeconds")]
        public int HttpTimeout { get { return httpTimeout; } set { httpTimeout = value; } }

        [Parameter]
        public SwitchParameter AllowUnknownUser { get; set; }

        [Parameter]
        public SwitchParameter AllowUnencryptedAuthentication { get; set; }

        [Parameter]
        public SwitchParameter Default { get; set; }

        protected override void BeginProcessing()
        {
            bool hasCredential = Credential != null && Credential != PSCredential.Empty;
            string cert = ResolveExistingFile("ClientCertificateFile", ClientCertificateFile);
            string key = ResolveExistingFile("ClientKeyFile", ClientKeyFile);
            string ca = ResolveExistingFile("CaCertificateFile", CaCertificateFile);
            if (AllowUnknownUser)
            {
                WriteWarning("New-MfaConnection -AllowUnknownUser: requireUserMatch=false lets users the MFA server does not know through WITHOUT any MFA.");
            }
            JsonObject config = new JsonObject()
                .Add("uri", Uri.OriginalString)
                .Add("basicMode", BasicAuthentication == BasicAuthenticationMode.Challenge ? "challenge" : "preemptive")
                .Add("initiatingAuthenticationType", InitiatingAuthenticationType)
                .Add("applicationName", ApplicationName ?? string.Empty)
                .Add("httpTimeoutSeconds", HttpTimeout)
                .Add("requireUserMatch", !AllowUnknownUser.IsPresent)
                .Add("allowUnencryptedAuthentication", AllowUnencryptedAuthentication.IsPresent)
                .Add("userName", hasCredential ? Credential.UserName : null)
                .Add("serverCertificateSha256", ServerCertificateHash)
                .Add("caCertificateFile", ca)
                .Add("clientCertificateFile", cert)
                .Add("clientKeyFile", key);
            WriteVerbose(string.Format("Creating a client for {0} (caller: {1}; pins: {2})", Uri, hasCredential ? Credential.UserName : cert != null ? "client certificate" : "anonymous", ServerCertificateHash == null ? 0 : ServerCertificateHash.Length));

            MfaClientHandle client = null;
            try
            {
                client = Native.NewClient(config.ToString(), hasCredential ? Credential.Password : null, ClientCertificatePassword);
            }
            catch (MfaNativeException e)
            {
                string id = e.Field == "allowUnencryptedAuthentication" ? "MfaApproval.UnencryptedAuthentication" : "MfaApproval.InvalidConnectionSettings";
                ThrowTerminatingError(Errors.Record(id, "New-MfaConnection " + ForParameter(e, ConfigParameters), ErrorCategory.InvalidArgument, Uri, e));
            }
            catch (ArgumentException e)
            {
                ThrowTerminatingError(Errors.Record("MfaApproval.InvalidConnectionSettings", "New-MfaConnection " + e.Message, ErrorCategory.InvalidArgument, Uri));
            }
            List<string> authentication = new List<string>();
            if (hasCredential) authentication.Add("Basic");
            if (cert != null) authentication.Add("ClientCertificate");
            if (authentication.Count == 0) authentication.Add("None");
            Connection c = new Connection(client);
            c.Uri = Uri;
            c.UserName = hasCredential ? Credential.UserName : null;
            c.Authentication = string.Join(", ", authentication.ToArray());
            c.ServerCertificateHash = ServerCertificateHash ?? new string[0];
            c.InitiatingAuthenticationType = InitiatingAuthenticationType;
            c.ApplicationName = ApplicationName;
            c.HttpTimeout = HttpTimeout;
            c.AllowUnknownUser = AllowUnknownUser.IsPresent;
            if (Default)
            {
                Session.DefaultConnection = c;
                WriteVerbose("Default connection: " + Uri);
            }
            WriteObject(c);
        }
    }
}
