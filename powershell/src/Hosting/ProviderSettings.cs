// The MIM provider's settings file (MfaApproval.MimProvider.settings.xml beside the adapter
// in the MIM Service folder): written by Install-MfaMimProvider, read by the adapter through
// this class, so the format is defined once. The reader is strict: no DTD, bounded size,
// every element known and at most once (a Secret once per kind, a ModuleFile once per path),
// numbers in range. Version 2 adds the pinned module files (ModuleCopy) and refuses a
// DirectoryAttribute that users can write themselves (DirectoryAttributes.Problem).
// Secrets are never in it as text unless the installer was told -AllowPlainTextSecret: a
// secret names an Export-Clixml'd PSCredential file, which Windows PowerShell protects with
// DPAPI for the account that wrote it (make it as the MIM Service account; StoredSecret).
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Security;
using System.Text;
using System.Xml;
using MfaApproval.Interop;

namespace MfaApproval.Hosting
{
    /// <summary>Where a secret of the settings comes from.</summary>
    public enum SecretSource { CredentialFile, PlainText }

    /// <summary>One secret of the settings: its kind (Native.Secret*), source and value (a path
    /// for CredentialFile, the secret itself for PlainText).</summary>
    public sealed class SettingsSecret
    {
        public SettingsSecret(uint kind, SecretSource source, string value)
        {
            Kind = kind;
            Source = source;
            Value = value;
        }

        public uint Kind { get; private set; }
        public SecretSource Source { get; private set; }
        public string Value { get; private set; }
    }

    public sealed class ProviderSettings
    {
        /// <summary>The settings file's name beside the adapter.</summary>
        public const string FileName = "MfaApproval.MimProvider.settings.xml";
        /// <summary>The adapter assembly's file name in the MIM Service folder.</summary>
        public const string AdapterFileName = "MfaApproval.MimProvider.dll";
        const string Root = "MfaApprovalMimProvider";
        /// <summary>The version written and read (1: before the module files were pinned).</summary>
        public const string Version = "2";
        const int MaxBytes = 256 * 1024;

        public ProviderSettings()
        {
            TimeoutSeconds = 120;
            MaxOpenRequests = 500;
            AbandonAfterSeconds = 300;
            Secrets = new List<SettingsSecret>();
            ModuleFiles = new List<ModuleFile>();
        }

        /// <summary>The folder whose MfaApproval.dll and native library the adapter loads: the
        /// copy Install-MfaMimProvider made beside the adapter (ModuleCopy).</summary>
        public string ModuleRoot { get; set; }
        /// <summary>The module version the adapter was compiled against.</summary>
        public string ModuleVersion { get; set; }
        /// <summary>The engine configuration document (no secrets).</summary>
        public string ConnectionJson { get; set; }
        public List<SettingsSecret> Secrets { get; private set; }
        /// <summary>The files under ModuleRoot the adapter verifies before loading them.</summary>
        public List<ModuleFile> ModuleFiles { get; private set; }
        /// <summary>The CSV file PhoneNumber,UserName (may be null with a directory lookup).</summary>
        public string PhoneMap { get; set; }
        /// <summary>Windows only: the AD attribute that holds the phone number (e.g. mobile).</summary>
        public string DirectoryAttribute { get; set; }
        /// <summary>Windows only: the LDAP search root (default: the domain of the service account).</summary>
        public string DirectorySearchRoot { get; set; }
        /// <summary>The engine's deadline for one approval.</summary>
        public int TimeoutSeconds { get; set; }
        /// <summary>At most this many approvals pending at once; more are Failed at once.</summary>
        public int MaxOpenRequests { get; set; }
        /// <summary>A pending approval nobody asked about for this long is cancelled and freed.</summary>
        public int AbandonAfterSeconds { get; set; }
        /// <summary>The push's text (Duo's type; the MFA Server's application name).</summary>
        public string Reason { get; set; }

        static readonly string[] Known = { "ModuleRoot", "ModuleVersion", "Connection", "Secret", "ModuleFile", "PhoneMap", "DirectoryAttribute", "DirectorySearchRoot", "TimeoutSeconds", "MaxOpenRequests", "AbandonAfterSeconds", "Reason" };

