// Plays the MIM Service for tests/MimProvider.Tests.ps1 (Linux, pwsh) and the Windows
// workflow (Windows PowerShell 5.1, .NET Framework): loads the installed adapter by
// reflection from the Service folder, finds the class that implements IPhoneServiceProvider
// (as MIM does, whatever it is called), and drives it as MIM may: InitiateCall on one
// thread, GetCallStatus from a pool of other threads while the answer is Pending, and
// GetFailureMessage from yet another thread after a Failed. Any exception that escapes the
// adapter is counted (there must be none). C# 5, compiled by mcs or csc against the
// stand-in interface assembly.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Reflection;
using System.Threading;
using Microsoft.IdentityManagement.PhoneServiceProvider;

namespace MfaApproval.Tests
{
    public sealed class CallReport
    {
        public int Index;
        public string Phone;
        public string RequestId;
        public string Initiated;
        public string Final;
        public string Message;
        public int InitiateThread;
        public int StatusThread;
        public int MessageThread;
        public int Polls;
        public double Seconds;
        public string Escaped;
    }

    public static class MimHarness
    {
        /// <summary>The adapter's provider instance (its type found by the interface it implements).</summary>
        public static IPhoneServiceProvider Load(string adapterPath)
        {
            Assembly adapter = Assembly.LoadFrom(adapterPath);
            foreach (Type t in adapter.GetExportedTypes())
            {
                if (t.IsClass && !t.IsAbstract && typeof(IPhoneServiceProvider).IsAssignableFrom(t))
                {
                    return (IPhoneServiceProvider)Activator.CreateInstance(t);
                }
            }
            throw new InvalidOperationException("no class in " + adapterPath + " implements IPhoneServiceProvider");
        }

