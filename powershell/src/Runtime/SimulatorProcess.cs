// Starting and stopping mfa-sim: arguments as an argv (never pasted), the "ready"
// handshake on stdout within 20 s, stdout and stderr drained for the process's lifetime
// (a full pipe would block the simulator), a kill-on-close Job Object on Windows, and the
// execute bit restored where a package dropped it (zip-based .nupkg files do).
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Reflection;
using System.Threading;

namespace MfaApproval
{
    internal static class SimulatorProcess
    {
        public sealed class Started
        {
            public Process Process;
            public Uri Uri;
            public string CertificateHash;
            /// <summary>The Duo API base (https://127.0.0.1:PORT) and its integration key.</summary>
            public string DuoBase;
            public string DuoIntegrationKey;
            /// <summary>With --radius: the RADIUS server's address (127.0.0.1:PORT).</summary>
            public string RadiusServer;
            /// <summary>The simulator's "connection:" lines: one ready connection per provider it
            /// serves ({"config":{...},"secrets":{name: demo value}}), by provider name.</summary>
            public Dictionary<string, string> Connections = new Dictionary<string, string>(StringComparer.Ordinal);
            public IDisposable Job;
        }

        /// <summary>Makes sure <paramref name="path"/> is executable on Unix; returns an error message or null.</summary>
        public static string EnsureExecutable(string path)
        {
            if (Interop.Loader.IsWindows) return null;
            Type file = typeof(File);
            MethodInfo get = file.GetMethod("GetUnixFileMode", new Type[] { typeof(string) });
            MethodInfo set = null;
            foreach (MethodInfo m in file.GetMethods())
            {
                ParameterInfo[] p = m.GetParameters();
                if (m.Name == "SetUnixFileMode" && p.Length == 2 && p[0].ParameterType == typeof(string)) set = m;
            }
            if (get == null || set == null) return null;
            int mode = Convert.ToInt32(get.Invoke(null, new object[] { path }));
            const int userExecute = 64, groupExecute = 8, otherExecute = 1;
            if ((mode & userExecute) != 0) return null;
            int wanted = mode | userExecute | ((mode & 32) != 0 ? groupExecute : 0) | ((mode & 4) != 0 ? otherExecute : 0);
            try
            {
                set.Invoke(null, new object[] { path, Enum.ToObject(set.GetParameters()[1].ParameterType, wanted) });
                return null;
            }
            catch (TargetInvocationException e)
            {
                return "The simulator '" + path + "' is not executable and its mode cannot be changed (" + (e.InnerException ?? e).Message + "); run: chmod +x '" + path + "'";
            }
        }

        /// <summary>Starts the simulator; <paramref name="stdinLine"/> (a directory document for
        /// --directory -, or null) goes to its standard input as one line of UTF-8.</summary>
        public static Started Start(string path, IList<string> arguments, string stdinLine, out string error)
        {
            error = null;
            ProcessStartInfo info = new ProcessStartInfo(path, CommandLine.Join(arguments));
            info.UseShellExecute = false;
            info.RedirectStandardInput = true;
            info.RedirectStandardOutput = true;
            info.RedirectStandardError = true;
            info.CreateNoWindow = true;
            Process process = Process.Start(info);
            IDisposable job = null;
            try { job = JobObject.Create(process); }
            catch (Exception) { /* nested jobs on old hosts: stdin EOF still ends the simulator */ }
            if (stdinLine != null)
            {
                // UTF-8 bytes on the base stream (.NET Framework would encode the writer in the
                // console's code page); the line stays open for --exit-on-stdin-eof.
                try
                {
                    byte[] bytes = new System.Text.UTF8Encoding(false).GetBytes(stdinLine + "\n");
                    process.StandardInput.BaseStream.Write(bytes, 0, bytes.Length);
                    process.StandardInput.BaseStream.Flush();
                }
                catch (IOException) { /* the simulator exited: its error is read below */ }
            }

            List<string> lines = new List<string>();
            Queue<string> errors = new Queue<string>();
            ManualResetEvent ready = new ManualResetEvent(false);
            Thread reader = new Thread(delegate ()
            {
                try
                {
                    string line;
                    while ((line = process.StandardOutput.ReadLine()) != null)
                    {
                        if (ready.WaitOne(0)) continue; // drained, not kept
                        lock (lines) lines.Add(line);
                        if (line == "ready") ready.Set();
                    }
                }
                catch (Exception) { }
                finally { ready.Set(); }
            });
            reader.IsBackground = true;
            reader.Start();
            process.ErrorDataReceived += delegate (object sender, DataReceivedEventArgs e)
            {
                if (e.Data == null) return;
                lock (errors)
                {
                    errors.Enqueue(e.Data.Length > 500 ? e.Data.Substring(0, 500) : e.Data);
                    while (errors.Count > 10) errors.Dequeue();
                }
            };
            process.BeginErrorReadLine();

            bool signalled = ready.WaitOne(TimeSpan.FromSeconds(20));
            string[] got;
            lock (lines) got = lines.ToArray();
            if (!signalled || got.Length == 0 || got[got.Length - 1] != "ready")
            {
                if (!process.HasExited) { try { process.Kill(); } catch (Exception) { } }
                process.WaitForExit(5000);
                string stderr;
                lock (errors) stderr = string.Join(Environment.NewLine, errors.ToArray()).Trim();
                error = stderr.Length > 0 ? stderr : "no ready line within 20 s";
                if (job != null) job.Dispose();
                return null;
            }
            Started s = new Started();
            s.Process = process;
            s.Job = job;
            s.Uri = new Uri(got[0]);
            foreach (string line in got)
            {
                if (line.StartsWith("certificate-sha256: ", StringComparison.Ordinal)) s.CertificateHash = line.Substring("certificate-sha256: ".Length);
                if (line.StartsWith("radius: ", StringComparison.Ordinal))
                {
                    // radius: 127.0.0.1:PORT (demo shared secret: see README)
                    s.RadiusServer = line.Substring("radius: ".Length).Split(' ')[0];
                }
                if (line.StartsWith("connection: ", StringComparison.Ordinal))
                {
                    string json = line.Substring("connection: ".Length);
                    try
                    {
                        Dictionary<string, object> config = Json.JsonReader.ParseObject(json)["config"] as Dictionary<string, object>;
                        object name;
                        if (config != null && config.TryGetValue("provider", out name) && name is string) s.Connections[(string)name] = json;
                    }
                    catch (FormatException) { }
                    catch (KeyNotFoundException) { }
                }
                if (line.StartsWith("duo-api: ", StringComparison.Ordinal))
                {
                    // duo-api: https://127.0.0.1:PORT integration key DI...
                    string[] parts = line.Substring("duo-api: ".Length).Split(' ');
                    s.DuoBase = parts[0];
                    s.DuoIntegrationKey = parts[parts.Length - 1];
                }
            }
            return s;
        }

        /// <summary>Ends one simulator (stdin EOF, then kill after 5 s) and forgets it.</summary>
        public static void Stop(Simulator sim)
        {
            Process p = sim.Process;
            if (!p.HasExited)
            {
                try { p.StandardInput.Close(); } catch (Exception) { }
                if (!p.WaitForExit(5000))
                {
                    try { p.Kill(); } catch (Exception) { }
                    p.WaitForExit(5000);
                }
            }
            if (sim.Job != null) sim.Job.Dispose();
            if (sim.Connection != null) sim.Connection.NativeClient.Dispose();
            Session.Forget(sim);
        }
    }
}
