// One request's progress as the engine counts it (mfa_request_progress, ABI 5): how many
// approvers, how many answered, how many approvals are needed, who is still waited on and
// each one's code. The engine decides these; the waiter only shows them.
using System;
using System.Collections.Generic;

namespace MfaApproval
{
    internal sealed class ApprovalProgress
    {
        public int Total = 1;
        public int Answered;
        public int Needed;
        public readonly List<string> Pending = new List<string>();
        /// <summary>Each approver's code (Duo Verified Push, Okta's number), by user name, in request order.</summary>
        public readonly Dictionary<string, string> Codes = new Dictionary<string, string>(StringComparer.Ordinal);

        /// <summary>Reads a progress document; <paramref name="userName"/> (the request's
        /// approvers as one text; null for a query without a user) stands for a request whose
        /// progress lists no approvers (a query, or a document not read yet).</summary>
        public static ApprovalProgress Of(Dictionary<string, object> p, string userName)
        {
            ApprovalProgress a = new ApprovalProgress();
            object approvers;
            if (p != null && p.TryGetValue("approvers", out approvers) && approvers is List<object> && ((List<object>)approvers).Count > 0)
            {
                List<object> list = (List<object>)approvers;
                a.Total = list.Count;
                foreach (object o in list)
                {
                    Dictionary<string, object> each = o as Dictionary<string, object>;
                    if (each == null) continue;
                    string name = Text(each, "userName");
                    string code = Text(each, "code");
                    if (name == null) continue;
                    if (each.ContainsKey("status") && each["status"] != null) a.Answered++;
                    else a.Pending.Add(name);
                    if (code != null) a.Codes[name] = code;
                }
                a.Needed = Number(p, "needed");
                return a;
            }
            // A query without a user (TestSecurity) has nobody to name.
            if (!string.IsNullOrEmpty(userName)) a.Pending.Add(userName);
            if (p == null) return a;
            object codes, code1;
            if (p.TryGetValue("codes", out codes) && codes is Dictionary<string, object>)
            {
                foreach (KeyValuePair<string, object> kv in (Dictionary<string, object>)codes)
                {
                    if (kv.Value is string) a.Codes[kv.Key] = (string)kv.Value;
                }
            }
            else if (p.TryGetValue("code", out code1) && code1 is string && !string.IsNullOrEmpty(userName))
            {
                a.Codes[userName] = (string)code1;
            }
            return a;
        }

        static string Text(Dictionary<string, object> o, string key)
        {
            object v;
            return o.TryGetValue(key, out v) ? v as string : null;
        }

        static int Number(Dictionary<string, object> o, string key)
        {
            object v;
            return o.TryGetValue(key, out v) && v is double ? (int)(double)v : 0;
        }
    }
}
