// The MIM provider's phone -> approver mapping (in the module assembly, so the installer
// checks a map when it is installed, Export-MfaPhoneMap drafts one, and the adapter uses the
// same rules): from the phone number MIM passes to the person whose phone gets the push. MIM
// passes only a number, so the approver is looked up, never guessed:
// - numbers are compared after Phone.Normalize ('+' and ASCII digits);
// - the CSV map (PhoneNumber,UserName) is read strictly: UTF-8 (a BOM allowed) or UTF-16 with
//   its BOM, CRLF, LF or CR line ends, the exact header, a bounded size; a malformed line names
//   its line number and stops every call (fail closed); a user name that starts like a
//   spreadsheet formula ('=', '+', '-', '@') or holds a control or invisible character is
//   malformed;
// - a number listed for two different people is ambiguous: it is kept out of the map and
//   every call from it is Failed (one person listed twice, in any letter case, is not);
// - the file is re-read when it changes (checked at most every 10 s), so the MIM Service
//   need not be restarted for a map change.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace MfaApproval.Hosting
{
    /// <summary>The CSV map PhoneNumber,UserName. Thread-safe.</summary>
    public sealed class CsvPhoneMap
    {
        /// <summary>The largest map file read (bytes).</summary>
        public const int MaxBytes = 4 * 1024 * 1024;
        /// <summary>The longest user name in a map (characters).</summary>
        public const int MaxUserNameChars = 256;
        readonly string path;
        readonly TimeSpan checkEvery;
        readonly object gate = new object();
        Dictionary<string, string> map;
        Dictionary<string, bool> ambiguous;
        string loadError;
        DateTime lastCheck = DateTime.MinValue;
        DateTime stamp;
        long length = -1;

        /// <summary>The map at <paramref name="path"/>, checked for changes at most every 10 s.</summary>
        public CsvPhoneMap(string path) : this(path, TimeSpan.FromSeconds(10)) { }

        /// <summary>For tests: checked for changes at most every <paramref name="checkEvery"/>.</summary>
        public CsvPhoneMap(string path, TimeSpan checkEvery)
        {
            this.path = path;
            this.checkEvery = checkEvery;
            Refresh(true);
        }

        /// <summary>Why the map cannot be used (a malformed file), or null.</summary>
        public string LoadError { get { lock (gate) { return loadError; } } }

        /// <summary>The approver of a normalised number (Phone.Normalize), or why there is none.</summary>
        public Lookup Find(string normalized)
        {
            Refresh(false);
            lock (gate)
            {
                if (loadError != null) return Lookup.Refused(loadError);
                if (normalized == null) return Lookup.Refused("not a phone number");
                if (ambiguous.ContainsKey(normalized)) return Lookup.Refused("the phone map lists this number for more than one user (ambiguous: fix " + path + ")");
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
                if (!force && now - lastCheck < checkEvery) return;
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
                    Dictionary<string, bool> a;
                    Read(ReadText(path), path, out m, out a);
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

        /// <summary>The file as text: UTF-8 (a BOM allowed) or UTF-16 with its BOM (what Windows
        /// PowerShell 5.1's Out-File writes), decoded strictly; more than 4 MiB is refused.</summary>
        public static string ReadText(string path)
        {
            using (FileStream f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
            {
                byte[] buf = new byte[MaxBytes + 1];
                int total = 0, n;
                while (total < buf.Length && (n = f.Read(buf, total, buf.Length - total)) > 0) total += n;
                if (total > MaxBytes) throw new FormatException("the phone map " + path + " is larger than " + MaxBytes.ToString(CultureInfo.InvariantCulture) + " bytes");
                return Decode(buf, total, path);
            }
        }

        /// <summary>Bytes of a map as text (see ReadText); FormatException says what is wrong.</summary>
        public static string Decode(byte[] bytes, int count, string path)
        {
            Encoding encoding = new UTF8Encoding(false, true);
            int start = 0;
            string name = "UTF-8";
            if (count >= 4 && bytes[0] == 0xFF && bytes[1] == 0xFE && bytes[2] == 0 && bytes[3] == 0)
            {
                throw new FormatException("the phone map " + path + " is UTF-32 text; save it as UTF-8");
            }
            if (count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF) start = 3;
            else if (count >= 2 && bytes[0] == 0xFF && bytes[1] == 0xFE) { encoding = new UnicodeEncoding(false, false, true); start = 2; name = "UTF-16"; }
            else if (count >= 2 && bytes[0] == 0xFE && bytes[1] == 0xFF) { encoding = new UnicodeEncoding(true, false, true); start = 2; name = "UTF-16"; }
            try
            {
                return encoding.GetString(bytes, start, count - start);
            }
            catch (ArgumentException)
            {
                throw new FormatException("the phone map " + path + " is not " + name + " text (save it as UTF-8)");
            }
        }

        /// <summary>Parses the CSV text: header PhoneNumber,UserName (either order, any case),
        /// fields optionally in double quotes ("" for a quote). <paramref name="map"/> gets every
        /// number listed for one person; <paramref name="ambiguous"/> every number listed for
        /// more than one (never in <paramref name="map"/>). FormatException names the line.</summary>
        public static void Parse(string text, string path, out Dictionary<string, string> map, out List<string> ambiguous)
        {
            Dictionary<string, bool> set;
            Read(text, path, out map, out set);
            ambiguous = new List<string>(set.Keys);
            ambiguous.Sort(StringComparer.Ordinal);
        }

        /// <summary>One line of a map, as read: for Export-MfaPhoneMap and the tests.</summary>
        public struct Entry
        {
            public int Line;
            public string Phone;
            public string UserName;
        }

        static void Read(string text, string path, out Dictionary<string, string> map, out Dictionary<string, bool> ambiguous)
        {
            map = new Dictionary<string, string>(StringComparer.Ordinal);
            // (Dictionary as a set: the module assembly references no System.Core.)
            ambiguous = new Dictionary<string, bool>(StringComparer.Ordinal);
            foreach (Entry e in Entries(text, path))
            {
                if (ambiguous.ContainsKey(e.Phone)) continue;
                string existing;
                if (map.TryGetValue(e.Phone, out existing))
                {
                    // One person listed twice is not ambiguous; two people are.
                    if (!string.Equals(existing, e.UserName, StringComparison.OrdinalIgnoreCase))
                    {
                        ambiguous[e.Phone] = true;
                        map.Remove(e.Phone);
                    }
                    continue;
                }
                map[e.Phone] = e.UserName;
            }
        }

        /// <summary>The map's lines with their normalised numbers, in file order; FormatException
        /// names the first malformed line.</summary>
        public static List<Entry> Entries(string text, string path)
        {
            List<Entry> entries = new List<Entry>();
            int phoneColumn = -1, userColumn = -1, lineNumber = 0, at = 0;
            while (at <= text.Length)
            {
                int end = at;
                while (end < text.Length && text[end] != '\n' && text[end] != '\r') end++;
                string raw = text.Substring(at, end - at);
                // A line ends at CRLF, LF or a lone CR (spreadsheets on a Mac).
                at = end < text.Length && text[end] == '\r' && end + 1 < text.Length && text[end + 1] == '\n' ? end + 2 : end + 1;
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
                if (phone == null) throw new FormatException(At(path, lineNumber) + "'" + Cut(fields[phoneColumn]) + "' is not a phone number (digits, optionally a leading + and spaces, dashes, dots, slashes, parentheses)");
                string user = fields[userColumn].Trim();
                string problem = UserNameProblem(user);
                if (problem != null) throw new FormatException(At(path, lineNumber) + problem);
                Entry entry = new Entry();
                entry.Line = lineNumber;
                entry.Phone = phone;
                entry.UserName = user;
                entries.Add(entry);
            }
            if (phoneColumn < 0) throw new FormatException(path + ": the phone map is empty (it needs the header PhoneNumber,UserName)");
            return entries;
        }

        /// <summary>Why a (trimmed) user name cannot be in a map, or null.</summary>
        public static string UserNameProblem(string user)
        {
            if (user == null || user.Length == 0) return "the UserName is empty";
            if (user.Length > MaxUserNameChars) return "the UserName is longer than " + MaxUserNameChars.ToString(CultureInfo.InvariantCulture) + " characters";
            char first = user[0];
            if (first == '=' || first == '+' || first == '-' || first == '@')
            {
                return "the UserName '" + Cut(user) + "' starts with '" + first + "', as a spreadsheet formula does; no account name does (check the cell)";
            }
            foreach (char c in user)
            {
                if (char.IsControl(c)) return "the UserName contains a control character";
                if (IsInvisible(c)) return "the UserName contains an invisible character (" + Code(c) + ")";
            }
            return null;
        }

        static bool IsInvisible(char c)
        {
            UnicodeCategory k = char.GetUnicodeCategory(c);
            // Categories that are the same in .NET Framework's and .NET's Unicode tables for
            // these characters (not OtherNotAssigned, which differs between versions).
            return k == UnicodeCategory.Format || k == UnicodeCategory.LineSeparator || k == UnicodeCategory.ParagraphSeparator
                || k == UnicodeCategory.PrivateUse || (k == UnicodeCategory.SpaceSeparator && c != ' ');
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
                if (fields.Count > 16) throw new FormatException(At(path, lineNumber) + "more than 16 fields");
                if (i >= line.Length) break;
                i++;
            }
            return fields;
        }

        static string At(string path, int line)
        {
            return path + " line " + line.ToString(CultureInfo.InvariantCulture) + ": ";
        }

        /// <summary>At most 40 characters of a cell for a message, control and invisible
        /// characters shown as \uXXXX.</summary>
        static string Cut(string s)
        {
            StringBuilder b = new StringBuilder();
            foreach (char c in s.Length > 40 ? s.Substring(0, 40) : s)
            {
                if (char.IsControl(c) || IsInvisible(c) || char.IsSurrogate(c)) b.Append(Code(c));
                else b.Append(c);
            }
            if (s.Length > 40) b.Append("...");
            return b.ToString();
        }

        static string Code(char c)
        {
            return "U+" + ((int)c).ToString("X4", CultureInfo.InvariantCulture);
        }
    }
}
