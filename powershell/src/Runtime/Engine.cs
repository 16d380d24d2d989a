// The engine's rules, read from the engine: its capabilities (lists and limits, for tab
// completion) and its checks (mfa_config_check, mfa_request_check), which the validation
// attributes below call where a parameter is bound. PowerShell keeps only type and
// mandatory checks; a rule changed in the engine is changed here too.
using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Language;
using MfaApproval.Interop;
using MfaApproval.Json;

namespace MfaApproval
{
    public static class Engine
    {
        static Dictionary<string, object> capabilities;

        /// <summary>The engine's capabilities document (mfa_capabilities), parsed once.</summary>
        public static Dictionary<string, object> Capabilities
        {
            get
            {
                if (capabilities == null) capabilities = JsonReader.ParseObject(Native.Capabilities());
                return capabilities;
            }
        }

        /// <summary>A list from the capabilities (modes, initiatingAuthenticationTypes, failureKinds, ...).</summary>
        public static string[] List(string name)
        {
            object v;
            List<string> items = new List<string>();
            List<object> list = Capabilities.TryGetValue(name, out v) ? v as List<object> : null;
            if (list != null) foreach (object o in list) items.Add(Convert.ToString(o, CultureInfo.InvariantCulture));
            return items.ToArray();
        }

        /// <summary>A limit from the capabilities (nameMaxChars, secondsMax).</summary>
        public static double Limit(string name)
        {
            object v;
            Dictionary<string, object> limits = Capabilities.TryGetValue("limits", out v) ? v as Dictionary<string, object> : null;
            object limit;
            if (limits == null || !limits.TryGetValue(name, out limit) || !(limit is double)) throw new InvalidOperationException("the engine reports no limit '" + name + "'");
            return (double)limit;
        }

        /// <summary>An engine problem ("is 257 characters long; ...") as a sentence about the value.</summary>
        internal static string Sentence(string problem)
        {
            if (problem.StartsWith("is ", StringComparison.Ordinal) || problem.StartsWith("must ", StringComparison.Ordinal)
                || problem.StartsWith("contains ", StringComparison.Ordinal) || problem.StartsWith("'", StringComparison.Ordinal) || problem.StartsWith("has ", StringComparison.Ordinal))
            {
                problem = "The value " + problem;
            }
            else if (problem.Length > 0) problem = char.ToUpperInvariant(problem[0]) + problem.Substring(1);
            return problem.EndsWith(".", StringComparison.Ordinal) ? problem : problem + ".";
        }

        /// <summary>Arguments of a parameter, one by one (a string[] parameter validates each).</summary>
        internal static IEnumerable<object> Each(object arguments)
        {
            object unwrapped = arguments is PSObject ? ((PSObject)arguments).BaseObject : arguments;
            IEnumerable many = unwrapped as IEnumerable;
            if (many == null || unwrapped is string)
            {
                yield return unwrapped;
                yield break;
            }
            foreach (object o in many) yield return o is PSObject ? ((PSObject)o).BaseObject : o;
        }
    }

    /// <summary>Checks a parameter with the engine's request rules for <c>field</c>
    /// (userName, timeoutSeconds, applicationName, mode, initiatingIpAddress).</summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class ValidateRequestFieldAttribute : ValidateArgumentsAttribute
    {
        readonly string field;
        public ValidateRequestFieldAttribute(string field) { this.field = field; }

        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            foreach (object value in Engine.Each(arguments))
            {
                JsonObject request = new JsonObject();
                if (field != "userName") request.Add("userName", "validation");
                request.Add(field, Value(value));
                try
                {
                    Native.CheckRequest(request.ToString());
                }
                catch (MfaNativeException e)
                {
                    throw new ValidationMetadataException(Engine.Sentence(e.Problem));
                }
            }
        }

