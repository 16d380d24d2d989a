// MfaApproval.Result: the typed outcome of one approval or query, read from the engine's
// outcome JSON. Approved is true only when the engine said both status "Approved" and
// approved=true (fail closed: anything else, including a document that cannot be read,
// is not an approval).
using System;
using System.Collections.Generic;
using System.Management.Automation;
using MfaApproval.Json;

namespace MfaApproval
{
    public sealed class Result
    {
        public string Status { get; internal set; }
        public bool Approved { get; internal set; }
        public string UserName { get; internal set; }
        public int? CallResult { get; internal set; }
        public string CallResultName { get; internal set; }
        public string CallResultDescription { get; internal set; }
        public int? ErrorCode { get; internal set; }
        public string ErrorDescription { get; internal set; }
        public string RequestId { get; internal set; }
        public string Provider { get; internal set; }
        public string Operation { get; internal set; }
        public string FailureKind { get; internal set; }
        public string Message { get; internal set; }
        public bool RequireUserMatch { get; internal set; }
        public string[] Warnings { get; internal set; }
        /// <summary>What a query returned (e.g. exists, userSettings, activationCode), as objects.</summary>
        public object Data { get; internal set; }
        public DateTime StartedAt { get; internal set; }
        public TimeSpan Duration { get; internal set; }
        public int HttpCalls { get; internal set; }
        /// <summary>The id of this request's line in the connection's audit trail (-AuditPath).</summary>
        public string AuditId { get; internal set; }
        /// <summary>Approvals: what the engine required (any, all or a number of approvals).</summary>
        public string Require { get; internal set; }
        /// <summary>Approvals: how many approvals were needed.</summary>
        public int? Needed { get; internal set; }
        /// <summary>Approvals: the approver whose answer decided the outcome (the engine's decision).</summary>
        public string DecidedBy { get; internal set; }
        /// <summary>Approvals: each approver's own answer, in the order named (an approver's
        /// Approved says whose approval the engine counted; only the result's own Approved decides).</summary>
        public Result[] Approvers { get; internal set; }
        /// <summary>Approvals: who the provider resolved this approver to (an Okta user id, Duo
        /// device ids, MFA Server phones masked but for their last 4 digits); null when it did
        /// not resolve. On a result with one approver, that approver's.</summary>
        public string Identity { get; internal set; }
        /// <summary>Approvals: how people were told apart: Provider (by the identity the
        /// provider resolved) or Names (by names alone: a provider that cannot resolve, on a
        /// connection made with -AllowNameOnlyIdentity).</summary>
        public string IdentityCheck { get; internal set; }
        /// <summary>Whether a push left waiting (the request ended before the provider decided
        /// it: cancelled, timed out, decided by others) was withdrawn: True (the provider
        /// confirmed it), False (it may still be on the phone: tell the person to deny it), or
        /// null (nothing needed withdrawing, or the provider cannot withdraw a push). The
        /// result's own value is False if any approver's is.</summary>
        public bool? PushWithdrawn { get; internal set; }

        /// <summary>The ErrorId -Assert uses for this result (MfaApproval.&lt;status&gt;; from the generated contract).</summary>
        public string ErrorId { get { return Approved ? null : Contract.AssertErrorId(Status); } }

        /// <summary>The error category -Assert uses for this result (from the generated contract).</summary>
        public ErrorCategory Category { get { return Approved ? ErrorCategory.NotSpecified : Contract.AssertCategory(Status, FailureKind); } }

        /// <summary>The keys of <see cref="ToHashtable"/>, the same for every result (the MIM
        /// wrapper publishes each one on every run).</summary>
        public static string[] HashtableKeys
        {
            get
            {
                List<string> keys = new List<string>();
                foreach (object k in new Result().ToHashtable().Keys) keys.Add((string)k);
                keys.Sort(StringComparer.Ordinal);
                return keys.ToArray();
            }
        }

        /// <summary>The fields hosts such as the MIM wrapper pass on, as one hashtable (the
        /// same keys, <see cref="HashtableKeys"/>, for every result).</summary>
        public System.Collections.Hashtable ToHashtable()
        {
            System.Collections.Hashtable h = new System.Collections.Hashtable();
            h["Approved"] = Approved;
            h["Status"] = Status;
            h["UserName"] = UserName;
            h["CallResult"] = CallResult;
            h["CallResultDescription"] = CallResultDescription;
            h["ErrorCode"] = ErrorCode;
            h["RequestId"] = RequestId;
            h["Message"] = Message;
            h["DurationSeconds"] = Duration.TotalSeconds;
            h["AuditId"] = AuditId;
            h["Require"] = Require;
            h["DecidedBy"] = DecidedBy;
            h["IdentityCheck"] = IdentityCheck;
            List<string> each = new List<string>();
            List<string> who = new List<string>();
            if (Approvers != null)
            {
                foreach (Result a in Approvers)
                {
                    if (a == null) continue;
                    each.Add(a.UserName + "=" + a.Status);
                    if (a.Identity != null) who.Add(a.UserName + "=" + a.Identity);
                }
            }
            h["Approvers"] = string.Join("; ", each.ToArray());
            h["Identities"] = string.Join("; ", who.ToArray());
            h["ErrorId"] = Approved ? null : ErrorId;
            h["Category"] = Approved ? null : Category.ToString();
            return h;
        }

        public override string ToString()
        {
            return UserName + ": " + Status;
        }

        /// <summary>Reads an outcome document (what mfa_request_outcome returns) as a Result.
        /// Anything it cannot read is a Failed result, never an approval.</summary>
        public static Result Parse(string json)
        {
            return FromOutcome(json);
        }