        /// <summary>Reads a settings file; FormatException says which element is wrong.</summary>
        public static ProviderSettings Load(string path)
        {
            byte[] bytes = ReadBounded(path, MaxBytes, "the provider settings");
            ProviderSettings s = new ProviderSettings();
            Dictionary<string, string> seen = new Dictionary<string, string>(StringComparer.Ordinal);
            using (XmlReader r = XmlReader.Create(new MemoryStream(bytes), StrictXml()))
            {
                r.MoveToContent();
                if (r.NodeType != XmlNodeType.Element || r.LocalName != Root) throw new FormatException(path + ": the root element is not <" + Root + ">");
                string version = r.GetAttribute("version");
                if (version == "1") throw new FormatException(path + " was written by an earlier Install-MfaMimProvider (settings version 1, before the module files were pinned); run Install-MfaMimProvider again");
                if (version != Version) throw new FormatException(path + ": <" + Root + " version> is not " + Version);
                if (r.IsEmptyElement) throw new FormatException(path + ": <" + Root + "> is empty");
                r.Read();
                while (true)
                {
                    r.MoveToContent();
                    if (r.NodeType == XmlNodeType.EndElement) break;
                    if (r.NodeType != XmlNodeType.Element) throw new FormatException(path + ": unexpected content in <" + Root + ">");
                    string name = r.LocalName;
                    if (Array.IndexOf(Known, name) < 0) throw new FormatException(path + ": unknown element <" + name + ">");
                    string kindText = name == "Secret" ? r.GetAttribute("kind") : null;
                    string sourceText = name == "Secret" ? r.GetAttribute("source") : null;
                    string shaText = name == "ModuleFile" ? r.GetAttribute("sha256") : null;
                    string text = r.ReadElementContentAsString();
                    // A module file is one file whatever the letter case (Windows file names).
                    string key = name == "Secret" ? "Secret/" + kindText : name == "ModuleFile" ? "ModuleFile/" + text.ToLowerInvariant() : name;
                    if (seen.ContainsKey(key)) throw new FormatException(path + ": <" + name + (kindText != null ? " kind=\"" + kindText + "\"" : string.Empty) + (name == "ModuleFile" ? ">" + text + "</" + name : string.Empty) + "> appears more than once");
                    seen[key] = text;
                    if (name == "Secret") s.Secrets.Add(new SettingsSecret(KindOf(kindText, path), SourceOf(sourceText, path), text));
                    if (name == "ModuleFile")
                    {
                        string problem = ModuleFile.PathProblem(text) ?? ModuleFile.HashProblem(shaText);
                        if (problem != null) throw new FormatException(path + ": <ModuleFile>: " + problem);
                        s.ModuleFiles.Add(new ModuleFile(text, shaText));
                    }
                }
            }
            s.ModuleRoot = Get(seen, "ModuleRoot");
            s.ModuleVersion = Get(seen, "ModuleVersion");
            s.ConnectionJson = Get(seen, "Connection");
            s.PhoneMap = Get(seen, "PhoneMap");
            s.DirectoryAttribute = Get(seen, "DirectoryAttribute");
            s.DirectorySearchRoot = Get(seen, "DirectorySearchRoot");
            s.Reason = Get(seen, "Reason");
            s.TimeoutSeconds = Number(seen, "TimeoutSeconds", 1, 86400, s.TimeoutSeconds, path);
            s.MaxOpenRequests = Number(seen, "MaxOpenRequests", 1, 100000, s.MaxOpenRequests, path);
            s.AbandonAfterSeconds = Number(seen, "AbandonAfterSeconds", 1, 86400, s.AbandonAfterSeconds, path);
            if (string.IsNullOrEmpty(s.ModuleRoot)) throw new FormatException(path + ": <ModuleRoot> is missing");
            if (string.IsNullOrEmpty(s.ConnectionJson)) throw new FormatException(path + ": <Connection> is missing");
            if (string.IsNullOrEmpty(s.PhoneMap) && string.IsNullOrEmpty(s.DirectoryAttribute)) throw new FormatException(path + ": neither <PhoneMap> nor <DirectoryAttribute> is set");
            if (s.DirectoryAttribute != null)
            {
                string problem = DirectoryAttributes.Problem(s.DirectoryAttribute);
                if (problem != null) throw new FormatException(path + ": <DirectoryAttribute> " + problem);
            }
            if (!s.ModuleFiles.Exists(delegate(ModuleFile f) { return f.RelativePath == ModuleFile.ManagedAssembly; }))
            {
                throw new FormatException(path + ": no <ModuleFile> records " + ModuleFile.ManagedAssembly + "; run Install-MfaMimProvider again");
            }
            return s;
        }

