// The MIM Service folder's MfaSettings.xml, as Microsoft's custom MFA provider steps change
// it: back it up first (once: a second install keeps the first backup, the original), clear
// its other provider entries, and name the adapter in <CustomPhoneProvider>; the MIM
// Service reads it when it starts. Restore puts the backup back. Files are replaced by
// writing beside them and moving, so a crash never leaves half a file.
using System;
using System.IO;
using System.Text;
using System.Xml;

namespace MfaApproval.Hosting
{
    public sealed class MimServiceFolder
    {
        public const string MfaSettingsFileName = "MfaSettings.xml";
        public const string BackupFileName = "MfaSettings.xml.MfaApproval-backup";
        const string CustomProvider = "CustomPhoneProvider";

        public MimServiceFolder(string path)
        {
            Path = System.IO.Path.GetFullPath(path);
        }

        public string Path { get; private set; }
        public string MfaSettings { get { return System.IO.Path.Combine(Path, MfaSettingsFileName); } }
        public string Backup { get { return System.IO.Path.Combine(Path, BackupFileName); } }
        public string Adapter { get { return System.IO.Path.Combine(Path, ProviderSettings.AdapterFileName); } }
        public string ProviderSettingsFile { get { return System.IO.Path.Combine(Path, ProviderSettings.FileName); } }
        /// <summary>The copy of what the adapter loads (ModuleCopy), beside it.</summary>
        public string ModuleFolder { get { return System.IO.Path.Combine(Path, ModuleCopy.FolderName); } }

        /// <summary>Reads MfaSettings.xml strictly (no DTD, bounded); FormatException says why.</summary>
        public XmlDocument ReadMfaSettings()
        {
            byte[] bytes = ProviderSettings.ReadBounded(MfaSettings, 1024 * 1024, "the MIM");
            XmlDocument doc = new XmlDocument();
            doc.XmlResolver = null;
            doc.PreserveWhitespace = true;
            XmlReaderSettings rs = ProviderSettings.StrictXml();
            rs.IgnoreWhitespace = false;
            rs.IgnoreComments = false;
            try
            {
                using (XmlReader r = XmlReader.Create(new MemoryStream(bytes), rs)) doc.Load(r);
            }
            catch (XmlException e)
            {
                throw new FormatException(MfaSettings + " is not well-formed XML: " + e.Message);
            }
            if (doc.DocumentElement == null) throw new FormatException(MfaSettings + " has no root element");
            return doc;
        }

        /// <summary>Backs up MfaSettings.xml (unless a backup exists), clears its other entries
        /// and names <paramref name="adapterPath"/> in CustomPhoneProvider. Returns true when
        /// this call made the backup.</summary>
        public bool WriteCustomProvider(string adapterPath)
        {
            XmlDocument doc = ReadMfaSettings();
            bool madeBackup = false;
            if (!File.Exists(Backup))
            {
                File.Copy(MfaSettings, Backup);
                madeBackup = true;
            }
            XmlElement root = doc.DocumentElement;
            XmlElement custom = null;
            foreach (XmlNode n in root.ChildNodes)
            {
                XmlElement e = n as XmlElement;
                if (e == null) continue;
                if (e.LocalName == CustomProvider)
                {
                    if (custom != null) throw new FormatException(MfaSettings + " has more than one <" + CustomProvider + ">; fix it by hand (the backup is " + Backup + ")");
                    custom = e;
                }
                else if (e.HasChildNodes) e.IsEmpty = true;
            }
            if (custom == null)
            {
                custom = doc.CreateElement(CustomProvider, root.NamespaceURI);
                root.AppendChild(custom);
            }
            custom.InnerText = adapterPath;
            string temp = MfaSettings + ".MfaApproval-new";
            XmlWriterSettings ws = new XmlWriterSettings();
            ws.Encoding = new UTF8Encoding(false);
            using (XmlWriter w = XmlWriter.Create(temp, ws)) doc.Save(w);
            Replace(temp, MfaSettings);
            return madeBackup;
        }

        /// <summary>The adapter path MfaSettings.xml names now, or null.</summary>
        public string CurrentCustomProvider()
        {
            XmlNodeList list = ReadMfaSettings().DocumentElement.GetElementsByTagName(CustomProvider);
            return list.Count == 1 ? list[0].InnerText : null;
        }

        /// <summary>Puts the backup back in place of MfaSettings.xml and removes it.</summary>
        public void RestoreBackup()
        {
            string temp = MfaSettings + ".MfaApproval-new";
            File.Copy(Backup, temp, true);
            Replace(temp, MfaSettings);
            File.Delete(Backup);
        }

        static void Replace(string source, string destination)
        {
            if (File.Exists(destination)) File.Replace(source, destination, null);
            else File.Move(source, destination);
        }
    }
}
