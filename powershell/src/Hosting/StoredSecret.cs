// A secret the MIM provider reads at start: the password of an Export-Clixml'd PSCredential
// (the file the MIM kit already uses: `Get-Credential | Export-Clixml`, run as the MIM
// Service account). Windows PowerShell writes the password as the hex of a DPAPI blob bound
// to the account (CurrentUser scope, no entropy); the provider decrypts it with
// CryptUnprotectData as that account, straight into a SecureString: no managed string ever
// holds it, and every buffer is zeroed. PowerShell on Linux and macOS writes the UTF-16 hex
// in the clear (no DPAPI there), so the installer accepts such a file only with
// -AllowPlainTextSecret. No PowerShell runspace is needed (the MIM Service has none).
// A file Protect-MfaSecret made for a service account that cannot log on (SecretFile: DPAPI
// for the machine, an ACL only that account can read) is read the same way, by the same calls.
using System;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Security;
using System.Xml;
using MfaApproval.Interop;

namespace MfaApproval.Hosting
{
    public static class StoredSecret
    {
        const int MaxFileBytes = 64 * 1024;
        const int CryptProtectUiForbidden = 0x1;

        [StructLayout(LayoutKind.Sequential)]
        struct DataBlob
        {
            public int Size;
            public IntPtr Data;
        }

        [DllImport("crypt32.dll", SetLastError = true, CharSet = CharSet.Unicode)]
        static extern bool CryptUnprotectData(ref DataBlob dataIn, IntPtr description, IntPtr entropy, IntPtr reserved, IntPtr prompt, int flags, ref DataBlob dataOut);

        [DllImport("kernel32.dll")]
        static extern IntPtr LocalFree(IntPtr mem);

        /// <summary>A SecureString from text (a PlainText secret of the settings).</summary>
        public static SecureString FromText(string text)
        {
            SecureString s = new SecureString();
            foreach (char c in text ?? string.Empty) s.AppendChar(c);
            s.MakeReadOnly();
            return s;
        }

        /// <summary>The user name stored in an Export-Clixml'd PSCredential or a Protect-MfaSecret
        /// file (not secret), or null.</summary>
        public static string CredentialUserName(string path)
        {
            byte[] bytes = ProviderSettings.ReadBounded(path, MaxFileBytes, "the credential");
            if (SecretFile.IsSecretFile(bytes)) return SecretFile.Parse(bytes, path).UserName;
            string user = null, ignored = null;
            ReadCredentialFile(bytes, path, ref user, ref ignored);
            return user;
        }

        /// <summary>True when the file is a Protect-MfaSecret file (not an Export-Clixml one).</summary>
        public static bool IsSecretFile(string path)
        {
            return SecretFile.IsSecretFile(ProviderSettings.ReadBounded(path, MaxFileBytes, "the credential"));
        }

        /// <summary>A Protect-MfaSecret file as a PSCredential (user name, password), for the
        /// MIMWAL wrapper's settings; null when the file is not one (an Export-Clixml file).</summary>
        public static System.Management.Automation.PSCredential ReadSecretFile(string path)
        {
            byte[] bytes = ProviderSettings.ReadBounded(path, MaxFileBytes, "the secret");
            if (!SecretFile.IsSecretFile(bytes)) return null;
            SecretFile.Contents c = SecretFile.Parse(bytes, path);
            SecureString password = SecretFile.Unprotect(c.Blob, path);
            return new System.Management.Automation.PSCredential(string.IsNullOrEmpty(c.UserName) ? "secret" : c.UserName, password);
        }