        internal static object Value(object value)
        {
            if (value is int || value is long || value is double) return Convert.ToDouble(value, CultureInfo.InvariantCulture);
            return Convert.ToString(value, CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Checks a parameter with the engine's configuration rules for <c>field</c>, as
    /// the provider that takes it (the default provider, else the first in the registry that
    /// does) with every other field it requires set to a placeholder.</summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class ValidateConfigFieldAttribute : ValidateArgumentsAttribute
    {
        readonly string field;
        public ValidateConfigFieldAttribute(string field) { this.field = field; }

        /// <summary>The parameter that sets the field, where several do (-OrgUrl and -Uri both
        /// set uri): the provider whose field that parameter sets checks the value.</summary>
        public string Parameter { get; set; }

        /// <summary>The provider whose rules check <paramref name="json"/> and its field.</summary>
        ProviderSpec Owner(string json, out ProviderField owned)
        {
            List<ProviderSpec> order = new List<ProviderSpec>();
            order.Add(Providers.Default);
            order.AddRange(Providers.All);
            foreach (ProviderSpec p in order)
            {
                foreach (ProviderField f in p.Fields)
                {
                    if (f.Json == json && (f.Json != "uri" || p.HostField == null) && (Parameter == null || f.Parameter == Parameter))
                    {
                        owned = f;
                        return p;
                    }
                }
            }
            owned = null;
            return Providers.Default;
        }

        /// <summary>A value that passes the engine's rules for a required field.</summary>
        static object Placeholder(ProviderField f)
        {
            switch (f.Value)
            {
                case "uri": return "https://validation.invalid/";
                case "textList": return new string[] { "validation0" };
                default: return "validation0";
            }
        }

        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            ProviderField owned;
            ProviderSpec owner = Owner(field, out owned);
            foreach (object value in Engine.Each(arguments))
            {
                JsonObject config = new JsonObject();
                if (owner != Providers.Default) config.Add("provider", owner.Name);
                foreach (ProviderField f in owner.Fields)
                {
                    // The value alone is checked here: a rule that also depends on another
                    // parameter (http:// on loopback with -AllowUnencryptedAuthentication) is
                    // the full check's, when the connection is made with every parameter.
                    if (f.Json == "allowUnencryptedAuthentication" && f.Json != field) config.Add(f.Json, true);
                    if (!f.Required || f.Json == field) continue;
                    // The host field stands for uri (the engine refuses both).
                    if (f.Json == "uri" && owner.HostField != null) continue;
                    config.Add(f.Json, Placeholder(f));
                }
                Uri uri = value as Uri;
                string kind = owned != null ? owned.Value : "text";
                if (uri != null) config.Add(field, uri.OriginalString);
                else if (kind == "textList") config.Add(field, new string[] { Convert.ToString(value, CultureInfo.InvariantCulture) });
                else config.Add(field, ValidateRequestFieldAttribute.Value(value));
                try
                {
                    Native.CheckConfig(config.ToString());
                }
                catch (MfaNativeException e)
                {
                    // The problem names fields ("the oktaApiToken secret"): name parameters.
                    throw new ValidationMetadataException(Engine.Sentence(Cmdlets.NewMfaConnectionCommand.ParameterWords(e.Problem, Cmdlets.NewMfaConnectionCommand.ParametersOf(owner), owner)));
                }
            }
        }
    }

    /// <summary>A number of seconds from 0 (no limit) to the engine's secondsMax.</summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class ValidateWaitSecondsAttribute : ValidateArgumentsAttribute
    {
        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            double max = Engine.Limit("secondsMax");
            foreach (object value in Engine.Each(arguments))
            {
                double d = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (d < 0 || d > max) throw new ValidationMetadataException(string.Format(CultureInfo.InvariantCulture, "must be 0 (no limit) or a number of seconds up to {0} (got {1})", max, d));
            }
        }
    }

    /// <summary>Tab completion from an engine list.</summary>
    public abstract class EngineListCompleter : IArgumentCompleter
    {
        protected abstract string ListName { get; }

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            List<CompletionResult> results = new List<CompletionResult>();
            foreach (string item in Engine.List(ListName))
            {
                if (item.StartsWith(wordToComplete ?? string.Empty, StringComparison.OrdinalIgnoreCase)) results.Add(new CompletionResult(item, item, CompletionResultType.ParameterValue, item));
            }
            return results;
        }
    }

    /// <summary>-SignatureVersion: 5 or 2 (without a completer, PowerShell offers file names).</summary>
    public sealed class SignatureVersionCompleter : EngineListCompleter { protected override string ListName { get { return "signatureVersions"; } } }

    public sealed class ModeCompleter : EngineListCompleter { protected override string ListName { get { return "modes"; } } }
    public sealed class AuthenticationTypeCompleter : EngineListCompleter { protected override string ListName { get { return "initiatingAuthenticationTypes"; } } }
}
