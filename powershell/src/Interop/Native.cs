// MfaApproval.Interop.Native: binds the C ABI of libmfa_approval (rust/ffi/include/
// mfa_approval.h) and wraps each call. C# 5 against the .NET Framework 4.5 profile, so one
// assembly serves Windows PowerShell 5.1 and PowerShell 7.
//
// - Exports are bound with the non-generic GetDelegateForFunctionPointer as Cdecl delegates.
// - Handles come back as `out` SafeHandles; output buffers are [Out].
// - mfa_last_error is read on the same thread, right after the failing call.
// - Secrets become UTF-8 only in unmanaged memory, zeroed after the call (SecretBuffer).
// - One native library per process: a process-wide record (AppDomain data) names the
//   library that was loaded first; a module of another version, or the same version from
//   another folder, fails clearly instead of running against a library it did not ship.
//   The library is never unloaded (its worker threads run its code).
using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Security;
using System.Text;

namespace MfaApproval.Interop
{
    [StructLayout(LayoutKind.Sequential)]
    internal struct MfaSecret
    {
        public uint Kind;
        public IntPtr Data;
        public UIntPtr Len;
    }

    public static class Native
    {
        /// <summary>The ABI version this assembly was written for (MFA_ABI_VERSION). Versions
        /// only add within a SONAME major, so any library reporting this or later works.</summary>
        public const uint ExpectedAbiVersion = 5;

        public const uint StatusPending = 0;
        public const uint SecretBasicPassword = 1;
        public const uint SecretClientCertificatePassword = 2;
        public const uint SecretDuoSecretKey = 3;
        public const uint SecretProxyPassword = 4;
        public const uint SecretRadiusSharedSecret = 5;
        public const uint SecretRadiusPassword = 6;
        public const uint SecretOktaApiToken = 7;
        public const uint SecretOktaPrivateKey = 8;
        public const uint Ok = 0;
        public const uint BufferTooSmall = 5;

        const string OwnerKey = "MfaApproval.NativeLibrary.Owner";

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate uint AbiVersionFn();
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate uint BufferFn([Out] byte[] buf, UIntPtr len, out UIntPtr lenOut);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate uint CheckFn([In] byte[] json, UIntPtr len);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate uint ClientNewFn([In] byte[] json, UIntPtr len, [In] MfaSecret[] secrets, UIntPtr count, out MfaClientHandle client);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate void FreeFn(IntPtr handle);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate uint RequestNewFn(MfaClientHandle client, [In] byte[] json, UIntPtr len, out MfaRequestHandle request);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate uint RequestFn(MfaRequestHandle request);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate uint PollFn(MfaRequestHandle request, uint waitMs, out uint status);
        [UnmanagedFunctionPointer(CallingConvention.Cdecl)] delegate uint OutcomeFn(MfaRequestHandle request, [Out] byte[] buf, UIntPtr len, out UIntPtr lenOut);

        static readonly object Gate = new object();
        static IntPtr library;
        static BufferFn lastError;
        static BufferFn capabilities;
        static CheckFn configCheck;
        static CheckFn requestCheck;
        static ClientNewFn clientNew;
        static FreeFn clientFree;
        static RequestNewFn requestNew;
        static RequestFn requestStart;
        static PollFn requestPoll;
        static RequestFn requestCancel;
        static RequestFn requestExpire;
        static OutcomeFn requestOutcome;
        static OutcomeFn requestProgress;
        static FreeFn requestFree;

        /// <summary>The path the library was loaded from (null before Load).</summary>
        public static string LibraryPath { get; private set; }
        /// <summary>The ABI version the loaded library reported.</summary>
        public static uint LibraryAbiVersion { get; private set; }

        /// <summary>An mfa_result's name (from the generated contract).</summary>
        public static string ResultName(uint result)
        {
            return Contract.ResultName(result);
        }

        /// <summary>Loads the library at <paramref name="path"/> (once per process) with the
        /// platform's loader and checks its ABI version before binding anything else.
        /// <paramref name="owner"/> names this module build (version and folder).</summary>
        public static void Load(string path, string owner)
        {
            Load(path, owner, Loader.ForThisPlatform());
        }

