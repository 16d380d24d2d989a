// Test-MfaAuditLog: verifies an audit file's hash chain (and, with -AuditKey, every record's
// MAC) through the engine (mfa_audit_verify), streaming; -Assert throws naming the record.
using System.Management.Automation;
using System.Security;
using MfaApproval.Interop;

namespace MfaApproval.Cmdlets
{
    [Cmdlet(VerbsDiagnostic.Test, "MfaAuditLog")]
    [OutputType(typeof(AuditLogReport))]
    public sealed class TestMfaAuditLogCommand : MfaCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName")]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; }

        [Parameter]
        [ValidateNotNull]
        [SecureStringOnly("AuditKey", "audit key")]
        public SecureString AuditKey { get; set; }

        [Parameter]
        public SwitchParameter Assert { get; set; }

        protected override void ProcessRecord()
        {
            string full = ResolveExistingFile("Path", Path);
            WriteVerbose("Verifying the audit log " + full + (AuditKey != null ? " (hash chain and MACs, with the audit key)" : " (hash chain; no -AuditKey, so MACs are not checked)"));
            string json = null;
            try
            {
                json = Native.VerifyAuditLog(full, AuditKey);
            }
            catch (MfaNativeException e)
            {
                ThrowTerminatingError(Errors.Record("MfaApproval.AuditLogUnreadable", "Test-MfaAuditLog -Path: " + (e.Problem ?? e.Message), ErrorCategory.ReadError, full, e));
            }
            AuditLogReport r = AuditLogReport.FromJson(full, json);
            if (Assert && !r.Valid)
            {
                string text = string.Format("The audit log '{0}' is not a valid chain: {1} (first bad record {2}, {3}).", full, r.Message, r.FirstBadRecord, r.Reason);
                ThrowTerminatingError(new ErrorRecord(new SecurityException(text), "MfaApproval.AuditLogInvalid", ErrorCategory.SecurityError, r));
            }
            WriteObject(r);
        }
    }
}
