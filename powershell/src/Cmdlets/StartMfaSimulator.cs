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
using System.Reflection;
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

        /// <summary>Which API the returned Connection uses (the simulator serves every provider;
        /// it prints a ready connection for each, so this cmdlet knows none of them).</summary>
        [Parameter]
        public MfaProvider Provider { get; set; }

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
            ProviderSpec spec = Providers.Find(Provider.ToString());
            // The simulator serves what the provider needs (RADIUS: its UDP listener).
            arguments.Add("--serve");
            arguments.Add(spec.Name);
            // Its ready lines carry the README's demo secrets for the connection (read from
            // the pipe here, never shown).
            arguments.Add("--connection-secrets");
            WriteVerbose("Starting the simulator: " + path + " " + CommandLine.Join(arguments));
            string error;
            SimulatorProcess.Started started = SimulatorProcess.Start(path, arguments, scripted, out error);
            if (started == null)
            {
                ThrowTerminatingError(Errors.Record("MfaApproval.SimulatorStartFailed", "The simulator did not start: " + error, ErrorCategory.ResourceUnavailable, path));
            }
            // The simulator printed a ready connection for each provider it serves: its
            // configuration (pins included) and the README's demo secrets, by name.
            string line;
            Dictionary<string, object> ready = null;
            if (started.Connections.TryGetValue(spec.Name, out line)) ready = JsonReader.ParseObject(line);
            Dictionary<string, object> fields = ready == null ? null : ready["config"] as Dictionary<string, object>;
            Dictionary<string, object> demo = ready == null ? null : ready["secrets"] as Dictionary<string, object>;
            if (fields == null || demo == null)
            {
                Simulator failed = new Simulator(started.Process, started.Uri, started.CertificateHash);
                failed.Job = started.Job;
                SimulatorProcess.Stop(failed);
                ThrowTerminatingError(Errors.Record("MfaApproval.SimulatorStartFailed", "The simulator started but printed no connection for " + spec.Display + ".", ErrorCategory.ResourceUnavailable, path));
            }
            JsonObject config = new JsonObject();
            foreach (KeyValuePair<string, object> f in fields) config.Add(f.Key, f.Value is List<object> ? ((List<object>)f.Value).ConvertAll(x => Convert.ToString(x, CultureInfo.InvariantCulture)).ToArray() : f.Value);
            object uriText;
            object servers;
            string server = fields.TryGetValue("servers", out servers) && servers is List<object> && ((List<object>)servers).Count > 0 ? (string)((List<object>)servers)[0] : null;
            Uri simUri = fields.TryGetValue("uri", out uriText) && uriText is string ? new Uri((string)uriText) : new Uri("radius://" + server);
            Simulator sim = new Simulator(started.Process, simUri, started.CertificateHash);
            sim.Job = started.Job;
            Session.Remember(sim);
            List<KeyValuePair<uint, SecureString>> secrets = new List<KeyValuePair<uint, SecureString>>();
            List<string> authentication = new List<string>();
            MfaClientHandle client = null;
            try
            {
                foreach (ProviderSecret s in spec.Secrets)
                {
                    object value;
                    if (!demo.TryGetValue(s.Name, out value) || !(value is string)) continue;
                    SecureString secret = new SecureString();
                    foreach (char ch in (string)value) secret.AppendChar(ch);
                    secret.MakeReadOnly();
                    secrets.Add(new KeyValuePair<uint, SecureString>(s.Kind, secret));
                    if (s.Shown.Length > 0) authentication.Add(s.Shown);
                }
                client = Native.NewClient(config.ToString(), secrets.ToArray());
            }
            catch (MfaNativeException e)
            {
                SimulatorProcess.Stop(sim);
                ThrowTerminatingError(Errors.Record("MfaApproval.SimulatorStartFailed", "The simulator started but no connection could be made: " + e.Message, ErrorCategory.ResourceUnavailable, path, e));
            }
            finally
            {
                foreach (KeyValuePair<uint, SecureString> each in secrets) each.Value.Dispose();
            }
            Connection c = new Connection(client);
            c.ConfigJson = config.ToString();
            c.SecretKinds = Connection.KindsOf(secrets);
            c.Provider = spec.Label;
            c.Uri = simUri;
            c.ServerCertificateHash = spec.Http ? new string[] { started.CertificateHash } : new string[0];
            c.ApplicationName = Contract.DefaultApplicationName;
            c.HttpTimeout = (int)Contract.DefaultHttpTimeoutSeconds;
            c.Proxy = "none";
            object text;
            if (fields.TryGetValue("userName", out text)) c.UserName = text as string;
            // Every other field the Connection shows, by the parameter that sets it.
            foreach (ProviderField f in spec.Fields)
            {
                object value;
                PropertyInfo shown = f.Parameter.Length > 0 ? typeof(Connection).GetProperty(f.Parameter) : null;
                if (shown == null || shown.PropertyType != typeof(string) || !fields.TryGetValue(f.Json, out value) || !(value is string)) continue;
                string word = (string)value;
                if (f.Value == "choice" && word.Length > 0) word = char.ToUpperInvariant(word[0]) + word.Substring(1);
                shown.GetSetMethod(true).Invoke(c, new object[] { word });
            }
            if (server != null) c.Servers = new string[] { server };
            c.Authentication = string.Join(", ", authentication.ToArray());
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
