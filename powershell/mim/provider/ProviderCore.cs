// MfaApproval MIM provider: the calls MIM makes, over MfaApproval.Hosting (the module's own
// binding of the engine). Keyed by the MIM request id (a Guid, compared by value; its
// ToString() is the call id, as in Microsoft's sample). Before anything is loaded from the
// module copy it checks that the files this process really uses (MfaApproval.dll and the
// native library) are the ones Install-MfaMimProvider recorded (PinnedModule). Thread-safe: one lock guards the table, held only for
// bookkeeping; native calls never wait (poll with 0 ms), the directory lookup runs on a
// worker thread. Bounds: at most MaxOpenRequests approvals pending (more are Failed at
// once); a pending approval MIM stops asking about for AbandonAfterSeconds is cancelled and
// freed by a sweep every few seconds; finished calls are kept 10 minutes (for
// GetFailureMessage) and at most 2 x MaxOpenRequests of them. Success only for an outcome
// the engine marked Approved with approved=true (HostedApproval.Poll -> Result.Approved).
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Security;
using System.Threading;
using MfaApproval.Hosting;
using MfaApproval.Interop;

namespace MfaApproval.MimProvider
{
    /// <summary>0 Pending, 1 Success, 2 Failed (the facade maps them to PhoneCallStatus).</summary>
    internal enum CallState { Pending = 0, Success = 1, Failed = 2 }

    internal sealed class Call
    {
        public Guid Key;
        /// <summary>The call id as MIM has it (Key.ToString()), for messages.</summary>
        public string Id;
        public string MaskedPhone;
        /// <summary>The number as normalised (+digits); null when it was not a number.</summary>
        public string Phone;
        public string UserName;
        public HostedApproval Approval;
        public CallState State;
        public bool Resolving;
        public string Message;
        public DateTime Started;
        public DateTime LastAsked;
        public DateTime Finished;
    }

    internal sealed class ProviderCore : IDisposable
    {
        static readonly TimeSpan Retain = TimeSpan.FromMinutes(10);
        readonly object gate = new object();
        readonly Dictionary<Guid, Call> calls = new Dictionary<Guid, Call>();
        readonly ProviderSettings settings;
        readonly ApprovalHost host;
        readonly CsvPhoneMap map;
#if MFA_DIRECTORY
        readonly DirectoryLookup directory;
#endif
        readonly Timer sweeper;
        readonly TimeSpan abandonAfter;
        bool disposed;

        /// <summary>Reads the settings, checks the module files in use against the verified
        /// ones, loads the native library and makes the client (decrypting the secret). Throws
        /// with a message that says what is wrong (never a secret).</summary>
        public ProviderCore(string settingsPath, PinnedModule module)
        {
            settings = ProviderSettings.Load(settingsPath);
            CheckModuleFiles(settings, module);
            abandonAfter = TimeSpan.FromSeconds(settings.AbandonAfterSeconds);
            if (settings.PhoneMap != null)
            {
                map = new CsvPhoneMap(settings.PhoneMap);
                if (map.LoadError != null) throw new FormatException(map.LoadError);
            }
#if MFA_DIRECTORY
            if (settings.DirectoryAttribute != null) directory = new DirectoryLookup(settings.DirectoryAttribute, settings.DirectorySearchRoot);
#else
            if (settings.DirectoryAttribute != null) throw new NotSupportedException("the settings name a DirectoryAttribute, but this adapter was compiled without the directory lookup; run Install-MfaMimProvider -DirectoryAttribute again (Windows only)");
#endif
            List<KeyValuePair<uint, SecureString>> secrets = settings.ReadSecrets();
            try
            {
                host = ApprovalHost.Open(settings.ConnectionJson, secrets);
            }
            finally
            {
                foreach (KeyValuePair<uint, SecureString> s in secrets) s.Value.Dispose();
                // The settings stay for the process's life: drop the secrets' sources (a plain-text one among them).
                settings.Secrets.Clear();
            }
            int period = (int)Math.Max(250, Math.Min(5000, abandonAfter.TotalMilliseconds / 4));
            sweeper = new Timer(Sweep, null, period, period);
        }

