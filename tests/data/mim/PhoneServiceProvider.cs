// A stand-in for the MIM Service's interface assembly (the tests have no MIM): the same
// namespace, enum and interface as Microsoft documents for a custom MFA provider ("Use a
// custom multi-factor authentication provider via an API during PAM role activation or in
// SSPR"). The tests compile it under an unrelated file name, as Install-MfaMimProvider
// must find the type whatever the file is called.
using System;
using System.Collections.Generic;

namespace Microsoft.IdentityManagement.PhoneServiceProvider
{
    public enum PhoneCallStatus
    {
        Pending,
        Success,
        Failed
    }

    public interface IPhoneServiceProvider
    {
        PhoneCallStatus InitiateCall(string phoneNumber, Guid requestId, Dictionary<string, object> deliveryAttributes);
        PhoneCallStatus GetCallStatus(string callId);
        string GetFailureMessage(string callId);
    }
}
