// New-MfaConnection -Provider Radius: the parameters of a client for RADIUS servers (NPS
// with the Microsoft Entra MFA extension, a Duo Authentication Proxy, any RADIUS MFA server).
// The connection is built from the registry like every other (NewMfaConnection.Registry.cs);
// every value rule is the engine's (radius::config); a refusal names the parameter. The
// shared secret and the PAP password reach the engine as secrets, never in the JSON.
using System;
using System.Management.Automation;
using System.Security;

namespace MfaApproval.Cmdlets
{
    public enum RadiusPasswordMode { None, Fixed }

    public sealed partial class NewMfaConnectionCommand
    {
        string nasIdentifier = "MfaApproval";

        [Parameter(Mandatory = true, ParameterSetName = "Radius")]
        [ValidateNotNullOrEmpty]
        public string[] Server { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = "Radius")]
        [ValidateNotNull]
        [SecureStringOnly("SharedSecret", "RADIUS shared secret")]
        public SecureString SharedSecret { get; set; }

        [Parameter(ParameterSetName = "Radius")]
        public RadiusPasswordMode PasswordMode { get; set; }

        [Parameter(ParameterSetName = "Radius")]
        [ValidateNotNull]
        [SecureStringOnly("Password", "RADIUS PAP password")]
        public SecureString Password { get; set; }

        [Parameter(ParameterSetName = "Radius")]
        [ValidateNotNull]
        public string NasIdentifier { get { return nasIdentifier; } set { nasIdentifier = value; } }

        [Parameter(ParameterSetName = "Radius")]
        public SwitchParameter AllowMissingMessageAuthenticator { get; set; }

        /// <summary>A provider that cannot say who a name is (RADIUS): take requests with several
        /// approvers or -ExcludeUserName anyway, telling people apart by names alone
        /// (IdentityCheck = Names). In every set: the engine refuses it, saying why, for a
        /// provider that resolves identities.</summary>
        [Parameter]
        public SwitchParameter AllowNameOnlyIdentity { get; set; }

        /// <summary>-Password alone means a fixed password (-PasswordMode Fixed).</summary>
        void ImplyPasswordMode()
        {
            if (Password != null && !MyInvocation.BoundParameters.ContainsKey("PasswordMode")) PasswordMode = RadiusPasswordMode.Fixed;
        }
    }
}