        public static void Load(string path, string owner, ILibraryLoader loader)
        {
            lock (Gate)
            {
                string record = owner + "|" + path;
                object first = AppDomain.CurrentDomain.GetData(OwnerKey);
                if (library != IntPtr.Zero && string.Equals((string)first, record, StringComparison.Ordinal)) return;
                if (first != null && !string.Equals((string)first, record, StringComparison.Ordinal))
                {
                    string[] parts = ((string)first).Split('|');
                    throw new MfaLoadException("MfaApproval " + parts[0] + " (native library '" + parts[parts.Length - 1] + "') is already loaded in this process; this is MfaApproval " + owner + " ('" + path + "'). A process runs one MfaApproval build: start a new PowerShell session (for the MIM Service: stop the service, install the new version, start it).", path, null);
                }
                string unsupported = Loader.UnsupportedRuntimeMessage(Loader.RuntimeIdentifier);
                if (unsupported != null) throw new MfaLoadException(unsupported, path, null);
                if (!File.Exists(path))
                {
                    throw new MfaLoadException("The MfaApproval native library was not found at '" + path + "'. This module build does not include the library for " + Loader.RuntimeIdentifier + "; install a build for this platform.", path, null);
                }
                IntPtr handle;
                try
                {
                    handle = loader.Load(path);
                }
                catch (Exception e)
                {
                    // A loader may wrap the Win32 failure (reflection, a scripted loader): find it.
                    for (Exception x = e; x != null; x = x.InnerException)
                    {
                        Win32LoadException win32 = x as Win32LoadException;
                        if (win32 != null) throw new MfaLoadException(Loader.LoadFailureMessage(path, win32.Win32Error, null), path, e);
                    }
                    throw new MfaLoadException(Loader.LoadFailureMessage(path, 0, "(wrong platform or architecture?) " + e.Message), path, e);
                }
                AbiVersionFn abiVersion = Bind<AbiVersionFn>(loader, handle, "mfa_abi_version", path);
                uint version = abiVersion();
                if (version < ExpectedAbiVersion)
                {
                    throw new MfaLoadException("The MfaApproval native library '" + path + "' has ABI version " + version + "; this module needs ABI version " + ExpectedAbiVersion + " or later. Reinstall the module so both come from the same build.", path, null);
                }
                lastError = Bind<BufferFn>(loader, handle, "mfa_last_error", path);
                capabilities = Bind<BufferFn>(loader, handle, "mfa_capabilities", path);
                configCheck = Bind<CheckFn>(loader, handle, "mfa_config_check", path);
                requestCheck = Bind<CheckFn>(loader, handle, "mfa_request_check", path);
                clientNew = Bind<ClientNewFn>(loader, handle, "mfa_client_new", path);
                clientFree = Bind<FreeFn>(loader, handle, "mfa_client_free", path);
                requestNew = Bind<RequestNewFn>(loader, handle, "mfa_request_new", path);
                requestStart = Bind<RequestFn>(loader, handle, "mfa_request_start", path);
                requestPoll = Bind<PollFn>(loader, handle, "mfa_request_poll", path);
                requestCancel = Bind<RequestFn>(loader, handle, "mfa_request_cancel", path);
                requestExpire = Bind<RequestFn>(loader, handle, "mfa_request_expire", path);
                requestOutcome = Bind<OutcomeFn>(loader, handle, "mfa_request_outcome", path);
                requestProgress = Bind<OutcomeFn>(loader, handle, "mfa_request_progress", path);
                requestFree = Bind<FreeFn>(loader, handle, "mfa_request_free", path);
                library = handle;
                LibraryPath = path;
                LibraryAbiVersion = version;
                AppDomain.CurrentDomain.SetData(OwnerKey, record);
            }
        }

