// New-MfaConnection: its parameters, one parameter set per provider credential shape
// (MfaServer, Duo, OktaToken/OktaServiceApp here; Radius in NewMfaConnection.Radius.cs;
// the rest in NewMfaConnection.Registry.cs). Every connection is built the same way, from
// the engine's registry (NewMfaConnection.Registry.cs): no code here asks which provider it
// is. Every value rule is the engine's (checked at binding by ValidateConfigField, and again
// by mfa_client_new); a refusal names the parameter. Secrets reach the engine as UTF-8 in
// unmanaged memory only.
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

        // Not Mandatory in the default set: -Provider Radius (or any provider) alone binds the
        // default set, and BeginProcessing names what that provider needs (a mandatory -Uri
        // here would prompt for, or name, -Uri instead); the engine names a missing -Uri.
        [Parameter(Position = 0, ParameterSetName = "MfaServer")]
        [Parameter(Mandatory = true, ParameterSetName = "PrivacyIdea")]
        [ValidateNotNull]
        [AbsoluteUri("Uri")]
        [ValidateConfigField("uri")]
        public Uri Uri { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = "Duo")]
        [ValidateNotNullOrEmpty]
        [ValidateConfigField("apiHost")]
        public string ApiHost { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = "Duo")]
        [ValidateNotNullOrEmpty]
        [ValidateConfigField("integrationKey")]
        public string IntegrationKey { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = "Duo")]
        [ValidateNotNull]
        [SecureStringOnly("SecretKey", "Duo secret key")]
        public SecureString SecretKey { get; set; }

        [Parameter(ParameterSetName = "Duo")]
        [ArgumentCompleter(typeof(SignatureVersionCompleter))]
        [ValidateConfigField("signatureVersion")]
        public int SignatureVersion { get { return signatureVersion; } set { signatureVersion = value; } }

        [Parameter(ParameterSetName = "Duo")]
        public SwitchParameter AllowBypass { get; set; }

        /// <summary>Okta: the org URL (an https origin, e.g. https://contoso.okta.com).</summary>
        [Parameter(Mandatory = true, ParameterSetName = "OktaToken")]
        [Parameter(Mandatory = true, ParameterSetName = "OktaServiceApp")]
        [ValidateNotNull]
        [AbsoluteUri("OrgUrl")]
        [ValidateConfigField("uri", Parameter = "OrgUrl")]
        public Uri OrgUrl { get; set; }

        /// <summary>Okta: an API token (sent as SSWS).</summary>
        // Not Mandatory: -OrgUrl alone then binds this set (not an ambiguous one), and the
        // engine names the credential that is missing.
        [Parameter(ParameterSetName = "OktaToken")]
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

        [Parameter(ParameterSetName = "MfaServer")]
        [Parameter(ParameterSetName = "Duo")]
        [Parameter(ParameterSetName = "OktaToken")]
        [Parameter(ParameterSetName = "OktaServiceApp")]
        [Parameter(ParameterSetName = "PrivacyIdea")]
        [ValidateConfigField("serverCertificateSha256")]
        public string[] ServerCertificateHash { get; set; }

        [Parameter(ParameterSetName = "MfaServer")]
        [Parameter(ParameterSetName = "Duo")]
        [Parameter(ParameterSetName = "OktaToken")]
        [Parameter(ParameterSetName = "OktaServiceApp")]
        [Parameter(ParameterSetName = "PrivacyIdea")]
        [ValidateNotNullOrEmpty]
        public string CaCertificateFile { get; set; }

        [Parameter(ParameterSetName = "MfaServer")]
        [ArgumentCompleter(typeof(AuthenticationTypeCompleter))]
        [ValidateConfigField("initiatingAuthenticationType")]
        public string InitiatingAuthenticationType { get { return authType; } set { authType = value; } }

        [Parameter(ParameterSetName = "MfaServer")]
        [Parameter(ParameterSetName = "Duo")]
        [Parameter(ParameterSetName = "OktaToken")]
        [Parameter(ParameterSetName = "OktaServiceApp")]
        [ValidateConfigField("applicationName")]
        public string ApplicationName { get { return applicationName; } set { applicationName = value; } }

        [Parameter(ParameterSetName = "MfaServer")]
        [Parameter(ParameterSetName = "Duo")]
        [Parameter(ParameterSetName = "OktaToken")]
        [Parameter(ParameterSetName = "OktaServiceApp")]
        [Parameter(ParameterSetName = "PrivacyIdea")]
        [ValidateConfigField("httpTimeoutSeconds")]
        public int HttpTimeout { get { return httpTimeout; } set { httpTimeout = value; } }

        [Parameter(ParameterSetName = "MfaServer")]
        [Parameter(ParameterSetName = "Duo")]
        [Parameter(ParameterSetName = "OktaToken")]
        [Parameter(ParameterSetName = "OktaServiceApp")]
        [Parameter(ParameterSetName = "PrivacyIdea")]
        [ValidateNotNull]
        [AbsoluteUri("Proxy")]
        [ValidateConfigField("proxy")]
        public Uri Proxy { get; set; }

        [Parameter(ParameterSetName = "MfaServer")]
        [Parameter(ParameterSetName = "Duo")]
        [Parameter(ParameterSetName = "OktaToken")]
        [Parameter(ParameterSetName = "OktaServiceApp")]
        [Parameter(ParameterSetName = "PrivacyIdea")]
        [Credential]
        public PSCredential ProxyCredential { get; set; }

        [Parameter(ParameterSetName = "MfaServer")]
        [Parameter(ParameterSetName = "Duo")]
        [Parameter(ParameterSetName = "OktaToken")]
        [Parameter(ParameterSetName = "OktaServiceApp")]
        [Parameter(ParameterSetName = "PrivacyIdea")]
        public SwitchParameter UseSystemProxy { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string AuditPath { get; set; }

        [Parameter(ParameterSetName = "MfaServer")]
        public SwitchParameter AllowUnknownUser { get; set; }

        [Parameter(ParameterSetName = "MfaServer")]
        [Parameter(ParameterSetName = "Duo")]
        [Parameter(ParameterSetName = "OktaToken")]
        [Parameter(ParameterSetName = "OktaServiceApp")]
        [Parameter(ParameterSetName = "PrivacyIdea")]
        public SwitchParameter AllowUnencryptedAuthentication { get; set; }

        [Parameter]
        public SwitchParameter Default { get; set; }

        /// <summary>A PEM file as a read-only SecureString; the bytes read are cleared.</summary>
        static SecureString ReadSecretFile(string parameter, string path)
        {
            byte[] bytes;
            try
            {
                bytes = MfaApproval.Hosting.ProviderSettings.ReadBounded(path, 16 * 1024, "the");
            }
            catch (FormatException e)
            {
                throw new ArgumentException("-" + parameter + ": " + e.Message + "; give a PEM private key file (at most 16 KB).");
            }
            try
            {
                SecureString secret = new SecureString();
                foreach (byte b in bytes)
                {
                    if (b > 127) throw new ArgumentException("-" + parameter + ": the file is not a PEM text file (a non-ASCII byte); give a PEM private key.");
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
            ProviderSpec spec = Providers.ForParameterSet(ParameterSetName);
            if (spec == null)
            {
                // A parameter set no registry entry names (tests/Registry.Tests.ps1 ties them).
                ThrowTerminatingError(Errors.Record("MfaApproval.InvalidConnectionSettings", "New-MfaConnection: the parameters given (set " + ParameterSetName + ") are no provider's; give -Provider and its parameters (Get-Help New-MfaConnection).", ErrorCategory.InvalidArgument, ParameterSetName));
            }
            BeginFromRegistry(spec);
        }
    }
}
