// Get-MfaApproval: refreshes State and Status of started requests without waiting.
using System.Management.Automation;
using MfaApproval.Interop;
using MfaApproval.Json;

namespace MfaApproval.Cmdlets
{
    [Cmdlet(VerbsCommon.Get, "MfaApproval")]
    [OutputType(typeof(Request))]
    public sealed class GetMfaApprovalCommand : MfaCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        public PSObject[] Request { get; set; }

        protected override void ProcessRecord()
        {
            foreach (Request r in Requests(Request))
            {
                lock (r)
                {
                    if (r.State == "Pending" && !r.Handle.IsClosed && Native.Poll(r.Handle, 0) != Native.StatusPending)
                    {
                        object status;
                        r.Status = JsonReader.ParseObject(Native.Outcome(r.Handle)).TryGetValue("status", out status) ? status as string ?? "Failed" : "Failed";
                        r.State = r.Status == "Cancelled" ? "Cancelled" : "Completed";
                    }
                }
                WriteObject(r);
            }
        }
    }
}