        /// <summary>Writes the file (to a temporary file beside it, then moved into place).</summary>
        public void Save(string path)
        {
            XmlWriterSettings ws = new XmlWriterSettings();
            ws.Indent = true;
            ws.Encoding = new UTF8Encoding(false);
            string temp = path + ".tmp";
            using (XmlWriter w = XmlWriter.Create(temp, ws))
            {
                w.WriteStartDocument();
                w.WriteComment(" Written by Install-MfaMimProvider; read by MfaApproval.MimProvider.dll. Edit with care; restart the MIM Service after a change. ");
                w.WriteStartElement(Root);
                w.WriteAttributeString("version", Version);
                Element(w, "ModuleRoot", ModuleRoot);
                foreach (ModuleFile file in ModuleFiles)
                {
                    w.WriteStartElement("ModuleFile");
                    w.WriteAttributeString("sha256", file.Sha256);
                    w.WriteString(file.RelativePath);
                    w.WriteEndElement();
                }
                Element(w, "ModuleVersion", ModuleVersion);
                Element(w, "Connection", ConnectionJson);
                foreach (SettingsSecret secret in Secrets)
                {
                    w.WriteStartElement("Secret");
                    w.WriteAttributeString("kind", KindName(secret.Kind));
                    w.WriteAttributeString("source", secret.Source.ToString());
                    w.WriteString(secret.Value);
                    w.WriteEndElement();
                }
                Element(w, "PhoneMap", PhoneMap);
                Element(w, "DirectoryAttribute", DirectoryAttribute);
                Element(w, "DirectorySearchRoot", DirectorySearchRoot);
                Element(w, "TimeoutSeconds", TimeoutSeconds.ToString(CultureInfo.InvariantCulture));
                Element(w, "MaxOpenRequests", MaxOpenRequests.ToString(CultureInfo.InvariantCulture));
                Element(w, "AbandonAfterSeconds", AbandonAfterSeconds.ToString(CultureInfo.InvariantCulture));
                Element(w, "Reason", Reason);
                w.WriteEndElement();
                w.WriteEndDocument();
            }
            if (File.Exists(path)) File.Replace(temp, path, null);
            else File.Move(temp, path);
        }

        /// <summary>The secrets as the engine takes them; dispose each SecureString after use.
        /// Throws with a message naming the secret's file and what to do (never its value).</summary>
        public List<KeyValuePair<uint, SecureString>> ReadSecrets()
        {
            List<KeyValuePair<uint, SecureString>> list = new List<KeyValuePair<uint, SecureString>>();
            try
            {
                foreach (SettingsSecret s in Secrets)
                {
                    SecureString value = s.Source == SecretSource.PlainText ? StoredSecret.FromText(s.Value) : StoredSecret.FromCredentialFile(s.Value);
                    list.Add(new KeyValuePair<uint, SecureString>(s.Kind, value));
                }
            }
            catch
            {
                foreach (KeyValuePair<uint, SecureString> kv in list) kv.Value.Dispose();
                throw;
            }
            return list;
        }

        /// <summary>XML reading for files an admin or a server wrote: no DTD, no external
        /// resolution, bounded.</summary>
        public static XmlReaderSettings StrictXml()
        {
            XmlReaderSettings rs = new XmlReaderSettings();
            rs.DtdProcessing = DtdProcessing.Prohibit;
            rs.XmlResolver = null;
            rs.MaxCharactersInDocument = MaxBytes;
            rs.IgnoreComments = true;
            rs.IgnoreProcessingInstructions = true;
            rs.IgnoreWhitespace = true;
            return rs;
        }

