// The two ways the native layer fails: a call refused (its mfa_result and the library's
// message, which names the field) and a library that cannot be loaded.
using System;
using System.Management.Automation;

namespace MfaApproval.Interop
{
    /// <summary>An error reported by the native library: its result number and message.</summary>
    public class MfaNativeException : Exception
    {
        public uint Result { get; private set; }
        public string ResultName { get; private set; }

        public MfaNativeException(uint result, string message)
            : base(message)
        {
            Result = result;
            ResultName = Native.ResultName(result);
        }

        /// <summary>The field the message names ("uri" in "uri: has no host"), or null.</summary>
        public string Field
        {
            get
            {
                int colon = Message.IndexOf(": ", StringComparison.Ordinal);
                return colon > 0 ? Message.Substring(0, colon) : null;
            }
        }

        /// <summary>The message without its field prefix.</summary>
        public string Problem
        {
            get
            {
                int colon = Message.IndexOf(": ", StringComparison.Ordinal);
                return colon > 0 ? Message.Substring(colon + 2) : Message;
            }
        }
    }

    /// <summary>The library could not be loaded, is the wrong build, or another version of
    /// the module already owns this process. Its ErrorRecord has the ErrorId
    /// MfaApproval.NativeLibraryLoadFailed and the library path as its target.</summary>
    public class MfaLoadException : Exception, IContainsErrorRecord
    {
        readonly string path;

        public MfaLoadException(string message, string path, Exception inner)
            : base(message, inner)
        {
            this.path = path;
        }

        public string LibraryPath { get { return path; } }

        public ErrorRecord ErrorRecord
        {
            get { return new ErrorRecord(this, "MfaApproval.NativeLibraryLoadFailed", ErrorCategory.ResourceUnavailable, path); }
        }
    }
}
