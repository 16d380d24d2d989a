// New-MfaConnection: builds a native client for the MFA Server SDK (parameter set
// MfaServer), Duo's Auth API (parameter set Duo), RADIUS servers (parameter set Radius, in
// NewMfaConnection.Radius.cs) or Okta's management API (parameter sets OktaToken and
// OktaServiceApp); every later provider (its own parameter set) is built
// from the engine's registry in NewMfaConnection.Registry.cs. Every value rule is the engine's
// (checked at binding by ValidateConfigField, and again by mfa_client_new); a refusal
// names the parameter. Secrets reach the engine as UTF-8 in unmanaged memory only.
using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Security;
using MfaApproval.Interop;
using MfaApproval.Json;

namespace MfaApproval.Cmdlets
{
    public enum BasicAuthenticationMode { Preemptive, Challenge }


    [Cmdlet(VerbsCommon.New, "MfaConnection", DefaultParameterSetName = "MfaServer")]
    [OutputType(typeof(Connection))]
    public sealed partial class NewMfaConnectionCommand : MfaCmdlet
    {
        PSCredential credential = PSCredential.Empty;
        BasicAuthenticationMode basic = BasicAuthenticationMode.Preemptive;
        string authType = Contract.DefaultInitiatingAuthenticationType;
        string applicationName = Contract.DefaultApplicationName;
        int httpTimeout = (int)Contract.DefaultHttpTimeoutSeconds;
        int signatureVersion = Contract.DefaultSignatureVersion;

        [Parameter(ParameterSetName = "MfaServer")]
        [Parameter(ParameterSetName = "Duo", Mandatory = true)]
        [Parameter(ParameterSetName = "Radius", Mandatory = true)]
        [Parameter(ParameterSetName = "OktaToken", Mandatory = true)]
        [Parameter(ParameterSetName = "OktaServiceApp", Mandatory = true)]
        [Parameter(ParameterSetName = "PrivacyIdea", Mandatory = true)]
        public MfaProvider Provider { get; set; }

