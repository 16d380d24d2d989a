// MfaApproval MIM provider: the class the MIM Service loads (named in MfaSettings.xml
// <CustomPhoneProvider>), implementing Microsoft's IPhoneServiceProvider
// ("Use a custom multi-factor authentication provider via an API during PAM role activation
// or in SSPR", MIM 4.5.202.0 or later). Compiled at install by Install-MfaMimProvider against
// the MIM Service's own interface assembly and the module's MfaApproval.dll; C# 5.
//
// - No exception leaves this class: every method catches everything and answers Failed
//   (with the reason kept for GetFailureMessage).
// - Nothing is done in the constructor that can fail. The first call reads
//   MfaApproval.MimProvider.settings.xml (beside this DLL), finds MfaApproval.dll in the
//   module folder it names (AssemblyResolve, checked against the exact strong name this DLL
//   was compiled with), loads the native library and makes the client. If that fails (a
//   missing or wrong-bitness library, an unreadable credential file, a malformed phone
//   map), every call is Failed with that message until the MIM Service is restarted.
// - Methods that touch MfaApproval types are separate and not inlined, so a missing
//   MfaApproval.dll is an exception inside our try blocks, not in the MIM Service.
using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Xml;
using Microsoft.IdentityManagement.PhoneServiceProvider;

namespace MfaApproval.MimProvider
{
    public class MfaApprovalPhoneProvider : IPhoneServiceProvider, IDisposable
    {
        const string SettingsFileName = "MfaApproval.MimProvider.settings.xml";
        static readonly object ResolveGate = new object();
        static string moduleRoot;
        static bool resolverInstalled;

        readonly object gate = new object();
        readonly string settingsPath;
        object core;
        string startFailure;

        /// <summary>What MIM calls: the settings beside this DLL.</summary>
        public MfaApprovalPhoneProvider() : this(null) { }

        /// <summary>For tests and other hosts: the settings at <paramref name="settingsPath"/>.</summary>
        public MfaApprovalPhoneProvider(string settingsPath)
        {
            try
            {
                this.settingsPath = settingsPath ?? Path.Combine(Path.GetDirectoryName(typeof(MfaApprovalPhoneProvider).Assembly.Location), SettingsFileName);
            }
            catch (Exception)
            {
                this.settingsPath = SettingsFileName;
            }
        }

        public PhoneCallStatus InitiateCall(string phoneNumber, Guid requestId, Dictionary<string, object> deliveryAttributes)
        {
            try
            {
                string id = requestId.ToString();
                if (Core() == null) return Remember(id, startFailure);
                lock (gate) earlyFailures.Remove(id);
                return Map(InitiateCore(phoneNumber, requestId));
            }
            catch (Exception e)
            {
                return Remember(requestId.ToString(), "MfaApproval: the call could not start: " + e.Message);
            }
        }

        public PhoneCallStatus GetCallStatus(string callId)
        {
            try
            {
                if (Core() == null) return PhoneCallStatus.Failed;
                return Map(StatusCore(callId));
            }
            catch (Exception)
            {
                return PhoneCallStatus.Failed;
            }
        }

        public string GetFailureMessage(string callId)
        {
            try
            {
                if (Core() == null) return startFailure;
                string early;
                lock (gate) { if (earlyFailures.TryGetValue(callId ?? string.Empty, out early)) return early; }
                return MessageCore(callId);
            }
            catch (Exception e)
            {
                return "MfaApproval: no message for call '" + callId + "': " + e.Message;
            }
        }

        /// <summary>Approvals pending now (diagnostics; 0 when the provider could not start).</summary>
        public int OpenRequests
        {
            get
            {
                try { return Core() == null ? 0 : OpenCore(); }
                catch (Exception) { return 0; }
            }
        }

        /// <summary>Why the provider could not start, or null.</summary>
        public string StartFailure
        {
            get { Core(); return startFailure; }
        }

        public void Dispose()
        {
            try
            {
                object c;
                lock (gate) { c = core; core = null; startFailure = "MfaApproval: the provider was shut down"; }
                if (c != null) DisposeCore(c);
            }
            catch (Exception) { }
        }

        // Failures before a core call exists (the provider could not start, an exception):
        // kept per call id for GetFailureMessage, at most 1000.
        readonly Dictionary<string, string> earlyFailures = new Dictionary<string, string>(StringComparer.Ordinal);

        PhoneCallStatus Remember(string callId, string message)
        {
            lock (gate)
            {
                if (earlyFailures.Count >= 1000) earlyFailures.Clear();
                earlyFailures[callId] = message;
            }
            return PhoneCallStatus.Failed;
        }

