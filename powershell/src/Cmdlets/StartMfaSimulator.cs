// Start-MfaSimulator: runs the bundled mfa-sim on a free loopback port over HTTPS and
// returns it with a ready connection (its certificate pinned, the demo credential).
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Security;
using MfaApproval.Interop;
using MfaApproval.Json;

namespace MfaApproval.Cmdlets
{
    [Cmdlet(VerbsLifecycle.Start, "MfaSimulator")]
    [OutputType(typeof(Simulator))]
    public sealed class StartMfaSimulatorCommand : MfaCmdlet
    {
        double noResponseAfter = 55;

        [Parameter]
        [ValidateRange(0, 3600)]
        public double NoResponseAfter { get { return noResponseAfter; } set { noResponseAfter = value; } }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string DirectoryFile { get; set; }

        [Parameter]
        public SwitchParameter DirectSdkDisallowed { get; set; }

        [Parameter]
        public SwitchParameter Default { get; set; }

        protected override void EndProcessing()
        {
            string rid = Loader.RuntimeIdentifier;
            string path = Loader.SimulatorPathIn(Session.ModuleRoot, rid);
            if (!File.Exists(path))
            {
                ThrowTerminatingError(Errors.Record("MfaApproval.SimulatorNotFound", "The simulator for " + rid + " is not in this module build ('" + path + "').", ErrorCategory.ObjectNotFound, path));
            }
            string notExecutable = SimulatorProcess.EnsureExecutable(path);
            if (notExecutable != null) ThrowTerminatingError(Errors.Record("MfaApproval.SimulatorStartFailed", notExecutable, ErrorCategory.PermissionDenied, path));
            List<string> arguments = new List<string> { "--addr", "127.0.0.1:0", "--exit-on-stdin-eof", "--no-response-after", NoResponseAfter.ToString(CultureInfo.InvariantCulture) };
            if (DirectoryFile != null)
            {
                string full = ResolveExistingFile("DirectoryFile", DirectoryFile);
                arguments.Add("--directory");
                arguments.Add(full);
            }
            if (DirectSdkDisallowed) arguments.Add("--direct-sdk-disallowed");
            WriteVerbose("Starting the simulator: " + path + " " + CommandLine.Join(arguments));
            string error;
            SimulatorProcess.Started started = SimulatorProcess.Start(path, arguments, out error);
            if (started == null)
            {
                ThrowTerminatingError(Errors.Record("MfaApproval.SimulatorStartFailed", "The simulator did not start: " + error, ErrorCategory.ResourceUnavailable, path));
            }
            Simulator sim = new Simulator(started.Process, started.Uri, started.CertificateHash);
            sim.Job = started.Job;
            Session.Remember(sim);
            SecureString password = new SecureString();
            foreach (char ch in "demo-password") password.AppendChar(ch);
            password.MakeReadOnly();
            string config = new JsonObject()
                .Add("uri", started.Uri.AbsoluteUri)
                .Add("userName", "demo-admin")
                .Add("serverCertificateSha256", new string[] { started.CertificateHash })
                .ToString();
            MfaClientHandle client = null;
            try
            {
                client = Native.NewClient(config, password, null);
            }
            catch (MfaNativeException e)
            {
                SimulatorProcess.Stop(sim);
                ThrowTerminatingError(Errors.Record("MfaApproval.SimulatorStartFailed", "The simulator started but no connection could be made: " + e.Message, ErrorCategory.ResourceUnavailable, path, e));
            }
            finally
            {
                password.Dispose();
            }
            Connection c = new Connection(client);
            c.Uri = started.Uri;
            c.UserName = "demo-admin";
            c.Authentication = "Basic";
            c.ServerCertificateHash = new string[] { started.CertificateHash };
            c.InitiatingAuthenticationType = "pfsdk";
            c.ApplicationName = "MfaApproval";
            c.HttpTimeout = 100;
            c.Simulator = sim;
            sim.Connection = c;
            if (Default) Session.DefaultConnection = c;
            WriteVerbose("Simulator ready at " + started.Uri + " (certificate SHA-256 " + started.CertificateHash + ")");
            WriteObject(sim);
        }
    }
}
