// Wait-MfaApproval: collects requests from the pipeline, then waits for all of them at
// once, emitting each result as it arrives. A request is waited on once.
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;

namespace MfaApproval.Cmdlets
{
    [Cmdlet(VerbsLifecycle.Wait, "MfaApproval")]
    [OutputType(typeof(Result))]
    public sealed class WaitMfaApprovalCommand : MfaCmdlet
    {
        readonly List<Request> collected = new List<Request>();

        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true)]
        [ValidateNotNull]
        public PSObject[] Request { get; set; }

        [Parameter]
        [ValidateWaitSeconds]
        public int Timeout { get; set; }

        protected override void ProcessRecord()
        {
            foreach (Request r in Requests(Request))
            {
                if (r.Waited || r.Handle.IsClosed)
                {
                    WriteError(Errors.Record("MfaApproval.RequestAlreadyWaited", string.Format(CultureInfo.InvariantCulture, "The request for '{0}' (Id {1}) was already waited on; its result is in the request's Result property.", r.UserName, r.Id), ErrorCategory.InvalidOperation, r));
                    continue;
                }
                r.Waited = true;
                collected.Add(r);
            }
        }

        protected override void EndProcessing()
        {
            if (collected.Count == 0) return;
            WriteVerbose(string.Format(CultureInfo.InvariantCulture, "Waiting for {0} request(s){1}", collected.Count, Timeout > 0 ? " for at most " + Timeout + " s" : string.Empty));
            Wait(collected, Timeout, "Waiting for MFA approval", delegate (Result r) { WriteObject(r); });
        }
    }
}
