// Native handles as SafeHandles: the marshaller creates them itself for `out` parameters
// (so a thread abort between the call's return and a wrap cannot leak a handle), and
// releasing one calls the library's _free function exactly once.
using System;
using System.Runtime.InteropServices;

namespace MfaApproval.Interop
{
    /// <summary>A native mfa_client*.</summary>
    public sealed class MfaClientHandle : SafeHandle
    {
        MfaClientHandle() : base(IntPtr.Zero, true) { }
        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }
        protected override bool ReleaseHandle() { Native.ClientFree(handle); return true; }
    }

    /// <summary>A native mfa_request*. Releasing it cancels a pending request.</summary>
    public sealed class MfaRequestHandle : SafeHandle
    {
        MfaRequestHandle() : base(IntPtr.Zero, true) { }
        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }
        protected override bool ReleaseHandle() { Native.RequestFree(handle); return true; }
    }
}
