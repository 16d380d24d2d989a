// MfaApproval.AuditLogReport: Test-MfaAuditLog's answer, read from the engine's report
// (mfa_audit_verify): whether the file is one valid hash chain, how many records it holds,
// and the first bad record and why.
using System;
using System.Collections.Generic;
using System.Globalization;
using MfaApproval.Json;

namespace MfaApproval
{
    public sealed class AuditLogReport
    {
        /// <summary>The file that was verified.</summary>
        public string Path { get; internal set; }
        /// <summary>True when the whole file is one valid chain (and, with -AuditKey, every MAC verifies).</summary>
        public bool Valid { get; internal set; }
        /// <summary>How many records (lines after the header) the file holds.</summary>
        public long Records { get; internal set; }
        /// <summary>The sequence number of the first bad record, or null.</summary>
        public long? FirstBadRecord { get; internal set; }
        /// <summary>edited, removed, reordered, inserted, badMac or truncated; null when valid.</summary>
        public string Reason { get; internal set; }
        /// <summary>One sentence about the result, naming the record.</summary>
        public string Message { get; internal set; }
        /// <summary>True when MACs were checked (-AuditKey was given).</summary>
        public bool Keyed { get; internal set; }
        /// <summary>The header's key id, when the file was written with an audit key.</summary>
        public string KeyId { get; internal set; }
        /// <summary>The last valid record's sequence number.</summary>
        public long? LastSequence { get; internal set; }
        /// <summary>The SHA-256 of the last valid line: keep it elsewhere to catch records cut from the end.</summary>
        public string LastHash { get; internal set; }

        internal static AuditLogReport FromJson(string path, string json)
        {
            Dictionary<string, object> o = JsonReader.ParseObject(json);
            AuditLogReport r = new AuditLogReport();
            r.Path = path;
            r.Valid = Get(o, "valid") is bool && (bool)Get(o, "valid");
            r.Records = Number(Get(o, "records")) ?? 0;
            r.FirstBadRecord = Number(Get(o, "firstBadRecord"));
            r.Reason = Get(o, "reason") as string;
            r.Message = Get(o, "message") as string;
            r.Keyed = Get(o, "keyed") is bool && (bool)Get(o, "keyed");
            r.KeyId = Get(o, "keyId") as string;
            r.LastSequence = Number(Get(o, "lastSeq"));
            r.LastHash = Get(o, "lastHash") as string;
            return r;
        }

        static object Get(Dictionary<string, object> o, string name)
        {
            object v;
            return o.TryGetValue(name, out v) ? v : null;
        }

        static long? Number(object v)
        {
            if (v is double) return Convert.ToInt64((double)v, CultureInfo.InvariantCulture);
            return null;
        }

        public override string ToString() { return Path; }
    }
}
