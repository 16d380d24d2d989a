// Multi-approver requests (-Require Any|All|N): the decision, fail closed. A FraudReported
// from anyone ends it at once as FraudReported; enough approvals end it as Approved; an
// answer that makes the quorum impossible ends it with that answer's status (Denied,
// TimedOut, ...). The rest are cancelled at once. Pure logic, so it is tested directly.
using System;
using System.Collections.Generic;
using System.Globalization;

namespace MfaApproval
{
    public sealed class Quorum
    {
        readonly int needed;
        readonly int total;
        int approved;
        int finished;

        /// <summary>What -Require said: Any, All, or a number of approvals (1..count).</summary>
        public string Require { get; private set; }
        /// <summary>The decision once there is one (null while undecided).</summary>
        public string Status { get; private set; }
        /// <summary>The approver whose answer decided it.</summary>
        public string DecidedBy { get; private set; }
        public int Needed { get { return needed; } }

        /// <summary>Parses -Require for <paramref name="count"/> approvers; throws ArgumentException naming the problem.</summary>
        public Quorum(string require, int count)
        {
            if (count < 1) throw new ArgumentException("-UserName: at least one approver is needed.");
            total = count;
            string r = (require ?? string.Empty).Trim();
            int n;
            if (r.Equals("Any", StringComparison.OrdinalIgnoreCase)) { needed = 1; Require = "Any"; }
            else if (r.Equals("All", StringComparison.OrdinalIgnoreCase)) { needed = count; Require = "All"; }
            else if (int.TryParse(r, NumberStyles.None, CultureInfo.InvariantCulture, out n) && n >= 1 && n <= count) { needed = n; Require = n.ToString(CultureInfo.InvariantCulture); }
            else throw new ArgumentException(string.Format(CultureInfo.InvariantCulture, "-Require: '{0}' is not Any, All or a number of approvals from 1 to {1} (the number of user names).", require, count));
        }

        /// <summary>Records one approver's final status; returns true when this decided the request.</summary>
        public bool Add(string userName, string status, bool isApproval)
        {
            finished++;
            if (Status != null) return false;
            if (status == "FraudReported")
            {
                Decide("FraudReported", userName);
                return true;
            }
            if (isApproval && status == "Approved")
            {
                approved++;
                if (approved >= needed) { Decide("Approved", userName); return true; }
                return false;
            }
            int stillPossible = approved + (total - finished);
            if (stillPossible < needed)
            {
                Decide(status == "Approved" ? "Failed" : status, userName);
                return true;
            }
            return false;
        }

        void Decide(string status, string userName)
        {
            Status = status;
            DecidedBy = userName;
        }
    }
}