        /// <summary>Approvals pending now (for diagnostics and the tests).</summary>
        public int OpenRequests
        {
            get
            {
                lock (gate)
                {
                    int n = 0;
                    foreach (Call c in calls.Values) if (c.State == CallState.Pending) n++;
                    return n;
                }
            }
        }

        /// <summary>The files the process uses (this MfaApproval.dll and the native library
        /// it will load) must be recorded and unchanged: the verified copies (held open by
        /// <paramref name="module"/>), or byte-identical files of an MfaApproval already loaded
        /// in the process. Both readers of the settings must have found the same list.</summary>
        static void CheckModuleFiles(ProviderSettings settings, PinnedModule module)
        {
            bool same = settings.ModuleFiles.Count == module.Files.Count && string.Equals(settings.ModuleRoot, module.Root, StringComparison.Ordinal);
            for (int i = 0; same && i < module.Files.Count; i++)
            {
                same = settings.ModuleFiles[i].RelativePath == module.Files[i].Key && settings.ModuleFiles[i].Sha256 == module.Files[i].Value;
            }
            if (!same) throw new FormatException(ProviderSettings.FileName + ": its module files read differently by the adapter and by MfaApproval; run Install-MfaMimProvider again");
            string rid = Loader.RuntimeIdentifier;
            CheckInUse(ModuleFile.ManagedAssembly, ApprovalHost.ModuleAssemblyPath, settings, module);
            CheckInUse(ModuleFile.NativeLibrary(rid), ApprovalHost.NativeLibraryPath, settings, module);
        }

        static void CheckInUse(string relative, string inUse, ProviderSettings settings, PinnedModule module)
        {
            ModuleFile recorded = settings.ModuleFiles.Find(delegate(ModuleFile f) { return string.Equals(f.RelativePath, relative, StringComparison.OrdinalIgnoreCase); });
            if (recorded == null)
            {
                throw new InvalidDataException("Install-MfaMimProvider recorded no " + relative + " (the MIM Service runs as " + Loader.RuntimeIdentifier + "); run it again in a PowerShell of the MIM Service's architecture");
            }
            string verified = PinnedModule.FullPath(module.Root, recorded.RelativePath);
            if (string.Equals(Path.GetFullPath(inUse), verified, StringComparison.OrdinalIgnoreCase)) return;
            string actual = File.Exists(inUse) ? PinnedModule.Sha256Of(inUse) : "(missing)";
            if (actual != recorded.Sha256)
            {
                throw new InvalidDataException("this process already uses another MfaApproval build: '" + inUse + "' is not the file Install-MfaMimProvider recorded (SHA-256 " + actual + ", recorded " + recorded.Sha256 + "). Use one MfaApproval build in the MIM Service (an in-process MIMWAL script may have loaded it) and restart the service");
            }
        }