        /// <summary>The password of an Export-Clixml'd PSCredential. Throws with a message that
        /// names the file and what to do; never the secret.</summary>
        public static SecureString FromCredentialFile(string path)
        {
            byte[] bytes;
            try
            {
                bytes = ProviderSettings.ReadBounded(path, MaxFileBytes, "the credential");
            }
            catch (UnauthorizedAccessException)
            {
                throw new UnauthorizedAccessException("the credential file '" + path + "' cannot be opened by " + Environment.UserDomainName + "\\" + Environment.UserName
                    + " (access denied): its ACL lets another account read it. Make it again for the account that runs the MIM Service (Protect-MfaSecret -ServiceName FIMService; see docs/mim-pam.md).");
            }
            if (SecretFile.IsSecretFile(bytes)) return SecretFile.Unprotect(SecretFile.Parse(bytes, path).Blob, path);
            string user = null, hex = null;
            ReadCredentialFile(bytes, path, ref user, ref hex);
            if (hex == null) throw new FormatException("the credential file '" + path + "' holds no password (<SS N=\"Password\">); make it with Get-Credential | Export-Clixml");
            byte[] blob = new byte[hex.Length / 2];
            try
            {
                if (hex.Length % 2 != 0) throw new FormatException("the credential file '" + path + "' has a password that is not hexadecimal; make it again with Get-Credential | Export-Clixml");
                for (int i = 0; i < blob.Length; i++)
                {
                    int hi = Hex(hex[2 * i]), lo = Hex(hex[2 * i + 1]);
                    if (hi < 0 || lo < 0) throw new FormatException("the credential file '" + path + "' has a password that is not hexadecimal; make it again with Get-Credential | Export-Clixml");
                    blob[i] = (byte)(hi * 16 + lo);
                }
                return Loader.IsWindows ? Unprotect(blob, path) : FromUtf16(blob, path);
            }
            finally
            {
                Array.Clear(blob, 0, blob.Length);
            }
        }

        static void ReadCredentialFile(byte[] bytes, string path, ref string user, ref string password)
        {
            int passwords = 0, users = 0;
            try
            {
                using (XmlReader r = XmlReader.Create(new MemoryStream(bytes), ProviderSettings.StrictXml()))
                {
                    r.Read();
                    while (!r.EOF)
                    {
                        // ReadElementContentAsString moves to the next node itself: no Read() after it.
                        string n = r.NodeType == XmlNodeType.Element ? r.GetAttribute("N") : null;
                        if (r.LocalName == "SS" && n == "Password") { passwords++; password = r.ReadElementContentAsString().Trim(); }
                        else if (r.LocalName == "S" && n == "UserName") { users++; user = r.ReadElementContentAsString(); }
                        else r.Read();
                    }
                }
            }
            catch (XmlException e)
            {
                throw new FormatException("the credential file '" + path + "' is not an Export-Clixml'd PSCredential (line " + e.LineNumber.ToString(CultureInfo.InvariantCulture) + ")");
            }
            finally
            {
                Array.Clear(bytes, 0, bytes.Length);
            }
            if (passwords > 1 || users > 1) throw new FormatException("the credential file '" + path + "' holds more than one credential; give one Export-Clixml'd PSCredential");
        }

        static int Hex(char c)
        {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        }

        static unsafe SecureString FromUtf16(byte[] utf16, string path)
        {
            if (utf16.Length % 2 != 0) throw new FormatException("the credential file '" + path + "' has a password of an odd number of bytes");
            fixed (byte* p = utf16)
            {
                return new SecureString((char*)p, utf16.Length / 2);
            }
        }

        static unsafe SecureString Unprotect(byte[] blob, string path)
        {
            DataBlob input = new DataBlob();
            DataBlob output = new DataBlob();
            GCHandle pin = GCHandle.Alloc(blob, GCHandleType.Pinned);
            try
            {
                input.Size = blob.Length;
                input.Data = pin.AddrOfPinnedObject();
                if (!CryptUnprotectData(ref input, IntPtr.Zero, IntPtr.Zero, IntPtr.Zero, IntPtr.Zero, CryptProtectUiForbidden, ref output))
                {
                    int error = Marshal.GetLastWin32Error();
                    throw new SecurityException(string.Format(CultureInfo.InvariantCulture,
                        "the credential file '{0}' cannot be decrypted by {1}\\{2} (DPAPI, Win32 error {3}). DPAPI binds it to the account and machine that wrote it: make it again on this server as the account that runs the MIM Service, or with Protect-MfaSecret as an administrator (see docs/mim-pam.md).",
                        path, Environment.UserDomainName, Environment.UserName, error));
                }
                if (output.Size % 2 != 0) throw new FormatException("the credential file '" + path + "' decrypts to an odd number of bytes");
                return new SecureString((char*)output.Data, output.Size / 2);
            }
            finally
            {
                pin.Free();
                if (output.Data != IntPtr.Zero)
                {
                    byte* p = (byte*)output.Data;
                    for (int i = 0; i < output.Size; i++) p[i] = 0;
                    LocalFree(output.Data);
                }
            }
        }
    }
}
