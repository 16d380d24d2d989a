// ErrorRecords with stable ErrorIds (MfaApproval.*), and the one table that maps the
// engine's failure kinds to what PowerShell shows (the Test-MfaConnection stage and the
// -Assert error category). A test checks the table against the engine's capabilities.
using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Security;

namespace MfaApproval
{
    public static class FailureKinds
    {
        static readonly Dictionary<string, KeyValuePair<string, ErrorCategory>> Map = Build();

        static Dictionary<string, KeyValuePair<string, ErrorCategory>> Build()
        {
            Dictionary<string, KeyValuePair<string, ErrorCategory>> m = new Dictionary<string, KeyValuePair<string, ErrorCategory>>(StringComparer.Ordinal);
            Add(m, "provider", "Soap", ErrorCategory.ResourceUnavailable);
            Add(m, "dns", "Dns", ErrorCategory.ConnectionError);
            Add(m, "connect", "Connect", ErrorCategory.ConnectionError);
            Add(m, "tls", "Tls", ErrorCategory.ConnectionError);
            Add(m, "certificatePin", "CertificatePin", ErrorCategory.ConnectionError);
            Add(m, "authentication", "Authentication", ErrorCategory.ResourceUnavailable);
            Add(m, "httpStatus", "HttpStatus", ErrorCategory.ResourceUnavailable);
            Add(m, "soapFault", "Soap", ErrorCategory.ResourceUnavailable);
            Add(m, "protocol", "Soap", ErrorCategory.ResourceUnavailable);
            Add(m, "timeout", "Timeout", ErrorCategory.OperationTimeout);
            Add(m, "cancelled", "Cancelled", ErrorCategory.OperationStopped);
            Add(m, "transport", "Connect", ErrorCategory.ConnectionError);
            Add(m, "internal", "Internal", ErrorCategory.NotSpecified);
            Add(m, "proxy", "Proxy", ErrorCategory.ConnectionError);
            Add(m, "challenge", "Challenge", ErrorCategory.AuthenticationError);
            return m;
        }

        static void Add(Dictionary<string, KeyValuePair<string, ErrorCategory>> m, string kind, string stage, ErrorCategory category)
        {
            m.Add(kind, new KeyValuePair<string, ErrorCategory>(stage, category));
        }

        /// <summary>Every kind this module maps.</summary>
        public static string[] Kinds
        {
            get { return new List<string>(Map.Keys).ToArray(); }
        }

        /// <summary>The Test-MfaConnection stage of a kind (Internal for an unknown one).</summary>
        public static string Stage(string kind)
        {
            KeyValuePair<string, ErrorCategory> v;
            return kind != null && Map.TryGetValue(kind, out v) ? v.Key : "Internal";
        }

        /// <summary>The error category of a kind (NotSpecified for an unknown one).</summary>
        public static ErrorCategory Category(string kind)
        {
            KeyValuePair<string, ErrorCategory> v;
            return kind != null && Map.TryGetValue(kind, out v) ? v.Value : ErrorCategory.NotSpecified;
        }
    }

    internal static class Errors
    {
        /// <summary>An ErrorRecord; the exception is an ArgumentException unless one is given
        /// (then wrapped when its message differs, so the record shows ours).</summary>
        public static ErrorRecord Record(string errorId, string message, ErrorCategory category, object target, Exception inner)
        {
            Exception e;
            if (inner == null) e = new ArgumentException(message);
            else if (inner.Message != message) e = new InvalidOperationException(message, inner);
            else e = inner;
            return new ErrorRecord(e, errorId, category, target);
        }

        public static ErrorRecord Record(string errorId, string message, ErrorCategory category, object target)
        {
            return Record(errorId, message, category, target, null);
        }

        /// <summary>The terminating error -Assert throws for a result that is not Approved.</summary>
        public static ErrorRecord ForResult(Result r)
        {
            ErrorCategory category;
            string status;
            switch (r.Status)
            {
                case "Denied": category = ErrorCategory.PermissionDenied; status = r.Status; break;
                case "FraudReported": category = ErrorCategory.SecurityError; status = r.Status; break;
                case "TimedOut": category = ErrorCategory.OperationTimeout; status = r.Status; break;
                case "Cancelled": category = ErrorCategory.OperationStopped; status = r.Status; break;
                default: category = FailureKinds.Category(r.FailureKind); status = "Failed"; break;
            }
            string text = string.Format("MFA approval for '{0}' was not granted: {1} ({2})", r.UserName, r.Status, r.Message);
            return new ErrorRecord(new SecurityException(text), "MfaApproval." + status, category, r);
        }
    }
}