        public CallState Initiate(string phoneNumber, Guid requestId, out string message)
        {
            message = null;
            string id = requestId.ToString();
            string normalized = Phone.Normalize(phoneNumber);
            string masked = Phone.Mask(phoneNumber);
            Call call;
            lock (gate)
            {
                if (disposed) { message = "the provider was shut down"; return CallState.Failed; }
                Call existing;
                if (calls.TryGetValue(requestId, out existing) && existing.State == CallState.Pending)
                {
                    if (!string.Equals(existing.Phone, normalized, StringComparison.Ordinal))
                    {
                        // One request id, two numbers: one person's answer must never count for
                        // another's. The running approval is cancelled; neither call counts.
                        return Fail(existing, "MIM asked again for this request with another phone number (" + masked + " instead of " + existing.MaskedPhone + "); the running approval was cancelled and neither counts", out message);
                    }
                    // MIM asked again for a call still running: the same call, not a second push.
                    existing.LastAsked = DateTime.UtcNow;
                    return CallState.Pending;
                }
                if (existing != null) calls.Remove(requestId);
                call = new Call { Key = requestId, Id = id, MaskedPhone = masked, Phone = normalized, Started = DateTime.UtcNow, LastAsked = DateTime.UtcNow, State = CallState.Pending, Resolving = false };
                if (normalized == null) return Fail(call, "the phone number MIM passed (" + Describe(phoneNumber) + ") is not a phone number", out message);
                int open = 0;
                foreach (Call c in calls.Values) if (c.State == CallState.Pending) open++;
                if (open >= settings.MaxOpenRequests)
                {
                    return Fail(call, string.Format(CultureInfo.InvariantCulture, "{0} approvals are already pending (the provider's limit, MaxOpenRequests in {1}); try again when some have finished", open, ProviderSettings.FileName), out message);
                }
                calls[requestId] = call;
                Trim();
            }
            Lookup found = map != null ? map.Find(normalized) : Lookup.Missing("no phone map is configured");
#if MFA_DIRECTORY
            if (!found.Found && found.Unknown && directory != null)
            {
                lock (gate) call.Resolving = true;
                ThreadPool.QueueUserWorkItem(delegate { ResolveInDirectory(call, normalized); });
                return CallState.Pending;
            }
#endif
            return StartOrFail(call, found, out message);
        }

#if MFA_DIRECTORY
        void ResolveInDirectory(Call call, string normalized)
        {
            Lookup found;
            try { found = directory.Find(normalized); }
            catch (Exception e) { found = Lookup.Refused("the Active Directory lookup failed: " + e.Message); }
            string ignored;
            try { StartOrFail(call, found, out ignored); }
            catch (Exception) { }
            lock (gate) call.Resolving = false;
        }
#endif

        CallState StartOrFail(Call call, Lookup found, out string message)
        {
            message = null;
            if (!found.Found)
            {
                lock (gate) return Fail(call, "no approver for phone " + call.MaskedPhone + ": " + found.Problem, out message);
            }
            Dictionary<string, string> context = new Dictionary<string, string>(StringComparer.Ordinal);
            context["MIM request"] = call.Id;
            context["phone"] = call.MaskedPhone;
            HostedApproval approval;
            try
            {
                approval = host.Start(found.UserName, settings.TimeoutSeconds, settings.Reason, context);
            }
            catch (Exception e)
            {
                lock (gate)
                {
                    call.UserName = found.UserName;
                    return Fail(call, "the approval for " + found.UserName + " could not start: " + e.Message, out message);
                }
            }
            lock (gate)
            {
                call.UserName = found.UserName;
                if (call.State != CallState.Pending || disposed)
                {
                    // Swept or shut down meanwhile: nothing may stay running.
                    FreeLater(approval);
                    message = call.Message;
                    return call.State;
                }
                call.Approval = approval;
                return CallState.Pending;
            }
        }

        public CallState Status(Guid callId)
        {
            Call call;
            lock (gate)
            {
                if (!calls.TryGetValue(callId, out call)) return CallState.Failed;
                call.LastAsked = DateTime.UtcNow;
                if (call.State != CallState.Pending || call.Approval == null) return call.State;
            }
            Update(call);
            lock (gate) return call.State;
        }

        public string FailureMessage(Guid callId)
        {
            lock (gate)
            {
                Call call;
                if (!calls.TryGetValue(callId, out call))
                {
                    return "MfaApproval: no call with id '" + callId.ToString() + "' (never started here, or dropped " + Retain.TotalMinutes.ToString(CultureInfo.InvariantCulture) + " minutes after it ended)";
                }
                if (call.State == CallState.Failed) return call.Message;
                if (call.State == CallState.Success) return "MfaApproval: " + call.UserName + " approved (MIM request " + call.Id + ")";
                return "MfaApproval: the approval for MIM request " + call.Id + " is still pending";
            }
        }

