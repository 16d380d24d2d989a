// Get-MfaApproval: refreshes State and Status of started requests without waiting. With no
// -Request it lists this session's open requests (started and not yet waited on), in the
// order they were started.
using System.Management.Automation;

namespace MfaApproval.Cmdlets
{
    [Cmdlet(VerbsCommon.Get, "MfaApproval")]
    [OutputType(typeof(Request))]
    public sealed class GetMfaApprovalCommand : MfaCmdlet
    {
        [Parameter(Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        public PSObject[] Request { get; set; }

        protected override void ProcessRecord()
        {
            if (Request == null)
            {
                Request[] open = Session.OpenRequests;
                System.Array.Sort(open, delegate (Request a, Request b) { return a.Id.CompareTo(b.Id); });
                foreach (Request r in open)
                {
                    r.Refresh();
                    WriteObject(r);
                }
                return;
            }
            foreach (Request r in Requests(Request))
            {
                r.Refresh();
                WriteObject(r);
            }
        }
    }
}
