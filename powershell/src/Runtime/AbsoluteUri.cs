// [AbsoluteUri]: a URL parameter (-Uri, -OrgUrl, -Proxy) turned into a Uri here, before the
// binder's own conversion, whose error repeats the whole value ("Cannot convert value
// "https://svc:Pa#ss/w0rd@host/..." to type System.Uri"): a value that may hold a password
// (user info typed into the URL) is never repeated; the engine's check then says what is
// wrong with a URL that parses.
using System;
using System.Management.Automation;

namespace MfaApproval
{
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class AbsoluteUriAttribute : ArgumentTransformationAttribute
    {
        readonly string parameter;

        /// <param name="parameter">The parameter's name, without the dash.</param>
        public AbsoluteUriAttribute(string parameter)
        {
            this.parameter = parameter;
        }

        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object value = inputData is PSObject ? ((PSObject)inputData).BaseObject : inputData;
            string text = value as string;
            if (text == null) return inputData;
            Uri uri;
            if (Uri.TryCreate(text, UriKind.Absolute, out uri)) return uri;
            throw new ArgumentTransformationMetadataException(
                "-" + parameter + " is not an absolute URL such as https://host/path (the value is not repeated here: it may hold a password). " +
                "Give credentials with their own parameters, never inside the URL.");
        }
    }
}