        /// <summary>Reads a pending call's approval without waiting; finished: its state and message.</summary>
        void Update(Call call)
        {
            HostedApproval approval;
            lock (gate) approval = call.Approval;
            if (approval == null) return;
            MfaApproval.Result r;
            try
            {
                r = approval.Poll();
            }
            catch (Exception e)
            {
                FreeLater(approval);
                string ignored;
                lock (gate) Fail(call, "reading the approval for " + call.UserName + " failed: " + e.Message, out ignored);
                return;
            }
            if (r == null) return;
            lock (gate)
            {
                if (call.State != CallState.Pending) return;
                call.Finished = DateTime.UtcNow;
                call.Approval = null;
                if (r.Approved && r.Status == "Approved")
                {
                    call.State = CallState.Success;
                    call.Message = null;
                }
                else
                {
                    call.State = CallState.Failed;
                    call.Message = string.Format(CultureInfo.InvariantCulture, "MfaApproval: {0} for {1} (phone {2}, MIM request {3}){4}",
                        r.Status, call.UserName, call.MaskedPhone, call.Id, string.IsNullOrEmpty(r.Message) ? string.Empty : ": " + r.Message);
                }
            }
        }

        CallState Fail(Call call, string why, out string message)
        {
            // Called with the lock held.
            call.State = CallState.Failed;
            call.Finished = DateTime.UtcNow;
            call.Message = why.StartsWith("MfaApproval: ", StringComparison.Ordinal) ? why : "MfaApproval: " + why + " (MIM request " + call.Id + ")";
            FreeLater(call.Approval);
            call.Approval = null;
            // Never replaces an entry (a sweep may be enumerating the table).
            if (!calls.ContainsKey(call.Key)) calls[call.Key] = call;
            message = call.Message;
            return CallState.Failed;
        }

        /// <summary>Cancels and frees an approval on a pool thread: freeing a cancelled request
        /// may wait (at most 2 s) for its audit line, and no MIM call may wait.</summary>
        static void FreeLater(HostedApproval approval)
        {
            if (approval == null) return;
            ThreadPool.QueueUserWorkItem(delegate
            {
                try { approval.Dispose(); } catch (Exception) { }
            });
        }

        /// <summary>Every few seconds: reads pending approvals (frees finished ones even if MIM
        /// stopped asking), cancels and frees abandoned ones, forgets old finished calls.</summary>
        void Sweep(object unused)
        {
            try
            {
                List<Call> pending = new List<Call>();
                DateTime now = DateTime.UtcNow;
                lock (gate)
                {
                    foreach (Call c in calls.Values)
                    {
                        if (c.State != CallState.Pending || c.Resolving) continue;
                        if (now - c.LastAsked > abandonAfter)
                        {
                            string ignored;
                            Fail(c, string.Format(CultureInfo.InvariantCulture, "MfaApproval: MIM stopped asking about the approval for {0} (phone {1}, MIM request {2}) for {3} s; it was cancelled", c.UserName ?? "(unresolved)", c.MaskedPhone, c.Id, abandonAfter.TotalSeconds), out ignored);
                        }
                        else if (c.Approval != null) pending.Add(c);
                    }
                    Trim();
                }
                foreach (Call c in pending) Update(c);
            }
            catch (Exception) { }
        }

        /// <summary>Forgets finished calls older than Retain, and the oldest beyond 2 x MaxOpenRequests.</summary>
        void Trim()
        {
            DateTime now = DateTime.UtcNow;
            List<Call> finished = new List<Call>();
            foreach (Call c in calls.Values) if (c.State != CallState.Pending) finished.Add(c);
            finished.Sort(delegate(Call a, Call b) { return a.Finished.CompareTo(b.Finished); });
            int excess = finished.Count - 2 * settings.MaxOpenRequests;
            foreach (Call c in finished)
            {
                if (excess > 0 || now - c.Finished > Retain) { calls.Remove(c.Key); excess--; }
            }
        }

        static string Describe(string phone)
        {
            if (phone == null) return "none";
            return phone.Length + " characters";
        }

        /// <summary>Cancels and frees every pending approval and the client.</summary>
        public void Dispose()
        {
            List<HostedApproval> open = new List<HostedApproval>();
            lock (gate)
            {
                if (disposed) return;
                disposed = true;
                foreach (Call c in calls.Values)
                {
                    if (c.Approval != null) open.Add(c.Approval);
                    if (c.State == CallState.Pending)
                    {
                        string ignored;
                        Fail(c, "the provider was shut down", out ignored);
                    }
                }
            }
            sweeper.Dispose();
            foreach (HostedApproval a in open) { try { a.Dispose(); } catch (Exception) { } }
            host.Dispose();
        }
    }
}
