// The provider registry's entries as C# reads them: the table itself is generated from the
// engine (Generated/Providers.cs); these are its shapes and the look-ups every layer uses
// instead of comparing provider names.
using System;

namespace MfaApproval
{
    /// <summary>One configuration field: its JSON name, the New-MfaConnection parameter that
    /// sets it, what it holds (text, uri, path, switch, notSwitch, number, textList, choice,
    /// credentialUser) and whether it must be given.</summary>
    public sealed class ProviderField
    {
        public readonly string Json;
        public readonly string Parameter;
        public readonly string Value;
        public readonly bool Required;

        public ProviderField(string json, string parameter, string value, bool required)
        {
            Json = json;
            Parameter = parameter;
            Value = value;
            Required = required;
        }
    }

    /// <summary>One secret: its MFA_SECRET_* kind, the name errors use, the parameter that
    /// holds it, how (secureString, credential, file), and its MIM settings key.</summary>
    public sealed class ProviderSecret
    {
        public readonly uint Kind;
        public readonly string Name;
        public readonly string Parameter;
        public readonly string Source;
        public readonly bool Required;
        public readonly string SettingsKey;
        /// <summary>How a Connection names the authentication it gives (DuoSignature); empty: none.</summary>
        public readonly string Shown;

        public ProviderSecret(uint kind, string name, string parameter, string source, bool required, string settingsKey, string shown)
        {
            Shown = shown;
            Kind = kind;
            Name = name;
            Parameter = parameter;
            Source = source;
            Required = required;
            SettingsKey = settingsKey;
        }
    }

    /// <summary>What the engine says about one provider (rust/engine/src/registry/types.rs).</summary>
    public sealed class ProviderSpec
    {
        public readonly string Name;
        public readonly string Label;
        public readonly string Display;
        public readonly string[] ParameterSets;
        public readonly bool Http;
        public readonly ProviderField[] Fields;
        public readonly ProviderSecret[] Secrets;
        public readonly bool ResolvesIdentity;
        public readonly bool NamesOnlyIdentity;
        public readonly bool Withdraw;
        /// <summary>The sentence shown with a code the approver picks or types ({0}: the
        /// approver, {1}: the code); null when the provider shows none.</summary>
        public readonly string CodeSentence;
        public readonly string[] Queries;
        /// <summary>What Test-MfaConnection runs, in order (empty: no test that sends nothing).</summary>
        public readonly string[] Test;
        public readonly string TestSuccess;
        /// <summary>What follows "New-MfaConnection -Provider Label takes": its parameters.</summary>
        public readonly string Takes;
        /// <summary>A field given as a host name in place of uri (the engine makes the URI
        /// https://host from it); null: uri itself is given.</summary>
        public readonly string HostField;
        /// <summary>The field naming the caller as the provider knows it (shown by -Verbose); null: none.</summary>
        public readonly string CallerField;
        /// <summary>A request's reason is the push's own text: no applicationName is made from it.</summary>
        public readonly bool ReasonIsPushText;
        /// <summary>Said after "is not a ... setting" (why another provider's setting cannot apply); may be empty.</summary>
        public readonly string ForeignFieldHint;

        public ProviderSpec(string name, string label, string display, string[] parameterSets, bool http,
            ProviderField[] fields, ProviderSecret[] secrets, bool resolvesIdentity, bool namesOnlyIdentity,
            bool withdraw, string codeSentence, string[] queries, string[] test, string testSuccess,
            string takes, string hostField, string callerField, bool reasonIsPushText, string foreignFieldHint)
        {
            Takes = takes;
            HostField = hostField;
            CallerField = callerField;
            ReasonIsPushText = reasonIsPushText;
            ForeignFieldHint = foreignFieldHint;
            Name = name;
            Label = label;
            Display = display;
            ParameterSets = parameterSets;
            Http = http;
            Fields = fields;
            Secrets = secrets;
            ResolvesIdentity = resolvesIdentity;
            NamesOnlyIdentity = namesOnlyIdentity;
            Withdraw = withdraw;
            CodeSentence = codeSentence;
            Queries = queries;
            Test = test;
            TestSuccess = testSuccess;
        }

        /// <summary>The field set by parameter <paramref name="parameter"/>, or null.</summary>
        public ProviderField FieldOf(string parameter)
        {
            foreach (ProviderField f in Fields) if (f.Parameter == parameter) return f;
            return null;
        }

        /// <summary>The parameter that sets JSON field or secret <paramref name="json"/>, or null.</summary>
        public string ParameterOf(string json)
        {
            foreach (ProviderField f in Fields) if (f.Json == json && f.Parameter.Length > 0) return f.Parameter;
            foreach (ProviderSecret s in Secrets) if (s.Name == json) return s.Parameter;
            return null;
        }

        /// <summary>Does it take the secret of kind <paramref name="kind"/>?</summary>
        public bool TakesSecret(uint kind)
        {
            foreach (ProviderSecret s in Secrets) if (s.Kind == kind) return true;
            return false;
        }

        /// <summary>Does it answer the operation <paramref name="operation"/>?</summary>
        public bool Answers(string operation)
        {
            return Array.IndexOf(Queries, operation) >= 0;
        }
    }

    public static partial class Providers
    {
        /// <summary>The provider whose name (engine) or label (PowerShell) is
        /// <paramref name="nameOrLabel"/>, case-insensitively; null for none.</summary>
        public static ProviderSpec Find(string nameOrLabel)
        {
            if (nameOrLabel == null) return null;
            foreach (ProviderSpec p in All)
            {
                if (string.Equals(p.Name, nameOrLabel, StringComparison.OrdinalIgnoreCase) || string.Equals(p.Label, nameOrLabel, StringComparison.OrdinalIgnoreCase)) return p;
            }
            return null;
        }

        /// <summary>The provider New-MfaConnection's parameter set <paramref name="set"/> is for; null for none.</summary>
        public static ProviderSpec ForParameterSet(string set)
        {
            foreach (ProviderSpec p in All)
            {
                if (Array.IndexOf(p.ParameterSets, set) >= 0) return p;
            }
            return null;
        }

        /// <summary>The default provider (a configuration naming none).</summary>
        public static ProviderSpec Default { get { return All[0]; } }
    }
}
