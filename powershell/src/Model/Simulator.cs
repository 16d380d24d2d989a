// MfaApproval.Simulator: a running mfa-sim process started by Start-MfaSimulator.
using System;
using System.Diagnostics;

namespace MfaApproval
{
    public sealed class Simulator
    {
        internal Simulator(Process process, Uri uri, string certificateHash)
        {
            Process = process;
            Uri = uri;
            CertificateHash = certificateHash;
            ProcessId = process.Id;
        }

        public Uri Uri { get; private set; }
        public string CertificateHash { get; private set; }
        public int ProcessId { get; private set; }
        /// <summary>A connection that pins the simulator's certificate and carries the demo credential.</summary>
        public Connection Connection { get; internal set; }
        public bool HasExited { get { return Process.HasExited; } }

        internal Process Process { get; private set; }
        internal IDisposable Job { get; set; }

        public override string ToString()
        {
            return Uri.ToString();
        }
    }
}
