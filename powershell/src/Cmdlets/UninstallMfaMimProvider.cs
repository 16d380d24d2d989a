// Uninstall-MfaMimProvider: puts back the MfaSettings.xml that Install-MfaMimProvider backed
// up, then removes what it created in the MIM Service folder: the adapter, its settings and
// the module copy MfaApproval.MimProvider\ (a credential file named with -CredentialPath and
// the phone map are the admin's and stay). The MIM Service reads
// MfaSettings.xml when it starts: the command says to restart it.
using System.IO;
using System.Management.Automation;
using MfaApproval.Hosting;

namespace MfaApproval.Cmdlets
{
    [Cmdlet(VerbsLifecycle.Uninstall, "MfaMimProvider", SupportsShouldProcess = true)]
    [OutputType(typeof(PSObject))]
    public sealed class UninstallMfaMimProviderCommand : MfaCmdlet
    {
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string ServicePath { get; set; }

        protected override void EndProcessing()
        {
            MimServiceFolder folder = InstallMfaMimProviderCommand.ServiceFolder(this, ServicePath);
            if (!File.Exists(folder.Backup))
            {
                ThrowTerminatingError(Errors.Record("MfaApproval.NoBackup", "-ServicePath: '" + folder.Path + "' has no " + MimServiceFolder.BackupFileName + ": Install-MfaMimProvider was not run here (or the backup was removed). MfaSettings.xml was not changed.", ErrorCategory.ObjectNotFound, folder.Path));
            }
            if (!ShouldProcess(folder.Path, "Restore MfaSettings.xml from its backup and remove the MfaApproval MIM provider (the adapter, its settings and " + ModuleCopy.FolderName + ")")) return;
            try
            {
                folder.RestoreBackup();
            }
            catch (IOException e)
            {
                ThrowTerminatingError(Errors.Record("MfaApproval.RestoreFailed", "Restoring MfaSettings.xml from '" + folder.Backup + "' failed: " + e.Message, ErrorCategory.WriteError, folder.Path));
            }
            catch (System.UnauthorizedAccessException e)
            {
                ThrowTerminatingError(Errors.Record("MfaApproval.AccessDenied", "Writing to the MIM Service folder '" + folder.Path + "' was refused (" + e.Message + "). Run as an administrator of this server.", ErrorCategory.PermissionDenied, folder.Path));
            }
            foreach (string file in new string[] { folder.ProviderSettingsFile, folder.Adapter, folder.ModuleFolder, folder.ModuleFolder + ".new" })
            {
                try
                {
                    if (File.Exists(file)) File.Delete(file);
                    else if (Directory.Exists(file)) Directory.Delete(file, true);
                }
                catch (System.Exception e)
                {
                    WriteWarning("Could not remove '" + file + "' (" + e.Message + "); the MIM Service may have it loaded: stop the service and delete it. MfaSettings.xml no longer names it.");
                }
            }
            HostInformationMessage restart = new HostInformationMessage();
            restart.Message = "MfaSettings.xml restored in " + folder.Path + ". Restart the MIM Service for MIM to use it: Restart-Service FIMService";
            restart.NoNewLine = false;
            WriteInformation(restart, new string[] { "PSHOST" });
            PSObject result = new PSObject();
            result.Properties.Add(new PSNoteProperty("ServicePath", folder.Path));
            result.Properties.Add(new PSNoteProperty("MfaSettingsPath", folder.MfaSettings));
            result.Properties.Add(new PSNoteProperty("NextStep", "Restart-Service FIMService"));
            WriteObject(result);
        }
    }
}
