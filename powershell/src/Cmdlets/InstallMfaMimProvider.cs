// Install-MfaMimProvider: makes the MIM Service use MfaApproval for the multi-factor step of
// PAM role activation and SSPR (Microsoft's custom MFA provider hook, MIM 4.5.202.0 or
// later). Finds the interface assembly among the Service folder's DLLs by reading metadata,
// compiles mim/provider/*.cs against it with a C# 5 compiler, writes the adapter and its
// settings beside it, copies what the provider loads (MfaApproval.dll, the native library)
// into MfaApproval.MimProvider\ beside it with each file's SHA-256 in the settings (the
// provider verifies them before loading), backs up MfaSettings.xml and names the adapter
// there. On Windows it first refuses a module folder a non-administrator could change
// (WriteAccess). -DirectoryAttribute refuses, when it is bound and on every platform, an
// attribute users may write on their own account (DirectoryAttributes). The MIM Service
// reads MfaSettings.xml when it starts: the command says to restart it.
// Uninstall-MfaMimProvider undoes it.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using MfaApproval.Hosting;
using MfaApproval.Interop;
using MfaApproval.Json;

namespace MfaApproval.Cmdlets
{
    [Cmdlet(VerbsLifecycle.Install, "MfaMimProvider", SupportsShouldProcess = true)]
    [OutputType(typeof(PSObject))]
    public sealed class InstallMfaMimProviderCommand : MfaCmdlet
    {
        public const string InterfaceNamespace = "Microsoft.IdentityManagement.PhoneServiceProvider";
        public const string InterfaceName = "IPhoneServiceProvider";

        int timeout = 120;
        int maxOpen = 500;
        int abandonAfter = 300;
        string reason = "MIM: PAM role activation or password reset";

        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string ServicePath { get; set; }

