// What the MIM provider loads, pinned: Install-MfaMimProvider copies the module's managed
// assembly and this platform's native library into a folder it creates beside the adapter in
// the MIM Service folder (MfaApproval.MimProvider\, which inherits that folder's
// administrators-only ACL) and records each file's SHA-256 in the provider settings
// (<ModuleFile sha256="...">relative/path</ModuleFile>). The adapter verifies every file
// before it loads anything (mim/provider/PinnedModule.cs) and holds them open, so a changed
// or missing file makes every call Failed with a message naming it. One definition of the
// rules for a recorded file: ModuleFile.PathProblem and ModuleFile.HashProblem (the adapter's
// reader applies the same ones, and the provider checks both readers agree).
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using MfaApproval.Interop;

namespace MfaApproval.Hosting
{
    /// <summary>One file the provider loads: its path relative to the module copy ('/'
    /// separated) and its SHA-256 (64 lowercase hexadecimal digits).</summary>
    public sealed class ModuleFile
    {
        public ModuleFile(string relativePath, string sha256)
        {
            RelativePath = relativePath;
            Sha256 = sha256;
        }

        public string RelativePath { get; private set; }
        public string Sha256 { get; private set; }

        /// <summary>The managed assembly's relative path.</summary>
        public const string ManagedAssembly = "MfaApproval.dll";

        /// <summary>The native library's relative path for a runtime identifier.</summary>
        public static string NativeLibrary(string rid)
        {
            return "runtimes/" + rid + "/native/" + Loader.LibraryFileName(rid);
        }

        /// <summary>Why a recorded relative path is not acceptable, or null: segments of
        /// letters, digits, '.', '-' and '_', separated by '/', none empty, "." or "..".</summary>
        public static string PathProblem(string relative)
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

        /// <summary>Why a recorded hash is not acceptable, or null.</summary>
        public static string HashProblem(string sha256)
        {
            if (sha256 == null || sha256.Length != 64) return "a module file's sha256 must be 64 hexadecimal digits";
            foreach (char c in sha256)
            {
                if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return "a module file's sha256 must be 64 lowercase hexadecimal digits";
            }
            return null;
        }

        /// <summary>The full path of a relative path under <paramref name="root"/>.</summary>
        public static string FullPath(string root, string relative)
        {
            return Path.GetFullPath(Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar)));
        }
    }

    public static class ModuleCopy
    {
        /// <summary>The folder beside the adapter that holds the copy (not a name .NET's
        /// probing for MfaApproval.dll looks at: neither MfaApproval.dll nor MfaApproval\).</summary>
        public const string FolderName = "MfaApproval.MimProvider";

        /// <summary>What the provider loads from a module folder, for this process's runtime.</summary>
        public static string[] FilesToCopy(string rid)
        {
            return new string[] { ModuleFile.ManagedAssembly, ModuleFile.NativeLibrary(rid) };
        }

        /// <summary>Copies each relative path from <paramref name="moduleRoot"/> to
        /// <paramref name="destination"/> (created; it must not exist), hashing the bytes as they
        /// are written. Throws FileNotFoundException naming a missing source.</summary>
        public static List<ModuleFile> Copy(string moduleRoot, string destination, IList<string> relativePaths)
        {
            if (Directory.Exists(destination)) throw new IOException("the folder '" + destination + "' already exists");
            Directory.CreateDirectory(destination);
            List<ModuleFile> files = new List<ModuleFile>();
            foreach (string relative in relativePaths)
            {
                string problem = ModuleFile.PathProblem(relative);
                if (problem != null) throw new ArgumentException(problem);
                string source = ModuleFile.FullPath(moduleRoot, relative);
                if (!File.Exists(source)) throw new FileNotFoundException("the module file '" + source + "' does not exist; reinstall the module (it must hold the library for " + Loader.RuntimeIdentifier + ")", source);
                string target = ModuleFile.FullPath(destination, relative);
                Directory.CreateDirectory(Path.GetDirectoryName(target));
                using (FileStream input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read))
                using (FileStream output = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                using (SHA256 sha = SHA256.Create())
                {
                    byte[] buffer = new byte[81920];
                    int n;
                    while ((n = input.Read(buffer, 0, buffer.Length)) > 0)
                    {
                        sha.TransformBlock(buffer, 0, n, null, 0);
                        output.Write(buffer, 0, n);
                    }
                    sha.TransformFinalBlock(buffer, 0, 0);
                    files.Add(new ModuleFile(relative, Hex(sha.Hash)));
                }
            }
            return files;
        }

        /// <summary>The SHA-256 of a file, as 64 lowercase hexadecimal digits.</summary>
        public static string Sha256Of(string path)
        {
            using (FileStream f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read))
            using (SHA256 sha = SHA256.Create())
            {
                return Hex(sha.ComputeHash(f));
            }
        }

        static string Hex(byte[] bytes)
        {
            StringBuilder b = new StringBuilder(bytes.Length * 2);
            foreach (byte x in bytes) b.Append(x.ToString("x2", CultureInfo.InvariantCulture));
            return b.ToString();
        }
    }
}
