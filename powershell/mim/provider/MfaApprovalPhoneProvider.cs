// MfaApproval MIM provider: the class the MIM Service loads (named in MfaSettings.xml
// <CustomPhoneProvider>), implementing Microsoft's IPhoneServiceProvider
// ("Use a custom multi-factor authentication provider via an API during PAM role activation
// or in SSPR", MIM 4.5.202.0 or later). Compiled at install by Install-MfaMimProvider against
// the MIM Service's own interface assembly and the module's MfaApproval.dll; C# 5. It is the
// assembly's only public type (a loader that looks for "the" provider type finds it first).
//
// - No exception leaves this class: every method catches everything and answers Failed
//   (with the reason kept for GetFailureMessage).
// - Call ids are MIM request ids: parsed as a Guid and compared by value; anything else is
//   Failed with a message.
// - Nothing is done in the constructor that can fail. The first call starts the provider:
//   it reads MfaApproval.MimProvider.settings.xml (beside this DLL), verifies the SHA-256 of
//   every module file Install-MfaMimProvider copied and recorded (PinnedModule) while holding
//   them open, loads that MfaApproval.dll (AssemblyResolve then answers with it, checked
//   against the exact strong name this DLL was compiled with), and makes the client (the
//   secret is decrypted here, on the first call, as the MIM Service account). If that
//   fails (a changed or missing module file, an unreadable credential file, a malformed
//   phone map, a missing native library), every call is Failed with that message, and the
//   next call at least 30 s later tries again: a fixed file needs no restart. (Only a new
//   MfaApproval build needs one: .NET keeps the first one loaded.)
// - Methods that touch MfaApproval types are separate and not inlined, so a missing
//   MfaApproval.dll is an exception inside our try blocks, not in the MIM Service.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.IdentityManagement.PhoneServiceProvider;

namespace MfaApproval.MimProvider
{
    public class MfaApprovalPhoneProvider : IPhoneServiceProvider, IDisposable
    {
        const string SettingsFileName = "MfaApproval.MimProvider.settings.xml";
        static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(30);
        static readonly object ResolveGate = new object();
        static Assembly moduleAssembly;
        static bool resolverInstalled;

        readonly object gate = new object();
        readonly string settingsPath;
        readonly TimeSpan retryAfter;
        object core;
        string startFailure;
        DateTime retryAt;
        bool disposed;

        /// <summary>What MIM calls: the settings beside this DLL.</summary>
        public MfaApprovalPhoneProvider() : this(null) { }

        /// <summary>For tests and other hosts: the settings at <paramref name="settingsPath"/>.</summary>
        public MfaApprovalPhoneProvider(string settingsPath) : this(settingsPath, DefaultRetryAfter) { }

        /// <summary>For tests: a start that failed is tried again <paramref name="retryAfter"/>
        /// later (30 s for MIM).</summary>
        public MfaApprovalPhoneProvider(string settingsPath, TimeSpan retryAfter)
        {
            this.retryAfter = retryAfter;
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
                if (Core() == null) return Remember(requestId, startFailure);
                lock (gate) earlyFailures.Remove(requestId);
                return Map(InitiateCore(phoneNumber, requestId));
            }
            catch (Exception e)
            {
                return Remember(requestId, "MfaApproval: the call could not start: " + e.Message);
            }
        }

        public PhoneCallStatus GetCallStatus(string callId)
        {
            try
            {
                Guid id;
                if (!CallId.TryParse(callId, out id)) return PhoneCallStatus.Failed;
                if (Core() == null) return PhoneCallStatus.Failed;
                return Map(StatusCore(id));
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
                Guid id;
                if (!CallId.TryParse(callId, out id)) return CallId.NotACallId(callId);
                string early;
                lock (gate) { if (earlyFailures.TryGetValue(id, out early)) return early; }
                if (Core() == null) return startFailure;
                return MessageCore(id);
            }
            catch (Exception e)
            {
                return "MfaApproval: no message for call '" + CallId.Printable(callId) + "': " + e.Message;
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
                lock (gate) { c = core; core = null; disposed = true; startFailure = "MfaApproval: the provider was shut down"; }
                if (c != null) DisposeCore(c);
            }
            catch (Exception) { }
        }

