// A secret file for a service account that cannot log on interactively (Protect-MfaSecret).
// Export-Clixml's DPAPI files must be made *as* the account that reads them, which needs a
// logon the MIM Service account is usually denied (PAM hardening puts it under "Deny log on
// locally") and a gMSA cannot do at all (no password). This file is made by an administrator
// instead: the secret is protected with DPAPI for this machine (CRYPTPROTECT_LOCAL_MACHINE,
// with MfaApproval's own entropy), and the file is created with a protected ACL that lets
// only the service account read it (SYSTEM and Administrators keep full control; nothing is
// inherited). So: a copy taken to another machine cannot be decrypted; on this machine only
// the service account and administrators can read it. No task, service or stored password is
// left behind: only the file.
//
// Format (UTF-8 XML, read strictly: no DTD, bounded, one root, each attribute once):
//   <MfaApprovalSecret version="1" protection="DpapiLocalMachine" userName="duo"
//                      account="S-1-5-21-...-1234" accountName="CONTOSO\svc-mim">HEX</MfaApprovalSecret>
// The hex is the DPAPI blob of the password as UTF-16LE (as Export-Clixml's is).
// The readers are StoredSecret (the MIM provider, the installer) and, through it, the MIMWAL
// wrapper's settings (mim/Settings.ps1). The format, the ACL (as SDDL, built from a parsed SID)
// and the argument checks are pure and tested everywhere; the Windows calls are at the end.
using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Security;
using System.Text;
using System.Xml;
using Microsoft.Win32;
using Microsoft.Win32.SafeHandles;

namespace MfaApproval.Hosting
{
    public static class SecretFile
    {
        public const string RootName = "MfaApprovalSecret";
        public const string Protection = "DpapiLocalMachine";
        const int MaxFileBytes = 64 * 1024;
        static readonly byte[] Entropy = Encoding.ASCII.GetBytes("MfaApproval secret file, version 1");

        /// <summary>What a secret file says (the blob stays encrypted).</summary>
        public sealed class Contents
        {
            public string UserName;
            public string AccountSid;
            public string AccountName;
            public byte[] Blob;
        }

        /// <summary>True when the bytes are an MfaApproval secret file (its root element), false
        /// for anything else (an Export-Clixml file); never throws.</summary>
        public static bool IsSecretFile(byte[] bytes)
        {
            try
            {
                using (XmlReader r = XmlReader.Create(new MemoryStream(bytes), ProviderSettings.StrictXml()))
                {
                    r.MoveToContent();
                    return r.NodeType == XmlNodeType.Element && r.LocalName == RootName;
                }
            }
            catch (XmlException)
            {
                return false;
            }
        }

        /// <summary>The file's contents; FormatException names the file and what is wrong.</summary>
        public static Contents Parse(byte[] bytes, string path)
        {
            Contents c = new Contents();
            try
            {
                using (XmlReader r = XmlReader.Create(new MemoryStream(bytes), ProviderSettings.StrictXml()))
                {
                    r.MoveToContent();
                    if (r.NodeType != XmlNodeType.Element || r.LocalName != RootName) throw new FormatException("the secret file '" + path + "' is not an MfaApproval secret file");
                    Dictionary<string, string> attributes = new Dictionary<string, string>(StringComparer.Ordinal);
                    if (r.MoveToFirstAttribute())
                    {
                        do
                        {
                            if (r.Prefix == "xmlns" || r.LocalName == "xmlns") continue;
                            if (attributes.ContainsKey(r.LocalName)) throw new FormatException("the secret file '" + path + "' has the attribute " + r.LocalName + " twice");
                            attributes[r.LocalName] = r.Value;
                        }
                        while (r.MoveToNextAttribute());
                        r.MoveToElement();
                    }
                    foreach (string name in attributes.Keys)
                    {
                        if (name != "version" && name != "protection" && name != "userName" && name != "account" && name != "accountName") throw new FormatException("the secret file '" + path + "' has an unknown attribute '" + name + "'");
                    }
                    string version, protection;
                    if (!attributes.TryGetValue("version", out version) || version != "1") throw new FormatException("the secret file '" + path + "' is not version 1; make it again with Protect-MfaSecret");
                    if (!attributes.TryGetValue("protection", out protection) || protection != Protection) throw new FormatException("the secret file '" + path + "' has an unknown protection; make it again with Protect-MfaSecret");
                    attributes.TryGetValue("userName", out c.UserName);
                    attributes.TryGetValue("account", out c.AccountSid);
                    attributes.TryGetValue("accountName", out c.AccountName);
                    string hex = r.ReadElementContentAsString().Trim();
                    r.MoveToContent();
                    if (!r.EOF) throw new FormatException("the secret file '" + path + "' has content after its root element");
                    c.Blob = FromHex(hex, path);
                }
            }
            catch (XmlException e)
            {
                throw new FormatException("the secret file '" + path + "' is not well-formed XML (line " + e.LineNumber.ToString(CultureInfo.InvariantCulture) + ")");
            }
            if (c.Blob.Length == 0) throw new FormatException("the secret file '" + path + "' holds no secret; make it again with Protect-MfaSecret");
            return c;
        }

