// MfaApproval MIM provider: the module files, verified before anything is loaded from them.
// Install-MfaMimProvider copied MfaApproval.dll and the native library into a folder beside
// this adapter and recorded each file's SHA-256 in the settings (MfaApproval.Hosting.ModuleCopy).
// Before MfaApproval.dll is loaded (so with nothing but the .NET Framework), this reads the
// settings' <ModuleRoot> and <ModuleFile> elements strictly (the rules of
// MfaApproval.Hosting.ModuleFile, repeated here because that type is in the assembly being
// verified; ProviderCore checks that both readers found the same list), opens every file
// for reading while denying writers, and compares its SHA-256. The files stay open (no one
// can replace or change them) until the provider has loaded them, then are released.
// A changed or missing file throws with a message naming it: every MIM call is then Failed.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Xml;

namespace MfaApproval.MimProvider
{
    internal sealed class PinnedModule : IDisposable
    {
        const int MaxSettingsChars = 256 * 1024;
        readonly List<FileStream> held = new List<FileStream>();

        PinnedModule(string root)
        {
            Root = root;
            Files = new List<KeyValuePair<string, string>>();
        }

        /// <summary>The folder the files are in (the settings' ModuleRoot).</summary>
        public string Root { get; private set; }

        /// <summary>Relative path ('/' separated) and SHA-256 of each verified file.</summary>
        public List<KeyValuePair<string, string>> Files { get; private set; }

        /// <summary>The full path of the verified MfaApproval.dll.</summary>
        public string ManagedAssembly
        {
            get { return FullPath(Root, "MfaApproval.dll"); }
        }

        /// <summary>Reads the settings, then opens and verifies every recorded file. Throws
        /// with a message naming the file that is missing or changed.</summary>
        public static PinnedModule Open(string settingsPath)
        {
            PinnedModule m = Read(settingsPath);
            try
            {
                foreach (KeyValuePair<string, string> f in m.Files) m.Verify(f.Key, f.Value);
                return m;
            }
            catch
            {
                m.Dispose();
                throw;
            }
        }

        void Verify(string relative, string expected)
        {
            string path = FullPath(Root, relative);
            FileStream f;
            try
            {
                // FileShare.Read: while this handle is open nobody can write, replace or delete it.
                f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            }
            catch (FileNotFoundException)
            {
                throw new InvalidDataException("the module file '" + path + "' is missing (Install-MfaMimProvider copied it there; run it again)");
            }
            catch (DirectoryNotFoundException)
            {
                throw new InvalidDataException("the module file '" + path + "' is missing (Install-MfaMimProvider copied it there; run it again)");
            }
            held.Add(f);
            string actual;
            using (SHA256 sha = SHA256.Create()) actual = Hex(sha.ComputeHash(f));
            if (!string.Equals(actual, expected, StringComparison.Ordinal))
            {
                throw new InvalidDataException("the module file '" + path + "' has changed since Install-MfaMimProvider recorded it (SHA-256 " + actual + ", recorded " + expected + "); nothing was loaded from it. Find out who changed it, then run Install-MfaMimProvider again");
            }
        }

        /// <summary>The SHA-256 of a file (for the files the process really uses).</summary>
        public static string Sha256Of(string path)
        {
            using (FileStream f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
            using (SHA256 sha = SHA256.Create())
            {
                return Hex(sha.ComputeHash(f));
            }
        }

        public void Dispose()
        {
            foreach (FileStream f in held)
            {
                try { f.Dispose(); } catch (Exception) { }
            }
            held.Clear();
        }

        static PinnedModule Read(string path)
        {
            XmlReaderSettings rs = new XmlReaderSettings();
            rs.DtdProcessing = DtdProcessing.Prohibit;
            rs.XmlResolver = null;
            rs.MaxCharactersInDocument = MaxSettingsChars;
            rs.IgnoreComments = true;
            rs.IgnoreProcessingInstructions = true;
            rs.IgnoreWhitespace = true;
            string root = null;
            List<KeyValuePair<string, string>> files = new List<KeyValuePair<string, string>>();
            HashSet<string> seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            using (XmlReader r = XmlReader.Create(path, rs))
            {
                r.MoveToContent();
                if (r.NodeType != XmlNodeType.Element || r.LocalName != "MfaApprovalMimProvider") throw new FormatException(path + ": the root element is not <MfaApprovalMimProvider>");
                string version = r.GetAttribute("version");
                if (version != "2") throw new FormatException(path + " has settings version '" + version + "', not 2 (written by another Install-MfaMimProvider); run Install-MfaMimProvider again");
                r.Read();
                while (!r.EOF)
                {
                    // ReadElementContentAsString moves to the next node itself: no Read() after it.
                    if (r.NodeType == XmlNodeType.Element && r.Depth == 1 && r.LocalName == "ModuleRoot")
                    {
                        if (root != null) throw new FormatException(path + ": <ModuleRoot> appears more than once");
                        root = r.ReadElementContentAsString();
                    }
                    else if (r.NodeType == XmlNodeType.Element && r.Depth == 1 && r.LocalName == "ModuleFile")
                    {
                        string sha = r.GetAttribute("sha256");
                        string relative = r.ReadElementContentAsString();
                        string problem = PathProblem(relative) ?? HashProblem(sha);
                        if (problem != null) throw new FormatException(path + ": <ModuleFile>: " + problem);
                        if (!seen.Add(relative)) throw new FormatException(path + ": <ModuleFile>" + relative + "</ModuleFile> appears more than once");
                        files.Add(new KeyValuePair<string, string>(relative, sha));
                    }
                    else r.Read();
                }
            }
            if (string.IsNullOrEmpty(root)) throw new FormatException(path + ": <ModuleRoot> is missing");
            if (!Path.IsPathRooted(root)) throw new FormatException(path + ": <ModuleRoot> '" + root + "' is not a full path; run Install-MfaMimProvider again");
            if (!seen.Contains("MfaApproval.dll")) throw new FormatException(path + ": no <ModuleFile> records MfaApproval.dll; run Install-MfaMimProvider again");
            PinnedModule m = new PinnedModule(root);
            m.Files.AddRange(files);
            return m;
        }

        // The rules of MfaApproval.Hosting.ModuleFile.PathProblem and HashProblem.
        static string PathProblem(string relative)
        {
            if (string.IsNullOrEmpty(relative) || relative.Length > 200) return "a module file path must be 1 to 200 characters";
            foreach (string segment in relative.Split('/'))
            {
                if (segment.Length == 0 || segment == "." || segment == "..") return "the module file path '" + relative + "' has an empty, '.' or '..' segment";
                foreach (char c in segment)
                {
                    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
                    if (!ok) return "the module file path '" + relative + "' has a character other than letters, digits, '.', '-', '_' and '/'";
                }
            }
            return null;
        }

        static string HashProblem(string sha256)
        {
            if (sha256 == null || sha256.Length != 64) return "a module file's sha256 must be 64 hexadecimal digits";
            foreach (char c in sha256)
            {
                if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return "a module file's sha256 must be 64 lowercase hexadecimal digits";
            }
            return null;
        }

        internal static string FullPath(string root, string relative)
        {
            return Path.GetFullPath(Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar)));
        }

        static string Hex(byte[] bytes)
        {
            StringBuilder b = new StringBuilder(bytes.Length * 2);
            foreach (byte x in bytes) b.Append(x.ToString("x2", CultureInfo.InvariantCulture));
            return b.ToString();
        }
    }
}
