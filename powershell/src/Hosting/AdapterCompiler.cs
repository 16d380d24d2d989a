// Compiles the MIM provider (mim/provider/*.cs) with a C# 5 compiler: the .NET Framework's
// csc.exe on Windows (the MIM Service's own runtime) or any csc/mcs given. The arguments are
// a list, joined by the Windows rules (CommandLine.Join), never a pasted command line; the
// compiler runs with a deadline and its output is kept to a bounded size.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using MfaApproval.Interop;

namespace MfaApproval.Hosting
{
    public static class AdapterCompiler
    {
        const int MaxOutputChars = 32 * 1024;
        const int DeadlineMs = 180 * 1000;

        /// <summary>The compiler to use when none is given: csc.exe of the .NET Framework 4.x
        /// (64-bit, as the MIM Service) on Windows, else mcs from PATH; null when none exists.</summary>
        public static string DefaultCompiler()
        {
            if (Loader.IsWindows)
            {
                string windir = Environment.GetEnvironmentVariable("WINDIR");
                if (string.IsNullOrEmpty(windir)) return null;
                string csc = Path.Combine(Path.Combine(Path.Combine(Path.Combine(windir, "Microsoft.NET"), "Framework64"), "v4.0.30319"), "csc.exe");
                return File.Exists(csc) ? csc : null;
            }
            string path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
            foreach (string dir in path.Split(Path.PathSeparator))
            {
                if (dir.Length == 0) continue;
                string mcs = Path.Combine(dir, "mcs");
                if (File.Exists(mcs)) return mcs;
            }
            return null;
        }

        /// <summary>The compiler's arguments (a list: each is one argument). Warnings do not stop
        /// an installation (compilers differ); the tests compile the same sources with -warnaserror.</summary>
        public static List<string> Arguments(string output, string interfaceAssembly, string moduleAssembly, IEnumerable<string> sources, bool directory)
        {
            List<string> a = new List<string>
            {
                "-noconfig", "-nologo", "-langversion:5", "-target:library", "-optimize+",
                "-out:" + output,
                "-r:System.dll", "-r:System.Core.dll", "-r:System.Xml.dll",
                "-r:" + interfaceAssembly,
                "-r:" + moduleAssembly,
            };
            if (directory)
            {
                a.Add("-r:System.DirectoryServices.dll");
                a.Add("-define:MFA_DIRECTORY");
            }
            a.AddRange(sources);
            return a;
        }

        /// <summary>Runs the compiler; returns its exit code and (bounded) output. Throws
        /// TimeoutException past the deadline (the compiler is killed).</summary>
        public static int Run(string compiler, IList<string> arguments, out string output)
        {
            ProcessStartInfo psi = new ProcessStartInfo(compiler, CommandLine.Join(arguments));
            psi.UseShellExecute = false;
            psi.RedirectStandardOutput = true;
            psi.RedirectStandardError = true;
            psi.CreateNoWindow = true;
            StringBuilder text = new StringBuilder();
            DataReceivedEventHandler keep = delegate(object sender, DataReceivedEventArgs e)
            {
                if (e.Data == null) return;
                lock (text)
                {
                    if (text.Length < MaxOutputChars) text.AppendLine(e.Data.Length > 2000 ? e.Data.Substring(0, 2000) : e.Data);
                }
            };
            using (Process p = new Process())
            {
                p.StartInfo = psi;
                p.OutputDataReceived += keep;
                p.ErrorDataReceived += keep;
                p.Start();
                p.BeginOutputReadLine();
                p.BeginErrorReadLine();
                if (!p.WaitForExit(DeadlineMs))
                {
                    try { p.Kill(); } catch (InvalidOperationException) { }
                    throw new TimeoutException("the compiler '" + compiler + "' did not finish within " + (DeadlineMs / 1000) + " s and was stopped");
                }
                p.WaitForExit();
                lock (text) output = text.ToString();
                return p.ExitCode;
            }
        }
    }
}
