// A SecureString as UTF-8 in unmanaged memory, for the one native call that needs it:
// the characters go from the SecureString's own unmanaged copy straight into unmanaged
// UTF-8 (Encoding.GetBytes over pointers), so no managed char[] or byte[] the GC could
// copy ever holds the plaintext. Both copies are zeroed and freed on Dispose.
using System;
using System.Runtime.InteropServices;
using System.Security;
using System.Text;

namespace MfaApproval.Interop
{
    internal sealed class SecretBuffer : IDisposable
    {
        IntPtr data;
        int length;

        SecretBuffer() { }

        public IntPtr Pointer { get { return data; } }
        public int Length { get { return length; } }

        /// <summary>Null for a null SecureString. A lone surrogate is an ArgumentException
        /// naming <paramref name="parameter"/> (never the text).</summary>
        public static unsafe SecretBuffer From(SecureString secret, string parameter)
        {
            if (secret == null) return null;
            UTF8Encoding strict = new UTF8Encoding(false, true);
            IntPtr unicode = Marshal.SecureStringToGlobalAllocUnicode(secret);
            SecretBuffer buffer = new SecretBuffer();
            try
            {
                char* chars = (char*)unicode.ToPointer();
                int count = secret.Length;
                int size;
                try
                {
                    size = strict.GetByteCount(chars, count);
                }
                catch (ArgumentException)
                {
                    throw new ArgumentException("-" + parameter + ": the secret is not valid Unicode text (it contains a lone surrogate).");
                }
                buffer.data = Marshal.AllocHGlobal(Math.Max(size, 1));
                buffer.length = strict.GetBytes(chars, count, (byte*)buffer.data.ToPointer(), size);
                return buffer;
            }
            catch
            {
                buffer.Dispose();
                throw;
            }
            finally
            {
                Marshal.ZeroFreeGlobalAllocUnicode(unicode);
            }
        }

        public unsafe void Dispose()
        {
            if (data != IntPtr.Zero)
            {
                byte* p = (byte*)data.ToPointer();
                for (int i = 0; i < length; i++) p[i] = 0;
                Marshal.FreeHGlobal(data);
                data = IntPtr.Zero;
                length = 0;
            }
        }
    }
}
