// MfaApproval MIM provider: call ids. MIM's call id for a call is the request id it passed to
// InitiateCall (Microsoft's sample returns requestId.ToString()), so a call id is parsed as a
// Guid and calls are found by the Guid's value: "0d8c...", "{0D8C...}" and "0D8C..." (no
// dashes) are one call. Anything that is not a Guid is no call of this provider: Failed,
// with a message that shows at most 64 characters of it, control characters escaped.
using System;
using System.Globalization;
using System.Text;

namespace MfaApproval.MimProvider
{
    internal static class CallId
    {
        public static bool TryParse(string text, out Guid id)
        {
            id = Guid.Empty;
            if (text == null || text.Length > 80) return false;
            return Guid.TryParse(text, out id);
        }

        public static string NotACallId(string text)
        {
            if (string.IsNullOrEmpty(text)) return "MfaApproval: MIM asked about a call without a call id (none was given)";
            return "MfaApproval: '" + Printable(text) + "' is not a call id of this provider (a call id is the MIM request id, a GUID); no such call";
        }

        /// <summary>At most 64 characters, control and non-ASCII characters as \uXXXX.</summary>
        public static string Printable(string text)
        {
            if (text == null) return string.Empty;
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < text.Length && i < 64; i++)
            {
                char c = text[i];
                if (c < 0x20 || c >= 0x7F) b.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                else b.Append(c);
            }
            if (text.Length > 64) b.Append("...");
            return b.ToString();
        }
    }
}