        [Parameter(Mandatory = true, Position = 0, ParameterSetName = "MfaServer")]
        [Parameter(Mandatory = true, ParameterSetName = "PrivacyIdea")]
        [Parameter(ParameterSetName = "Duo", DontShow = true)] // only to say it is not Duo's
        [ValidateNotNull]
        [AbsoluteUri("Uri")]
        [ValidateConfigField("uri")]
        public Uri Uri { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = "Duo")]
        [ValidateNotNullOrEmpty]
        [ValidateConfigField("apiHost", true)]
        public string ApiHost { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = "Duo")]
        [ValidateNotNullOrEmpty]
        [ValidateConfigField("integrationKey", true)]
        public string IntegrationKey { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = "Duo")]
        [ValidateNotNull]
        [SecureStringOnly("SecretKey", "Duo secret key")]
        public SecureString SecretKey { get; set; }

        [Parameter(ParameterSetName = "Duo")]
        [ArgumentCompleter(typeof(SignatureVersionCompleter))]
        [ValidateConfigField("signatureVersion", true)]
        public int SignatureVersion { get { return signatureVersion; } set { signatureVersion = value; } }

        [Parameter(ParameterSetName = "Duo")]
        public SwitchParameter AllowBypass { get; set; }

        /// <summary>Okta: the org URL (an https origin, e.g. https://contoso.okta.com).</summary>
        [Parameter(Mandatory = true, ParameterSetName = "OktaToken")]
        [Parameter(Mandatory = true, ParameterSetName = "OktaServiceApp")]
        [ValidateNotNull]
        [AbsoluteUri("OrgUrl")]
        [ValidateConfigField("uri")]
        public Uri OrgUrl { get; set; }

        /// <summary>Okta: an API token (sent as SSWS).</summary>
        [Parameter(Mandatory = true, ParameterSetName = "OktaToken")]
        [ValidateNotNull]
        [SecureStringOnly("ApiToken", "Okta API token")]
        public SecureString ApiToken { get; set; }

        /// <summary>Okta: the OAuth 2.0 service app's client id (private_key_jwt).</summary>
        [Parameter(Mandatory = true, ParameterSetName = "OktaServiceApp")]
        [ValidateNotNullOrEmpty]
        public string ClientId { get; set; }

        /// <summary>Okta: the service app's private key, a PEM file (read into protected memory).</summary>
        [Parameter(Mandatory = true, ParameterSetName = "OktaServiceApp")]
        [ValidateNotNullOrEmpty]
        public string PrivateKeyFile { get; set; }

        /// <summary>Okta: ask for a number challenge; the number reaches the asker.</summary>
        [Parameter(ParameterSetName = "OktaToken")]
        [Parameter(ParameterSetName = "OktaServiceApp")]
        public SwitchParameter NumberChallenge { get; set; }

        [Parameter(ParameterSetName = "MfaServer")]
        [Parameter(ParameterSetName = "Duo", DontShow = true)] // only to say it is not Duo's
        // Not Mandatory in any set: [Credential] prompts for a $null given to a mandatory
        // parameter (a NonInteractive host fails instead of saying -Credential is empty); a
        // provider that needs it says so through the engine (userName is required).
        [Parameter(ParameterSetName = "PrivacyIdea")]
        [Credential]
        public PSCredential Credential { get { return credential; } set { credential = value; } }

        [Parameter(ParameterSetName = "MfaServer")]
        public BasicAuthenticationMode BasicAuthentication { get { return basic; } set { basic = value; } }

        [Parameter(ParameterSetName = "MfaServer")]
        [Parameter(ParameterSetName = "PrivacyIdea")]
        [ValidateNotNullOrEmpty]
        public string ClientCertificateFile { get; set; }

        [Parameter(ParameterSetName = "MfaServer")]
        [Parameter(ParameterSetName = "PrivacyIdea")]
        [ValidateNotNullOrEmpty]
        public string ClientKeyFile { get; set; }

        [Parameter(ParameterSetName = "MfaServer")]
        [Parameter(ParameterSetName = "PrivacyIdea")]
        [SecureStringOnly("ClientCertificatePassword", "PFX password")]
        public SecureString ClientCertificatePassword { get; set; }

        [Parameter]
        [ValidateConfigField("serverCertificateSha256")]
        public string[] ServerCertificateHash { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string CaCertificateFile { get; set; }

        [Parameter(ParameterSetName = "MfaServer")]
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
        [ValidateNotNull]
        [AbsoluteUri("Proxy")]
        [ValidateConfigField("proxy")]
        public Uri Proxy { get; set; }

        [Parameter]
        [Credential]
        public PSCredential ProxyCredential { get; set; }

        [Parameter]
        public SwitchParameter UseSystemProxy { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string AuditPath { get; set; }

        [Parameter(ParameterSetName = "MfaServer")]
        public SwitchParameter AllowUnknownUser { get; set; }

        [Parameter]
        public SwitchParameter AllowUnencryptedAuthentication { get; set; }

        [Parameter]
        public SwitchParameter Default { get; set; }

        bool IsDuo { get { return ParameterSetName == "Duo"; } }
        bool IsOkta { get { return ParameterSetName.StartsWith("Okta", StringComparison.Ordinal); } }

        /// <summary>A PEM file as a read-only SecureString; the bytes read are cleared.</summary>
        static SecureString ReadSecretFile(string path)
        {
            byte[] bytes = File.ReadAllBytes(path);
            try
            {
                if (bytes.Length > 16 * 1024) throw new ArgumentException("-PrivateKeyFile: the file is larger than 16 KB; give the service app's PEM private key.");
                SecureString secret = new SecureString();
                foreach (byte b in bytes)
                {
                    if (b > 127) throw new ArgumentException("-PrivateKeyFile: the file is not a PEM text file (a non-ASCII byte); give the service app's PEM private key.");
                    secret.AppendChar((char)b);
                }
                secret.MakeReadOnly();
                return secret;
            }
            finally
            {
                Array.Clear(bytes, 0, bytes.Length);
            }
        }

        protected override void BeginProcessing()
        {
            if (IsRadius)
            {
                BeginRadius();
                return;
            }
            ProviderSpec registered = RegistrySpec;
            if (registered != null)
            {
                BeginFromRegistry(registered);
                return;
            }
            if (Provider == MfaProvider.Duo && (!IsDuo || MyInvocation.BoundParameters.ContainsKey("Uri") || MyInvocation.BoundParameters.ContainsKey("Credential")))
            {
                ThrowTerminatingError(Errors.Record("MfaApproval.InvalidConnectionSettings", "New-MfaConnection -Provider Duo takes -ApiHost (api-xxxxxxxx.duosecurity.com), -IntegrationKey and -SecretKey, from the Auth API application in the Duo Admin Panel; -Uri, -Credential, -ClientCertificateFile, -BasicAuthentication, -InitiatingAuthenticationType and -AllowUnknownUser are for the MFA Server SDK (leave out -Provider, or give -Provider MfaServer).", ErrorCategory.InvalidArgument, Provider));
            }
            foreach (string name in new string[] { "Credential", "ProxyCredential" })
            {
                object given;
                if (MyInvocation.BoundParameters.TryGetValue(name, out given) && (given == null || given == PSCredential.Empty))
                {
                    ThrowTerminatingError(Errors.Record("MfaApproval.InvalidConnectionSettings", "New-MfaConnection -" + name + " is empty ($null: a variable that was never set?). Give a PSCredential (Get-Credential, or Import-Clixml of one saved with Export-Clixml), or leave -" + name + " out.", ErrorCategory.InvalidArgument, name));
                }
            }
            if (IsDuo && Provider != MfaProvider.Duo)
            {
                ThrowTerminatingError(Errors.Record("MfaApproval.InvalidConnectionSettings", "New-MfaConnection -Provider: -ApiHost, -IntegrationKey and -SecretKey are for -Provider Duo.", ErrorCategory.InvalidArgument, Provider));
            }
            if (IsOkta != (Provider == MfaProvider.Okta))
            {
                ThrowTerminatingError(Errors.Record("MfaApproval.InvalidConnectionSettings", "New-MfaConnection -Provider: -Provider Okta takes -OrgUrl with -ApiToken, or -OrgUrl with -ClientId and -PrivateKeyFile (and only those take them).", ErrorCategory.InvalidArgument, Provider));
            }
            if (Proxy != null && UseSystemProxy)
            {
                ThrowTerminatingError(Errors.Record("MfaApproval.InvalidConnectionSettings", "New-MfaConnection: give -Proxy or -UseSystemProxy, not both.", ErrorCategory.InvalidArgument, Proxy));
            }
            bool hasProxyCredential = ProxyCredential != null && ProxyCredential != PSCredential.Empty;
            bool hasCredential = Credential != null && Credential != PSCredential.Empty;
            string cert = ResolveExistingFile("ClientCertificateFile", ClientCertificateFile);
            string key = ResolveExistingFile("ClientKeyFile", ClientKeyFile);
            string ca = ResolveExistingFile("CaCertificateFile", CaCertificateFile);
            if (AllowUnknownUser)
            {
                WriteWarning("New-MfaConnection -AllowUnknownUser: requireUserMatch=false lets users the MFA server does not know through WITHOUT any MFA.");
            }
            if (AllowBypass)
            {
                WriteWarning("New-MfaConnection -AllowBypass: a Duo bypass (the user is let through WITHOUT a push) will count as an approval; every such result carries a warning.");
            }
            string proxy = Proxy != null ? Proxy.AbsoluteUri : null;
            if (proxy == null && UseSystemProxy)
            {
                // Windows: the WinHTTP proxy a service account sees; else the environment's.
                proxy = WinHttpProxy.Get() ?? "system";
            }
            string audit = AuditPath == null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(AuditPath);
            // The engine checked -ApiHost at binding (host and optional port only) and makes
            // the URL from it; this one is for display.
            string uri = IsDuo ? "https://" + ApiHost : IsOkta ? OrgUrl.OriginalString : Uri.OriginalString;
            string privateKeyFile = ResolveExistingFile("PrivateKeyFile", PrivateKeyFile);
            JsonObject config = new JsonObject()
                .Add("provider", Providers.ForParameterSet(ParameterSetName).Name)
                .Add(IsDuo ? "apiHost" : "uri", IsDuo ? ApiHost : uri)
                .Add("applicationName", ApplicationName ?? string.Empty)
                .Add("httpTimeoutSeconds", HttpTimeout)
                .Add("allowUnencryptedAuthentication", AllowUnencryptedAuthentication.IsPresent)
                .Add("serverCertificateSha256", ServerCertificateHash)
                .Add("caCertificateFile", ca)
                .Add("proxy", proxy)
                .Add("proxyUserName", hasProxyCredential ? ProxyCredential.UserName : null)
                .Add("auditPath", audit);
            if (IsDuo)
            {
                config.Add("integrationKey", IntegrationKey).Add("signatureVersion", SignatureVersion).Add("allowBypass", AllowBypass.IsPresent);
            }
            else if (IsOkta)
            {
                config.Add("clientId", ClientId).Add("numberChallenge", NumberChallenge.IsPresent);
            }
            else
            {
                config.Add("basicMode", BasicAuthentication == BasicAuthenticationMode.Challenge ? "challenge" : "preemptive")
                    .Add("initiatingAuthenticationType", InitiatingAuthenticationType)
                    .Add("requireUserMatch", !AllowUnknownUser.IsPresent)
                    .Add("userName", hasCredential ? Credential.UserName : null)
                    .Add("clientCertificateFile", cert)
                    .Add("clientKeyFile", key);
            }
            if (AllowNameOnlyIdentity) config.Add("allowNameOnlyIdentity", true);
            AddAuditSettings(config);
            WriteVerbose(string.Format("Creating a {0} client for {1} (caller: {2}; pins: {3}; proxy: {4})", Providers.ForParameterSet(ParameterSetName).Display, uri,
                IsDuo ? "integration " + IntegrationKey : IsOkta ? (ClientId != null ? "service app " + ClientId : "API token") : hasCredential ? Credential.UserName : cert != null ? "client certificate" : "anonymous",
                ServerCertificateHash == null ? 0 : ServerCertificateHash.Length, proxy ?? "none"));

            MfaClientHandle client = null;
            SecureString privateKey = null;
            KeyValuePair<uint, SecureString>[] secretsGiven = new KeyValuePair<uint, SecureString>[0];
            try
            {
                if (privateKeyFile != null) privateKey = ReadSecretFile(privateKeyFile);
                secretsGiven = new KeyValuePair<uint, SecureString>[]
                {
                    new KeyValuePair<uint, SecureString>(Native.SecretBasicPassword, hasCredential ? Credential.Password : null),
                    new KeyValuePair<uint, SecureString>(Native.SecretClientCertificatePassword, ClientCertificatePassword),
                    new KeyValuePair<uint, SecureString>(Native.SecretDuoSecretKey, SecretKey),
                    new KeyValuePair<uint, SecureString>(Native.SecretProxyPassword, hasProxyCredential ? ProxyCredential.Password : null),
                    new KeyValuePair<uint, SecureString>(Native.SecretOktaApiToken, ApiToken),
                    new KeyValuePair<uint, SecureString>(Native.SecretOktaPrivateKey, privateKey),
                    AuditSecret,
                };
                client = Native.NewClient(config.ToString(), secretsGiven);
            }
            catch (MfaNativeException e)
            {
                string id = e.Field == "allowUnencryptedAuthentication" ? "MfaApproval.UnencryptedAuthentication" : "MfaApproval.InvalidConnectionSettings";
                ThrowTerminatingError(Errors.Record(id, "New-MfaConnection " + ForConnectionParameter(e, ParametersOf(Providers.ForParameterSet(ParameterSetName))), ErrorCategory.InvalidArgument, uri, e));
            }
            catch (ArgumentException e)
            {
                ThrowTerminatingError(Errors.Record("MfaApproval.InvalidConnectionSettings", "New-MfaConnection " + e.Message, ErrorCategory.InvalidArgument, uri));
            }
            catch (IOException e)
            {
                ThrowTerminatingError(Errors.Record("MfaApproval.InvalidConnectionSettings", "New-MfaConnection -PrivateKeyFile: cannot read '" + privateKeyFile + "': " + e.Message, ErrorCategory.ReadError, privateKeyFile));
            }
            finally
            {
                if (privateKey != null) privateKey.Dispose();
            }
            Connection c = new Connection(client);
            c.ConfigJson = config.ToString();
            c.SecretKinds = Connection.KindsOf(secretsGiven);
            c.Provider = Providers.ForParameterSet(ParameterSetName).Label;
            c.Uri = new Uri(uri);
            c.ServerCertificateHash = ServerCertificateHash ?? new string[0];
            c.ApplicationName = ApplicationName;
            c.HttpTimeout = HttpTimeout;
            c.Proxy = proxy ?? "none";
            SetAuditDisplay(c, audit);
            if (IsDuo)
            {
                c.IntegrationKey = IntegrationKey;
                c.AllowBypass = AllowBypass.IsPresent;
                c.Authentication = "DuoSignature";
            }
            else if (IsOkta)
            {
                c.ClientId = ClientId;
                c.NumberChallenge = NumberChallenge.IsPresent;
                c.Authentication = ClientId != null ? "OktaServiceApp" : "OktaApiToken";
            }
            else
            {
                List<string> authentication = new List<string>();
                if (hasCredential) authentication.Add("Basic");
                if (cert != null) authentication.Add("ClientCertificate");
                if (authentication.Count == 0) authentication.Add("None");
                c.UserName = hasCredential ? Credential.UserName : null;
                c.Authentication = string.Join(", ", authentication.ToArray());
                c.InitiatingAuthenticationType = InitiatingAuthenticationType;
                c.AllowUnknownUser = AllowUnknownUser.IsPresent;
            }
            if (Default)
            {
                Session.DefaultConnection = c;
                WriteVerbose("Default connection: " + uri);
            }
            WriteObject(c);
        }
    }
}
