// New-MfaConnection -Provider Radius: a client for RADIUS servers (NPS with the Microsoft
// Entra MFA extension, a Duo Authentication Proxy, any RADIUS MFA server).
// Every value rule is the engine's (radius::config); a refusal names the parameter. The
// shared secret and the PAP password reach the engine as secrets, never in the JSON.
using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Security;
using MfaApproval.Interop;
using MfaApproval.Json;

namespace MfaApproval.Cmdlets
{
    public enum RadiusPasswordMode { None, Fixed }

    public sealed partial class NewMfaConnectionCommand
    {
        /// <summary>The parameters of the other sets that a RADIUS connection cannot use.</summary>
        static readonly string[] NotForRadius = new string[]
        {
            "ServerCertificateHash", "CaCertificateFile", "ApplicationName", "HttpTimeout", "Proxy",
            "ProxyCredential", "UseSystemProxy", "AllowUnencryptedAuthentication",
        };

        string nasIdentifier = "MfaApproval";

        [Parameter(Mandatory = true, ParameterSetName = "Radius")]
        [ValidateNotNullOrEmpty]
        public string[] Server { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = "Radius")]
        [ValidateNotNull]
        [SecureStringOnly("SharedSecret", "RADIUS shared secret")]
        public SecureString SharedSecret { get; set; }

        [Parameter(ParameterSetName = "Radius")]
        public RadiusPasswordMode PasswordMode { get; set; }

        [Parameter(ParameterSetName = "Radius")]
        [ValidateNotNull]
        [SecureStringOnly("Password", "RADIUS PAP password")]
        public SecureString Password { get; set; }

        [Parameter(ParameterSetName = "Radius")]
        [ValidateNotNull]
        public string NasIdentifier { get { return nasIdentifier; } set { nasIdentifier = value; } }

        [Parameter(ParameterSetName = "Radius")]
        public SwitchParameter AllowMissingMessageAuthenticator { get; set; }

        /// <summary>A provider that cannot say who a name is (RADIUS): take requests with several
        /// approvers or -ExcludeUserName anyway, telling people apart by names alone
        /// (IdentityCheck = Names). In every set: the engine refuses it, saying why, for a
        /// provider that resolves identities.</summary>
        [Parameter]
        public SwitchParameter AllowNameOnlyIdentity { get; set; }

        bool IsRadius { get { return ParameterSetName == "Radius"; } }

        void BeginRadius()
        {
            if (Provider != MfaProvider.Radius)
            {
                ThrowTerminatingError(Errors.Record("MfaApproval.InvalidConnectionSettings", "New-MfaConnection -Provider: -Server and -SharedSecret are for -Provider Radius.", ErrorCategory.InvalidArgument, Provider));
            }
            foreach (string name in NotForRadius)
            {
                if (MyInvocation.BoundParameters.ContainsKey(name))
                {
                    ThrowTerminatingError(Errors.Record("MfaApproval.InvalidConnectionSettings", "New-MfaConnection -" + name + ": is not a RADIUS setting (RADIUS is UDP to the servers; no URL, TLS or proxy applies).", ErrorCategory.InvalidArgument, name));
                }
            }
            // -Password alone means a fixed password.
            RadiusPasswordMode mode = PasswordMode;
            if (Password != null && !MyInvocation.BoundParameters.ContainsKey("PasswordMode")) mode = RadiusPasswordMode.Fixed;
            if (AllowMissingMessageAuthenticator)
            {
                WriteWarning("New-MfaConnection -AllowMissingMessageAuthenticator: RADIUS answers without a Message-Authenticator will count, which leaves approvals open to forgery (Blast-RADIUS, CVE-2024-3596); every result carries a warning.");
            }
            if (AllowNameOnlyIdentity)
            {
                WriteWarning("New-MfaConnection -AllowNameOnlyIdentity: RADIUS cannot say who a name is, so requests with several approvers or -ExcludeUserName will tell people apart by their names alone; one person with two accounts can then approve twice.");
            }
            string audit = AuditPath == null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(AuditPath);
            JsonObject config = new JsonObject()
                .Add("provider", Providers.ForParameterSet(ParameterSetName).Name)
                .Add("servers", Server)
                .Add("nasIdentifier", NasIdentifier)
                .Add("passwordMode", mode == RadiusPasswordMode.Fixed ? "fixed" : "none")
                .Add("allowMissingMessageAuthenticator", AllowMissingMessageAuthenticator.IsPresent)
                .Add("allowNameOnlyIdentity", AllowNameOnlyIdentity.IsPresent)
                .Add("auditPath", audit);
            AddAuditSettings(config);
            string first = Server.Length > 0 ? Server[0] : string.Empty;
            MfaClientHandle client = null;
            try
            {
                client = Native.NewClient(config.ToString(), new KeyValuePair<uint, SecureString>[]
                {
                    new KeyValuePair<uint, SecureString>(Native.SecretRadiusSharedSecret, SharedSecret),
                    new KeyValuePair<uint, SecureString>(Native.SecretRadiusPassword, Password),
                    AuditSecret,
                });
            }
            catch (MfaNativeException e)
            {
                ThrowTerminatingError(Errors.Record("MfaApproval.InvalidConnectionSettings", "New-MfaConnection " + ForConnectionParameter(e, ParametersOf(Providers.ForParameterSet(ParameterSetName))), ErrorCategory.InvalidArgument, first, e));
            }
            catch (ArgumentException e)
            {
                ThrowTerminatingError(Errors.Record("MfaApproval.InvalidConnectionSettings", "New-MfaConnection " + e.Message, ErrorCategory.InvalidArgument, first));
            }
            WriteVerbose(string.Format("Creating a RADIUS client for {0} (NAS-Identifier {1}; password mode {2})", string.Join(", ", Server), NasIdentifier, mode));
            Connection c = new Connection(client);
            c.ConfigJson = config.ToString();
            c.SecretKinds = Connection.KindsOf(new KeyValuePair<uint, SecureString>[]
            {
                new KeyValuePair<uint, SecureString>(Native.SecretRadiusSharedSecret, SharedSecret),
                new KeyValuePair<uint, SecureString>(Native.SecretRadiusPassword, Password),
                AuditSecret,
            });
            c.Provider = Providers.ForParameterSet(ParameterSetName).Label;
            c.Uri = RadiusUri(first);
            c.Servers = (string[])Server.Clone();
            c.NasIdentifier = NasIdentifier;
            c.PasswordMode = mode.ToString();
            c.AllowMissingMessageAuthenticator = AllowMissingMessageAuthenticator.IsPresent;
            c.AllowNameOnlyIdentity = AllowNameOnlyIdentity.IsPresent;
            c.Authentication = "SharedSecret";
            c.ServerCertificateHash = new string[0];
            c.Proxy = "none";
            SetAuditDisplay(c, audit);
            if (Default)
            {
                Session.DefaultConnection = c;
                WriteVerbose("Default connection: RADIUS " + first);
            }
            WriteObject(c);
        }

        /// <summary>radius://host:port for display (the engine already accepted the server).</summary>
        static Uri RadiusUri(string server)
        {
            Uri u;
            return Uri.TryCreate("radius://" + server, UriKind.Absolute, out u) ? u : null;
        }
    }
}
