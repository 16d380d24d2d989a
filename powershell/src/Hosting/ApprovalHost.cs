// MfaApproval.Hosting: the door for hosts that are not PowerShell (the MIM Service's custom
// MFA provider, mim/provider/*.cs). It uses this assembly's own binding (Native, the
// SafeHandles, SecretBuffer), so there is one binding of the C ABI: load this build's
// native library, make a client from a configuration document and its secrets, start one
// approval with a reason and context, read it without blocking, cancel, free. Nothing here
// needs a runspace. Every decision is the engine's: an approval is only an outcome whose
// status is Approved with approved=true (Result.FromOutcome).
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Security;
using MfaApproval.Interop;
using MfaApproval.Json;

namespace MfaApproval.Hosting
{
    /// <summary>One native client for a host. Thread-safe: approvals may be started, read and
    /// cancelled from any thread.</summary>
    public sealed class ApprovalHost : IDisposable
    {
        readonly MfaClientHandle client;

        ApprovalHost(MfaClientHandle client, string provider)
        {
            this.client = client;
            Provider = provider;
        }

        /// <summary>mfaserver or duo (the configuration's provider).</summary>
        public string Provider { get; private set; }

        /// <summary>The file of this managed assembly (MfaApproval.dll) the process runs.</summary>
        public static string ModuleAssemblyPath
        {
            get { return Path.GetFullPath(typeof(ApprovalHost).Assembly.Location); }
        }

        /// <summary>The native library LoadNativeLibrary loads for this process's runtime.</summary>
        public static string NativeLibraryPath
        {
            get { return Loader.LibraryPathIn(Session.ModuleRoot, Loader.RuntimeIdentifier); }
        }

        /// <summary>Loads this build's native library (once per process, shared with
        /// Import-Module). Throws MfaLoadException with a message that says what to do.</summary>
        public static void LoadNativeLibrary()
        {
            Session.LoadNativeLibrary();
        }

        /// <summary>A client from an engine configuration document (what New-MfaConnection
        /// builds) and its secrets (kind, value: Native.Secret*). Throws MfaLoadException,
        /// MfaNativeException (the field named) or ArgumentException; never returns null.</summary>
        public static ApprovalHost Open(string configJson, IList<KeyValuePair<uint, SecureString>> secrets)
        {
            LoadNativeLibrary();
            Dictionary<string, object> config = JsonReader.ParseObject(configJson);
            object provider;
            string name = config.TryGetValue("provider", out provider) && provider is string ? (string)provider : Providers.Default.Name;
            MfaClientHandle handle = Native.NewClient(configJson, secrets ?? new KeyValuePair<uint, SecureString>[0]);
            return new ApprovalHost(handle, name);
        }

        /// <summary>Starts one approval for <paramref name="userName"/> and returns at once.
        /// <paramref name="reason"/> is the push's text (Duo's type; the MFA Server's application
        /// name); <paramref name="context"/> goes with the push (Duo's pushinfo) and into the
        /// audit trail. Throws MfaNativeException naming the field the engine refused.</summary>
        public HostedApproval Start(string userName, double timeoutSeconds, string reason, IDictionary<string, string> context)
        {
            JsonObject request = new JsonObject().Add("userName", userName).Add("timeoutSeconds", timeoutSeconds);
            if (!string.IsNullOrEmpty(reason))
            {
                request.Add("pushType", reason);
                ProviderSpec spec = Providers.Find(Provider);
                if (spec == null || !spec.ReasonIsPushText) request.Add("applicationName", reason);
            }
            if (context != null && context.Count > 0)
            {
                JsonObject info = new JsonObject();
                foreach (KeyValuePair<string, string> kv in context) info.Add(kv.Key, kv.Value ?? string.Empty);
                request.Add("pushInfo", info);
            }
            return new HostedApproval(userName, Native.StartRequest(client, request.ToString()));
        }

        /// <summary>Frees the client; approvals already started keep working.</summary>
        public void Dispose()
        {
            client.Dispose();
        }
    }

    /// <summary>One started approval. Thread-safe; never blocks on the network.</summary>
    public sealed class HostedApproval : IDisposable
    {
        readonly object gate = new object();
        readonly MfaRequestHandle handle;
        Result result;

        internal HostedApproval(string userName, MfaRequestHandle handle)
        {
            UserName = userName;
            this.handle = handle;
        }

        public string UserName { get; private set; }

        /// <summary>Null while pending; once finished, its Result (the handle is then freed).
        /// Never waits. A handle already freed without a result reads as Cancelled.</summary>
        public Result Poll()
        {
            lock (gate)
            {
                if (result != null) return result;
                if (handle.IsClosed) return result = Ended("Cancelled", "the approval was freed before it finished");
                if (Native.Poll(handle, 0) == Native.StatusPending) return null;
                result = Result.FromOutcome(Native.Outcome(handle));
                handle.Dispose();
                return result;
            }
        }

        /// <summary>Cancels a pending approval (idempotent, never blocks).</summary>
        public void Cancel()
        {
            lock (gate)
            {
                if (!handle.IsClosed) Native.Cancel(handle);
            }
        }

        /// <summary>Cancels if pending and frees the native request.</summary>
        public void Dispose()
        {
            lock (gate)
            {
                if (handle.IsClosed) return;
                try { Native.Cancel(handle); } catch (MfaNativeException) { }
                handle.Dispose();
            }
        }

        static Result Ended(string status, string message)
        {
            JsonObject doc = new JsonObject().Add("status", status).Add("approved", false).Add("failureKind", "cancelled").Add("message", message);
            return Result.FromOutcome(doc.ToString());
        }

        public override string ToString()
        {
            Result r = result;
            return string.Format(CultureInfo.InvariantCulture, "{0}: {1}", UserName, r == null ? "Pending" : r.Status);
        }
    }
}
