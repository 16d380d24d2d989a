// Finding and loading the native library: the runtime identifier of this process, the
// path inside the module folder, and the platform loader (LoadLibraryExW on Windows,
// NativeLibrary through reflection on pwsh elsewhere). Load failures become one message
// that says what is wrong and what to do; LoadFailureMessage is a pure function so the
// Windows error mapping is tested on every platform.
using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;

namespace MfaApproval.Interop
{
    /// <summary>How a library is loaded and its exports found; Windows and .NET (Core) differ.</summary>
    public interface ILibraryLoader
    {
        /// <summary>Loads the library; throws Win32LoadException (Windows) or another exception.</summary>
        IntPtr Load(string fullPath);
        /// <summary>The export's address, or IntPtr.Zero.</summary>
        IntPtr Export(IntPtr library, string name);
    }

    /// <summary>LoadLibraryExW failed with this Win32 error.</summary>
    public class Win32LoadException : Exception
    {
        public int Win32Error { get; private set; }
        public Win32LoadException(int error) : base("LoadLibraryExW failed with Win32 error " + error) { Win32Error = error; }
    }

    public static class Loader
    {
        const uint LoadLibrarySearchDllLoadDir = 0x00000100;
        const uint LoadLibrarySearchDefaultDirs = 0x00001000;
        const uint SemFailCriticalErrors = 0x0001;

        public static bool IsWindows
        {
            get { return Environment.OSVersion.Platform == PlatformID.Win32NT; }
        }

        /// <summary>The runtimes/&lt;rid&gt; folder name for this process: win-x64, linux-arm64, ...
        /// An x64 process on ARM64 Windows is win-x64 (it must load the x64 build).</summary>
        public static string RuntimeIdentifier
        {
            get
            {
                string os = IsWindows ? "win" : "linux";
                string arch = null;
                Type info = Type.GetType("System.Runtime.InteropServices.RuntimeInformation");
                if (info != null)
                {
                    PropertyInfo processArchitecture = info.GetProperty("ProcessArchitecture");
                    if (processArchitecture != null) arch = processArchitecture.GetValue(null, null).ToString().ToLowerInvariant();
                    Type platform = Type.GetType("System.Runtime.InteropServices.OSPlatform");
                    MethodInfo isOs = info.GetMethod("IsOSPlatform");
                    if (!IsWindows && platform != null && isOs != null)
                    {
                        object osx = platform.GetProperty("OSX").GetValue(null, null);
                        if ((bool)isOs.Invoke(null, new object[] { osx })) os = "osx";
                    }
                }
                if (arch == null)
                {
                    // .NET Framework before 4.7.1: WOW64 sets PROCESSOR_ARCHITECTURE per process.
                    string env = Environment.GetEnvironmentVariable("PROCESSOR_ARCHITECTURE") ?? string.Empty;
                    arch = !Environment.Is64BitProcess ? "x86" : (env.Equals("ARM64", StringComparison.OrdinalIgnoreCase) ? "arm64" : "x64");
                }
                return os + "-" + arch;
            }
        }

        /// <summary>The library's file name for a runtime identifier.</summary>
        public static string LibraryFileName(string rid)
        {
            return rid.StartsWith("win-", StringComparison.Ordinal) ? "mfa_approval.dll"
                : rid.StartsWith("osx-", StringComparison.Ordinal) ? "libmfa_approval.dylib" : "libmfa_approval.so";
        }

        /// <summary>runtimes/&lt;rid&gt;/native/&lt;file&gt; inside a module folder.</summary>
        public static string LibraryPathIn(string moduleRoot, string rid)
        {
            return Path.GetFullPath(Path.Combine(Path.Combine(Path.Combine(Path.Combine(moduleRoot, "runtimes"), rid), "native"), LibraryFileName(rid)));
        }

        /// <summary>bin/&lt;rid&gt;/mfa-sim[.exe] inside a module folder.</summary>
        public static string SimulatorPathIn(string moduleRoot, string rid)
        {
            string exe = rid.StartsWith("win-", StringComparison.Ordinal) ? "mfa-sim.exe" : "mfa-sim";
            return Path.GetFullPath(Path.Combine(Path.Combine(Path.Combine(moduleRoot, "bin"), rid), exe));
        }

