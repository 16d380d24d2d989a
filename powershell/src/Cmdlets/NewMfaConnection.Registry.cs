// New-MfaConnection for a provider read from the engine's registry (Generated/Providers.cs):
// the configuration JSON and the secrets are built from the bound parameters through the
// provider's field and secret tables, so this file names no provider. PowerShell needs
// static parameters, so each provider keeps its parameter set (declared by hand, with help);
// a test compares those sets with the registry (tests/Registry.Tests.ps1).
using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Reflection;
using System.Security;
using MfaApproval.Interop;
using MfaApproval.Json;

namespace MfaApproval.Cmdlets
{
    public sealed partial class NewMfaConnectionCommand
    {
        /// <summary>PowerShell's common parameters (never a provider's; a plain array: the
        /// HashSet Cmdlet.CommonParameters is in System.Core, which this assembly does not reference).</summary>
        static readonly string[] PowerShellParameters = new string[]
        {
            "Verbose", "Debug", "ErrorAction", "WarningAction", "InformationAction", "ProgressAction", "ErrorVariable",
            "WarningVariable", "InformationVariable", "OutVariable", "OutBuffer", "PipelineVariable", "WhatIf", "Confirm", "UseTransaction",
        };

        /// <summary>Parameters of the cmdlet itself, not of a provider's configuration.</summary>
        static readonly string[] OwnParameters = new string[] { "Provider", "Default", "UseSystemProxy" };

        /// <summary>The realm the approvers are in (a provider with realms).</summary>
        [Parameter(Mandatory = true, ParameterSetName = "PrivacyIdea")]
        [ValidateNotNullOrEmpty]
        public string Realm { get; set; }

        /// <summary>The server's response signing key (a PEM public key file); answers
        /// that do not verify with it are never an approval.</summary>
        [Parameter(ParameterSetName = "PrivacyIdea")]
        [ValidateNotNullOrEmpty]
        public string ResponseSigningKey { get; set; }

        /// <summary>The provider of a parameter set built from the registry (every set but the
        /// four older providers' hand-built ones), or null.</summary>
        ProviderSpec RegistrySpec
        {
            get
            {
                if (IsRadius || IsDuo || IsOkta || ParameterSetName == Providers.Default.ParameterSets[0]) return null;
                return Providers.ForParameterSet(ParameterSetName);
            }
        }

        /// <summary>JSON field or secret name to the parameter that sets it, from the registry
        /// (an engine error names the field; the message names the parameter).</summary>
        static Dictionary<string, string> ParametersOf(ProviderSpec spec)
        {
            Dictionary<string, string> parameters = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (ProviderField f in spec.Fields) if (f.Parameter.Length > 0) parameters[f.Json] = f.Parameter;
            foreach (ProviderSecret s in spec.Secrets) parameters[s.Name] = s.Parameter;
            return parameters;
        }

        object Bound(string parameter)
        {
            object value;
            return MyInvocation.BoundParameters.TryGetValue(parameter, out value) ? value : null;
        }

        /// <summary>A bound parameter's value as its configuration field holds it.</summary>
        object FieldValue(ProviderField field, object value)
        {
            switch (field.Value)
            {
                case "switch": return ((SwitchParameter)value).IsPresent;
                case "notSwitch": return !((SwitchParameter)value).IsPresent;
                case "number": return Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);
                case "textList": return (string[])value;
                case "path": return ResolveExistingFile(field.Parameter, (string)value);
                case "credentialUser": return ((PSCredential)value).UserName;
                case "choice":
                    string word = value.ToString();
                    return word.Length == 0 ? word : char.ToLowerInvariant(word[0]) + word.Substring(1);
                case "uri":
                    Uri uri = value as Uri;
                    return uri != null ? (field.Json == "proxy" ? uri.AbsoluteUri : uri.OriginalString) : value.ToString();
                default: return value.ToString();
            }
        }

