// MfaApproval.Interop: loads libmfa_approval from an explicit path and binds its C ABI.
//
// C# 5 against mscorlib only, so one assembly serves Windows PowerShell 5.1 (.NET
// Framework 4.5+) and PowerShell 7 (.NET). Built by build.ps1 (mcs -langversion:5 on
// Linux, the .NET Framework csc.exe on Windows), never at Import-Module.
//
// Loading: Windows (both editions) LoadLibraryExW + GetProcAddress; elsewhere (pwsh
// only) System.Runtime.InteropServices.NativeLibrary through reflection (the type does
// not exist in mscorlib). Exports are bound as Cdecl delegates. Handles are SafeHandles
// whose release calls the library's _free function. The library never calls back.
// Secrets (SecureString) become UTF-8 bytes only for the duration of the call and are
// cleared afterwards.
using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security;
using System.Text;

namespace MfaApproval.Interop
{
    /// <summary>An error reported by the native library: its result number and message.</summary>
    public class MfaNativeException : Exception
    {
        public uint Result { get; private set; }
        public string ResultName { get; private set; }

        public MfaNativeException(uint result, string message)
            : base(message)
        {
            Result = result;
            ResultName = Native.ResultName(result);
        }
    }

    /// <summary>The library could not be loaded or has the wrong ABI version.</summary>
    public class MfaLoadException : Exception
    {
        public MfaLoadException(string message, Exception inner) : base(message, inner) { }
    }