        [Parameter(Mandatory = true)]
        [ValidateNotNull]
        public PSObject Connection { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string PhoneMap { get; set; }

        [Parameter]
        [ValidateRequestField("timeoutSeconds")]
        public int Timeout { get { return timeout; } set { timeout = value; } }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string AuditPath { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string CompilerPath { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string CredentialPath { get; set; }

        [Parameter]
        [Credential]
        public PSCredential Credential { get; set; }

        [Parameter]
        public SwitchParameter AllowPlainTextSecret { get; set; }

        /// <summary>The audit key (-AuditKey of the connection): a Protect-MfaSecret file or an Export-Clixml'd PSCredential file.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string AuditKeyPath { get; set; }

        [Parameter]
        public SwitchParameter AllowUnprotectedModuleFolder { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        [ValidateDirectoryAttribute]
        public string DirectoryAttribute { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string DirectorySearchRoot { get; set; }

        [Parameter]
        [ValidateRange(1, 100000)]
        public int MaxOpenRequests { get { return maxOpen; } set { maxOpen = value; } }

        [Parameter]
        [ValidateRange(1, 86400)]
        public int AbandonAfter { get { return abandonAfter; } set { abandonAfter = value; } }

        [Parameter]
        [ValidateRequestField("pushType")]
        public string Reason { get { return reason; } set { reason = value; } }

        protected override void EndProcessing()
        {
            MimServiceFolder folder = ServiceFolder(this, ServicePath);
            Connection c = Connection.BaseObject as Connection;
            if (c == null || c.ConfigJson == null)
            {
                Fail("MfaApproval.InvalidArgument", "-Connection: give a connection from New-MfaConnection or Start-MfaSimulator of this module.", ErrorCategory.InvalidArgument, Connection);
            }
            if (PhoneMap == null && DirectoryAttribute == null)
            {
                Fail("MfaApproval.InvalidArgument", "-PhoneMap: give the CSV file (PhoneNumber,UserName) that names each approver's phone, or -DirectoryAttribute (Windows) to look numbers up in Active Directory.", ErrorCategory.InvalidArgument, null);
            }
            if (DirectoryAttribute != null && !Loader.IsWindows)
            {
                Fail("MfaApproval.InvalidArgument", "-DirectoryAttribute: the Active Directory lookup needs Windows (the MIM Service's own). Use -PhoneMap here.", ErrorCategory.InvalidArgument, DirectoryAttribute);
            }
            string map = ResolveExistingFile("PhoneMap", PhoneMap);
            if (map != null) CheckPhoneMap(map);

            string config = ConfigFor(c);
            ProviderSettings settings = new ProviderSettings();
            settings.ModuleRoot = Session.ModuleRoot;
            settings.ModuleVersion = Session.ModuleVersion;
            settings.ConnectionJson = config;
            settings.PhoneMap = map;
            settings.DirectoryAttribute = DirectoryAttribute;
            settings.DirectorySearchRoot = DirectorySearchRoot;
            settings.TimeoutSeconds = Timeout;
            settings.MaxOpenRequests = MaxOpenRequests;
            settings.AbandonAfterSeconds = AbandonAfter;
            settings.Reason = Reason;
            SettingsSecret secret = SecretFor(c);
            if (secret != null) settings.Secrets.Add(secret);
            SettingsSecret auditKey = AuditKeyFor(c, config);
            if (auditKey != null) settings.Secrets.Add(auditKey);

            string[] found = MetadataTypeFinder.FindInterface(folder.Path, InterfaceNamespace, InterfaceName);
            if (found.Length == 0)
            {
                Fail("MfaApproval.MimInterfaceNotFound", "-ServicePath: no DLL in '" + folder.Path + "' defines " + InterfaceNamespace + "." + InterfaceName + ". Give the MIM Service folder (C:\\Program Files\\Microsoft Forefront Identity Manager\\2010\\Service) of MIM 4.5.202.0 or later.", ErrorCategory.ObjectNotFound, folder.Path);
            }
            if (found.Length > 1)
            {
                Fail("MfaApproval.MimInterfaceAmbiguous", "-ServicePath: more than one DLL in '" + folder.Path + "' defines " + InterfaceNamespace + "." + InterfaceName + " (" + string.Join(", ", found) + "); remove the copies that are not MIM's own.", ErrorCategory.InvalidData, folder.Path);
            }
            WriteVerbose("The MIM interface is in " + found[0]);

            string compiler = CompilerPath != null ? ResolveExistingFile("CompilerPath", CompilerPath) : AdapterCompiler.DefaultCompiler();
            if (compiler == null)
            {
                Fail("MfaApproval.CompilerNotFound", "No C# compiler: on Windows the .NET Framework 4.x csc.exe (%WINDIR%\\Microsoft.NET\\Framework64\\v4.0.30319\\csc.exe) is used; elsewhere give -CompilerPath (mcs or csc).", ErrorCategory.ObjectNotFound, null);
            }
            string sourceFolder = Path.Combine(Path.Combine(Session.ModuleRoot, "mim"), "provider");
            string[] sources = Directory.Exists(sourceFolder) ? Directory.GetFiles(sourceFolder, "*.cs") : new string[0];
            if (sources.Length == 0)
            {
                Fail("MfaApproval.FileNotFound", "The provider's sources are missing from the module (" + sourceFolder + "); reinstall the module.", ErrorCategory.ObjectNotFound, sourceFolder);
            }
            Array.Sort(sources, StringComparer.Ordinal);
            string rid = Loader.RuntimeIdentifier;
            if (Loader.IsWindows) CheckModuleFolder(rid, sources, AllowUnprotectedModuleFolder);

            if (!ShouldProcess(folder.Path, "Compile the MfaApproval MIM provider, write it and its settings, and name it in MfaSettings.xml")) return;

            string work = Path.Combine(Path.GetTempPath(), "MfaApproval.MimProvider." + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(work);
            try
            {
                string built = Path.Combine(work, ProviderSettings.AdapterFileName);
                List<string> arguments = AdapterCompiler.Arguments(built, found[0], typeof(Session).Assembly.Location, sources, DirectoryAttribute != null);
                WriteVerbose("Compiling: " + compiler + " " + CommandLine.Join(arguments));
                string output;
                int exit;
                try
                {
                    exit = AdapterCompiler.Run(compiler, arguments, out output);
                }
                catch (Exception e)
                {
                    if (e is PipelineStoppedException) throw;
                    Fail("MfaApproval.CompileFailed", "The compiler '" + compiler + "' could not run: " + e.Message, ErrorCategory.InvalidOperation, compiler);
                    return;
                }
                if (exit != 0 || !File.Exists(built))
                {
                    Fail("MfaApproval.CompileFailed", string.Format(CultureInfo.InvariantCulture, "Compiling the MIM provider failed (exit code {0}):{1}{2}", exit, Environment.NewLine, output.Trim()), ErrorCategory.InvalidOperation, compiler);
                }
                try
                {
                    settings.ModuleRoot = folder.ModuleFolder;
                    settings.ModuleFiles.AddRange(CopyModule(folder, rid));
                    File.Copy(built, folder.Adapter, true);
                }
                catch (IOException e)
                {
                    Fail("MfaApproval.AdapterInUse", "Cannot replace '" + folder.Adapter + "' or '" + folder.ModuleFolder + "' (" + e.Message + "): the MIM Service has them loaded. Stop the MIM Service (Stop-Service FIMService), run Install-MfaMimProvider again, then start it.", ErrorCategory.ResourceBusy, folder.Adapter);
                }
                foreach (ModuleFile f in settings.ModuleFiles) WriteVerbose("Pinned " + f.RelativePath + " (SHA-256 " + f.Sha256 + ") in " + folder.ModuleFolder);
                settings.Save(folder.ProviderSettingsFile);
                string previous = folder.CurrentCustomProvider();
                if (!string.IsNullOrEmpty(previous) && !string.Equals(previous, folder.Adapter, StringComparison.OrdinalIgnoreCase))
                {
                    WriteWarning("MfaSettings.xml named another custom provider ('" + previous + "'); it is replaced by MfaApproval's (" + folder.Backup + " keeps the earlier settings).");
                }
                bool madeBackup = folder.WriteCustomProvider(folder.Adapter);
                WriteVerbose(madeBackup ? "Backed up MfaSettings.xml to " + folder.Backup : "Kept the earlier backup " + folder.Backup + " (the original MfaSettings.xml)");
            }
            catch (UnauthorizedAccessException e)
            {
                Fail("MfaApproval.AccessDenied", "Writing to the MIM Service folder '" + folder.Path + "' was refused (" + e.Message + "). Run as an administrator of this server.", ErrorCategory.PermissionDenied, folder.Path);
            }
            catch (FormatException e)
            {
                Fail("MfaApproval.InvalidMfaSettings", e.Message, ErrorCategory.InvalidData, folder.MfaSettings);
            }
            finally
            {
                try { Directory.Delete(work, true); } catch (Exception) { }
            }

            HostInformationMessage restart = new HostInformationMessage();
            restart.Message = "MfaApproval MIM provider installed in " + folder.Path + ". Restart the MIM Service for MIM to use it: Restart-Service FIMService";
            restart.NoNewLine = false;
            WriteInformation(restart, new string[] { "PSHOST" });
            PSObject result = new PSObject();
            result.Properties.Add(new PSNoteProperty("ServicePath", folder.Path));
            result.Properties.Add(new PSNoteProperty("AdapterPath", folder.Adapter));
            result.Properties.Add(new PSNoteProperty("SettingsPath", folder.ProviderSettingsFile));
            result.Properties.Add(new PSNoteProperty("ModuleFolder", folder.ModuleFolder));
            result.Properties.Add(new PSNoteProperty("BackupPath", folder.Backup));
            result.Properties.Add(new PSNoteProperty("InterfaceAssembly", found[0]));
            result.Properties.Add(new PSNoteProperty("Compiler", compiler));
            result.Properties.Add(new PSNoteProperty("NextStep", "Restart-Service FIMService"));
            WriteObject(result);
        }

        /// <summary>Windows: refuses a module folder where a non-administrator could change what
        /// the provider is compiled from or loads (before it is pinned by its hash).</summary>
        void CheckModuleFolder(string rid, string[] sources, bool allow)
        {
            string[] names = new string[sources.Length];
            for (int i = 0; i < sources.Length; i++) names[i] = Path.GetFileName(sources[i]);
            string problem;
            try
            {
                problem = WriteAccess.CheckModuleFolder(Session.ModuleRoot, rid, names);
            }
            catch (Exception e)
            {
                if (e is PipelineStoppedException) throw;
                problem = "its permissions cannot be read (" + e.Message + ")";
            }
            if (problem != null && allow)
            {
                WriteWarning("Install-MfaMimProvider -AllowUnprotectedModuleFolder: the module folder '" + Session.ModuleRoot + "' is not protected (" + problem + "); what is pinned now may already have been changed. Use this for test installations only.");
            }
            else if (problem != null)
            {
                Fail("MfaApproval.ModuleFolderNotProtected", "The MfaApproval module folder '" + Session.ModuleRoot + "' is not protected: " + problem + ". The MIM Service would run that code as its account. Install the module where only administrators can write (C:\\Program Files\\WindowsPowerShell\\Modules\\MfaApproval\\<version>), import it from there, and run Install-MfaMimProvider again.", ErrorCategory.SecurityError, Session.ModuleRoot);
            }
        }

        /// <summary>Copies MfaApproval.dll and this runtime's native library into a new folder,
        /// hashing them, then puts it in place of the earlier copy.</summary>
        static List<ModuleFile> CopyModule(MimServiceFolder folder, string rid)
        {
            string staging = folder.ModuleFolder + ".new";
            if (Directory.Exists(staging)) Directory.Delete(staging, true);
            List<ModuleFile> files = ModuleCopy.Copy(Session.ModuleRoot, staging, ModuleCopy.FilesToCopy(rid));
            if (Directory.Exists(folder.ModuleFolder)) Directory.Delete(folder.ModuleFolder, true);
            Directory.Move(staging, folder.ModuleFolder);
            return files;
        }

        /// <summary>The connection's configuration with -AuditPath, checked by the engine.</summary>
        string ConfigFor(Connection c)
        {
            Dictionary<string, object> config = JsonReader.ParseObject(c.ConfigJson);
            if (config.ContainsKey("proxyUserName"))
            {
                Fail("MfaApproval.InvalidArgument", "-Connection: a connection with -ProxyCredential is not supported by the MIM provider; let the MIM Service account reach the proxy without a password, or use a connection without a proxy credential.", ErrorCategory.InvalidArgument, Connection);
            }
            if (AuditPath != null) config["auditPath"] = SessionState.Path.GetUnresolvedProviderPathFromPSPath(AuditPath);
            JsonObject o = new JsonObject();
            foreach (KeyValuePair<string, object> kv in config)
            {
                List<object> list = kv.Value as List<object>;
                if (list != null)
                {
                    string[] items = new string[list.Count];
                    for (int i = 0; i < items.Length; i++) items[i] = Convert.ToString(list[i], CultureInfo.InvariantCulture);
                    o.Add(kv.Key, items);
                }
                else o.Add(kv.Key, kv.Value);
            }
            string json = o.ToString();
            try
            {
                Native.CheckConfig(json);
            }
            catch (MfaNativeException e)
            {
                Fail("MfaApproval.InvalidConnectionSettings", "-Connection/-AuditPath: " + e.Message, ErrorCategory.InvalidArgument, Connection);
            }
            return json;
        }

        /// <summary>The secret the connection needs (MFA Server: the Basic password of its user;
        /// Duo: the secret key), from -CredentialPath or (with -AllowPlainTextSecret) -Credential.</summary>
        SettingsSecret SecretFor(Connection c)
        {
            // One secret per connection, carried as a credential's password: whichever of its
            // provider's secrets (the engine's registry) the connection was made with, other than
            // the audit key (-AuditKeyPath) and a proxy password (refused above). What needs a
            // second secret (a RADIUS fixed PAP password, a PFX password beside a credential) or
            // a key file (an Okta service app) is refused rather than installed without it.
            ProviderSpec spec = Providers.Find(c.Provider);
            List<ProviderSecret> held = new List<ProviderSecret>();
            if (spec != null && c.SecretKinds != null)
            {
                foreach (ProviderSecret s in spec.Secrets)
                {
                    if (s.Kind != Native.SecretAuditKey && s.Kind != Native.SecretProxyPassword && Array.IndexOf(c.SecretKinds, s.Kind) >= 0) held.Add(s);
                }
            }
            foreach (ProviderSecret s in held)
            {
                if (s.Source == "file")
                {
                    Fail("MfaApproval.UnsupportedConnection", "-Connection: the " + spec.Display + " connection's -" + s.Parameter + " (a key file) cannot be stored for the MIM provider yet; make the connection with a secret the provider can keep (for Okta: -ApiToken, an API token).", ErrorCategory.InvalidArgument, null);
                }
            }
            if (held.Count > 1)
            {
                List<string> names = held.ConvertAll(s => "-" + s.Parameter);
                Fail("MfaApproval.UnsupportedConnection", "-Connection: this " + spec.Display + " connection needs " + held.Count + " secrets (" + string.Join(", ", names.ToArray()) + "), and the MIM provider can store only one so far; make it with one (RADIUS: -PasswordMode None; a PEM client key instead of a PFX password).", ErrorCategory.InvalidArgument, null);
            }
            ProviderSecret secret = held.Count == 1 ? held[0] : null;
            // A secret held as a SecureString: the credential's user name is not used (only
            // its password, the secret); a credential's password goes with its user name.
            bool duo = secret != null && secret.Source != "credential";
            uint kind = secret != null ? secret.Kind : Native.SecretBasicPassword;
            bool needed = secret != null;
            bool hasCredential = Credential != null && Credential != PSCredential.Empty;
            if (CredentialPath != null && hasCredential)
            {
                Fail("MfaApproval.InvalidArgument", "Give -CredentialPath or -Credential, not both.", ErrorCategory.InvalidArgument, null);
            }
            if (!needed)
            {
                if (CredentialPath != null || hasCredential) Fail("MfaApproval.InvalidArgument", "-CredentialPath/-Credential: this connection uses no password (no -Credential in New-MfaConnection).", ErrorCategory.InvalidArgument, null);
                return null;
            }
            string what = duo ? "the " + spec.Display + " secret -" + secret.Parameter + " (as the password)" : "the password of " + c.UserName;
            if (CredentialPath == null && !hasCredential)
            {
                Fail("MfaApproval.InvalidArgument", "-CredentialPath: this connection needs " + what + ". Make the file on this server with Protect-MfaSecret (as an administrator, for the MIM Service account; also for a gMSA), or as that account with Get-Credential | Export-Clixml (see docs/mim-pam.md), and give its path.", ErrorCategory.InvalidArgument, null);
            }
            if (hasCredential)
            {
                if (!AllowPlainTextSecret)
                {
                    Fail("MfaApproval.PlainTextSecret", "-Credential would store " + what + " in plain text in the provider's settings. Use -CredentialPath (a DPAPI-protected file made as the MIM Service account), or add -AllowPlainTextSecret for a test installation.", ErrorCategory.SecurityError, null);
                }
                CheckUser(c, duo, Credential.UserName, "-Credential");
                WriteWarning("Install-MfaMimProvider -AllowPlainTextSecret: " + what + " is stored in plain text in " + ProviderSettings.FileName + "; anyone who can read the MIM Service folder can read it. Use -CredentialPath outside tests.");
                return new SettingsSecret(kind, SecretSource.PlainText, Credential.GetNetworkCredential().Password);
            }
            string file = ResolveExistingFile("CredentialPath", CredentialPath);
            string user = null;
            try
            {
                user = StoredSecret.CredentialUserName(file);
            }
            catch (Exception e)
            {
                if (e is PipelineStoppedException) throw;
                Fail("MfaApproval.InvalidCredentialFile", "-CredentialPath: " + e.Message, ErrorCategory.InvalidData, file);
            }
            CheckUser(c, duo, user, "-CredentialPath");
            if (!Loader.IsWindows && StoredSecret.IsSecretFile(file))
            {
                Fail("MfaApproval.InvalidCredentialFile", "-CredentialPath: '" + file + "' is a Protect-MfaSecret file, which only the Windows computer that made it can decrypt.", ErrorCategory.InvalidData, file);
            }
            if (!Loader.IsWindows)
            {
                if (!AllowPlainTextSecret)
                {
                    Fail("MfaApproval.PlainTextSecret", "-CredentialPath: outside Windows an Export-Clixml'd credential is not encrypted (no DPAPI). Add -AllowPlainTextSecret for a test installation.", ErrorCategory.SecurityError, file);
                }
                WriteWarning("Install-MfaMimProvider -AllowPlainTextSecret: '" + file + "' is not encrypted outside Windows; anyone who can read it can read " + what + ".");
            }
            return new SettingsSecret(kind, SecretSource.CredentialFile, file);
        }

        /// <summary>The audit key from -AuditKeyPath (a DPAPI-protected credential file whose
        /// password is the key), required when the connection signs its records.</summary>
        SettingsSecret AuditKeyFor(Connection c, string config)
        {
            if (AuditKeyPath == null)
            {
                if (c.AuditKeyed)
                {
                    Fail("MfaApproval.InvalidArgument", "-AuditKeyPath: the connection signs its audit records (-AuditKey), and the MIM provider needs the key too. Make the file on this server with Protect-MfaSecret (as an administrator, for the MIM Service account; also for a gMSA), or as that account with Get-Credential -UserName audit -Message 'audit key' | Export-Clixml (see docs/mim-pam.md), and give its path.", ErrorCategory.InvalidArgument, null);
                }
                return null;
            }
            Dictionary<string, object> fields = JsonReader.ParseObject(config);
            if (!fields.ContainsKey("auditPath") && !fields.ContainsKey("syslogServer") && !fields.ContainsKey("eventLog"))
            {
                Fail("MfaApproval.InvalidArgument", "-AuditKeyPath: there is no audit trail to sign; give -AuditPath (or a connection with -AuditPath, -SyslogServer or -EventLog).", ErrorCategory.InvalidArgument, null);
            }
            string file = ResolveExistingFile("AuditKeyPath", AuditKeyPath);
            try
            {
                StoredSecret.CredentialUserName(file);
            }
            catch (Exception e)
            {
                if (e is PipelineStoppedException) throw;
                Fail("MfaApproval.InvalidCredentialFile", "-AuditKeyPath: " + e.Message, ErrorCategory.InvalidData, file);
            }
            if (!Loader.IsWindows && StoredSecret.IsSecretFile(file))
            {
                Fail("MfaApproval.InvalidCredentialFile", "-AuditKeyPath: '" + file + "' is a Protect-MfaSecret file, which only the Windows computer that made it can decrypt.", ErrorCategory.InvalidData, file);
            }
            if (!Loader.IsWindows)
            {
                if (!AllowPlainTextSecret)
                {
                    Fail("MfaApproval.PlainTextSecret", "-AuditKeyPath: outside Windows an Export-Clixml'd credential is not encrypted (no DPAPI). Add -AllowPlainTextSecret for a test installation.", ErrorCategory.SecurityError, file);
                }
                WriteWarning("Install-MfaMimProvider -AllowPlainTextSecret: '" + file + "' is not encrypted outside Windows; anyone who can read it can read the audit key.");
            }
            return new SettingsSecret(Native.SecretAuditKey, SecretSource.CredentialFile, file);
        }

        void CheckUser(Connection c, bool duo, string user, string parameter)
        {
            if (!duo && !string.Equals(user, c.UserName, StringComparison.OrdinalIgnoreCase))
            {
                Fail("MfaApproval.InvalidArgument", parameter + ": the credential is for '" + user + "', the connection's user is '" + c.UserName + "'.", ErrorCategory.InvalidArgument, null);
            }
        }

        void CheckPhoneMap(string map)
        {
            try
            {
                Dictionary<string, string> entries;
                List<string> ambiguous;
                CsvPhoneMap.Parse(CsvPhoneMap.ReadText(map), map, out entries, out ambiguous);
                WriteVerbose(string.Format(CultureInfo.InvariantCulture, "Phone map {0}: {1} numbers of one user each, {2} listed for more than one user", map, entries.Count, ambiguous.Count));
                if (ambiguous.Count > 0)
                {
                    WriteWarning(string.Format(CultureInfo.InvariantCulture, "-PhoneMap: {0} number(s) are listed for more than one user; calls from them will fail until the map names one user each.", ambiguous.Count));
                }
            }
            catch (FormatException e)
            {
                Fail("MfaApproval.InvalidPhoneMap", "-PhoneMap: " + e.Message, ErrorCategory.InvalidData, map);
            }
        }

        internal static MimServiceFolder ServiceFolder(PSCmdlet cmdlet, string path)
        {
            string full = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
            if (!Directory.Exists(full))
            {
                cmdlet.ThrowTerminatingError(Errors.Record("MfaApproval.FileNotFound", "-ServicePath: the folder '" + path + "' does not exist; give the MIM Service folder (C:\\Program Files\\Microsoft Forefront Identity Manager\\2010\\Service).", ErrorCategory.ObjectNotFound, path));
            }
            MimServiceFolder folder = new MimServiceFolder(full);
            if (!File.Exists(folder.MfaSettings))
            {
                cmdlet.ThrowTerminatingError(Errors.Record("MfaApproval.FileNotFound", "-ServicePath: '" + full + "' has no " + MimServiceFolder.MfaSettingsFileName + "; it is not a MIM Service folder (MIM 4.5.202.0 or later).", ErrorCategory.ObjectNotFound, path));
            }
            return folder;
        }

        void Fail(string id, string message, ErrorCategory category, object target)
        {
            ThrowTerminatingError(Errors.Record(id, message, category, target));
        }
    }

    /// <summary>-DirectoryAttribute: an LDAP attribute name that users cannot write on their
    /// own account (DirectoryAttributes.Problem), checked when the parameter is bound.</summary>
    public sealed class ValidateDirectoryAttributeAttribute : ValidateArgumentsAttribute
    {
        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            string problem = DirectoryAttributes.Problem(arguments as string);
            if (problem != null) throw new ValidationMetadataException(problem);
        }
    }
}
