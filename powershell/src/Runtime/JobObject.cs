// A Windows Job Object with JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE: a child assigned to it
// dies when this process dies (even when it is killed), so a simulator never outlives the
// session that started it. Elsewhere Create returns null (the simulator exits on stdin EOF).
using System;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace MfaApproval
{
    public sealed class JobObject : IDisposable
    {
        const int JobObjectExtendedLimitInformation = 9;
        const uint JobObjectLimitKillOnJobClose = 0x2000;

        [StructLayout(LayoutKind.Sequential)]
        struct BasicLimitInformation
        {
            public long PerProcessUserTimeLimit;
            public long PerJobUserTimeLimit;
            public uint LimitFlags;
            public UIntPtr MinimumWorkingSetSize;
            public UIntPtr MaximumWorkingSetSize;
            public uint ActiveProcessLimit;
            public UIntPtr Affinity;
            public uint PriorityClass;
            public uint SchedulingClass;
        }

        [StructLayout(LayoutKind.Sequential)]
        struct IoCounters
        {
            public ulong ReadOperationCount, WriteOperationCount, OtherOperationCount, ReadTransferCount, WriteTransferCount, OtherTransferCount;
        }

        [StructLayout(LayoutKind.Sequential)]
        struct ExtendedLimitInformation
        {
            public BasicLimitInformation BasicLimitInformation;
            public IoCounters IoInfo;
            public UIntPtr ProcessMemoryLimit;
            public UIntPtr JobMemoryLimit;
            public UIntPtr PeakProcessMemoryUsed;
            public UIntPtr PeakJobMemoryUsed;
        }

        [DllImport("kernel32", CharSet = CharSet.Unicode, SetLastError = true)]
        static extern IntPtr CreateJobObjectW(IntPtr attributes, string name);
        [DllImport("kernel32", SetLastError = true)]
        static extern bool SetInformationJobObject(IntPtr job, int infoClass, ref ExtendedLimitInformation info, uint length);
        [DllImport("kernel32", SetLastError = true)]
        static extern bool AssignProcessToJobObject(IntPtr job, IntPtr process);
        [DllImport("kernel32", SetLastError = true)]
        static extern bool CloseHandle(IntPtr handle);

        IntPtr handle;

        JobObject(IntPtr handle) { this.handle = handle; }

        /// <summary>Puts <paramref name="process"/> in a new kill-on-close job (Windows); null elsewhere.
        /// Throws Win32Exception when Windows refuses.</summary>
        public static JobObject Create(Process process)
        {
            if (!Interop.Loader.IsWindows) return null;
            IntPtr job = CreateJobObjectW(IntPtr.Zero, null);
            if (job == IntPtr.Zero) throw new System.ComponentModel.Win32Exception(Marshal.GetLastWin32Error());
            JobObject result = new JobObject(job);
            ExtendedLimitInformation info = new ExtendedLimitInformation();
            info.BasicLimitInformation.LimitFlags = JobObjectLimitKillOnJobClose;
            if (!SetInformationJobObject(job, JobObjectExtendedLimitInformation, ref info, (uint)Marshal.SizeOf(typeof(ExtendedLimitInformation)))
                || !AssignProcessToJobObject(job, process.Handle))
            {
                int error = Marshal.GetLastWin32Error();
                result.Dispose();
                throw new System.ComponentModel.Win32Exception(error);
            }
            return result;
        }

        /// <summary>Closing the last handle kills every process in the job.</summary>
        public void Dispose()
        {
            if (handle != IntPtr.Zero)
            {
                CloseHandle(handle);
                handle = IntPtr.Zero;
            }
        }
    }
}