        static PhoneCallStatus Map(int state)
        {
            switch (state)
            {
                case 0: return PhoneCallStatus.Pending;
                case 1: return PhoneCallStatus.Success;
                default: return PhoneCallStatus.Failed;
            }
        }

        object Core()
        {
            lock (gate)
            {
                if (core != null || startFailure != null) return core;
                try
                {
                    InstallResolver(ReadModuleRoot(settingsPath));
                    core = CreateCore(settingsPath);
                }
                catch (Exception e)
                {
                    Exception inner = e is TargetInvocationException && e.InnerException != null ? e.InnerException : e;
                    startFailure = "MfaApproval: the MIM provider could not start (" + settingsPath + "): " + inner.Message + " Fix it and restart the MIM Service.";
                }
                return core;
            }
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        static object CreateCore(string settingsPath) { return new ProviderCore(settingsPath); }

        [MethodImpl(MethodImplOptions.NoInlining)]
        int InitiateCore(string phoneNumber, Guid requestId)
        {
            string message;
            CallState s = ((ProviderCore)core).Initiate(phoneNumber, requestId, out message);
            return (int)s;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        int StatusCore(string callId) { return (int)((ProviderCore)core).Status(callId); }

        [MethodImpl(MethodImplOptions.NoInlining)]
        string MessageCore(string callId) { return ((ProviderCore)core).FailureMessage(callId); }

        [MethodImpl(MethodImplOptions.NoInlining)]
        int OpenCore() { return ((ProviderCore)core).OpenRequests; }

        [MethodImpl(MethodImplOptions.NoInlining)]
        static void DisposeCore(object c) { ((ProviderCore)c).Dispose(); }

        /// <summary>The settings' ModuleRoot, read before MfaApproval.dll is loaded (the rest
        /// of the file is read by MfaApproval.Hosting.ProviderSettings).</summary>
        static string ReadModuleRoot(string path)
        {
            XmlReaderSettings rs = new XmlReaderSettings();
            rs.DtdProcessing = DtdProcessing.Prohibit;
            rs.XmlResolver = null;
            rs.MaxCharactersInDocument = 256 * 1024;
            string found = null;
            using (XmlReader r = XmlReader.Create(path, rs))
            {
                r.Read();
                while (!r.EOF)
                {
                    // ReadElementContentAsString moves to the next node itself: no Read() after it.
                    if (r.NodeType == XmlNodeType.Element && r.LocalName == "ModuleRoot" && r.Depth == 1)
                    {
                        if (found != null) throw new FormatException(path + ": <ModuleRoot> appears more than once");
                        found = r.ReadElementContentAsString();
                    }
                    else r.Read();
                }
            }
            if (string.IsNullOrEmpty(found)) throw new FormatException(path + ": <ModuleRoot> is missing");
            return found;
        }

        /// <summary>Resolves MfaApproval (exactly the strong name this DLL references) from the
        /// module folder of the settings, or from an already loaded copy of the same build.</summary>
        static void InstallResolver(string root)
        {
            lock (ResolveGate)
            {
                moduleRoot = root;
                if (resolverInstalled) return;
                AppDomain.CurrentDomain.AssemblyResolve += Resolve;
                resolverInstalled = true;
            }
        }

        static Assembly Resolve(object sender, ResolveEventArgs args)
        {
            try
            {
                AssemblyName wanted = new AssemblyName(args.Name);
                if (!string.Equals(wanted.Name, "MfaApproval", StringComparison.OrdinalIgnoreCase)) return null;
                AssemblyName referenced = null;
                foreach (AssemblyName r in typeof(MfaApprovalPhoneProvider).Assembly.GetReferencedAssemblies())
                {
                    if (string.Equals(r.Name, "MfaApproval", StringComparison.OrdinalIgnoreCase)) referenced = r;
                }
                if (referenced == null) return null;
                foreach (Assembly a in AppDomain.CurrentDomain.GetAssemblies())
                {
                    if (string.Equals(a.FullName, referenced.FullName, StringComparison.Ordinal)) return a;
                }
                string path;
                lock (ResolveGate) path = Path.Combine(moduleRoot ?? string.Empty, "MfaApproval.dll");
                if (!File.Exists(path)) return null;
                if (!string.Equals(AssemblyName.GetAssemblyName(path).FullName, referenced.FullName, StringComparison.Ordinal)) return null;
                return Assembly.LoadFrom(path);
            }
            catch (Exception)
            {
                return null;
            }
        }
    }
}
