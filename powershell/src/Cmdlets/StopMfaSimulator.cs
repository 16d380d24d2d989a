// Stop-MfaSimulator: stdin EOF (the simulator exits), kill after 5 s; without -Simulator,
// every simulator this session started.
using System.Management.Automation;

namespace MfaApproval.Cmdlets
{
    [Cmdlet(VerbsLifecycle.Stop, "MfaSimulator", SupportsShouldProcess = true)]
    public sealed class StopMfaSimulatorCommand : MfaCmdlet
    {
        [Parameter(Position = 0, ValueFromPipeline = true)]
        public PSObject[] Simulator { get; set; }

        protected override void ProcessRecord()
        {
            object[] targets = Simulator != null ? (object[])Simulator : (object[])Session.Simulators;
            foreach (object item in targets)
            {
                PSObject p = item as PSObject;
                Simulator s = (p != null ? p.BaseObject : item) as Simulator;
                if (s == null)
                {
                    WriteError(Errors.Record("MfaApproval.InvalidSimulatorObject", "The -Simulator value is not an MfaApproval simulator from Start-MfaSimulator.", ErrorCategory.InvalidArgument, item));
                    continue;
                }
                if (!ShouldProcess(s.Uri.ToString(), "Stop MFA simulator")) continue;
                SimulatorProcess.Stop(s);
                WriteVerbose("Stopped the simulator at " + s.Uri);
            }
        }
    }
}
