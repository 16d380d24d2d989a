// Waits for native requests on the pipeline thread: one bounded native poll at a time
// (poll wakes at once when a request finishes or is cancelled), results written as each
// request finishes, progress while any is pending (the engine's count of approvers: who
// answered, who is still waited on, each one's code). Stop() (from StopProcessing, on another
// thread) cancels every request being waited on at once; the wait then completes them as
// Cancelled, frees their handles and ends with PipelineStoppedException.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using System.Text;

namespace MfaApproval
{
    internal sealed class Waiter
    {
        readonly object gate = new object();
        readonly List<Request> pending;
        volatile bool stopped;
        readonly Stopwatch sinceCodes = Stopwatch.StartNew();
        readonly List<string> prompts = new List<string>();
        /// <summary>Approvers of the requests that finished during this wait (nobody waits on them).</summary>
        int finishedApprovers;
        string status;
        string operation;
        int percent;

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

        /// <summary>Reads each pending request's progress (the engine's count of its approvers:
        /// who answered, who is still waited on, each one's code) at most every 250 ms and
        /// turns it into the progress bar's status ("1 of 2 answered; waiting for carol") and
        /// current operation (each code). A code the user must type or pick on the phone (Duo
        /// Verified Push, Okta's number challenge: any provider's progress code) reaches the
        /// person who asked once per approver, as host output (the information stream, tagged
        /// PSHOST, as Write-Host writes), while the request is pending.</summary>
        void ReadProgress(PSCmdlet cmdlet)
        {
            // At most every 250 ms: reading progress is a native call and a JSON parse per request.
            if (sinceCodes.ElapsedMilliseconds < 250 && status != null) return;
            sinceCodes.Restart();
            int answered = finishedApprovers, total = finishedApprovers, needed = 0, requests = 0;
            List<string> waitingFor = new List<string>();
            foreach (Request r in Snapshot())
            {
                requests++;
                Dictionary<string, object> p = null;
                try { p = r.ReadProgress(); } catch (Exception) { }
                ApprovalProgress a = ApprovalProgress.Of(p, r.UserName);
                r.ApproverCount = a.Total;
                answered += a.Answered;
                total += a.Total;
                needed = a.Needed;
                foreach (string name in a.Pending)
                {
                    string code;
                    waitingFor.Add(a.Codes.TryGetValue(name, out code) ? name + " (code " + code + ")" : name);
                }
                foreach (KeyValuePair<string, string> each in a.Codes)
                {
                    if (r.ShownCodes.ContainsKey(each.Key)) continue;
                    r.ShownCodes[each.Key] = true;
                    if (r.VerificationCode == null) r.VerificationCode = each.Value;
                    // The provider's own sentence (the engine's registry): a number to pick, a
                    // code to type, a letter to choose.
                    ProviderSpec spec = Providers.Find(r.Provider);
                    string sentence = spec != null && spec.CodeSentence != null ? spec.CodeSentence : "{0}: code {1} to approve.";
                    string text = string.Format(CultureInfo.InvariantCulture, sentence, each.Key, each.Value);
                    HostInformationMessage message = new HostInformationMessage();
                    message.Message = text;
                    message.NoNewLine = false;
                    cmdlet.WriteInformation(message, new string[] { "PSHOST", "MfaApproval.VerificationCode" });
                    prompts.Add(text);
                }
            }
            StringBuilder line = new StringBuilder();
            line.AppendFormat(CultureInfo.InvariantCulture, "{0} of {1} answered", answered, total);
            if (requests == 1 && finishedApprovers == 0 && needed > 0 && needed < total)
            {
                line.AppendFormat(CultureInfo.InvariantCulture, ", {0} {1} needed", needed, needed == 1 ? "approval" : "approvals");
            }
            if (waitingFor.Count > 0)
            {
                line.Append("; waiting for ").Append(string.Join(", ", waitingFor.GetRange(0, Math.Min(3, waitingFor.Count)).ToArray()));
                if (waitingFor.Count > 3) line.AppendFormat(CultureInfo.InvariantCulture, " and {0} more", waitingFor.Count - 3);
            }
            status = line.ToString();
            percent = total > 0 ? (int)(100L * answered / total) : 0;
            // Every code shown so far stays in the progress display while the wait goes on.
            operation = prompts.Count > 0 ? string.Join(" ", prompts.ToArray()) : null;
        }

        /// <summary>Waits; <paramref name="emit"/> gets each result. timeoutSeconds 0 waits for
        /// each request's own deadline (the engine's; it always ends a request). Past a
        /// positive one, the engine expires the rest (TimedOut, in the result and the audit
        /// trail alike) and their results arrive as usual.</summary>
        public void Run(PSCmdlet cmdlet, double timeoutSeconds, string activity, Action<Result> emit)
        {
            bool expired = false;
            Stopwatch clock = Stopwatch.StartNew();
            const int progressId = 0x4D4641;
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
                            finishedApprovers += r.ApproverCount;
                            Result result = r.Complete();
                            cmdlet.WriteVerbose(string.Format(CultureInfo.InvariantCulture, "{0}: {1} after {2:N1} s ({3})", r.UserName, result.Status, result.Duration.TotalSeconds, result.Message));
                            emit(result);
                        }
                    }
                    if (stopped) throw new PipelineStoppedException();
                    ReadProgress(cmdlet);
                    if (!expired && timeoutSeconds > 0 && clock.Elapsed.TotalSeconds >= timeoutSeconds)
                    {
                        expired = true;
                        cmdlet.WriteVerbose(string.Format(CultureInfo.InvariantCulture, "The wait timeout of {0} s ran out; the engine ends the requests still pending as TimedOut.", timeoutSeconds));
                        foreach (Request r in Snapshot()) r.Expire();
                        continue;
                    }
                    if (Snapshot().Length > 0)
                    {
                        // A new record each time: a host that keeps the records (a runspace's
                        // Progress stream) sees each state, not the last one many times.
                        ProgressRecord progress = new ProgressRecord(progressId, activity, status);
                        if (operation != null) progress.CurrentOperation = operation;
                        progress.PercentComplete = percent;
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
                    ProgressRecord completed = new ProgressRecord(progressId, activity, status ?? "done");
                    completed.RecordType = ProgressRecordType.Completed;
                    try { cmdlet.WriteProgress(completed); } catch (Exception) { }
                }
            }
        }
    }
}
