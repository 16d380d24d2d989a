// The MIM provider's phone -> approver mapping (in the module assembly, so the installer
// checks a map when it is installed and the adapter uses the same rules): from the phone
// number MIM passes to the person whose phone gets the push. MIM passes only a number, so the approver is looked up, never guessed:
// - numbers are compared after normalising to '+' and digits (ASCII 0-9 only; spaces,
//   dashes, dots, parentheses and slashes dropped; anything else makes the number invalid);
// - the CSV map (PhoneNumber,UserName) is read strictly: the exact header, a bounded size,
//   a malformed line names its line number and stops every call (fail closed); a number
//   listed for two different people is ambiguous, and an ambiguous number is Failed;
// - the file is re-read when it changes (checked at most every 10 s), so the MIM Service
//   need not be restarted for a map change;
// - Ldap.Escape is RFC 4515 escaping for the optional Active Directory lookup
//   (mim/provider/DirectoryLookup.cs, Windows), tested on every platform.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
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
        /// <summary>'+' and the digits of a phone number, or null when it is not one (letters,
        /// other symbols, a '+' not in front, fewer than 3 or more than 20 digits).</summary>
        public static string Normalize(string number)
        {
            if (number == null) return null;
            StringBuilder digits = new StringBuilder();
            string trimmed = number.Trim();
            for (int i = 0; i < trimmed.Length; i++)
            {
                char c = trimmed[i];
                if (c >= '0' && c <= '9') digits.Append(c);
                else if (c == '+' && i == 0) continue;
                else if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/') continue;
                else return null;
            }
            if (digits.Length < 3 || digits.Length > 20) return null;
            return "+" + digits.ToString();
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

    /// <summary>The CSV map PhoneNumber,UserName. Thread-safe.</summary>
    public sealed class CsvPhoneMap
    {
        const int MaxBytes = 4 * 1024 * 1024;
        const int MaxUserNameChars = 256;
        readonly string path;
        readonly object gate = new object();
        Dictionary<string, string> map;
        List<string> ambiguous;
        string loadError;
        DateTime lastCheck = DateTime.MinValue;
        DateTime stamp;
        long length = -1;

        public CsvPhoneMap(string path)
        {
            this.path = path;
            Refresh(true);
        }

        /// <summary>Why the map cannot be used (a malformed file), or null.</summary>
        public string LoadError { get { lock (gate) { return loadError; } } }

        public Lookup Find(string normalized)
        {
            Refresh(false);
            lock (gate)
            {
                if (loadError != null) return Lookup.Refused(loadError);
                if (ambiguous.Contains(normalized)) return Lookup.Refused("the phone map lists this number for more than one user (ambiguous: fix " + path + ")");
                string user;
                if (map.TryGetValue(normalized, out user)) return Lookup.Of(user);
                return Lookup.Missing("the number is not in the phone map " + path);
            }
        }

        void Refresh(bool force)
        {
            lock (gate)
            {
                DateTime now = DateTime.UtcNow;
                if (!force && now - lastCheck < TimeSpan.FromSeconds(10)) return;
                lastCheck = now;
                try
                {
                    FileInfo info = new FileInfo(path);
                    if (!info.Exists)
                    {
                        // Forget the map read before: a file put back later (even with its
                        // old time stamp) is read again, never taken for unchanged.
                        loadError = "the phone map " + path + " does not exist";
                        map = null;
                        return;
                    }
                    if (!force && info.LastWriteTimeUtc == stamp && info.Length == length && map != null) return;
                    stamp = info.LastWriteTimeUtc;
                    length = info.Length;
                    Dictionary<string, string> m;
                    List<string> a;
                    Parse(ReadText(path), path, out m, out a);
                    map = m;
                    ambiguous = a;
                    loadError = null;
                }
                catch (Exception e)
                {
                    loadError = e is FormatException ? e.Message : "the phone map " + path + " cannot be read: " + e.Message;
                    map = null;
                }
            }
        }

        /// <summary>The file as text (UTF-8, a BOM allowed), refusing more than 4 MiB.</summary>
        public static string ReadText(string path)
        {
            using (FileStream f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
            {
                byte[] buf = new byte[MaxBytes + 1];
                int total = 0, n;
                while (total < buf.Length && (n = f.Read(buf, total, buf.Length - total)) > 0) total += n;
                if (total > MaxBytes) throw new FormatException("the phone map " + path + " is larger than " + MaxBytes.ToString(CultureInfo.InvariantCulture) + " bytes");
                int start = total >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF ? 3 : 0;
                try
                {
                    return new UTF8Encoding(false, true).GetString(buf, start, total - start);
                }
                catch (ArgumentException)
                {
                    throw new FormatException("the phone map " + path + " is not UTF-8 text");
                }
            }
        }

        /// <summary>Parses the CSV text: header PhoneNumber,UserName (either order, any case),
        /// fields optionally in double quotes ("" for a quote). FormatException names the line.</summary>
        public static void Parse(string text, string path, out Dictionary<string, string> map, out List<string> ambiguous)
        {
            map = new Dictionary<string, string>(StringComparer.Ordinal);
            ambiguous = new List<string>();
            string[] lines = text.Replace("\r\n", "\n").Split('\n');
            int phoneColumn = -1, userColumn = -1, lineNumber = 0;
            foreach (string raw in lines)
            {
                lineNumber++;
                if (raw.Trim().Length == 0) continue;
                List<string> fields = Fields(raw, path, lineNumber);
                if (phoneColumn < 0)
                {
                    for (int i = 0; i < fields.Count; i++)
                    {
                        string h = fields[i].Trim();
                        if (string.Equals(h, "PhoneNumber", StringComparison.OrdinalIgnoreCase)) { if (phoneColumn >= 0) phoneColumn = -2; else phoneColumn = i; }
                        else if (string.Equals(h, "UserName", StringComparison.OrdinalIgnoreCase)) { if (userColumn >= 0) userColumn = -2; else userColumn = i; }
                        else throw new FormatException(At(path, lineNumber) + "the header has an unknown column '" + Cut(h) + "'; it must be PhoneNumber,UserName");
                    }
                    if (phoneColumn < 0 || userColumn < 0) throw new FormatException(At(path, lineNumber) + "the header must name PhoneNumber and UserName once each");
                    continue;
                }
                if (fields.Count != 2) throw new FormatException(At(path, lineNumber) + "expected 2 fields (PhoneNumber,UserName), found " + fields.Count.ToString(CultureInfo.InvariantCulture));
                string phone = Phone.Normalize(fields[phoneColumn]);
                if (phone == null) throw new FormatException(At(path, lineNumber) + "'" + Cut(fields[phoneColumn]) + "' is not a phone number (digits, optionally a leading + and spaces, dashes, dots, parentheses)");
                string user = fields[userColumn].Trim();
                if (user.Length == 0) throw new FormatException(At(path, lineNumber) + "the UserName is empty");
                if (user.Length > MaxUserNameChars) throw new FormatException(At(path, lineNumber) + "the UserName is longer than " + MaxUserNameChars.ToString(CultureInfo.InvariantCulture) + " characters");
                foreach (char c in user)
                {
                    if (char.IsControl(c)) throw new FormatException(At(path, lineNumber) + "the UserName contains a control character");
                }
                string existing;
                if (map.TryGetValue(phone, out existing))
                {
                    // One person listed twice is not ambiguous; two people are.
                    if (!string.Equals(existing, user, StringComparison.OrdinalIgnoreCase) && !ambiguous.Contains(phone)) ambiguous.Add(phone);
                    continue;
                }
                map[phone] = user;
            }
            if (phoneColumn < 0) throw new FormatException(path + ": the phone map is empty (it needs the header PhoneNumber,UserName)");
        }

        static List<string> Fields(string line, string path, int lineNumber)
        {
            List<string> fields = new List<string>();
            StringBuilder current = new StringBuilder();
            int i = 0;
            while (true)
            {
                current.Length = 0;
                if (i < line.Length && line[i] == '"')
                {
                    i++;
                    while (true)
                    {
                        if (i >= line.Length) throw new FormatException(At(path, lineNumber) + "a quoted field is not closed");
                        if (line[i] == '"')
                        {
                            if (i + 1 < line.Length && line[i + 1] == '"') { current.Append('"'); i += 2; continue; }
                            i++;
                            break;
                        }
                        current.Append(line[i++]);
                    }
                    if (i < line.Length && line[i] != ',') throw new FormatException(At(path, lineNumber) + "text after a quoted field");
                }
                else
                {
                    while (i < line.Length && line[i] != ',')
                    {
                        if (line[i] == '"') throw new FormatException(At(path, lineNumber) + "a quote inside an unquoted field");
                        current.Append(line[i++]);
                    }
                }
                fields.Add(current.ToString());
                if (i >= line.Length) break;
                i++;
            }
            return fields;
        }

        static string At(string path, int line)
        {
            return path + " line " + line.ToString(CultureInfo.InvariantCulture) + ": ";
        }

        static string Cut(string s)
        {
            return s.Length > 40 ? s.Substring(0, 40) + "..." : s;
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
