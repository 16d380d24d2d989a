// [SecureStringOnly]: a secret parameter given as plain text is refused with a message that
// says why and what to give instead, in place of the binder's bare "cannot convert the value
// of type System.String to type System.Security.SecureString".
using System;
using System.Management.Automation;
using System.Security;

namespace MfaApproval
{
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    public sealed class SecureStringOnlyAttribute : ArgumentTransformationAttribute
    {
        readonly string parameter;
        readonly string prompt;

        /// <param name="parameter">The parameter's name, without the dash.</param>
        /// <param name="prompt">What Read-Host should ask for in the example.</param>
        public SecureStringOnlyAttribute(string parameter, string prompt)
        {
            this.parameter = parameter;
            this.prompt = prompt;
        }

        /// <summary>The message for a plain-text value (public for the tests).</summary>
        public string Message
        {
            get
            {
                return "-" + parameter + " takes a SecureString, not plain text (a secret typed into a script or the history is a leaked secret). " +
                    "Give (Read-Host -AsSecureString '" + prompt + "'), or (Import-Clixml <file>).Password for a PSCredential saved with Export-Clixml " +
                    "(DPAPI-protected for the account that saved it).";
            }
        }

        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object value = inputData is PSObject ? ((PSObject)inputData).BaseObject : inputData;
            if (value is string || value is char[]) throw new ArgumentTransformationMetadataException(Message);
            return inputData;
        }
    }
}