        /// <summary>A file's bytes, refusing more than <paramref name="max"/> (read at most max+1).
        /// The file's metadata is checked before it is opened: a folder is refused, and so is a
        /// file of length 0, which is what a device (/dev/zero) or a FIFO reports (opening a FIFO
        /// would wait for a writer; a device never ends) and what an empty file is (no secret,
        /// settings or key is empty). FormatException says which file and what is wrong.</summary>
        public static byte[] ReadBounded(string path, int max, string what)
        {
            if (Directory.Exists(path)) throw new FormatException(string.Format(CultureInfo.InvariantCulture, "{0} file '{1}' is a folder, not a file", what, path));
            FileInfo info = new FileInfo(path);
            if (info.Exists && info.Length == 0) throw new FormatException(string.Format(CultureInfo.InvariantCulture, "{0} file '{1}' is empty or not a regular file (a device or a FIFO)", what, path));
            if (info.Exists && info.Length > max) throw new FormatException(string.Format(CultureInfo.InvariantCulture, "{0} file '{1}' is larger than {2} bytes", what, path, max));
            using (FileStream f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
            {
                byte[] buf = new byte[max + 1];
                int total = 0, n;
                while (total < buf.Length && (n = f.Read(buf, total, buf.Length - total)) > 0) total += n;
                try
                {
                    if (total > max) throw new FormatException(string.Format(CultureInfo.InvariantCulture, "{0} file '{1}' is larger than {2} bytes", what, path, max));
                    byte[] exact = new byte[total];
                    Array.Copy(buf, exact, total);
                    return exact;
                }
                finally
                {
                    Array.Clear(buf, 0, buf.Length);
                }
            }
        }

        public static string KindName(uint kind)
        {
            switch (kind)
            {
                case Native.SecretBasicPassword: return "BasicPassword";
                case Native.SecretClientCertificatePassword: return "ClientCertificatePassword";
                case Native.SecretDuoSecretKey: return "DuoSecretKey";
                case Native.SecretProxyPassword: return "ProxyPassword";
                case Native.SecretRadiusSharedSecret: return "RadiusSharedSecret";
                case Native.SecretOktaApiToken: return "OktaApiToken";
                case Native.SecretAuditKey: return "AuditKey";
                default: throw new ArgumentException("unknown secret kind " + kind);
            }
        }

        static uint KindOf(string name, string path)
        {
            switch (name)
            {
                case "BasicPassword": return Native.SecretBasicPassword;
                case "ClientCertificatePassword": return Native.SecretClientCertificatePassword;
                case "DuoSecretKey": return Native.SecretDuoSecretKey;
                case "RadiusSharedSecret": return Native.SecretRadiusSharedSecret;
                case "OktaApiToken": return Native.SecretOktaApiToken;
                case "ProxyPassword": return Native.SecretProxyPassword;
                case "AuditKey": return Native.SecretAuditKey;
                default: throw new FormatException(path + ": <Secret kind> must be BasicPassword, ClientCertificatePassword, DuoSecretKey, ProxyPassword, RadiusSharedSecret, OktaApiToken or AuditKey");
            }
        }

        static SecretSource SourceOf(string name, string path)
        {
            if (name == "CredentialFile") return SecretSource.CredentialFile;
            if (name == "PlainText") return SecretSource.PlainText;
            throw new FormatException(path + ": <Secret source> must be CredentialFile or PlainText");
        }

        static void Element(XmlWriter w, string name, string value)
        {
            if (value != null) w.WriteElementString(name, value);
        }

        static string Get(Dictionary<string, string> seen, string name)
        {
            string v;
            return seen.TryGetValue(name, out v) && v.Length > 0 ? v : null;
        }

        static int Number(Dictionary<string, string> seen, string name, int min, int max, int fallback, string path)
        {
            string v = Get(seen, name);
            if (v == null) return fallback;
            int n;
            if (!int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out n) || n < min || n > max)
            {
                throw new FormatException(string.Format(CultureInfo.InvariantCulture, "{0}: <{1}> must be a whole number from {2} to {3}", path, name, min, max));
            }
            return n;
        }
    }
}
