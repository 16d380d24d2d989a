// New-MfaConnection's audit trail parameters, for every provider: -AuditKey (the records'
// HMAC key: secret kind 9, never in the JSON), -SyslogServer with its TLS trust
// (-SyslogCaCertificateFile, -SyslogCertificateHash), -AuditRequired and -EventLog. Every
// rule is the engine's (audit::config); a refusal names the parameter.
using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Security;
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

        /// <summary>"-Parameter: problem" for an audit field, else the provider's mapping.</summary>
        static string ForConnectionParameter(MfaNativeException e, Dictionary<string, string> map)
        {
            string field = e.Field;
            if (field != null)
            {
                int bracket = field.IndexOf('[');
                string bare = bracket > 0 ? field.Substring(0, bracket) : field;
                string parameter;
                if (AuditParameters.TryGetValue(bare, out parameter)) return "-" + parameter + ": " + e.Problem;
            }
            return ForParameter(e, map);
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