        /// <summary>The file's bytes (UTF-8 XML, no BOM).</summary>
        public static byte[] Format(string userName, string accountSid, string accountName, byte[] blob)
        {
            XmlWriterSettings ws = new XmlWriterSettings();
            ws.Encoding = new UTF8Encoding(false);
            ws.Indent = true;
            using (MemoryStream m = new MemoryStream())
            {
                using (XmlWriter w = XmlWriter.Create(m, ws))
                {
                    w.WriteStartDocument();
                    w.WriteComment(" Written by Protect-MfaSecret: DPAPI for this machine; readable only by " + (accountName ?? accountSid) + " and administrators (the file's ACL). ");
                    w.WriteStartElement(RootName);
                    w.WriteAttributeString("version", "1");
                    w.WriteAttributeString("protection", Protection);
                    if (userName != null) w.WriteAttributeString("userName", userName);
                    w.WriteAttributeString("account", accountSid);
                    if (accountName != null) w.WriteAttributeString("accountName", accountName);
                    StringBuilder hex = new StringBuilder(blob.Length * 2);
                    foreach (byte b in blob) hex.Append(b.ToString("x2", CultureInfo.InvariantCulture));
                    w.WriteString(hex.ToString());
                    w.WriteEndElement();
                    w.WriteEndDocument();
                }
                return m.ToArray();
            }
        }

