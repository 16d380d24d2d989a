// Protect-MfaSecret: an administrator writes a connection's secret (Duo secret key, Okta API
// token, RADIUS shared secret, MFA Server password) into a file that only the account of a
// service (FIMService by default) can read, for accounts that cannot log on to make an
// Export-Clixml file themselves (a gMSA; an account under "Deny log on locally"). DPAPI for
// this machine plus a protected ACL (Hosting/SecretFile.cs says why this and not a scheduled
// task). Arguments are checked on every platform before the Windows-only part starts.
using System;
using System.ComponentModel;
using System.IO;
using System.Management.Automation;
using MfaApproval.Hosting;
using MfaApproval.Interop;

namespace MfaApproval.Cmdlets
{
    [Cmdlet(VerbsSecurity.Protect, "MfaSecret", SupportsShouldProcess = true, DefaultParameterSetName = "Service")]
    [OutputType(typeof(PSObject))]
    public sealed class ProtectMfaSecretCommand : PSCmdlet
    {
        string serviceName = "FIMService";

        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; }

        [Parameter(Mandatory = true)]
        [Credential]
        [ValidateNotNull]
        public PSCredential Credential { get; set; }

        [Parameter(ParameterSetName = "Service")]
        [ValidateNotNullOrEmpty]
        public string ServiceName { get { return serviceName; } set { serviceName = value; } }

        [Parameter(Mandatory = true, ParameterSetName = "Account")]
        [ValidateNotNullOrEmpty]
        public string Account { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void EndProcessing()
        {
            string full = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
            string folder = System.IO.Path.GetDirectoryName(full);
            if (Directory.Exists(full)) Fail("MfaApproval.InvalidArgument", "-Path: '" + full + "' is a folder; give the file to write (for example C:\\MfaApproval\\duo-secret.xml).", ErrorCategory.InvalidArgument, Path);
            if (string.IsNullOrEmpty(folder) || !Directory.Exists(folder)) Fail("MfaApproval.FileNotFound", "-Path: the folder '" + folder + "' does not exist; create it first (only administrators should be able to write to it).", ErrorCategory.ObjectNotFound, Path);
            if (File.Exists(full) && !Force) Fail("MfaApproval.FileExists", "-Path: '" + full + "' exists; add -Force to replace it.", ErrorCategory.ResourceExists, Path);
            if (Credential == PSCredential.Empty || Credential.Password == null || Credential.Password.Length == 0)
            {
                Fail("MfaApproval.InvalidArgument", "-Credential: the password, which is the secret to protect, is empty.", ErrorCategory.InvalidArgument, null);
            }
            if (ParameterSetName == "Service")
            {
                string problem = SecretFile.ServiceNameProblem(ServiceName);
                if (problem != null) Fail("MfaApproval.InvalidArgument", "-ServiceName: " + problem + ".", ErrorCategory.InvalidArgument, ServiceName);
            }
            if (!Loader.IsWindows)
            {
                Fail("MfaApproval.NotSupported", "Protect-MfaSecret needs Windows: the file is protected with DPAPI for the machine and an ACL for the service account. (Elsewhere, for tests only: Install-MfaMimProvider -Credential ... -AllowPlainTextSecret.)", ErrorCategory.NotImplemented, null);
            }

            string account = Account;
            if (account == null)
            {
                account = SecretFile.ServiceAccount(ServiceName);
                if (account == null) Fail("MfaApproval.ServiceNotFound", "-ServiceName: there is no service '" + ServiceName + "' on this computer; give the account with -Account (CONTOSO\\svc-mimservice, or CONTOSO\\gmsa-mim$ for a gMSA).", ErrorCategory.ObjectNotFound, ServiceName);
            }
            string sid = null;
            try
            {
                sid = SecretFile.SidOf(account);
            }
            catch (Exception e)
            {
                if (e is PipelineStoppedException) throw;
                Fail("MfaApproval.AccountNotFound", (Account != null ? "-Account" : "-ServiceName") + ": Windows does not know the account '" + account + "' (" + e.Message + ").", ErrorCategory.ObjectNotFound, account);
            }
            WriteVerbose("The file will be readable by " + account + " (" + sid + "), SYSTEM and Administrators only: " + SecretFile.Sddl(sid));
            if (!ShouldProcess(full, "Write the secret protected with DPAPI for this computer, readable only by " + account + " and administrators")) return;
            try
            {
                byte[] blob = SecretFile.Protect(Credential.Password);
                byte[] content = SecretFile.Format(Credential.UserName, sid, account, blob);
                if (File.Exists(full)) File.Delete(full);
                SecretFile.CreateProtected(full, SecretFile.Sddl(sid), content);
            }
            catch (Win32Exception e)
            {
                // 5 ERROR_ACCESS_DENIED: the folder is not writable by this (not elevated) process.
                string why = e.NativeErrorCode == 5 ? " Run PowerShell as an administrator." : string.Empty;
                Fail("MfaApproval.WriteFailed", "Writing '" + full + "' failed (Win32 error " + e.NativeErrorCode + ": " + e.Message + ")." + why, ErrorCategory.WriteError, full);
            }
            catch (UnauthorizedAccessException e)
            {
                Fail("MfaApproval.AccessDenied", "Writing '" + full + "' was refused (" + e.Message + "). Run PowerShell as an administrator.", ErrorCategory.PermissionDenied, full);
            }
            PSObject result = new PSObject();
            result.Properties.Add(new PSNoteProperty("Path", full));
            result.Properties.Add(new PSNoteProperty("Account", account));
            result.Properties.Add(new PSNoteProperty("AccountSid", sid));
            result.Properties.Add(new PSNoteProperty("Protection", SecretFile.Protection));
            result.Properties.Add(new PSNoteProperty("UserName", Credential.UserName));
            WriteObject(result);
        }

        void Fail(string id, string message, ErrorCategory category, object target)
        {
            ThrowTerminatingError(Errors.Record(id, message, category, target));
        }
    }
}
