// MfaApproval.Request: a started approval. It owns the native request handle; the handle
// is freed when the result has been read (Wait-MfaApproval, Invoke-MfaApproval) or the
// module is removed. Freeing or cancelling never leaves an approval running.
using System;
using System.Collections.Generic;
using MfaApproval.Interop;

namespace MfaApproval
{
    public sealed class Request
    {
        internal Request(int id, string userName, string operation, double timeoutSeconds, Uri uri, string provider, MfaRequestHandle handle)
        {
            Provider = provider;
            Id = id;
            UserName = userName;
            Operation = operation;
            State = "Pending";
            Status = "Pending";
            StartedAt = DateTime.UtcNow;
            TimeoutSeconds = timeoutSeconds;
            Uri = uri;
            Handle = handle;
            ModuleVersion = Session.ModuleVersion;
        }

        public int Id { get; private set; }
        public string UserName { get; private set; }
        public string Operation { get; private set; }
        /// <summary>Pending, Completed or Cancelled.</summary>
        public string State { get; internal set; }
        /// <summary>Pending, or the final status (Approved, Denied, ...).</summary>
        public string Status { get; internal set; }
        public DateTime StartedAt { get; private set; }
        public double TimeoutSeconds { get; private set; }
        public Uri Uri { get; private set; }
        /// <summary>MfaServer, Duo, Radius or Okta.</summary>
        public string Provider { get; private set; }
        /// <summary>A code the user must enter or pick on their device (Duo Verified Push, Okta's number
        /// challenge), once the provider sent one.</summary>
        public string VerificationCode { get; internal set; }
        /// <summary>How many approvers the request asks (learned from its progress; 1 until read).</summary>
        internal int ApproverCount = 1;
        /// <summary>The approvers whose code was shown already (several approvers: one code each).</summary>
        internal readonly Dictionary<string, bool> ShownCodes = new Dictionary<string, bool>(StringComparer.Ordinal);
        /// <summary>The result, once the request has been waited on.</summary>
        public Result Result { get; internal set; }
        public string ModuleVersion { get; private set; }

        /// <summary>The native status (MFA_STATUS_*) now: 0 while pending, 6 once cancelled.
        /// For diagnostics and tests; after the result was read it stays the final one.</summary>
        public uint NativeStatus
        {
            get
            {
                lock (gate)
                {
                    if (Handle.IsClosed) return finalNativeStatus;
                    return Native.Poll(Handle, 0);
                }
            }
        }

        internal MfaRequestHandle Handle { get; private set; }
        internal bool Waited { get; set; }
        /// <summary>The per-runspace state that remembers this request (where it was started).</summary>
        internal object Owner { get; set; }
        readonly object gate = new object();
        uint finalNativeStatus;

        /// <summary>Reads the finished outcome into Result and frees the handle.</summary>
        internal Result Complete()
        {
            lock (gate)
            {
                finalNativeStatus = Native.Poll(Handle, 0);
                Result r = Result.FromOutcome(Native.Outcome(Handle));
                Result = r;
                State = r.Status == "Cancelled" ? "Cancelled" : "Completed";
                Status = r.Status;
                Handle.Dispose();
                Session.Forget(this);
                return r;
            }
        }

        /// <summary>The latest progress (stage, message, code, updates); null once the handle is freed.</summary>
        internal System.Collections.Generic.Dictionary<string, object> ReadProgress()
        {
            lock (gate)
            {
                if (Handle.IsClosed) return null;
                return MfaApproval.Json.JsonReader.ParseObject(Native.Progress(Handle));
            }
        }

        /// <summary>Get-MfaApproval: State and Status from a finished request, without reading it
        /// (the handle stays until Wait-MfaApproval takes the result).</summary>
        internal void Refresh()
        {
            lock (gate)
            {
                if (State != "Pending" || Handle.IsClosed || Native.Poll(Handle, 0) == Native.StatusPending) return;
                Result peek = Result.FromOutcome(Native.Outcome(Handle));
                Status = peek.Status;
                State = peek.Status == "Cancelled" ? "Cancelled" : "Completed";
            }
        }

        internal void Cancel()
        {
            lock (gate)
            {
                if (!Handle.IsClosed) Native.Cancel(Handle);
            }
        }

        /// <summary>The host's wait ran out: the engine ends the request as TimedOut (result and
        /// audit line alike); a finished request keeps its outcome.</summary>
        internal void Expire()
        {
            lock (gate)
            {
                if (!Handle.IsClosed) Native.Expire(Handle);
            }
        }

        public override string ToString()
        {
            return UserName + ": " + Status;
        }
    }
}
