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

        /// <summary>Which API the returned Connection uses (the simulator serves both).</summary>
        [Parameter]
        public MfaProvider Provider { get; set; }

        /// <summary>The simulator's documented demo Duo secret key (README). Demo only.</summary>
        const string DemoDuoSecretKey = "demo-duo-secret-key-for-mfa-sim-only-0000";
        /// <summary>The simulator's documented demo RADIUS shared secret (README). Demo only.</summary>
        const string DemoRadiusSecret = "demo-radius-shared-secret-for-mfa-sim-only";
        /// <summary>The simulator's documented demo Okta API token (README). Demo only.</summary>
        const string DemoOktaApiToken = "00demo-okta-api-token-for-mfa-sim-only-0000000";

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
            bool radius = Provider == MfaProvider.Radius;
            if (radius) arguments.Add("--radius");
            WriteVerbose("Starting the simulator: " + path + " " + CommandLine.Join(arguments));
            string error;
            SimulatorProcess.Started started = SimulatorProcess.Start(path, arguments, out error);
            if (started == null)
            {
                ThrowTerminatingError(Errors.Record("MfaApproval.SimulatorStartFailed", "The simulator did not start: " + error, ErrorCategory.ResourceUnavailable, path));
            }
            bool duo = Provider == MfaProvider.Duo;
            bool okta = Provider == MfaProvider.Okta;
            // Uri is the API the returned Connection speaks (Duo, Okta: the API's base, not the SDK's .asmx).
            Simulator sim = new Simulator(started.Process, duo || okta ? new Uri(started.DuoBase) : started.Uri, started.CertificateHash);
            sim.Job = started.Job;
            Session.Remember(sim);
            SecureString secret = new SecureString();
            foreach (char ch in duo ? DemoDuoSecretKey : okta ? DemoOktaApiToken : radius ? DemoRadiusSecret : "demo-password") secret.AppendChar(ch);
            secret.MakeReadOnly();
            JsonObject config = new JsonObject()
                .Add("provider", duo ? "duo" : okta ? "okta" : "mfaserver")
                .Add("uri", duo || okta ? started.DuoBase : started.Uri.AbsoluteUri)
                .Add("serverCertificateSha256", new string[] { started.CertificateHash });
            if (duo) config.Add("integrationKey", started.DuoIntegrationKey);
            else if (!radius && !okta) config.Add("userName", "demo-admin");
            if (radius)
            {
                config = new JsonObject().Add("provider", "radius").Add("servers", new string[] { started.RadiusServer ?? string.Empty });
            }
            MfaClientHandle client = null;
            try
            {
                client = Native.NewClient(config.ToString(), new KeyValuePair<uint, SecureString>[]
                {
                    new KeyValuePair<uint, SecureString>(duo ? Native.SecretDuoSecretKey : okta ? Native.SecretOktaApiToken : radius ? Native.SecretRadiusSharedSecret : Native.SecretBasicPassword, secret),
                });
            }
            catch (MfaNativeException e)
            {
                SimulatorProcess.Stop(sim);
                ThrowTerminatingError(Errors.Record("MfaApproval.SimulatorStartFailed", "The simulator started but no connection could be made: " + e.Message, ErrorCategory.ResourceUnavailable, path, e));
            }
            finally
            {
                secret.Dispose();
            }
            Connection c = new Connection(client);
            c.ConfigJson = config.ToString();
            c.Provider = duo ? "Duo" : okta ? "Okta" : "MfaServer";
            c.Uri = duo || okta ? new Uri(started.DuoBase) : started.Uri;
            c.ServerCertificateHash = new string[] { started.CertificateHash };
            c.ApplicationName = "MfaApproval";
            c.HttpTimeout = 100;
            c.Proxy = "none";
            if (radius)
            {
                c.Provider = "Radius";
                c.Uri = new Uri("radius://" + started.RadiusServer);
                c.ServerCertificateHash = new string[0];
                c.Servers = new string[] { started.RadiusServer };
                c.NasIdentifier = "MfaApproval";
                c.PasswordMode = "None";
                c.Authentication = "SharedSecret";
            }
            else if (duo)
            {
                c.IntegrationKey = started.DuoIntegrationKey;
                c.Authentication = "DuoSignature";
            }
            else if (okta)
            {
                c.Authentication = "OktaApiToken";
            }
            else
            {
                c.UserName = "demo-admin";
                c.Authentication = "Basic";
                c.InitiatingAuthenticationType = "pfsdk";
            }
            c.Simulator = sim;
            sim.Connection = c;
            if (Default) Session.DefaultConnection = c;
            WriteVerbose("Simulator ready at " + started.Uri + " (certificate SHA-256 " + started.CertificateHash + ")");
            WriteObject(sim);
        }
    }
}
