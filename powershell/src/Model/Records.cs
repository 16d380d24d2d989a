// The small output records: a user's settings, an activation code, a connection test.
using System;

namespace MfaApproval
{
    /// <summary>Get-MfaUser's answer for one user.</summary>
    public sealed class User
    {
        public string UserName { get; internal set; }
        public bool Exists { get; internal set; }
        public string FirstName { get; internal set; }
        public string LastName { get; internal set; }
        public string EmailAddress { get; internal set; }
        public string Mode { get; internal set; }
        public string PhoneAppMode { get; internal set; }
        public bool? Enabled { get; internal set; }
        public bool? PhoneAppActivated { get; internal set; }
        /// <summary>Every setting the server sent (GetUserSettings_3), or null.</summary>
        public object Settings { get; internal set; }
        public override string ToString() { return UserName; }
    }

    /// <summary>New-MfaActivationCode's answer for one user.</summary>
    public sealed class UserActivationCode
    {
        public string UserName { get; internal set; }
        /// <summary>The code a device enrols with: hand it over only through a trusted channel.</summary>
        public string ActivationCode { get; internal set; }
        public DateTime CreatedAt { get; internal set; }
        public override string ToString() { return UserName; }
    }

    /// <summary>Test-MfaConnection's answer.</summary>
    public sealed class ConnectionTest
    {
        public Uri Uri { get; internal set; }
        public bool Success { get; internal set; }
        /// <summary>Ok, or the stage that failed: Dns, Connect, Tls, CertificatePin, Authentication, HttpStatus, Soap, Timeout, Cancelled, Internal.</summary>
        public string Stage { get; internal set; }
        public string Message { get; internal set; }
        public string TestSecurity { get; internal set; }
        /// <summary>Duo: the server's clock minus this machine's, in seconds (requests are signed with the corrected time).</summary>
        public long? ClockSkewSeconds { get; internal set; }
        public TimeSpan Duration { get; internal set; }
        public override string ToString() { return Stage; }
    }
}
