// ErrorRecords with stable ErrorIds (MfaApproval.*). What PowerShell shows for a status or
// a failure kind (the -Assert ErrorId and category, the Test-MfaConnection stage) comes from
// the generated contract (Generated/Contract.cs), rendered from the engine.
using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Security;

namespace MfaApproval
{
    /// <summary>The failure kinds as PowerShell shows them (the generated contract's table).</summary>
    public static class FailureKinds
    {
        /// <summary>Every kind the engine reports.</summary>
        public static string[] Kinds
        {
            get { return (string[])Contract.FailureKinds.Clone(); }
        }

        /// <summary>The Test-MfaConnection stage of a kind (Internal for an unknown one).</summary>
        public static string Stage(string kind)
        {
            return Contract.KindStage(kind);
        }

        /// <summary>The error category of a kind (NotSpecified for an unknown one).</summary>
        public static ErrorCategory Category(string kind)
        {
            return Contract.KindCategory(kind);
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
            string text = string.Format("MFA approval for '{0}' was not granted: {1} ({2})", r.UserName, r.Status, r.Message);
            return new ErrorRecord(new SecurityException(text), r.ErrorId, r.Category, r);
        }
    }
}