        // Failures before a core call exists (the provider could not start, an exception):
        // kept per call id for GetFailureMessage, at most 1000.
        readonly Dictionary<Guid, string> earlyFailures = new Dictionary<Guid, string>();

        PhoneCallStatus Remember(Guid callId, string message)
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
                if (core != null || disposed) return core;
                if (startFailure != null && DateTime.UtcNow < retryAt) return null;
                try
                {
                    using (PinnedModule module = PinnedModule.Open(settingsPath))
                    {
                        LoadModuleAssembly(module.ManagedAssembly);
                        core = CreateCore(settingsPath, module);
                    }
                    startFailure = null;
                }
                catch (Exception e)
                {
                    Exception inner = e is TargetInvocationException && e.InnerException != null ? e.InnerException : e;
                    startFailure = "MfaApproval: the MIM provider could not start (" + settingsPath + "): " + inner.Message
                        + " The next call at least " + retryAfter.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s later tries again: fix it, no restart needed.";
                    retryAt = DateTime.UtcNow + retryAfter;
                }
                return core;
            }
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        static object CreateCore(string settingsPath, PinnedModule module) { return new ProviderCore(settingsPath, module); }

        [MethodImpl(MethodImplOptions.NoInlining)]
        int InitiateCore(string phoneNumber, Guid requestId)
        {
            string message;
            CallState s = ((ProviderCore)core).Initiate(phoneNumber, requestId, out message);
            return (int)s;
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        int StatusCore(Guid callId) { return (int)((ProviderCore)core).Status(callId); }

        [MethodImpl(MethodImplOptions.NoInlining)]
        string MessageCore(Guid callId) { return ((ProviderCore)core).FailureMessage(callId); }

        [MethodImpl(MethodImplOptions.NoInlining)]
        int OpenCore() { return ((ProviderCore)core).OpenRequests; }

        [MethodImpl(MethodImplOptions.NoInlining)]
        static void DisposeCore(object c) { ((ProviderCore)c).Dispose(); }

        /// <summary>Loads the verified MfaApproval.dll (while PinnedModule holds it), after
        /// checking it is exactly the strong name this DLL references, and answers the
        /// runtime's requests for MfaApproval with it. An MfaApproval of that name already in
        /// the process (an in-process MIMWAL script) is used instead; ProviderCore checks the
        /// files the process really uses against the recorded hashes.</summary>
        static void LoadModuleAssembly(string path)
        {
            AssemblyName referenced = null;
            foreach (AssemblyName r in typeof(MfaApprovalPhoneProvider).Assembly.GetReferencedAssemblies())
            {
                if (string.Equals(r.Name, "MfaApproval", StringComparison.OrdinalIgnoreCase)) referenced = r;
            }
            if (referenced == null) throw new InvalidOperationException("this adapter references no MfaApproval assembly");
            lock (ResolveGate)
            {
                if (moduleAssembly == null)
                {
                    foreach (Assembly a in AppDomain.CurrentDomain.GetAssemblies())
                    {
                        if (string.Equals(a.FullName, referenced.FullName, StringComparison.Ordinal)) moduleAssembly = a;
                    }
                }
                if (moduleAssembly == null)
                {
                    string found = AssemblyName.GetAssemblyName(path).FullName;
                    if (!string.Equals(found, referenced.FullName, StringComparison.Ordinal))
                    {
                        throw new FileLoadException("'" + path + "' is " + found + ", but this adapter was compiled against " + referenced.FullName + "; run Install-MfaMimProvider again");
                    }
                    moduleAssembly = Assembly.LoadFrom(path);
                }
                if (!resolverInstalled)
                {
                    AppDomain.CurrentDomain.AssemblyResolve += Resolve;
                    resolverInstalled = true;
                }
            }
        }

        static Assembly Resolve(object sender, ResolveEventArgs args)
        {
            try
            {
                AssemblyName wanted = new AssemblyName(args.Name);
                if (!string.Equals(wanted.Name, "MfaApproval", StringComparison.OrdinalIgnoreCase)) return null;
                Assembly ours;
                lock (ResolveGate) ours = moduleAssembly;
                // Only for this build: another MfaApproval version asked for by other code in
                // the process is not answered with ours.
                if (ours == null || (wanted.Version != null && wanted.Version != ours.GetName().Version)) return null;
                return ours;
            }
            catch (Exception)
            {
                return null;
            }
        }
    }
}
