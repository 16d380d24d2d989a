// Module state per runspace (the MIM Service runs workflows in many runspaces of one
// process, so nothing here is process-wide except the native library): the default
// connection, the requests started and not yet read, the simulators started. Import loads
// the native library; removal cancels the runspace's requests and stops its simulators.
using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using MfaApproval.Interop;

namespace MfaApproval
{
    public sealed class Session : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        sealed class State
        {
            public readonly object Gate = new object();
            public Connection DefaultConnection;
            public readonly Dictionary<int, Request> Open = new Dictionary<int, Request>();
            public readonly List<Simulator> Simulators = new List<Simulator>();
        }

        static readonly ConditionalWeakTable<Runspace, State> States = new ConditionalWeakTable<Runspace, State>();
        static readonly State NoRunspace = new State();
        static int counter;

        static State Current
        {
            get
            {
                Runspace rs = Runspace.DefaultRunspace;
                return rs == null ? NoRunspace : States.GetValue(rs, delegate { return new State(); });
            }
        }

        /// <summary>The module's version (its assembly version, three parts).</summary>
        public static string ModuleVersion
        {
            get { return typeof(Session).Assembly.GetName().Version.ToString(3); }
        }

        /// <summary>The module folder (where the assembly is).</summary>
        public static string ModuleRoot
        {
            get { return Path.GetDirectoryName(typeof(Session).Assembly.Location); }
        }

        /// <summary>Requests of this runspace started and not yet read.</summary>
        public static Request[] OpenRequests
        {
            get
            {
                State s = Current;
                lock (s.Gate) { return new List<Request>(s.Open.Values).ToArray(); }
            }
        }

        /// <summary>Requests started in <paramref name="runspace"/> and not yet read (diagnostics:
        /// another thread may look while that runspace is busy).</summary>
        public static Request[] OpenRequestsOf(Runspace runspace)
        {
            State s;
            if (runspace == null || !States.TryGetValue(runspace, out s)) return new Request[0];
            lock (s.Gate) { return new List<Request>(s.Open.Values).ToArray(); }
        }

        /// <summary>Simulators this runspace started and has not stopped.</summary>
        public static Simulator[] Simulators
        {
            get
            {
                State s = Current;
                lock (s.Gate) { return s.Simulators.ToArray(); }
            }
        }

        internal static Connection DefaultConnection
        {
            get { return Current.DefaultConnection; }
            set { Current.DefaultConnection = value; }
        }

        internal static int NextRequestId()
        {
            return System.Threading.Interlocked.Increment(ref counter);
        }

        internal static void Remember(Request r)
        {
            State s = Current;
            r.Owner = s;
            lock (s.Gate) { s.Open[r.Id] = r; }
        }

        /// <summary>Forgets a request in the runspace that started it (it may be read in another).</summary>
        internal static void Forget(Request r)
        {
            State s = r.Owner as State ?? Current;
            lock (s.Gate) { s.Open.Remove(r.Id); }
        }

        internal static void Remember(Simulator sim)
        {
            State s = Current;
            lock (s.Gate) { s.Simulators.Add(sim); }
        }

        internal static void Forget(Simulator sim)
        {
            State s = Current;
            lock (s.Gate)
            {
                s.Simulators.Remove(sim);
                if (s.DefaultConnection != null && s.DefaultConnection.Simulator == sim) s.DefaultConnection = null;
            }
        }

        /// <summary>Loads the native library of this module build (Import-Module).</summary>
        public void OnImport()
        {
            LoadNativeLibrary();
        }

        /// <summary>Loads this build's native library (once per process; Import-Module and
        /// hosts without PowerShell, such as the MIM provider, share it).</summary>
        internal static void LoadNativeLibrary()
        {
            string rid = Loader.RuntimeIdentifier;
            Native.Load(Loader.LibraryPathIn(ModuleRoot, rid), ModuleVersion + " (" + ModuleRoot + ")");
        }

        /// <summary>Remove-Module: cancels this runspace's open requests and stops its simulators.
        /// (It does not run when the process exits; the native library then ends every request.)</summary>
        public void OnRemove(PSModuleInfo module)
        {
            foreach (Request r in OpenRequests)
            {
                try { r.Cancel(); } catch (Exception) { }
            }
            foreach (Simulator sim in Simulators)
            {
                try { SimulatorProcess.Stop(sim); } catch (Exception) { }
            }
            Current.DefaultConnection = null;
        }
    }
}
