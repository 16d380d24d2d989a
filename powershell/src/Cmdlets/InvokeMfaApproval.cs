// Invoke-MfaApproval: asks each user and waits for the answer; with -Require, asks all the
// users at once and decides by quorum (Any, All, N), cancelling the rest as soon as the
// outcome is known. -Assert turns anything but Approved into a terminating error (the
// shape a MIM workflow needs).
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;

namespace MfaApproval.Cmdlets
{
    [Cmdlet(VerbsLifecycle.Invoke, "MfaApproval")]
    [OutputType(typeof(Result))]
    public sealed class InvokeMfaApprovalCommand : ApprovalCmdlet
    {
        readonly List<string> quorumUsers = new List<string>();

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Require { get; set; }

        [Parameter]
        public SwitchParameter Assert { get; set; }

        protected override void ProcessRecord()
        {
            if (Require != null)
            {
                quorumUsers.AddRange(UserName);
                return;
            }
            foreach (string user in UserName)
            {
                WriteVerbose(string.Format(CultureInfo.InvariantCulture, "Asking '{0}' to approve via {1} (timeout {2} s)", user, Resolved.Uri, Timeout));
                Request pending = StartRequest(Resolved, ApprovalRequest(user, null), user, "authenticate", Timeout);
                pending.Waited = true;
                Result result = null;
                // The native deadline ends the request as TimedOut; the wait bound is a safety net.
                Wait(new Request[] { pending }, Timeout + 10, "Waiting for " + user + " to approve", delegate (Result r) { result = r; });
                Finish(result);
            }
        }

        protected override void EndProcessing()
        {
            if (Require == null) return;
            Quorum quorum = null;
            try
            {
                quorum = new Quorum(Require, quorumUsers.Count);
            }
            catch (ArgumentException e)
            {
                ThrowTerminatingError(Errors.Record("MfaApproval.InvalidRequire", e.Message, ErrorCategory.InvalidArgument, Require));
            }
            WriteVerbose(string.Format(CultureInfo.InvariantCulture, "Asking {0} approvers at once via {1}; {2} approval(s) required", quorumUsers.Count, Resolved.Uri, quorum.Needed));
            List<Request> requests = new List<Request>();
            foreach (string user in quorumUsers)
            {
                Request r = StartRequest(Resolved, ApprovalRequest(user, null), user, "authenticate", Timeout);
                r.Waited = true;
                requests.Add(r);
            }
            List<Result> answers = new List<Result>();
            Wait(requests, Timeout + 10, string.Format(CultureInfo.InvariantCulture, "Waiting for {0} of {1} approvers", quorum.Needed, requests.Count),
                delegate (Result r) { answers.Add(r); },
                delegate (Result r) { return quorum.Add(r.UserName, r.Status, r.Approved); });
            Finish(Combine(quorum, requests, answers));
        }

        void Finish(Result result)
        {
            foreach (string w in result.Warnings) WriteWarning(w);
            if (Assert && !result.Approved) ThrowTerminatingError(Errors.ForResult(result));
            WriteObject(result);
        }

        /// <summary>One result for the whole request: the decision, who decided it, each approver's outcome.</summary>
        static Result Combine(Quorum quorum, List<Request> requests, List<Result> answers)
        {
            Result[] each = new Result[requests.Count];
            for (int i = 0; i < requests.Count; i++) each[i] = requests[i].Result;
            string status = quorum.Status ?? "Failed";
            Result decider = null;
            foreach (Result a in answers) if (a.UserName == quorum.DecidedBy && decider == null) decider = a;
            Result r = new Result();
            r.Status = status;
            r.Require = quorum.Require;
            r.DecidedBy = quorum.DecidedBy;
            r.Approvers = each;
            int approvals = 0;
            bool allApprovedReal = true;
            List<string> names = new List<string>();
            List<string> parts = new List<string>();
            List<string> warnings = new List<string>();
            TimeSpan longest = TimeSpan.Zero;
            int calls = 0;
            DateTime started = DateTime.MaxValue;
            foreach (Result a in each)
            {
                if (a == null) continue;
                names.Add(a.UserName);
                parts.Add(a.UserName + ": " + a.Status);
                if (a.Approved) approvals++;
                foreach (string w in a.Warnings) if (!warnings.Contains(w)) warnings.Add(w);
                if (a.Duration > longest) longest = a.Duration;
                if (a.StartedAt < started) started = a.StartedAt;
                calls += a.HttpCalls;
            }
            // Fail closed: Approved only when the quorum logic says so and the approvals counted are real.
            allApprovedReal = approvals >= quorum.Needed;
            r.Approved = status == "Approved" && allApprovedReal;
            if (status == "Approved" && !r.Approved) r.Status = "Failed";
            r.UserName = string.Join(", ", names.ToArray());
            r.Provider = decider != null ? decider.Provider : (each.Length > 0 && each[0] != null ? each[0].Provider : string.Empty);
            r.Operation = "authenticate";
            r.FailureKind = decider != null && !r.Approved ? decider.FailureKind : string.Empty;
            r.CallResult = decider != null ? decider.CallResult : null;
            r.CallResultDescription = decider != null ? decider.CallResultDescription : null;
            r.RequestId = decider != null ? decider.RequestId : string.Empty;
            r.AuditId = decider != null ? decider.AuditId : null;
            r.Message = string.Format(CultureInfo.InvariantCulture, "{0} ({1} approval(s) required of {2}; decided by {3}): {4}",
                r.Status, quorum.Needed, each.Length, quorum.DecidedBy ?? "nobody", string.Join("; ", parts.ToArray()));
            r.Warnings = warnings.ToArray();
            r.StartedAt = started == DateTime.MaxValue ? DateTime.UtcNow : started;
            r.Duration = longest;
            r.HttpCalls = calls;
            r.RequireUserMatch = true;
            return r;
        }
    }
}