    /// <summary>A native mfa_client*.</summary>
    public sealed class MfaClientHandle : SafeHandle
    {
        internal MfaClientHandle(IntPtr h) : base(IntPtr.Zero, true) { SetHandle(h); }
        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }
        protected override bool ReleaseHandle() { Native.ClientFree(handle); return true; }
    }

    /// <summary>A native mfa_request*. Releasing it cancels a pending request.</summary>
    public sealed class MfaRequestHandle : SafeHandle
    {
        internal MfaRequestHandle(IntPtr h) : base(IntPtr.Zero, true) { SetHandle(h); }
        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }
        protected override bool ReleaseHandle() { Native.RequestFree(handle); return true; }
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct MfaSecret
    {
        public uint Kind;
        public IntPtr Data;
        public UIntPtr Len;
    }

    public static class Native
    {
        /// <summary>The ABI version this assembly was written for (MFA_ABI_VERSION).</summary>
        public const uint ExpectedAbiVersion = 1;

        public const uint StatusPending = 0;
        public const uint SecretBasicPassword = 1;
        public const uint SecretClientCertificatePassword = 2;
        const uint Ok = 0;
        const uint BufferTooSmall = 5;

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate uint AbiVersionFn();
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate uint LastErrorFn(byte[] buf, UIntPtr len, out UIntPtr lenOut);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate uint ClientNewFn(byte[] json, UIntPtr len, [In] MfaSecret[] secrets, UIntPtr count, out IntPtr client);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate void FreeFn(IntPtr handle);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate uint RequestNewFn(MfaClientHandle client, byte[] json, UIntPtr len, out IntPtr request);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate uint RequestFn(MfaRequestHandle request);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate uint PollFn(MfaRequestHandle request, uint waitMs, out uint status);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate uint OutcomeFn(MfaRequestHandle request, byte[] buf, UIntPtr len, out UIntPtr lenOut);

        [DllImport("kernel32", CharSet = CharSet.Unicode, SetLastError = true)]
        static extern IntPtr LoadLibraryExW(string path, IntPtr file, uint flags);
        [DllImport("kernel32", CharSet = CharSet.Ansi, SetLastError = true, BestFitMapping = false)]
        static extern IntPtr GetProcAddress(IntPtr module, string name);

        static readonly object Gate = new object();
        static IntPtr library;
        static AbiVersionFn abiVersion;
        static LastErrorFn lastError;
        static ClientNewFn clientNew;
        static FreeFn clientFree;
        static RequestNewFn requestNew;
        static RequestFn requestStart;
        static PollFn requestPoll;
        static RequestFn requestCancel;
        static OutcomeFn requestOutcome;
        static FreeFn requestFree;

        /// <summary>The path the library was loaded from (null before Load).</summary>
        public static string LibraryPath { get; private set; }
        /// <summary>The ABI version the loaded library reported.</summary>
        public static uint LibraryAbiVersion { get; private set; }

        public static bool IsWindows
        {
            get { return Environment.OSVersion.Platform == PlatformID.Win32NT; }
        }

        /// <summary>The runtimes/&lt;rid&gt; folder name for this process: win-x64, linux-arm64, osx-arm64, ...</summary>
        public static string RuntimeIdentifier
        {
            get
            {
                string os = IsWindows ? "win" : "linux";
                string arch = null;
                Type info = Type.GetType("System.Runtime.InteropServices.RuntimeInformation");
                if (info != null)
                {
                    PropertyInfo processArchitecture = info.GetProperty("ProcessArchitecture");
                    if (processArchitecture != null) arch = processArchitecture.GetValue(null, null).ToString().ToLowerInvariant();
                    Type platform = Type.GetType("System.Runtime.InteropServices.OSPlatform");
                    MethodInfo isOs = info.GetMethod("IsOSPlatform");
                    if (!IsWindows && platform != null && isOs != null)
                    {
                        object osx = platform.GetProperty("OSX").GetValue(null, null);
                        if ((bool)isOs.Invoke(null, new object[] { osx })) os = "osx";
                    }
                }
                if (arch == null)
                {
                    string env = Environment.GetEnvironmentVariable("PROCESSOR_ARCHITECTURE") ?? string.Empty;
                    arch = !Environment.Is64BitProcess ? "x86" : (env.Equals("ARM64", StringComparison.OrdinalIgnoreCase) ? "arm64" : "x64");
                }
                return os + "-" + arch;
            }
        }

        /// <summary>The native library's path inside a module folder: runtimes/&lt;rid&gt;/native/&lt;file&gt;.</summary>
        public static string LibraryPathIn(string moduleRoot)
        {
            string rid = RuntimeIdentifier;
            string file = rid.StartsWith("win-") ? "mfa_approval.dll" : rid.StartsWith("osx-") ? "libmfa_approval.dylib" : "libmfa_approval.so";
            return Path.Combine(Path.Combine(Path.Combine(Path.Combine(moduleRoot, "runtimes"), rid), "native"), file);
        }

        public static string ResultName(uint result)
        {
            switch (result)
            {
                case 0: return "MFA_OK";
                case 1: return "MFA_NULL_ARGUMENT";
                case 2: return "MFA_INVALID_UTF8";
                case 3: return "MFA_INVALID_CONFIG";
                case 4: return "MFA_INVALID_REQUEST";
                case 5: return "MFA_BUFFER_TOO_SMALL";
                case 6: return "MFA_PENDING";
                case 7: return "MFA_ALREADY_STARTED";
                case 8: return "MFA_NOT_STARTED";
                case 9: return "MFA_RUNTIME_FAILED";
                case 10: return "MFA_INVALID_ARGUMENT";
                case 99: return "MFA_PANIC";
                default: return "MFA_RESULT_" + result;
            }
        }

        /// <summary>Loads the library at <paramref name="path"/> (once per process) and checks
        /// its ABI version before binding anything else.</summary>
        public static void Load(string path)
        {
            lock (Gate)
            {
                if (library != IntPtr.Zero)
                {
                    if (!string.Equals(LibraryPath, path, StringComparison.Ordinal))
                    {
                        // A native library cannot be unloaded: a second copy would be a second engine.
                        CheckVersion(path);
                    }
                    return;
                }
                if (!File.Exists(path))
                {
                    throw new MfaLoadException("The MfaApproval native library was not found at '" + path + "'. This module build does not include the library for this platform.", null);
                }
                IntPtr handle;
                try
                {
                    handle = LoadLibrary(path);
                }
                catch (Exception e)
                {
                    throw new MfaLoadException("Cannot load the MfaApproval native library '" + path + "' (wrong platform or architecture?): " + e.Message, e);
                }
                abiVersion = Bind<AbiVersionFn>(handle, "mfa_abi_version", path);
                uint version = abiVersion();
                if (version != ExpectedAbiVersion)
                {
                    throw new MfaLoadException("The MfaApproval native library '" + path + "' has ABI version " + version + "; this module needs ABI version " + ExpectedAbiVersion + ". Reinstall the module so both come from the same build.", null);
                }
                lastError = Bind<LastErrorFn>(handle, "mfa_last_error", path);
                clientNew = Bind<ClientNewFn>(handle, "mfa_client_new", path);
                clientFree = Bind<FreeFn>(handle, "mfa_client_free", path);
                requestNew = Bind<RequestNewFn>(handle, "mfa_request_new", path);
                requestStart = Bind<RequestFn>(handle, "mfa_request_start", path);
                requestPoll = Bind<PollFn>(handle, "mfa_request_poll", path);
                requestCancel = Bind<RequestFn>(handle, "mfa_request_cancel", path);
                requestOutcome = Bind<OutcomeFn>(handle, "mfa_request_outcome", path);
                requestFree = Bind<FreeFn>(handle, "mfa_request_free", path);
                library = handle;
                LibraryPath = path;
                LibraryAbiVersion = version;
            }
        }

        static void CheckVersion(string path)
        {
            if (LibraryAbiVersion != ExpectedAbiVersion)
            {
                throw new MfaLoadException("The loaded MfaApproval native library '" + LibraryPath + "' has ABI version " + LibraryAbiVersion + "; '" + path + "' was asked for, and this module needs ABI version " + ExpectedAbiVersion + ". Start a new PowerShell session.", null);
            }
        }

        static IntPtr LoadLibrary(string path)
        {
            if (IsWindows)
            {
                // LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR | LOAD_LIBRARY_SEARCH_DEFAULT_DIRS
                IntPtr h = LoadLibraryExW(path, IntPtr.Zero, 0x00000100 | 0x00001000);
                if (h == IntPtr.Zero)
                {
                    throw new DllNotFoundException("LoadLibraryExW failed with Win32 error " + Marshal.GetLastWin32Error());
                }
                return h;
            }
            Type nativeLibrary = Type.GetType("System.Runtime.InteropServices.NativeLibrary");
            if (nativeLibrary == null)
            {
                throw new PlatformNotSupportedException("this runtime has no NativeLibrary; on Linux and macOS use PowerShell 7");
            }
            MethodInfo load = nativeLibrary.GetMethod("Load", new Type[] { typeof(string) });
            try
            {
                return (IntPtr)load.Invoke(null, new object[] { path });
            }
            catch (TargetInvocationException e)
            {
                throw e.InnerException ?? e;
            }
        }

        static IntPtr Export(IntPtr h, string name)
        {
            if (IsWindows)
            {
                return GetProcAddress(h, name);
            }
            Type nativeLibrary = Type.GetType("System.Runtime.InteropServices.NativeLibrary");
            MethodInfo tryGet = nativeLibrary.GetMethod("TryGetExport", new Type[] { typeof(IntPtr), typeof(string), typeof(IntPtr).MakeByRefType() });
            object[] args = new object[] { h, name, IntPtr.Zero };
            return (bool)tryGet.Invoke(null, args) ? (IntPtr)args[2] : IntPtr.Zero;
        }

        static T Bind<T>(IntPtr h, string name, string path) where T : class
        {
            IntPtr p = Export(h, name);
            if (p == IntPtr.Zero)
            {
                throw new MfaLoadException("The MfaApproval native library '" + path + "' does not export " + name + "; it is not a matching build.", null);
            }
            return Marshal.GetDelegateForFunctionPointer(p, typeof(T)) as T;
        }

        static void EnsureLoaded()
        {
            if (library == IntPtr.Zero)
            {
                throw new InvalidOperationException("The MfaApproval native library is not loaded; import the MfaApproval module.");
            }
        }

        static string LastError()
        {
            UIntPtr len;
            uint r = lastError(null, UIntPtr.Zero, out len);
            if (r == Ok) return string.Empty;
            byte[] buf = new byte[(int)len.ToUInt64()];
            if (lastError(buf, new UIntPtr((ulong)buf.Length), out len) != Ok) return "(no message)";
            return Encoding.UTF8.GetString(buf, 0, (int)len.ToUInt64());
        }

        static void Check(uint result)
        {
            if (result != Ok)
            {
                throw new MfaNativeException(result, LastError());
            }
        }

        static byte[] Utf8(string s)
        {
            return Encoding.UTF8.GetBytes(s ?? string.Empty);
        }

        /// <summary>UTF-8 bytes of a SecureString; the caller clears them.</summary>
        static byte[] SecretBytes(SecureString secret)
        {
            if (secret == null) return null;
            IntPtr unicode = Marshal.SecureStringToGlobalAllocUnicode(secret);
            char[] chars = new char[secret.Length];
            try
            {
                Marshal.Copy(unicode, chars, 0, chars.Length);
                return Encoding.UTF8.GetBytes(chars);
            }
            finally
            {
                Array.Clear(chars, 0, chars.Length);
                Marshal.ZeroFreeGlobalAllocUnicode(unicode);
            }
        }

        /// <summary>mfa_client_new: builds a client from JSON and optional secrets.</summary>
        public static MfaClientHandle NewClient(string configJson, SecureString basicPassword, SecureString certificatePassword)
        {
            EnsureLoaded();
            byte[] json = Utf8(configJson);
            byte[] basic = SecretBytes(basicPassword);
            byte[] cert = SecretBytes(certificatePassword);
            GCHandle basicPin = basic == null ? new GCHandle() : GCHandle.Alloc(basic, GCHandleType.Pinned);
            GCHandle certPin = cert == null ? new GCHandle() : GCHandle.Alloc(cert, GCHandleType.Pinned);
            try
            {
                MfaSecret[] secrets = new MfaSecret[(basic == null ? 0 : 1) + (cert == null ? 0 : 1)];
                int i = 0;
                if (basic != null) secrets[i++] = new MfaSecret { Kind = SecretBasicPassword, Data = basicPin.AddrOfPinnedObject(), Len = new UIntPtr((ulong)basic.Length) };
                if (cert != null) secrets[i++] = new MfaSecret { Kind = SecretClientCertificatePassword, Data = certPin.AddrOfPinnedObject(), Len = new UIntPtr((ulong)cert.Length) };
                IntPtr client;
                Check(clientNew(json, new UIntPtr((ulong)json.Length), secrets, new UIntPtr((ulong)secrets.Length), out client));
                return new MfaClientHandle(client);
            }
            finally
            {
                if (basic != null) { Array.Clear(basic, 0, basic.Length); basicPin.Free(); }
                if (cert != null) { Array.Clear(cert, 0, cert.Length); certPin.Free(); }
            }
        }

        /// <summary>mfa_request_new + mfa_request_start.</summary>
        public static MfaRequestHandle StartRequest(MfaClientHandle client, string requestJson)
        {
            EnsureLoaded();
            byte[] json = Utf8(requestJson);
            IntPtr raw;
            Check(requestNew(client, json, new UIntPtr((ulong)json.Length), out raw));
            MfaRequestHandle request = new MfaRequestHandle(raw);
            try
            {
                Check(requestStart(request));
            }
            catch
            {
                request.Dispose();
                throw;
            }
            return request;
        }

        /// <summary>mfa_request_poll: waits up to waitMs; returns the MFA_STATUS_* number.</summary>
        public static uint Poll(MfaRequestHandle request, uint waitMs)
        {
            uint status;
            Check(requestPoll(request, waitMs, out status));
            return status;
        }

        /// <summary>mfa_request_cancel: idempotent, never blocks.</summary>
        public static void Cancel(MfaRequestHandle request)
        {
            if (request == null || request.IsClosed || request.IsInvalid) return;
            Check(requestCancel(request));
        }

        /// <summary>mfa_request_outcome: the outcome JSON of a finished request.</summary>
        public static string Outcome(MfaRequestHandle request)
        {
            UIntPtr len;
            uint r = requestOutcome(request, null, UIntPtr.Zero, out len);
            if (r == BufferTooSmall)
            {
                byte[] buf = new byte[(int)len.ToUInt64()];
                Check(requestOutcome(request, buf, new UIntPtr((ulong)buf.Length), out len));
                return Encoding.UTF8.GetString(buf, 0, (int)len.ToUInt64());
            }
            Check(r);
            return string.Empty;
        }

        internal static void ClientFree(IntPtr h) { if (clientFree != null) clientFree(h); }
        internal static void RequestFree(IntPtr h) { if (requestFree != null) requestFree(h); }
    }
}