        /// <summary>A SID in its canonical string form (S-1-authority-sub...), rendered from the
        /// parsed numbers, or null when <paramref name="sid"/> is not a SID.</summary>
        public static string CanonicalSid(string sid)
        {
            if (string.IsNullOrEmpty(sid) || sid.Length > 200) return null;
            string[] parts = sid.Split('-');
            if (parts.Length < 4 || parts.Length > 18 || !string.Equals(parts[0], "S", StringComparison.OrdinalIgnoreCase) || parts[1] != "1") return null;
            ulong authority;
            if (!ulong.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out authority) || authority > 0xFFFFFFFFFFFFUL) return null;
            StringBuilder b = new StringBuilder("S-1-").Append(authority.ToString(CultureInfo.InvariantCulture));
            for (int i = 3; i < parts.Length; i++)
            {
                uint sub;
                if (parts[i].Length == 0 || parts[i].Length > 10 || !uint.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out sub)) return null;
                b.Append('-').Append(sub.ToString(CultureInfo.InvariantCulture));
            }
            return b.ToString();
        }

        /// <summary>The file's DACL, protected (nothing inherited): SYSTEM and Administrators full
        /// control, the account read. The owner is left to Windows (Administrators for an
        /// elevated administrator, by the default policy).</summary>
        public static string Sddl(string accountSid)
        {
            string sid = CanonicalSid(accountSid);
            if (sid == null) throw new ArgumentException("'" + accountSid + "' is not a SID");
            return "D:P(A;;FA;;;SY)(A;;FA;;;BA)(A;;FR;;;" + sid + ")";
        }

        /// <summary>Why a Windows service name cannot be looked up, or null.</summary>
        public static string ServiceNameProblem(string name)
        {
            if (string.IsNullOrEmpty(name) || name.Length > 256) return "a service name has 1 to 256 characters";
            foreach (char c in name)
            {
                if (c == '\\' || c == '/' || char.IsControl(c)) return "'" + name + "' is not a service name (no '\\', '/' or control characters)";
            }
            return null;
        }

        static byte[] FromHex(string hex, string path)
        {
            if (hex.Length % 2 != 0 || hex.Length > 2 * MaxFileBytes) throw new FormatException("the secret file '" + path + "' holds no hexadecimal secret; make it again with Protect-MfaSecret");
            byte[] blob = new byte[hex.Length / 2];
            for (int i = 0; i < blob.Length; i++)
            {
                int hi = HexDigit(hex[2 * i]), lo = HexDigit(hex[2 * i + 1]);
                if (hi < 0 || lo < 0) throw new FormatException("the secret file '" + path + "' holds no hexadecimal secret; make it again with Protect-MfaSecret");
                blob[i] = (byte)(hi * 16 + lo);
            }
            return blob;
        }

        static int HexDigit(char c)
        {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        }

        // ---- Windows only (kept small; each call named in docs/mim-pam.md) ----

        const int CryptProtectUiForbidden = 0x1;
        const int CryptProtectLocalMachine = 0x4;
        const uint GenericWrite = 0x40000000;
        const uint CreateNew = 1;
        const uint FileAttributeNormal = 0x80;
        const uint SddlRevision1 = 1;

        [StructLayout(LayoutKind.Sequential)]
        struct DataBlob
        {
            public int Size;
            public IntPtr Data;
        }

        [StructLayout(LayoutKind.Sequential)]
        struct SecurityAttributes
        {
            public int Length;
            public IntPtr SecurityDescriptor;
            public int InheritHandle;
        }

        [DllImport("crypt32.dll", SetLastError = true, CharSet = CharSet.Unicode)]
        static extern bool CryptProtectData(ref DataBlob dataIn, string description, ref DataBlob entropy, IntPtr reserved, IntPtr prompt, int flags, ref DataBlob dataOut);

        [DllImport("crypt32.dll", SetLastError = true, CharSet = CharSet.Unicode)]
        static extern bool CryptUnprotectData(ref DataBlob dataIn, IntPtr description, ref DataBlob entropy, IntPtr reserved, IntPtr prompt, int flags, ref DataBlob dataOut);

        [DllImport("advapi32.dll", SetLastError = true, CharSet = CharSet.Unicode)]
        static extern bool ConvertStringSecurityDescriptorToSecurityDescriptorW(string sddl, uint revision, out IntPtr descriptor, IntPtr size);

        [DllImport("kernel32.dll", SetLastError = true, CharSet = CharSet.Unicode)]
        static extern SafeFileHandle CreateFileW(string path, uint access, uint share, ref SecurityAttributes security, uint disposition, uint flags, IntPtr template);

        [DllImport("kernel32.dll")]
        static extern IntPtr LocalFree(IntPtr mem);

        /// <summary>The account a Windows service runs as (its ObjectName, such as
        /// CONTOSO\svc-mimservice, CONTOSO\gmsa-mim$ or LocalSystem), or null when there is no
        /// such service.</summary>
        public static string ServiceAccount(string serviceName)
        {
            string problem = ServiceNameProblem(serviceName);
            if (problem != null) throw new ArgumentException(problem);
            using (RegistryKey key = Registry.LocalMachine.OpenSubKey(@"SYSTEM\CurrentControlSet\Services\" + serviceName))
            {
                if (key == null) return null;
                return key.GetValue("ObjectName") as string;
            }
        }

        /// <summary>The SID of an account name (DOMAIN\name, name@domain, NT SERVICE\name,
        /// LocalSystem); throws with the name when Windows does not know it.</summary>
        public static string SidOf(string account)
        {
            if (string.Equals(account, "LocalSystem", StringComparison.OrdinalIgnoreCase)) return "S-1-5-18";
            string sid = CanonicalSid(account);
            if (sid != null) return sid;
            System.Security.Principal.NTAccount name = new System.Security.Principal.NTAccount(account);
            return ((System.Security.Principal.SecurityIdentifier)name.Translate(typeof(System.Security.Principal.SecurityIdentifier))).Value;
        }

        /// <summary>DPAPI for this machine, with MfaApproval's entropy, of the password as
        /// UTF-16LE (copied to unmanaged memory, zeroed after).</summary>
        public static byte[] Protect(SecureString secret)
        {
            IntPtr plain = Marshal.SecureStringToGlobalAllocUnicode(secret);
            GCHandle pin = GCHandle.Alloc(Entropy, GCHandleType.Pinned);
            DataBlob output = new DataBlob();
            try
            {
                DataBlob input = new DataBlob();
                input.Size = secret.Length * 2;
                input.Data = plain;
                DataBlob entropy = new DataBlob();
                entropy.Size = Entropy.Length;
                entropy.Data = pin.AddrOfPinnedObject();
                if (!CryptProtectData(ref input, "MfaApproval secret", ref entropy, IntPtr.Zero, IntPtr.Zero, CryptProtectUiForbidden | CryptProtectLocalMachine, ref output))
                {
                    throw new Win32Exception(Marshal.GetLastWin32Error());
                }
                byte[] blob = new byte[output.Size];
                Marshal.Copy(output.Data, blob, 0, output.Size);
                return blob;
            }
            finally
            {
                pin.Free();
                Marshal.ZeroFreeGlobalAllocUnicode(plain);
                if (output.Data != IntPtr.Zero) LocalFree(output.Data);
            }
        }

        /// <summary>The secret of a file's blob, straight into a SecureString; every buffer is
        /// zeroed. Throws with the file and what to do.</summary>
        public static unsafe SecureString Unprotect(byte[] blob, string path)
        {
            if (!Interop.Loader.IsWindows) throw new PlatformNotSupportedException("the secret file '" + path + "' is protected with Windows DPAPI for the machine that made it; it can be read only there (Protect-MfaSecret)");
            GCHandle pinBlob = GCHandle.Alloc(blob, GCHandleType.Pinned);
            GCHandle pinEntropy = GCHandle.Alloc(Entropy, GCHandleType.Pinned);
            DataBlob output = new DataBlob();
            try
            {
                DataBlob input = new DataBlob();
                input.Size = blob.Length;
                input.Data = pinBlob.AddrOfPinnedObject();
                DataBlob entropy = new DataBlob();
                entropy.Size = Entropy.Length;
                entropy.Data = pinEntropy.AddrOfPinnedObject();
                if (!CryptUnprotectData(ref input, IntPtr.Zero, ref entropy, IntPtr.Zero, IntPtr.Zero, CryptProtectUiForbidden, ref output))
                {
                    int error = Marshal.GetLastWin32Error();
                    throw new SecurityException(string.Format(CultureInfo.InvariantCulture,
                        "the secret file '{0}' cannot be decrypted on this machine (DPAPI, Win32 error {1}): it was made on another server, or the machine's DPAPI key changed. Make it again here with Protect-MfaSecret (see docs/mim-pam.md).", path, error));
                }
                if (output.Size % 2 != 0) throw new FormatException("the secret file '" + path + "' decrypts to an odd number of bytes");
                return new SecureString((char*)output.Data, output.Size / 2);
            }
            finally
            {
                pinBlob.Free();
                pinEntropy.Free();
                if (output.Data != IntPtr.Zero)
                {
                    byte* p = (byte*)output.Data;
                    for (int i = 0; i < output.Size; i++) p[i] = 0;
                    LocalFree(output.Data);
                }
            }
        }

        /// <summary>Creates <paramref name="path"/> (it must not exist) with the security
        /// descriptor <paramref name="sddl"/> set as it is created, and writes the bytes.</summary>
        public static void CreateProtected(string path, string sddl, byte[] content)
        {
            IntPtr descriptor;
            if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SddlRevision1, out descriptor, IntPtr.Zero))
            {
                throw new Win32Exception(Marshal.GetLastWin32Error());
            }
            try
            {
                SecurityAttributes sa = new SecurityAttributes();
                sa.Length = Marshal.SizeOf(typeof(SecurityAttributes));
                sa.SecurityDescriptor = descriptor;
                using (SafeFileHandle h = CreateFileW(path, GenericWrite, 0, ref sa, CreateNew, FileAttributeNormal, IntPtr.Zero))
                {
                    if (h.IsInvalid) throw new Win32Exception(Marshal.GetLastWin32Error());
                    using (FileStream f = new FileStream(h, FileAccess.Write))
                    {
                        f.Write(content, 0, content.Length);
                        f.Flush(true);
                    }
                }
            }
            finally
            {
                LocalFree(descriptor);
            }
        }
    }
}