        /// <summary>Refuses what no build ships before looking for a file (32-bit hosts).</summary>
        public static string UnsupportedRuntimeMessage(string rid)
        {
            if (rid == "win-x86")
            {
                return "MfaApproval has no 32-bit (win-x86) build, and this is a 32-bit PowerShell. Use the 64-bit PowerShell (%windir%\\System32\\WindowsPowerShell\\v1.0\\powershell.exe; from a 32-bit process, %windir%\\Sysnative\\...), or the MIM wrapper mim\\Invoke-MfaApprovalOutOfProcess.ps1, which starts it for you.";
            }
            return null;
        }

        /// <summary>What a failed load means and what to do, by Win32 error (0 when not Windows).</summary>
        public static string LoadFailureMessage(string path, int win32Error, string detail)
        {
            string head = "Cannot load the MfaApproval native library '" + path + "': ";
            switch (win32Error)
            {
                case 126:
                    return head + "a library it depends on is missing (Win32 error 126, ERROR_MOD_NOT_FOUND). Release builds need only Windows system DLLs (Windows 10 / Server 2016 or later); reinstall the module, and check that nothing removed files from its runtimes folder.";
                case 193:
                    return head + "it is not a library for this process's architecture (Win32 error 193, ERROR_BAD_EXE_FORMAT). This PowerShell is " + RuntimeIdentifier + "; reinstall the module so runtimes\\" + RuntimeIdentifier + " holds the matching build.";
                case 5:
                    return head + "access is denied (Win32 error 5). The account running PowerShell (for MIM, the MIM Service account) needs read and execute rights on the module folder; AppLocker or WDAC may also block unsigned DLLs.";
                default:
                    return head + (win32Error != 0 ? "Win32 error " + win32Error + ". " : string.Empty) + (detail ?? string.Empty);
            }
        }

        /// <summary>The loader for this platform.</summary>
        public static ILibraryLoader ForThisPlatform()
        {
            if (IsWindows) return new WindowsLoader();
            return new DotNetLoader();
        }

        sealed class WindowsLoader : ILibraryLoader
        {
            [DllImport("kernel32", CharSet = CharSet.Unicode, SetLastError = true)]
            static extern IntPtr LoadLibraryExW(string path, IntPtr file, uint flags);
            [DllImport("kernel32", CharSet = CharSet.Ansi, SetLastError = true, BestFitMapping = false, ThrowOnUnmappableChar = true)]
            static extern IntPtr GetProcAddress(IntPtr module, string name);
            [DllImport("kernel32", SetLastError = true)]
            static extern bool SetThreadErrorMode(uint newMode, out uint oldMode);

            public IntPtr Load(string fullPath)
            {
                // No "cannot find DLL" dialog box in a service: the failure comes back as an error code.
                uint oldMode;
                bool modeSet = SetThreadErrorMode(SemFailCriticalErrors, out oldMode);
                try
                {
                    IntPtr h = LoadLibraryExW(fullPath, IntPtr.Zero, LoadLibrarySearchDllLoadDir | LoadLibrarySearchDefaultDirs);
                    if (h == IntPtr.Zero) throw new Win32LoadException(Marshal.GetLastWin32Error());
                    return h;
                }
                finally
                {
                    uint ignored;
                    if (modeSet) SetThreadErrorMode(oldMode, out ignored);
                }
            }

            public IntPtr Export(IntPtr library, string name)
            {
                return GetProcAddress(library, name);
            }
        }

        sealed class DotNetLoader : ILibraryLoader
        {
            readonly Type nativeLibrary = Type.GetType("System.Runtime.InteropServices.NativeLibrary");

            public IntPtr Load(string fullPath)
            {
                if (nativeLibrary == null)
                {
                    throw new PlatformNotSupportedException("this runtime has no NativeLibrary; on Linux and macOS use PowerShell 7");
                }
                MethodInfo load = nativeLibrary.GetMethod("Load", new Type[] { typeof(string) });
                try
                {
                    return (IntPtr)load.Invoke(null, new object[] { fullPath });
                }
                catch (TargetInvocationException e)
                {
                    throw e.InnerException ?? e;
                }
            }

            public IntPtr Export(IntPtr library, string name)
            {
                MethodInfo tryGet = nativeLibrary.GetMethod("TryGetExport", new Type[] { typeof(IntPtr), typeof(string), typeof(IntPtr).MakeByRefType() });
                object[] args = new object[] { library, name, IntPtr.Zero };
                return (bool)tryGet.Invoke(null, args) ? (IntPtr)args[2] : IntPtr.Zero;
            }
        }
    }
}
