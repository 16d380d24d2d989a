// New-MfaConnection's audit trail parameters, for every provider: -AuditKey (the records'
// HMAC key: secret kind 9, never in the JSON), -SyslogServer with its TLS trust
// (-SyslogCaCertificateFile, -SyslogCertificateHash), -AuditRequired and -EventLog. Every
// rule is the engine's (audit::config); a refusal names the parameter.
using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Security;
using System.Text.RegularExpressions;
using MfaApproval.Interop;
using MfaApproval.Json;

namespace MfaApproval.Cmdlets
{
    /// <summary>Which audit records an approval needs (the engine's auditRequired).</summary>
    public enum AuditRequirement { File, Syslog, Both }

    public sealed partial class NewMfaConnectionCommand
    {
        /// <summary>Engine fields of the audit settings and their parameters (every parameter set).</summary>
        static readonly Dictionary<string, string> AuditParameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            { "auditPath", "AuditPath" },
            { "auditKey", "AuditKey" },
            { "syslogServer", "SyslogServer" },
            { "syslogCaCertificateFile", "SyslogCaCertificateFile" },
            { "syslogCertificateSha256", "SyslogCertificateHash" },
            { "auditRequired", "AuditRequired" },
            { "eventLog", "EventLog" },
        };

        /// <summary>The audit records' HMAC-SHA256 key (at least 16 characters).</summary>
        [Parameter]
        [ValidateNotNull]
        [SecureStringOnly("AuditKey", "audit key")]
        public SecureString AuditKey { get; set; }

        /// <summary>udp://host[:514], tcp://host[:601] or tls://host[:6514].</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ValidateConfigField("syslogServer")]
        public string SyslogServer { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string SyslogCaCertificateFile { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[] SyslogCertificateHash { get; set; }

        [Parameter]
        public AuditRequirement AuditRequired { get; set; }

        [Parameter]
        public SwitchParameter EventLog { get; set; }

        /// <summary>Adds the audit settings to the engine configuration.</summary>
        void AddAuditSettings(JsonObject config)
        {
            string ca = ResolveExistingFile("SyslogCaCertificateFile", SyslogCaCertificateFile);
            config.Add("syslogServer", SyslogServer)
                .Add("syslogCaCertificateFile", ca)
                .Add("syslogCertificateSha256", SyslogCertificateHash)
                .Add("auditRequired", MyInvocation.BoundParameters.ContainsKey("AuditRequired") ? AuditRequired.ToString().ToLowerInvariant() : null)
                .Add("eventLog", EventLog.IsPresent ? (object)true : null);
        }

        /// <summary>The audit key as the engine takes it (left out when not given).</summary>
        KeyValuePair<uint, SecureString> AuditSecret
        {
            get { return new KeyValuePair<uint, SecureString>(Native.SecretAuditKey, AuditKey); }
        }

        /// <summary>"-Parameter: problem" for an audit field, else the provider's mapping; the
        /// fields and secrets the problem mentions are named as parameters too.</summary>
        static string ForConnectionParameter(MfaNativeException e, Dictionary<string, string> map, ProviderSpec spec)
        {
            string field = e.Field;
            if (field != null)
            {
                int bracket = field.IndexOf('[');
                string bare = bracket > 0 ? field.Substring(0, bracket) : field;
                string parameter;
                if (AuditParameters.TryGetValue(bare, out parameter)) return "-" + parameter + ": " + ParameterWords(e.Problem, map, spec);
                if (map.TryGetValue(bare, out parameter)) return "-" + parameter + ": " + ParameterWords(e.Problem, map, spec);
            }
            return ParameterWords(ForParameter(e, map), map, spec);
        }

        /// <summary>The engine's text (which names configuration fields, for every C ABI host)
        /// with each field and secret it mentions spelled as the parameter that sets it: "set
        /// passwordMode to fixed" reads "set -PasswordMode to fixed", "the oktaPrivateKey secret"
        /// reads "-PrivateKeyFile", "the basicPassword secret" reads "the password of -Credential".
        /// Only camelCase names are replaced: a one-word field (uri, realm) is also an English word.</summary>
        internal static string ParameterWords(string text, Dictionary<string, string> map, ProviderSpec spec)
        {
            List<KeyValuePair<string, string>> names = new List<KeyValuePair<string, string>>();
            foreach (KeyValuePair<string, string> f in AuditParameters) names.Add(f);
            foreach (KeyValuePair<string, string> f in map) names.Add(f);
            // Longest first: proxyUserName before a shorter name it contains.
            names.Sort((a, b) => b.Key.Length.CompareTo(a.Key.Length));
            foreach (KeyValuePair<string, string> n in names)
            {
                if (n.Key == n.Key.ToLowerInvariant()) continue;
                text = Regex.Replace(text, @"(?<![\w-])the " + Regex.Escape(n.Key) + @" secret\b", SecretWords(spec, n.Key, n.Value));
                text = Regex.Replace(text, @"(?<![\w-])" + Regex.Escape(n.Key) + @"(?!\w)", "-" + n.Value);
            }
            text = Regex.Replace(text, @"\bprovider " + Regex.Escape(spec.Name) + @"\b", "-Provider " + spec.Label);
            foreach (ProviderSecret s in spec.Secrets)
            {
                // "-ProxyCredential and the password of -ProxyCredential": one parameter holds both.
                string spelled = SecretWords(spec, s.Name, s.Parameter);
                text = text.Replace("-" + s.Parameter + " and " + spelled, "-" + s.Parameter);
            }
            return text;
        }

        /// <summary>How a secret is named to a user: its parameter, or the password of its credential.</summary>
        static string SecretWords(ProviderSpec spec, string name, string parameter)
        {
            ProviderSecret s = Array.Find(spec.Secrets, x => x.Name == name);
            return s != null && s.Source == "credential" ? "the password of -" + parameter : "-" + parameter;
        }

        /// <summary>What the connection shows of its audit trail (never the key).</summary>
        void SetAuditDisplay(Connection c, string auditPath)
        {
            c.AuditPath = auditPath;
            c.AuditKeyed = AuditKey != null;
            c.SyslogServer = SyslogServer;
            c.EventLog = EventLog.IsPresent;
        }
    }
}