        internal static Result FromOutcome(string json)
        {
            Dictionary<string, object> o;
            try
            {
                o = JsonReader.ParseObject(json);
            }
            catch (FormatException e)
            {
                o = new Dictionary<string, object>();
                o["status"] = Contract.StatusFailed;
                o["failureKind"] = "internal";
                o["message"] = "the engine's outcome could not be read (" + e.Message + ")";
            }
            Result r = FromObject(o);
            List<object> approvers = Member(o, "approvers") as List<object>;
            if (approvers != null)
            {
                List<Result> each = new List<Result>();
                foreach (object a in approvers)
                {
                    Dictionary<string, object> d = a as Dictionary<string, object>;
                    if (d == null) continue;
                    Result x = FromObject(d);
                    x.Provider = r.Provider;
                    x.Operation = r.Operation;
                    x.StartedAt = r.StartedAt;
                    each.Add(x);
                }
                r.Approvers = each.ToArray();
                if (each.Count == 1) r.Identity = each[0].Identity;
            }
            r.IdentityCheck = Capitalized(Text(o, "identityCheck"));
            r.Require = Text(o, "require");
            r.Needed = Int(o, "needed");
            r.DecidedBy = Text(o, "decidedBy");
            return r;
        }

        static Result FromObject(Dictionary<string, object> o)
        {
            Result r = new Result();
            r.Status = Text(o, "status") ?? Contract.StatusFailed;
            object approved;
            r.Approved = r.Status == Contract.StatusApproved && o.TryGetValue("approved", out approved) && approved is bool && (bool)approved;
            if (r.Status == Contract.StatusApproved && !r.Approved)
            {
                // "Approved" without approved=true is an inconsistent document: not an approval.
                r.Status = Contract.StatusFailed;
                o["failureKind"] = "internal";
                o["message"] = "the engine's outcome said Approved without approved=true";
            }
            r.UserName = Text(o, "userName");
            Dictionary<string, object> call = Member(o, "callResult") as Dictionary<string, object>;
            if (call != null)
            {
                r.CallResult = Int(call, "code");
                r.CallResultName = Text(call, "name");
                r.CallResultDescription = Text(call, "description");
            }
            Dictionary<string, object> error = Member(o, "error") as Dictionary<string, object>;
            if (error != null)
            {
                r.ErrorCode = Int(error, "code");
                r.ErrorDescription = Text(error, "description");
            }
            r.RequestId = Text(o, "authenticationRequestId") ?? string.Empty;
            r.Provider = Text(o, "provider") ?? string.Empty;
            r.Operation = Text(o, "operation") ?? string.Empty;
            // What failed: nothing, for an approval (the engine's "provider" there only says the
            // provider's answer decided).
            r.FailureKind = r.Approved ? string.Empty : Text(o, "failureKind") ?? string.Empty;
            r.Message = Text(o, "message") ?? string.Empty;
            object rum = Member(o, "requireUserMatch");
            r.RequireUserMatch = rum is bool && (bool)rum;
            List<string> warnings = new List<string>();
            List<object> list = Member(o, "warnings") as List<object>;
            if (list != null) foreach (object w in list) { string s = w as string; if (!string.IsNullOrEmpty(s)) warnings.Add(s); }
            r.Warnings = warnings.ToArray();
            r.Data = ToPowerShell(Member(o, "data"));
            object started = Member(o, "startedAtUnixMs");
            r.StartedAt = new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMilliseconds(started is double ? (double)started : 0);
            object elapsed = Member(o, "elapsedMs");
            r.Duration = TimeSpan.FromMilliseconds(elapsed is double ? (double)elapsed : 0);
            r.HttpCalls = Int(o, "httpCalls") ?? 0;
            r.AuditId = Text(o, "auditId");
            r.Identity = Text(o, "identity");
            object withdrawn = Member(o, "pushWithdrawn");
            r.PushWithdrawn = withdrawn is bool ? (bool?)(bool)withdrawn : null;
            return r;
        }

        /// <summary>An engine word as PowerShell shows it ("provider": "Provider").</summary>
        static string Capitalized(string word)
        {
            if (string.IsNullOrEmpty(word)) return word;
            return char.ToUpperInvariant(word[0]) + word.Substring(1);
        }

        static object Member(Dictionary<string, object> o, string name)
        {
            object v;
            return o.TryGetValue(name, out v) ? v : null;
        }

        static string Text(Dictionary<string, object> o, string name)
        {
            return Member(o, name) as string;
        }

        static int? Int(Dictionary<string, object> o, string name)
        {
            object v = Member(o, name);
            if (v is double) return (int)(double)v;
            return null;
        }

        /// <summary>JSON values as PowerShell sees them: objects as PSCustomObjects, arrays as
        /// object[], whole numbers as long.</summary>
        internal static object ToPowerShell(object value)
        {
            Dictionary<string, object> o = value as Dictionary<string, object>;
            if (o != null)
            {
                PSObject p = new PSObject();
                foreach (KeyValuePair<string, object> m in o) p.Properties.Add(new PSNoteProperty(m.Key, ToPowerShell(m.Value)));
                return p;
            }
            List<object> a = value as List<object>;
            if (a != null)
            {
                object[] items = new object[a.Count];
                for (int i = 0; i < items.Length; i++) items[i] = ToPowerShell(a[i]);
                return items;
            }
            if (value is double)
            {
                double d = (double)value;
                if (d == Math.Floor(d) && Math.Abs(d) < 9e15) return (long)d;
            }
            return value;
        }
    }
}
