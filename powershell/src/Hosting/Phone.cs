// Phone numbers as the MIM provider compares them, the result of a lookup, and LDAP filter
// escaping for the optional directory lookup (mim/provider/DirectoryLookup.cs, Windows),
// tested on every platform. MIM passes only a number (as the MIM Service stores it:
// MfaSettings.xml's DefaultCountryCode is empty, so no country code is added), so a number is
// compared by its digits after a fixed, documented normalisation; no country code is guessed.
using System;
using System.Globalization;
using System.Text;

namespace MfaApproval.Hosting
{
    /// <summary>What a lookup found: one user, none, or more than one.</summary>
    public sealed class Lookup
    {
        Lookup(string user, string problem) { UserName = user; Problem = problem; }
        /// <summary>The approver, or null.</summary>
        public string UserName { get; private set; }
        /// <summary>Why there is no approver (unknown, ambiguous, invalid), or null.</summary>
        public string Problem { get; private set; }
        public bool Found { get { return UserName != null; } }
        public bool Unknown { get; private set; }
        public static Lookup Of(string user) { return new Lookup(user, null); }
        public static Lookup Missing(string problem) { Lookup l = new Lookup(null, problem); l.Unknown = true; return l; }
        public static Lookup Refused(string problem) { return new Lookup(null, problem); }
    }

    public static class Phone
    {
        /// <summary>'+' and the ASCII digits of a phone number, or null when it is not one.
        /// Written as AD, the MIM portal, Outlook and spreadsheets hold numbers: an optional
        /// leading '+', digits, and separators (space, no-break and thin spaces, '-' and the
        /// Unicode hyphens and dashes, '.', '/', one level of balanced parentheses). After a
        /// leading '+' and the country code, "(0)" (E.123's national trunk prefix, as in
        /// "+44 (0)20 7946 0958") is dropped. Refused: letters (extensions, "tel:"), any other
        /// symbol or invisible character, digits other than ASCII 0-9, a '+' not in front, a
        /// first character other than '+', a digit or '(' (spreadsheet formulas start with
        /// '=', '-' or '@'), fewer than 3 or more than 20 digits.</summary>
        public static string Normalize(string number)
        {
            if (number == null) return null;
            string trimmed = number.Trim();
            if (trimmed.Length == 0 || trimmed.Length > 64) return null;
            char first = trimmed[0];
            if (first != '+' && first != '(' && !(first >= '0' && first <= '9')) return null;
            bool international = first == '+';
            StringBuilder digits = new StringBuilder();
            int depth = 0;
            for (int i = 0; i < trimmed.Length; i++)
            {
                char c = trimmed[i];
                if (c >= '0' && c <= '9') digits.Append(c);
                else if (c == '+' && i == 0) continue;
                else if (c == '(')
                {
                    if (international && digits.Length > 0 && i + 2 < trimmed.Length && trimmed[i + 1] == '0' && trimmed[i + 2] == ')')
                    {
                        i += 2;
                        continue;
                    }
                    if (++depth > 1) return null;
                }
                else if (c == ')')
                {
                    if (--depth < 0) return null;
                }
                else if (!IsSeparator(c)) return null;
            }
            if (depth != 0 || digits.Length < 3 || digits.Length > 20) return null;
            return "+" + digits.ToString();
        }

        static bool IsSeparator(char c)
        {
            switch (c)
            {
                case ' ':
                case '-':
                case '.':
                case '/':
                case '\u00A0': // no-break space (Outlook, Excel)
                case '\u2007': // figure space
                case '\u2009': // thin space
                case '\u202F': // narrow no-break space
                case '\u2010': // hyphen
                case '\u2011': // non-breaking hyphen
                case '\u2012': // figure dash
                case '\u2013': // en dash
                case '\u2014': // em dash
                case '\u2212': // minus sign
                    return true;
                default:
                    return false;
            }
        }

        /// <summary>The number for messages and the audit trail: its last digits only
        /// (4 of 8 or more, else 2), the rest as '*'.</summary>
        public static string Mask(string number)
        {
            string n = Normalize(number);
            if (n == null) return "(not a phone number)";
            string digits = n.Substring(1);
            int keep = digits.Length >= 8 ? 4 : 2;
            return "+" + new string('*', digits.Length - keep) + digits.Substring(digits.Length - keep);
        }
    }

    /// <summary>LDAP filter escaping (RFC 4515, section 3): '*', '(', ')', '\', NUL and every
    /// byte outside printable ASCII become \xx (the UTF-8 bytes, two hex digits each).</summary>
    public static class Ldap
    {
        public static string Escape(string value)
        {
            StringBuilder sb = new StringBuilder();
            foreach (byte b in Encoding.UTF8.GetBytes(value ?? string.Empty))
            {
                if (b == (byte)'*' || b == (byte)'(' || b == (byte)')' || b == (byte)'\\' || b < 0x20 || b >= 0x7F)
                {
                    sb.Append('\\').Append(b.ToString("x2", CultureInfo.InvariantCulture));
                }
                else sb.Append((char)b);
            }
            return sb.ToString();
        }

        /// <summary>An attribute description an admin may configure: a name (letter, then
        /// letters, digits, '-') or a numeric OID. Never pasted into a filter otherwise.</summary>
        public static bool IsAttributeName(string name)
        {
            if (string.IsNullOrEmpty(name) || name.Length > 64) return false;
            bool oid = name[0] >= '0' && name[0] <= '9';
            if (!oid && !((name[0] >= 'A' && name[0] <= 'Z') || (name[0] >= 'a' && name[0] <= 'z'))) return false;
            foreach (char c in name)
            {
                bool ok = oid ? ((c >= '0' && c <= '9') || c == '.') : ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
                if (!ok) return false;
            }
            return !(oid && (name.EndsWith(".", StringComparison.Ordinal) || name.Contains("..")));
        }

        /// <summary>The filter for one phone number on one attribute: user objects whose
        /// attribute equals the number exactly.</summary>
        public static string PhoneFilter(string attribute, string normalizedPhone)
        {
            if (!IsAttributeName(attribute)) throw new ArgumentException("the directory attribute '" + attribute + "' is not an LDAP attribute name");
            return "(&(objectCategory=person)(objectClass=user)(" + attribute + "=" + Escape(normalizedPhone) + "))";
        }
    }
}