        /// <summary>Builds the connection for <paramref name="spec"/> from the bound parameters.</summary>
        void BeginFromRegistry(ProviderSpec spec)
        {
            if (Provider.ToString() != spec.Label)
            {
                ThrowTerminatingError(Errors.Record("MfaApproval.InvalidConnectionSettings", "New-MfaConnection -Provider: the parameters given are for -Provider " + spec.Label + ".", ErrorCategory.InvalidArgument, Provider));
            }
            Dictionary<string, string> parameters = ParametersOf(spec);
            foreach (string name in MyInvocation.BoundParameters.Keys)
            {
                if (Array.IndexOf(OwnParameters, name) >= 0 || AuditParameters.ContainsValue(name) || name == "AuditKey") continue;
                if (Array.IndexOf(PowerShellParameters, name) >= 0) continue;
                if (spec.FieldOf(name) == null && Array.Find(spec.Secrets, s => s.Parameter == name) == null)
                {
                    ThrowTerminatingError(Errors.Record("MfaApproval.InvalidConnectionSettings", "New-MfaConnection -" + name + ": is not a " + spec.Display + " setting (-Provider " + spec.Label + ").", ErrorCategory.InvalidArgument, name));
                }
            }
            if (Proxy != null && UseSystemProxy)
            {
                ThrowTerminatingError(Errors.Record("MfaApproval.InvalidConnectionSettings", "New-MfaConnection: give -Proxy or -UseSystemProxy, not both.", ErrorCategory.InvalidArgument, Proxy));
            }
            JsonObject config = new JsonObject().Add("provider", spec.Name);
            string display = null;
            foreach (ProviderField f in spec.Fields)
            {
                if (f.Json == "provider" || f.Parameter.Length == 0 || AuditParameters.ContainsKey(f.Json) || AuditParameters.ContainsValue(f.Parameter)) continue;
                object value = Bound(f.Parameter);
                if (value == null) continue;
                if (value is PSCredential && value == PSCredential.Empty)
                {
                    ThrowTerminatingError(Errors.Record("MfaApproval.InvalidConnectionSettings", "New-MfaConnection -" + f.Parameter + " is empty ($null: a variable that was never set?). Give a PSCredential (Get-Credential, or Import-Clixml of one saved with Export-Clixml), or leave -" + f.Parameter + " out.", ErrorCategory.InvalidArgument, f.Parameter));
                }
                object json = FieldValue(f, value);
                config.Add(f.Json, json);
                if (f.Json == "uri") display = json as string;
            }
            string proxy = Proxy != null ? Proxy.AbsoluteUri : null;
            if (proxy == null && UseSystemProxy)
            {
                proxy = WinHttpProxy.Get() ?? "system";
                config.Add("proxy", proxy);
            }
            string audit = AuditPath == null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(AuditPath);
            config.Add("auditPath", audit);
            AddAuditSettings(config);
            WriteVerbose(string.Format("Creating a {0} client for {1} (proxy: {2})", spec.Display, display, proxy ?? "none"));
            List<KeyValuePair<uint, SecureString>> secrets = new List<KeyValuePair<uint, SecureString>>();
            MfaClientHandle client = null;
            try
            {
                foreach (ProviderSecret s in spec.Secrets)
                {
                    if (s.Name == "auditKey") continue;
                    object value = Bound(s.Parameter);
                    if (value == null) continue;
                    PSCredential credential = value as PSCredential;
                    SecureString secret = credential != null ? credential.Password
                        : s.Source == "file" ? ReadSecretFile(ResolveExistingFile(s.Parameter, (string)value))
                        : value as SecureString;
                    secrets.Add(new KeyValuePair<uint, SecureString>(s.Kind, secret));
                }
                secrets.Add(AuditSecret);
                client = Native.NewClient(config.ToString(), secrets.ToArray());
            }
            catch (MfaNativeException e)
            {
                string id = e.Field == "allowUnencryptedAuthentication" ? "MfaApproval.UnencryptedAuthentication" : "MfaApproval.InvalidConnectionSettings";
                ThrowTerminatingError(Errors.Record(id, "New-MfaConnection " + ForConnectionParameter(e, parameters), ErrorCategory.InvalidArgument, display, e));
            }
            catch (ArgumentException e)
            {
                ThrowTerminatingError(Errors.Record("MfaApproval.InvalidConnectionSettings", "New-MfaConnection " + e.Message, ErrorCategory.InvalidArgument, display));
            }
            Connection c = new Connection(client);
            c.ConfigJson = config.ToString();
            c.SecretKinds = Connection.KindsOf(secrets);
            c.Provider = spec.Label;
            Uri shown;
            c.Uri = display != null && Uri.TryCreate(display, UriKind.Absolute, out shown) ? shown : null;
            c.ServerCertificateHash = ServerCertificateHash ?? new string[0];
            c.HttpTimeout = HttpTimeout;
            c.Proxy = proxy ?? "none";
            PSCredential account = Bound("Credential") as PSCredential;
            c.UserName = account != null ? account.UserName : null;
            c.Realm = Realm;
            c.Authentication = account != null ? "ServiceAccount" : "None";
            SetAuditDisplay(c, audit);
            if (Default)
            {
                Session.DefaultConnection = c;
                WriteVerbose("Default connection: " + display);
            }
            WriteObject(c);
        }
    }
}