        /// <summary>Starts one call per phone (all from one thread, as fast as it can), polls
        /// the pending ones from <paramref name="pollers"/> threads every 50 ms, reads each
        /// failure's message on a separate thread. Gives up on a call after
        /// <paramref name="deadlineSeconds"/> (its report stays Pending).</summary>
        public static CallReport[] Run(IPhoneServiceProvider provider, string[] phones, int pollers, double deadlineSeconds)
        {
            CallReport[] reports = new CallReport[phones.Length];
            Queue<CallReport> pending = new Queue<CallReport>();
            Queue<CallReport> failed = new Queue<CallReport>();
            object gate = new object();
            int remaining = phones.Length;
            bool initiating = true;
            Stopwatch clock = Stopwatch.StartNew();

            Action<CallReport> finish = delegate(CallReport r)
            {
                r.Seconds = clock.Elapsed.TotalSeconds;
                lock (gate)
                {
                    if (r.Final == "Failed") { failed.Enqueue(r); Monitor.PulseAll(gate); }
                    else { remaining--; Monitor.PulseAll(gate); }
                }
            };

            Thread starter = new Thread(delegate()
            {
                for (int i = 0; i < phones.Length; i++)
                {
                    CallReport r = new CallReport();
                    r.Index = i;
                    r.Phone = phones[i];
                    r.RequestId = Guid.NewGuid().ToString();
                    r.InitiateThread = Thread.CurrentThread.ManagedThreadId;
                    reports[i] = r;
                    PhoneCallStatus s;
                    try
                    {
                        s = provider.InitiateCall(phones[i], new Guid(r.RequestId), new Dictionary<string, object>());
                    }
                    catch (Exception e)
                    {
                        r.Escaped = "InitiateCall: " + e.GetType().FullName + ": " + e.Message;
                        s = PhoneCallStatus.Failed;
                    }
                    r.Initiated = s.ToString();
                    if (s == PhoneCallStatus.Pending)
                    {
                        lock (gate) { pending.Enqueue(r); Monitor.PulseAll(gate); }
                    }
                    else
                    {
                        r.Final = s.ToString();
                        finish(r);
                    }
                }
                lock (gate) { initiating = false; Monitor.PulseAll(gate); }
            });

            ThreadStart poll = delegate()
            {
                while (true)
                {
                    CallReport r;
                    lock (gate)
                    {
                        while (pending.Count == 0)
                        {
                            if (!initiating && AllFinal(reports)) return;
                            if (clock.Elapsed.TotalSeconds > deadlineSeconds + 5) return;
                            Monitor.Wait(gate, 100);
                        }
                        r = pending.Dequeue();
                    }
                    PhoneCallStatus s;
                    try
                    {
                        s = provider.GetCallStatus(r.RequestId);
                    }
                    catch (Exception e)
                    {
                        r.Escaped = "GetCallStatus: " + e.GetType().FullName + ": " + e.Message;
                        s = PhoneCallStatus.Failed;
                    }
                    r.Polls++;
                    r.StatusThread = Thread.CurrentThread.ManagedThreadId;
                    if (s == PhoneCallStatus.Pending)
                    {
                        if (clock.Elapsed.TotalSeconds > deadlineSeconds)
                        {
                            r.Final = "Pending";
                            finish(r);
                            continue;
                        }
                        // MIM's own cadence is not documented; 50 ms keeps 200 calls busy without spinning.
                        Thread.Sleep(50);
                        lock (gate) { pending.Enqueue(r); Monitor.PulseAll(gate); }
                    }
                    else
                    {
                        r.Final = s.ToString();
                        finish(r);
                    }
                }
            };

            Thread messenger = new Thread(delegate()
            {
                while (true)
                {
                    CallReport r;
                    lock (gate)
                    {
                        while (failed.Count == 0)
                        {
                            if (remaining == 0 || clock.Elapsed.TotalSeconds > deadlineSeconds + 10) return;
                            Monitor.Wait(gate, 100);
                        }
                        r = failed.Dequeue();
                    }
                    try
                    {
                        r.Message = provider.GetFailureMessage(r.RequestId);
                    }
                    catch (Exception e)
                    {
                        r.Escaped = "GetFailureMessage: " + e.GetType().FullName + ": " + e.Message;
                    }
                    r.MessageThread = Thread.CurrentThread.ManagedThreadId;
                    lock (gate) { remaining--; Monitor.PulseAll(gate); }
                }
            });

            List<Thread> threads = new List<Thread>();
            threads.Add(starter);
            threads.Add(messenger);
            for (int i = 0; i < pollers; i++) threads.Add(new Thread(poll));
            foreach (Thread t in threads) { t.IsBackground = true; t.Start(); }
            foreach (Thread t in threads) t.Join(TimeSpan.FromSeconds(deadlineSeconds + 20));
            return reports;
        }

        /// <summary>Initiates one request id from two threads released at the same moment
        /// (a Barrier), with <paramref name="first"/> and <paramref name="second"/> as the
        /// numbers, <paramref name="rounds"/> times with a new id each; returns per round the
        /// two answers ("Pending"/"Failed"/"Success", or "Escaped: ..." for an exception).</summary>
        public static string[][] InitiateTwiceAtOnce(IPhoneServiceProvider provider, string first, string second, int rounds, out Guid[] ids)
        {
            string[][] answers = new string[rounds][];
            ids = new Guid[rounds];
            for (int round = 0; round < rounds; round++)
            {
                Guid id = Guid.NewGuid();
                ids[round] = id;
                string[] pair = new string[2];
                using (Barrier start = new Barrier(2))
                {
                    Thread[] threads = new Thread[2];
                    for (int t = 0; t < 2; t++)
                    {
                        int slot = t;
                        threads[t] = new Thread(delegate()
                        {
                            start.SignalAndWait();
                            try { pair[slot] = provider.InitiateCall(slot == 0 ? first : second, id, new Dictionary<string, object>()).ToString(); }
                            catch (Exception e) { pair[slot] = "Escaped: " + e.GetType().FullName + ": " + e.Message; }
                        });
                        threads[t].Start();
                    }
                    foreach (Thread t in threads) t.Join();
                }
                answers[round] = pair;
            }
            return answers;
        }

        static bool AllFinal(CallReport[] reports)
        {
            foreach (CallReport r in reports) if (r == null || r.Final == null) return false;
            return true;
        }
    }
}
