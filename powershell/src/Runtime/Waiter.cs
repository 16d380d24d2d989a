// Waits for native requests on the pipeline thread: one bounded native poll at a time
// (poll wakes at once when a request finishes or is cancelled), results written as each
// request finishes, progress while any is pending. Stop() (from StopProcessing, on another
// thread) cancels every request being waited on at once; the wait then completes them as
// Cancelled, frees their handles and ends with PipelineStoppedException.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;

namespace MfaApproval
{
    internal sealed class Waiter
    {
        readonly object gate = new object();
        readonly List<Request> pending;
        volatile bool stopped;
        readonly Stopwatch sinceCodes = Stopwatch.StartNew();

        public Waiter(IEnumerable<Request> requests)
        {
            pending = new List<Request>(requests);
        }

        /// <summary>Cancels everything still pending; never blocks on the network.</summary>
        public void Stop()
        {
            stopped = true;
            foreach (Request r in Snapshot())
            {
                try { r.Cancel(); } catch (Exception) { }
            }
        }

        Request[] Snapshot()
        {
            lock (gate) { return pending.ToArray(); }
        }

        /// <summary>A code the user must type or pick on the phone (Duo Verified Push, Okta's
        /// number challenge: any provider's progress code) reaches the person who asked, once
        /// per request, as host output (the information stream, tagged PSHOST, as Write-Host
        /// writes) and in the progress bar, while the request is pending.</summary>
        void ShowCodes(PSCmdlet cmdlet, ProgressRecord progress)
        {
            // At most every 250 ms: reading progress is a native call and a JSON parse per request.
            if (sinceCodes.ElapsedMilliseconds < 250) return;
            sinceCodes.Restart();
            foreach (Request r in Snapshot())
            {
                if (r.Provider == "MfaServer" || r.Provider == "Radius") continue;
                Dictionary<string, object> p;
                try { p = r.ReadProgress(); } catch (Exception) { continue; }
                if (p == null) continue;
                // Several approvers: each has a push and a code of its own (progress "codes",
                // by user name); one approver: "code".
                List<KeyValuePair<string, string>> found = new List<KeyValuePair<string, string>>();
                object codes, code;
                if (p.TryGetValue("codes", out codes) && codes is Dictionary<string, object>)
                {
                    foreach (KeyValuePair<string, object> kv in (Dictionary<string, object>)codes)
                    {
                        if (kv.Value is string) found.Add(new KeyValuePair<string, string>(kv.Key, (string)kv.Value));
                    }
                }
                else if (p.TryGetValue("code", out code) && code is string)
                {
                    found.Add(new KeyValuePair<string, string>(r.UserName, (string)code));
                }
                foreach (KeyValuePair<string, string> each in found)
                {
                    if (r.ShownCodes.ContainsKey(each.Key)) continue;
                    r.ShownCodes[each.Key] = true;
                    if (r.VerificationCode == null) r.VerificationCode = each.Value;
                    string text = r.Provider == "Okta"
                        ? string.Format(CultureInfo.InvariantCulture, "{0}: pick number {1} in Okta Verify to approve.", each.Key, each.Value)
                        : string.Format(CultureInfo.InvariantCulture, "{0}: enter verification code {1} in Duo Mobile to approve.", each.Key, each.Value);
                    HostInformationMessage message = new HostInformationMessage();
                    message.Message = text;
                    message.NoNewLine = false;
                    cmdlet.WriteInformation(message, new string[] { "PSHOST", "MfaApproval.VerificationCode" });
                    progress.CurrentOperation = text;
                }
            }
        }

        /// <summary>Waits; <paramref name="emit"/> gets each result. timeoutSeconds 0 waits for
        /// each request's own deadline (the engine's; it always ends a request). Past a
        /// positive one, the engine expires the rest (TimedOut, in the result and the audit
        /// trail alike) and their results arrive as usual.</summary>
        public void Run(PSCmdlet cmdlet, double timeoutSeconds, string activity, Action<Result> emit)
        {
            bool expired = false;
            int total = pending.Count;
            Stopwatch clock = Stopwatch.StartNew();
            ProgressRecord progress = new ProgressRecord(0x4D4641, activity, "waiting");
            bool shownProgress = false;
            try
            {
                while (true)
                {
                    Request[] now = Snapshot();
                    if (now.Length == 0) break;
                    if (stopped) throw new PipelineStoppedException();
                    Interop.Native.Poll(now[0].Handle, 100);
                    foreach (Request r in now)
                    {
                        if (stopped) break;
                        if (Interop.Native.Poll(r.Handle, 0) != Interop.Native.StatusPending)
                        {
                            lock (gate) pending.Remove(r);
                            Result result = r.Complete();
                            cmdlet.WriteVerbose(string.Format(CultureInfo.InvariantCulture, "{0}: {1} after {2:N1} s ({3})", r.UserName, result.Status, result.Duration.TotalSeconds, result.Message));
                            emit(result);
                        }
                    }
                    if (stopped) throw new PipelineStoppedException();
                    ShowCodes(cmdlet, progress);
                    if (!expired && timeoutSeconds > 0 && clock.Elapsed.TotalSeconds >= timeoutSeconds)
                    {
                        expired = true;
                        cmdlet.WriteVerbose(string.Format(CultureInfo.InvariantCulture, "The wait timeout of {0} s ran out; the engine ends the requests still pending as TimedOut.", timeoutSeconds));
                        foreach (Request r in Snapshot()) r.Expire();
                        continue;
                    }
                    now = Snapshot();
                    if (now.Length > 0)
                    {
                        int done = total - now.Length;
                        List<string> names = new List<string>();
                        for (int i = 0; i < now.Length && i < 3; i++) names.Add(now[i].UserName);
                        progress.StatusDescription = string.Format(CultureInfo.InvariantCulture, "{0} of {1} answered; waiting for {2}", done, total, string.Join(", ", names.ToArray()));
                        progress.PercentComplete = (int)(100L * done / total);
                        progress.SecondsRemaining = timeoutSeconds > 0 ? (int)Math.Max(0, timeoutSeconds - clock.Elapsed.TotalSeconds) : -1;
                        cmdlet.WriteProgress(progress);
                        shownProgress = true;
                    }
                }
            }
            finally
            {
                // Ctrl+C, Stop(), a timeout or an exception: nothing is left running, and every
                // handle this wait owned is freed with its outcome (Cancelled) kept on the request.
                foreach (Request r in Snapshot())
                {
                    try
                    {
                        r.Cancel();
                        r.Complete();
                    }
                    catch (Exception) { }
                }
                if (shownProgress && !stopped)
                {
                    progress.RecordType = ProgressRecordType.Completed;
                    try { cmdlet.WriteProgress(progress); } catch (Exception) { }
                }
            }
        }
    }
}
