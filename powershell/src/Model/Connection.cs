// MfaApproval.Connection: a native client (connection pool, TLS settings, credentials) and
// what it was made with. It never holds a secret: the password went to the engine.
using System;
using MfaApproval.Interop;

namespace MfaApproval
{
    public sealed class Connection
    {
        internal Connection(MfaClientHandle client)
        {
            NativeClient = client;
            ModuleVersion = Session.ModuleVersion;
        }

        /// <summary>MfaServer, Duo, Radius or Okta.</summary>
        public string Provider { get; internal set; }
        public Uri Uri { get; internal set; }
        /// <summary>Duo: the integration key (the secret key stays in the engine).</summary>
        public string IntegrationKey { get; internal set; }
        /// <summary>Duo: a bypass (no push) counts as an approval, with a warning each time.</summary>
        public bool AllowBypass { get; internal set; }
        /// <summary>Okta: the service app's client id (null with an API token).</summary>
        public string ClientId { get; internal set; }
        /// <summary>Okta: pushes ask for a number challenge; the number reaches the asker.</summary>
        public bool NumberChallenge { get; internal set; }
        /// <summary>The audit trail file (one JSON line per finished request), or null.</summary>
        public string AuditPath { get; internal set; }
        /// <summary>The audit records carry an HMAC with an audit key (-AuditKey; the key stays in the engine).</summary>
        public bool AuditKeyed { get; internal set; }
        /// <summary>The syslog server every audit record is sent to (-SyslogServer), or null.</summary>
        public string SyslogServer { get; internal set; }
        /// <summary>Audit records also go to the Windows Event Log (-EventLog).</summary>
        public bool EventLog { get; internal set; }
        /// <summary>none, system, or the proxy URL.</summary>
        public string Proxy { get; internal set; }
        public string UserName { get; internal set; }
        /// <summary>The realm the approvers are in (a provider with realms).</summary>
        public string Realm { get; internal set; }
        /// <summary>Basic, ClientCertificate, "Basic, ClientCertificate", None, DuoSignature,
        /// OktaApiToken, OktaServiceApp or ServiceAccount; from the registry's secrets.</summary>
        public string Authentication { get; internal set; }
        public string[] ServerCertificateHash { get; internal set; }
        public string InitiatingAuthenticationType { get; internal set; }
        public string ApplicationName { get; internal set; }
        public int HttpTimeout { get; internal set; }
        public bool AllowUnknownUser { get; internal set; }
        /// <summary>RADIUS: the servers (host:port), asked in order only when one refuses.</summary>
        public string[] Servers { get; internal set; }
        /// <summary>RADIUS: the NAS-Identifier sent.</summary>
        public string NasIdentifier { get; internal set; }
        /// <summary>RADIUS: None (an empty PAP password) or Fixed (a configured one).</summary>
        public string PasswordMode { get; internal set; }
        /// <summary>RADIUS: answers without a Message-Authenticator count (a warning each time).</summary>
        public bool AllowMissingMessageAuthenticator { get; internal set; }
        /// <summary>A provider that cannot say who a name is (RADIUS): requests with several
        /// approvers or -ExcludeUserName are taken, telling people apart by names alone
        /// (IdentityCheck = Names).</summary>
        public bool AllowNameOnlyIdentity { get; internal set; }
        public string ModuleVersion { get; private set; }
        /// <summary>The simulator behind this connection (Start-MfaSimulator), else null.</summary>
        public Simulator Simulator { get; internal set; }
        /// <summary>True once the connection's native client was released (its simulator stopped).</summary>
        public bool IsClosed { get { return NativeClient.IsClosed; } }

        internal MfaClientHandle NativeClient { get; private set; }
        /// <summary>The engine configuration it was made with (no secret: those went beside it).</summary>
        internal string ConfigJson { get; set; }
        /// <summary>The MFA_SECRET_* kinds it was made with (never the values): what the MIM
        /// installer must store beside the configuration.</summary>
        internal uint[] SecretKinds { get; set; }

        /// <summary>The kinds of the secrets given (a null value is no secret).</summary>
        internal static uint[] KindsOf(System.Collections.Generic.IEnumerable<System.Collections.Generic.KeyValuePair<uint, System.Security.SecureString>> secrets)
        {
            System.Collections.Generic.List<uint> kinds = new System.Collections.Generic.List<uint>();
            foreach (System.Collections.Generic.KeyValuePair<uint, System.Security.SecureString> s in secrets) if (s.Value != null) kinds.Add(s.Key);
            return kinds.ToArray();
        }

        public override string ToString()
        {
            return Uri == null ? string.Empty : Uri.ToString();
        }
    }
}