        static T Bind<T>(ILibraryLoader loader, IntPtr h, string name, string path) where T : class
        {
            IntPtr p = loader.Export(h, name);
            if (p == IntPtr.Zero)
            {
                throw new MfaLoadException("The MfaApproval native library '" + path + "' does not export " + name + "; it is not a matching build.", path, null);
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

        static string ReadBuffer(BufferFn fn, bool throwOnError)
        {
            UIntPtr len;
            uint r = fn(null, UIntPtr.Zero, out len);
            if (r == Ok) return string.Empty;
            if (r != BufferTooSmall)
            {
                if (throwOnError) Check(r);
                return "(no message)";
            }
            byte[] buf = new byte[(int)len.ToUInt64()];
            r = fn(buf, new UIntPtr((ulong)buf.Length), out len);
            if (r != Ok)
            {
                if (throwOnError) Check(r);
                return "(no message)";
            }
            return Encoding.UTF8.GetString(buf, 0, (int)len.ToUInt64());
        }

        /// <summary>Throws MfaNativeException with the message of this thread's failed call.</summary>
        static void Check(uint result)
        {
            if (result != Ok)
            {
                throw new MfaNativeException(result, ReadBuffer(lastError, false));
            }
        }

        static byte[] Utf8(string s)
        {
            return new UTF8Encoding(false, true).GetBytes(s ?? string.Empty);
        }

        /// <summary>mfa_capabilities: the engine's lists and limits as JSON.</summary>
        public static string Capabilities()
        {
            EnsureLoaded();
            return ReadBuffer(capabilities, true);
        }

        /// <summary>mfa_config_check: throws MfaNativeException naming the field.</summary>
        public static void CheckConfig(string configJson)
        {
            EnsureLoaded();
            byte[] json = Utf8(configJson);
            Check(configCheck(json, new UIntPtr((ulong)json.Length)));
        }

        /// <summary>mfa_request_check: throws MfaNativeException naming the field.</summary>
        public static void CheckRequest(string requestJson)
        {
            EnsureLoaded();
            byte[] json = Utf8(requestJson);
            Check(requestCheck(json, new UIntPtr((ulong)json.Length)));
        }

        /// <summary>mfa_client_new with any secrets (kind, value); null values are left out.
        /// Each secret is UTF-8 in unmanaged memory only for the call, then zeroed.</summary>
        public static MfaClientHandle NewClient(string configJson, IList<KeyValuePair<uint, SecureString>> secrets)
        {
            EnsureLoaded();
            byte[] json = Utf8(configJson);
            List<SecretBuffer> buffers = new List<SecretBuffer>();
            try
            {
                List<MfaSecret> list = new List<MfaSecret>();
                foreach (KeyValuePair<uint, SecureString> s in secrets)
                {
                    if (s.Value == null) continue;
                    SecretBuffer b = SecretBuffer.From(s.Value, SecretParameter(s.Key));
                    buffers.Add(b);
                    list.Add(new MfaSecret { Kind = s.Key, Data = b.Pointer, Len = new UIntPtr((ulong)b.Length) });
                }
                MfaSecret[] array = list.ToArray();
                MfaClientHandle client;
                uint r = clientNew(json, new UIntPtr((ulong)json.Length), array, new UIntPtr((ulong)array.Length), out client);
                if (r != Ok)
                {
                    if (client != null) client.Dispose();
                    Check(r);
                }
                return client;
            }
            finally
            {
                foreach (SecretBuffer b in buffers) b.Dispose();
            }
        }

        static string SecretParameter(uint kind)
        {
            switch (kind)
            {
                case SecretBasicPassword: return "Credential";
                case SecretClientCertificatePassword: return "ClientCertificatePassword";
                case SecretDuoSecretKey: return "SecretKey";
                case SecretProxyPassword: return "ProxyCredential";
                case SecretRadiusSharedSecret: return "SharedSecret";
                case SecretRadiusPassword: return "Password";
                default: return "secret";
            }
        }

        /// <summary>mfa_request_progress: the request's latest progress JSON (any time).</summary>
        public static string Progress(MfaRequestHandle request)
        {
            UIntPtr len;
            uint r = requestProgress(request, null, UIntPtr.Zero, out len);
            if (r == BufferTooSmall)
            {
                byte[] buf = new byte[(int)len.ToUInt64()];
                Check(requestProgress(request, buf, new UIntPtr((ulong)buf.Length), out len));
                return Encoding.UTF8.GetString(buf, 0, (int)len.ToUInt64());
            }
            Check(r);
            return string.Empty;
        }

        /// <summary>mfa_request_new + mfa_request_start.</summary>
        public static MfaRequestHandle StartRequest(MfaClientHandle client, string requestJson)
        {
            EnsureLoaded();
            byte[] json = Utf8(requestJson);
            MfaRequestHandle request;
            uint r = requestNew(client, json, new UIntPtr((ulong)json.Length), out request);
            if (r != Ok)
            {
                if (request != null) request.Dispose();
                Check(r);
            }
            r = requestStart(request);
            if (r != Ok)
            {
                MfaNativeException e = new MfaNativeException(r, ReadBuffer(lastError, false));
                request.Dispose();
                throw e;
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

        /// <summary>mfa_request_expire (ABI 4): the engine ends the request as TimedOut; idempotent, never blocks.</summary>
        public static void Expire(MfaRequestHandle request)
        {
            if (request == null || request.IsClosed || request.IsInvalid) return;
            Check(requestExpire(request));
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
