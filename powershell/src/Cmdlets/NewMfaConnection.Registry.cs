// New-MfaConnection for every provider, read from the engine's registry
// (Generated/Providers.cs): the configuration JSON, the secrets, the refusals of another
// provider's parameters, the -Verbose line and the Connection shown are all built from the
// bound parameters through the provider's field and secret tables, so this file names no
// provider. PowerShell needs static parameters, so each provider keeps its parameter set
// (declared by hand, with help): a parameter is declared in exactly the sets of the providers
// that take it, so Get-Command -Syntax and Get-Help offer only what works; a test compares
// those sets with the registry both ways (tests/Registry.Tests.ps1).
using System;
using System.Collections.Generic;
using System.IO;
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
        static readonly string[] OwnParameters = new string[] { "Provider", "Default" };

        /// <summary>The realm the approvers are in (a provider with realms).</summary>
        [Parameter(Mandatory = true, ParameterSetName = "PrivacyIdea")]
        [ValidateNotNullOrEmpty]
        public string Realm { get; set; }

        /// <summary>The server's response signing key (a PEM public key file); answers
        /// that do not verify with it are never an approval.</summary>
        [Parameter(ParameterSetName = "PrivacyIdea")]
        [ValidateNotNullOrEmpty]
        public string ResponseSigningKey { get; set; }

        /// <summary>JSON field or secret name to the parameter that sets it, from the registry
        /// (an engine error names the field; the message names the parameter).</summary>
        internal static Dictionary<string, string> ParametersOf(ProviderSpec spec)
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


        /// <summary>This cmdlet's value for <paramref name="parameter"/>: bound, or its default.</summary>
        object Value(string parameter)
        {
            PropertyInfo property = GetType().GetProperty(parameter);
            return property == null ? null : property.GetValue(this, null);
        }

        /// <summary>The field <paramref name="parameter"/> sets for <paramref name="spec"/>
        /// (-UseSystemProxy sets the proxy), else the secret's parameter; null: neither.</summary>
        static string ProviderParameter(ProviderSpec spec, string parameter)
        {
            string asField = parameter == "UseSystemProxy" ? spec.ParameterOf("proxy") : parameter;
            if (asField != null && spec.FieldOf(asField) != null) return asField;
            return Array.Find(spec.Secrets, s => s.Parameter == parameter) != null ? parameter : null;
        }

        void Refuse(string message, object target)
        {
            ThrowTerminatingError(Errors.Record("MfaApproval.InvalidConnectionSettings", "New-MfaConnection " + message, ErrorCategory.InvalidArgument, target));
        }

        /// <summary>Refuses what does not fit <paramref name="spec"/>: another -Provider than the
        /// parameter set's, another provider's parameter, an empty credential, two proxies.</summary>
        void RefuseForeign(ProviderSpec spec)
        {
            ProviderSpec asked = Providers.Find(Provider.ToString());
            if (asked != spec)
            {
                // -Provider X with only X's parameters, but not all it needs, binds the default
                // set: name what X is missing, not the default set's parameters.
                string[] missing = MissingFor(asked);
                if (missing != null)
                {
                    Refuse("-Provider " + asked.Label + ": missing " + string.Join(", ", missing) + "; -Provider " + asked.Label + " takes " + asked.Takes + ".", Provider);
                }
                Refuse("-Provider " + asked.Label + " takes " + asked.Takes + "; the parameters given are for -Provider " + spec.Label + ".", Provider);
            }
            foreach (string name in MyInvocation.BoundParameters.Keys)
            {
                if (Array.IndexOf(OwnParameters, name) >= 0 || Array.IndexOf(PowerShellParameters, name) >= 0) continue;
                if (ProviderParameter(spec, name) == null)
                {
                    string why = spec.ForeignFieldHint.Length > 0 ? spec.ForeignFieldHint : string.Empty;
                    Refuse("-" + name + ": is not a " + spec.Display + " setting" + why + "; -Provider " + spec.Label + " takes " + spec.Takes + ".", name);
                }
            }
            foreach (KeyValuePair<string, object> given in MyInvocation.BoundParameters)
            {
                PropertyInfo property = GetType().GetProperty(given.Key);
                if (property != null && property.PropertyType == typeof(PSCredential) && (given.Value == null || given.Value == PSCredential.Empty))
                {
                    Refuse("-" + given.Key + " is empty ($null: a variable that was never set?). Give a PSCredential (Get-Credential, or Import-Clixml of one saved with Export-Clixml), or leave -" + given.Key + " out.", given.Key);
                }
            }
            if (Proxy != null && UseSystemProxy)
            {
                Refuse("give -Proxy or -UseSystemProxy, not both.", Proxy);
            }
        }

        /// <summary>The required parameters of <paramref name="spec"/> left out ("-Server"), when
        /// every parameter given is one of its own; else null (another provider's parameters).</summary>
        string[] MissingFor(ProviderSpec spec)
        {
            foreach (string name in MyInvocation.BoundParameters.Keys)
            {
                if (Array.IndexOf(OwnParameters, name) >= 0 || Array.IndexOf(PowerShellParameters, name) >= 0) continue;
                if (ProviderParameter(spec, name) == null) return null;
            }
            List<string> missing = new List<string>();
            foreach (ProviderField f in spec.Fields)
            {
                if (f.Required && f.Parameter.Length > 0 && !MyInvocation.BoundParameters.ContainsKey(f.Parameter) && !missing.Contains("-" + f.Parameter)) missing.Add("-" + f.Parameter);
            }
            foreach (ProviderSecret s in spec.Secrets)
            {
                if (s.Required && !MyInvocation.BoundParameters.ContainsKey(s.Parameter) && !missing.Contains("-" + s.Parameter)) missing.Add("-" + s.Parameter);
            }
            return missing.Count > 0 ? missing.ToArray() : null;
        }

        /// <summary>A switch's or credential's value, or null when it is not given.</summary>
        static object Given(object value)
        {
            if (value is SwitchParameter && !((SwitchParameter)value).IsPresent) return null;
            if (value is PSCredential && value == PSCredential.Empty) return null;
            return value;
        }

        /// <summary>Builds the connection for <paramref name="spec"/> from the bound parameters
        /// (and the parameters' defaults).</summary>
        void BeginFromRegistry(ProviderSpec spec)
        {
            RefuseForeign(spec);
            ImplyPasswordMode();
            if (AllowUnknownUser)
            {
                WriteWarning("New-MfaConnection -AllowUnknownUser: requireUserMatch=false lets users the MFA server does not know through WITHOUT any MFA.");
            }
            if (AllowBypass)
            {
                WriteWarning("New-MfaConnection -AllowBypass: a Duo bypass (the user is let through WITHOUT a push) will count as an approval; every such result carries a warning.");
            }
            if (AllowMissingMessageAuthenticator)
            {
                WriteWarning("New-MfaConnection -AllowMissingMessageAuthenticator: RADIUS answers without a Message-Authenticator will count, which leaves approvals open to forgery (Blast-RADIUS, CVE-2024-3596); every result carries a warning.");
            }
            if (AllowNameOnlyIdentity && spec.NamesOnlyIdentity)
            {
                WriteWarning("New-MfaConnection -AllowNameOnlyIdentity: " + spec.Display + " cannot say who a name is, so requests with several approvers or -ExcludeUserName will tell people apart by their names alone; one person with two accounts can then approve twice.");
            }
            if (ResponseSigningKey == null && Array.Exists(spec.Fields, f => f.Json == "responseSigningKeyFile"))
            {
                WriteWarning("New-MfaConnection -Provider " + spec.Label + " without -ResponseSigningKey: " + spec.Display + "'s answers are then protected by TLS alone, so whoever can answer in the server's name (a TLS-inspecting proxy, a stolen or wrongly issued certificate) can turn a rejection into an approval. Give -ResponseSigningKey with the server's PEM public key file (PI_AUDIT_KEY_PUBLIC) to refuse answers it did not sign.");
            }
            Dictionary<string, string> parameters = ParametersOf(spec);
            JsonObject config = new JsonObject().Add("provider", spec.Name);
            string display = null;
            string[] addresses = null;
            string caller = null;
            string userName = null;
            bool clientCertificate = false;
            foreach (ProviderField f in spec.Fields)
            {
                if (f.Json == "provider" || f.Parameter.Length == 0 || AuditParameters.ContainsKey(f.Json) || AuditParameters.ContainsValue(f.Parameter)) continue;
                // The engine makes uri from the host field: only the host is sent.
                if (spec.HostField != null && f.Json == "uri") continue;
                object value = Given(Value(f.Parameter));
                if (value == null) continue;
                object json = FieldValue(f, value);
                config.Add(f.Json, json);
                if (f.Json == "uri") display = json as string;
                if (f.Json == spec.HostField) display = "https://" + json;
                if (f.Json == spec.CallerField) caller = Convert.ToString(json, System.Globalization.CultureInfo.InvariantCulture);
                if (f.Json == "userName") userName = json as string;
                if (f.Json == "clientCertificateFile") clientCertificate = true;
                if (f.Required && json is string[]) addresses = (string[])json;
            }
            string proxy = Proxy != null ? Proxy.AbsoluteUri : null;
            if (proxy == null && UseSystemProxy)
            {
                // Windows: the WinHTTP proxy a service account sees; else the environment's.
                proxy = WinHttpProxy.Get() ?? "system";
                config.Add("proxy", proxy);
            }
            string audit = AuditPath == null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(AuditPath);
            config.Add("auditPath", audit);
            AddAuditSettings(config);
            List<KeyValuePair<uint, SecureString>> secrets = new List<KeyValuePair<uint, SecureString>>();
            List<string> authentication = new List<string>();
            List<SecureString> read = new List<SecureString>();
            foreach (ProviderSecret s in spec.Secrets)
            {
                if (s.Name == "auditKey") continue;
                object value = Given(Value(s.Parameter));
                if (value == null) continue;
                if (s.Shown.Length > 0) authentication.Add(s.Shown);
            }
            if (clientCertificate) authentication.Add("ClientCertificate");
            if (authentication.Count == 0) authentication.Add("None");
            string shownAuthentication = string.Join(", ", authentication.ToArray());
            string target = display ?? (addresses != null ? string.Join(", ", addresses) : spec.Display);
            WriteVerbose(string.Format("Creating a client for {0} at {1} (caller: {2}; pins: {3}; proxy: {4})", spec.Display, target,
                caller != null ? caller + " (" + shownAuthentication + ")" : shownAuthentication,
                ServerCertificateHash == null ? 0 : ServerCertificateHash.Length, proxy ?? "none"));
            MfaClientHandle client = null;
            string reading = null;
            string readingParameter = null;
            try
            {
                foreach (ProviderSecret s in spec.Secrets)
                {
                    if (s.Name == "auditKey") continue;
                    object value = Given(Value(s.Parameter));
                    if (value == null) continue;
                    PSCredential credential = value as PSCredential;
                    SecureString secret;
                    if (credential != null) secret = credential.Password;
                    else if (s.Source == "file")
                    {
                        readingParameter = s.Parameter;
                        reading = ResolveExistingFile(s.Parameter, (string)value);
                        secret = ReadSecretFile(s.Parameter, reading);
                        read.Add(secret);
                        reading = null;
                    }
                    else secret = value as SecureString;
                    secrets.Add(new KeyValuePair<uint, SecureString>(s.Kind, secret));
                }
                secrets.Add(AuditSecret);
                client = Native.NewClient(config.ToString(), secrets.ToArray());
            }
            catch (MfaNativeException e)
            {
                string id = e.Field == "allowUnencryptedAuthentication" ? "MfaApproval.UnencryptedAuthentication" : "MfaApproval.InvalidConnectionSettings";
                ThrowTerminatingError(Errors.Record(id, "New-MfaConnection " + ForConnectionParameter(e, parameters, spec), ErrorCategory.InvalidArgument, target, e));
            }
            catch (ArgumentException e)
            {
                ThrowTerminatingError(Errors.Record("MfaApproval.InvalidConnectionSettings", "New-MfaConnection " + e.Message, ErrorCategory.InvalidArgument, target));
            }
            catch (UnauthorizedAccessException e)
            {
                ThrowTerminatingError(Errors.Record("MfaApproval.InvalidConnectionSettings", "New-MfaConnection -" + readingParameter + ": cannot read '" + reading + "': " + e.Message, ErrorCategory.PermissionDenied, reading));
            }
            catch (IOException e)
            {
                ThrowTerminatingError(Errors.Record("MfaApproval.InvalidConnectionSettings", "New-MfaConnection -" + readingParameter + ": cannot read '" + reading + "': " + e.Message, ErrorCategory.ReadError, reading));
            }
            finally
            {
                foreach (SecureString secret in read) secret.Dispose();
            }
            Connection c = new Connection(client);
            c.ConfigJson = config.ToString();
            c.SecretKinds = Connection.KindsOf(secrets);
            c.Provider = spec.Label;
            ShowFields(c, spec);
            // A provider with no URL (servers instead) is shown as <name>://<first server>.
            Uri shown;
            string address = display ?? (addresses != null && addresses.Length > 0 ? spec.Name + "://" + addresses[0] : null);
            c.Uri = address != null && Uri.TryCreate(address, UriKind.Absolute, out shown) ? shown : null;
            c.ServerCertificateHash = ServerCertificateHash ?? new string[0];
            c.Proxy = proxy ?? "none";
            c.UserName = userName;
            c.Authentication = shownAuthentication;
            SetAuditDisplay(c, audit);
            if (Default)
            {
                Session.DefaultConnection = c;
                WriteVerbose("Default connection: " + spec.Display + " " + target);
            }
            WriteObject(c);
        }

        /// <summary>Shows on the Connection every field whose parameter names one of its
        /// properties (-IntegrationKey: IntegrationKey; a switch as a bool, a choice as its name).</summary>
        void ShowFields(Connection c, ProviderSpec spec)
        {
            foreach (ProviderField f in spec.Fields)
            {
                if (f.Parameter.Length == 0 || f.Json == "provider") continue;
                PropertyInfo shown = typeof(Connection).GetProperty(f.Parameter);
                if (shown == null) continue;
                object value = Value(f.Parameter);
                if (value is SwitchParameter) value = ((SwitchParameter)value).IsPresent;
                else if (value is Enum && shown.PropertyType == typeof(string)) value = value.ToString();
                else if (value is string[]) value = ((string[])value).Clone();
                if (value != null && shown.PropertyType.IsInstanceOfType(value)) shown.SetValue(c, value, null);
            }
        }
    }
}
