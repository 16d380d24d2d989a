// The WinHTTP proxy a Windows service account sees (netsh winhttp set proxy ...), for
// -UseSystemProxy: a service has no per-user proxy settings, and the environment variables
// are usually empty there. Elsewhere, and when none is set, the engine's "system" setting
// (HTTPS_PROXY, HTTP_PROXY, ALL_PROXY, NO_PROXY) applies.
using System;
using System.Runtime.InteropServices;

namespace MfaApproval
{
    public static class WinHttpProxy
    {
        const uint NamedProxy = 3;

        [StructLayout(LayoutKind.Sequential)]
        struct ProxyInfo
        {
            public uint AccessType;
            public IntPtr Proxy;
            public IntPtr Bypass;
        }

        [DllImport("winhttp.dll", SetLastError = true)]
        static extern bool WinHttpGetDefaultProxyConfiguration(ref ProxyInfo info);
        [DllImport("kernel32.dll")]
        static extern IntPtr GlobalFree(IntPtr mem);

        /// <summary>The WinHTTP default proxy as http://host:port, or null (none, or not Windows).</summary>
        public static string Get()
        {
            if (!Interop.Loader.IsWindows) return null;
            ProxyInfo info = new ProxyInfo();
            try
            {
                if (!WinHttpGetDefaultProxyConfiguration(ref info) || info.AccessType != NamedProxy || info.Proxy == IntPtr.Zero) return null;
                return Pick(Marshal.PtrToStringUni(info.Proxy));
            }
            catch (DllNotFoundException) { return null; }
            catch (EntryPointNotFoundException) { return null; }
            finally
            {
                if (info.Proxy != IntPtr.Zero) GlobalFree(info.Proxy);
                if (info.Bypass != IntPtr.Zero) GlobalFree(info.Bypass);
            }
        }

        /// <summary>From a WinHTTP proxy list ("host:port", "https=host:port;http=...", space or
        /// ';' separated), the proxy for HTTPS as http://host:port; null when there is none.</summary>
        public static string Pick(string list)
        {
            if (string.IsNullOrEmpty(list)) return null;
            string plain = null, https = null;
            foreach (string raw in list.Split(new char[] { ';', ' ' }, StringSplitOptions.RemoveEmptyEntries))
            {
                string entry = raw.Trim();
                int eq = entry.IndexOf('=');
                if (eq < 0) { if (plain == null) plain = entry; continue; }
                if (entry.Substring(0, eq).Equals("https", StringComparison.OrdinalIgnoreCase)) https = entry.Substring(eq + 1);
            }
            string chosen = https ?? plain;
            if (string.IsNullOrEmpty(chosen)) return null;
            return chosen.Contains("://") ? chosen : "http://" + chosen;
        }
    }
}
