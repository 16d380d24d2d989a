// Start-MfaSimulator: runs the bundled mfa-sim on a free loopback port over HTTPS and
// returns it with a ready connection (its certificate pinned, the demo credential).
// -User scripts answers per test (approve, deny, fraud, no response, each after a delay),
// the same on every provider; they reach the simulator as one line of JSON on its
// standard input (--directory -), never on its command line or in a file.
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

        /// <summary>Scripted users: user name = 'Approve', 'Deny', 'Fraud' or 'NoResponse', or
        /// @{ Answer = ...; DelaySeconds = n } (at once by default; NoResponse waits -NoResponseAfter).</summary>
        [Parameter]
        [ValidateNotNull]
        public System.Collections.IDictionary User { get; set; }

        /// <summary>The answers -User takes: the ones every provider of the simulator gives
        /// (the simulator's MFA Server faults are for -DirectoryFile).</summary>
        static readonly string[] Answers = { "Approve", "Deny", "Fraud", "NoResponse" };

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
            string scripted = null;
            if (User != null)
            {
                if (DirectoryFile != null)
                {
                    ThrowTerminatingError(Errors.Record("MfaApproval.InvalidArgument", "-User and -DirectoryFile: give one of them (put the users of -User into the directory file, or leave the file out).", ErrorCategory.InvalidArgument, User));
                }
                scripted = ScriptedUsers(User);
                arguments.Add("--directory");
                arguments.Add("-");
            }
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
            SimulatorProcess.Started started = SimulatorProcess.Start(path, arguments, scripted, out error);
            if (started == null)
            {
                ThrowTerminatingError(Errors.Record("MfaApproval.SimulatorStartFailed", "The simulator did not start: " + error, ErrorCategory.ResourceUnavailable, path));
            }
            bool duo = Provider == MfaProvider.Duo;
            bool okta = Provider == MfaProvider.Okta;
            // Uri is the API the returned Connection speaks (Duo, Okta: the API's base, not the SDK's
            // .asmx; RADIUS: radius://127.0.0.1:PORT, the connection's own Uri).
            Uri simUri = radius ? new Uri("radius://" + started.RadiusServer) : duo || okta ? new Uri(started.DuoBase) : started.Uri;
            Simulator sim = new Simulator(started.Process, simUri, started.CertificateHash);
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
            WriteVerbose("Simulator ready at " + sim.Uri + " (certificate SHA-256 " + started.CertificateHash + ")");
            WriteObject(sim);
        }

        /// <summary>-User as the simulator's directory document (one line of JSON); a bad entry
        /// is a terminating error naming the user and what to write instead.</summary>
        string ScriptedUsers(System.Collections.IDictionary users)
        {
            List<JsonObject> list = new List<JsonObject>();
            foreach (System.Collections.DictionaryEntry e in users)
            {
                string name = e.Key == null ? null : Convert.ToString(e.Key, CultureInfo.InvariantCulture).Trim();
                if (string.IsNullOrEmpty(name)) Refuse("a user name is empty");
                object value = e.Value is PSObject ? ((PSObject)e.Value).BaseObject : e.Value;
                object answer = value;
                double delay = 0;
                System.Collections.IDictionary detail = value as System.Collections.IDictionary;
                if (detail != null)
                {
                    answer = null;
                    foreach (System.Collections.DictionaryEntry d in detail)
                    {
                        string key = Convert.ToString(d.Key, CultureInfo.InvariantCulture);
                        object v = d.Value is PSObject ? ((PSObject)d.Value).BaseObject : d.Value;
                        if (string.Equals(key, "Answer", StringComparison.OrdinalIgnoreCase)) answer = v;
                        else if (string.Equals(key, "DelaySeconds", StringComparison.OrdinalIgnoreCase))
                        {
                            if (!(v is int || v is long || v is double || v is decimal || v is float) || Convert.ToDouble(v, CultureInfo.InvariantCulture) < 0 || Convert.ToDouble(v, CultureInfo.InvariantCulture) > 3600)
                            {
                                Refuse("'" + name + "': DelaySeconds must be a number of seconds from 0 to 3600");
                            }
                            delay = Convert.ToDouble(v, CultureInfo.InvariantCulture);
                        }
                        else Refuse("'" + name + "': '" + key + "' is not a setting; use @{ Answer = 'Approve'; DelaySeconds = 2 }");
                    }
                }
                string text = answer as string;
                string known = null;
                foreach (string a in Answers)
                {
                    if (string.Equals(a, text, StringComparison.OrdinalIgnoreCase)) known = a;
                }
                if (known == null)
                {
                    Refuse("'" + name + "': the answer must be " + string.Join(", ", Answers) + ", or @{ Answer = 'Approve'; DelaySeconds = 2 } (MFA Server faults go in a -DirectoryFile)");
                }
                list.Add(new JsonObject()
                    .Add("userName", name)
                    .Add("answer", char.ToLowerInvariant(known[0]) + known.Substring(1))
                    .Add("delaySeconds", delay));
            }
            return new JsonObject().Add("users", list).ToString();
        }

        void Refuse(string problem)
        {
            ThrowTerminatingError(Errors.Record("MfaApproval.InvalidArgument", "-User: " + problem + ".", ErrorCategory.InvalidArgument, User));
        }
    }
}
