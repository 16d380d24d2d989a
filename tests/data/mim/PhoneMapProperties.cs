// A seeded property test of the MIM provider's phone-number and phone-map parsers
// (MfaApproval.Hosting.Phone and CsvPhoneMap), standing in for a SharpFuzz run (SharpFuzz needs
// NuGet). Compiled by tests/MimPhoneMap.Tests.ps1 against the staged MfaApproval.dll and run
// in-process; each run is reproducible from its seed. It generates:
// - numbers: random digit strings written in the ways AD, the MIM portal, Outlook and CSV
//   files hold them (separators, Unicode spaces and dashes, parentheses, "(0)", '+' or not),
//   and hostile variants (one character the parser must refuse, put at a random place);
// - maps: random people and numbers in random formats, quoting, header order and case, line
//   ends (CRLF, LF, CR) and encodings (UTF-8 with and without BOM, UTF-16 LE/BE), some numbers
//   listed for two people, some for one person twice in another letter case;
// - damaged maps: valid map text with random edits (quotes, commas, '=', control and invisible
//   characters, line ends, digits) at random places.
// Invariants checked:
// - Normalize never throws; its result is null or '+' and 3-20 ASCII digits; it is idempotent;
//   every spelling of a digit string normalises to the same value and different digit strings
//   never to the same; a hostile variant is refused;
// - Parse throws nothing but FormatException; a number is never both in the map and ambiguous;
//   a number listed for two people is always ambiguous (never resolved first- or last-wins);
//   what a correct map says comes back exactly (the round trip); parsing is deterministic;
// - every value in a parsed map is a user name the parser accepts.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text;
using MfaApproval.Hosting;

namespace MfaApproval.Tests
{
    public sealed class PropertyReport
    {
        public int Seed;
        public int Numbers;
        public int Maps;
        public int DamagedMaps;
        public int DamagedRefused;
        public int AmbiguousChecked;
        public double Seconds;
        public List<string> Failures = new List<string>();
    }

    public static class PhoneMapProperties
    {
        static readonly string[] Separators = { " ", "-", ".", "/", "\u00A0", "\u2009", "\u202F", "\u2010", "\u2011", "\u2013", "\u2014", "\u2212", "  " };
        static readonly string[] Hostile = { "a", "x", "E", "=", "@", "#", "*", ",", ";", "\t", "\u0000", "\u200B", "\uFEFF", "\u0661", "\uFF10", "(", ")", "_", "'" };
        static readonly string[] Names = { "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "O'Brien", "anna,maria", "say \"hi\"", "zo\u00EB", "\u540D\u524D" };

        public static PropertyReport Run(int seed, int numbers, int maps, int damaged)
        {
            PropertyReport report = new PropertyReport();
            report.Seed = seed;
            Random random = new Random(seed);
            Stopwatch clock = Stopwatch.StartNew();
            for (int i = 0; i < numbers; i++) CheckNumber(random, report, i);
            for (int i = 0; i < maps; i++) CheckMap(random, report, i);
            for (int i = 0; i < damaged; i++) CheckDamagedMap(random, report, i);
            report.Seconds = clock.Elapsed.TotalSeconds;
            return report;
        }

        static void Fail(PropertyReport report, string what)
        {
            if (report.Failures.Count < 20) report.Failures.Add(what);
        }

        static string Digits(Random random, int min, int max)
        {
            int n = random.Next(min, max + 1);
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < n; i++) b.Append((char)('0' + random.Next(10)));
            return b.ToString();
        }

        /// <summary>A spelling of <paramref name="digits"/> that Normalize must read as
        /// "+" + digits (the '+' optional, as the map and MIM compare digits).</summary>
        static string Spell(Random random, string digits)
        {
            StringBuilder b = new StringBuilder();
            bool plus = random.Next(3) != 0;
            if (random.Next(6) == 0) b.Append(' ');
            if (plus) b.Append('+');
            int i = 0;
            if (!plus && random.Next(5) == 0 && digits.Length > 6)
            {
                // "(555) 010-0001": a group in parentheses at the start.
                int g = random.Next(1, 4);
                b.Append('(').Append(digits, 0, g).Append(')').Append(' ');
                i = g;
            }
            bool trunk = plus && random.Next(6) == 0;
            while (i < digits.Length)
            {
                int g = Math.Min(digits.Length - i, random.Next(1, 5));
                // A group in parentheses; never "(0)" after a '+', which is the trunk prefix the
                // parser drops (E.123), not a digit of the number.
                if (random.Next(8) == 0 && i > 0 && !(plus && digits.Substring(i, g) == "0"))
                {
                    b.Append('(').Append(digits, i, g).Append(')');
                }
                else b.Append(digits, i, g);
                i += g;
                if (trunk && i > 0 && i < digits.Length)
                {
                    b.Append(" (0)");
                    trunk = false;
                }
                if (i < digits.Length && random.Next(2) == 0) b.Append(Separators[random.Next(Separators.Length)]);
            }
            if (random.Next(6) == 0) b.Append(' ');
            return b.ToString();
        }

        static void CheckNumber(Random random, PropertyReport report, int index)
        {
            report.Numbers++;
            string digits = Digits(random, 3, 20);
            string spelled = Spell(random, digits);
            string expected = "+" + digits;
            string got = Normalize(report, spelled, index);
            if (spelled.Trim().Length <= 64 && got != expected) Fail(report, "number " + index + ": '" + Escape(spelled) + "' normalised to '" + got + "', expected '" + expected + "'");
            if (got != null && Normalize(report, got, index) != got) Fail(report, "number " + index + ": not idempotent for '" + Escape(spelled) + "'");
            string other = Spell(random, digits);
            if (other.Trim().Length <= 64 && spelled.Trim().Length <= 64 && Normalize(report, other, index) != got) Fail(report, "number " + index + ": '" + Escape(spelled) + "' and '" + Escape(other) + "' differ");
            string different = Mutate(random, digits);
            if (different != digits && Normalize(report, Spell(random, different), index) == expected) Fail(report, "number " + index + ": different digits '" + different + "' and '" + digits + "' normalised alike");
            // One refused character at a random place: never a number (a leading '(' or ')' can
            // only unbalance the parentheses, so they are refused too).
            // (Spaces and tabs at either end are trimmed, so a tab goes inside.)
            string hostile = Hostile[random.Next(Hostile.Length)];
            string trimmed = spelled.Trim();
            int at = hostile == "\t" ? random.Next(1, trimmed.Length) : random.Next(trimmed.Length + 1);
            string bad = trimmed.Substring(0, at) + hostile + trimmed.Substring(at);
            string badResult = Normalize(report, bad, index);
            if (badResult != null) Fail(report, "number " + index + ": '" + Escape(bad) + "' was accepted as '" + badResult + "'");
            string raw = RandomText(random, random.Next(0, 40));
            string r = Normalize(report, raw, index);
            if (r != null && !IsNormal(r)) Fail(report, "number " + index + ": '" + Escape(raw) + "' normalised to a malformed '" + r + "'");
        }

        static string Mutate(Random random, string digits)
        {
            char[] c = digits.ToCharArray();
            int i = random.Next(c.Length);
            c[i] = (char)('0' + (c[i] - '0' + 1 + random.Next(9)) % 10);
            return new string(c);
        }

        static string Normalize(PropertyReport report, string s, int index)
        {
            try
            {
                string n = Phone.Normalize(s);
                if (n != null && !IsNormal(n)) Fail(report, "number " + index + ": malformed result '" + n + "'");
                return n;
            }
            catch (Exception e)
            {
                Fail(report, "number " + index + ": Normalize threw " + e.GetType().Name + " for '" + Escape(s) + "'");
                return null;
            }
        }

        static bool IsNormal(string n)
        {
            if (n.Length < 4 || n.Length > 21 || n[0] != '+') return false;
            for (int i = 1; i < n.Length; i++) if (n[i] < '0' || n[i] > '9') return false;
            return true;
        }

        sealed class Line
        {
            public string Digits;
            public string User;
        }

        static void CheckMap(Random random, PropertyReport report, int index)
        {
            report.Maps++;
            List<Line> lines = new List<Line>();
            int numbers = random.Next(1, 7);
            for (int i = 0; i < numbers; i++)
            {
                string digits = Digits(random, 3, 15);
                string user = Names[random.Next(Names.Length)] + "@contoso.com";
                lines.Add(new Line { Digits = digits, User = user });
                int kind = random.Next(6);
                if (kind == 0) lines.Add(new Line { Digits = digits, User = Names[random.Next(Names.Length)] + "@fabrikam.com" });   // another person: ambiguous
                else if (kind == 1) lines.Add(new Line { Digits = digits, User = user.ToUpperInvariant() });                       // the same person again
            }
            Shuffle(random, lines);
            // The model: the people listed per number (one person in any letter case).
            Dictionary<string, List<string>> model = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (Line l in lines)
            {
                List<string> people;
                if (!model.TryGetValue("+" + l.Digits, out people)) model["+" + l.Digits] = people = new List<string>();
                if (!people.Exists(delegate(string p) { return string.Equals(p, l.User, StringComparison.OrdinalIgnoreCase); })) people.Add(l.User);
            }
            string text = Render(random, lines);
            byte[] bytes = Encode(random, text);
            Dictionary<string, string> map;
            List<string> ambiguous;
            try
            {
                string decoded = CsvPhoneMap.Decode(bytes, bytes.Length, "map" + index);
                CsvPhoneMap.Parse(decoded, "map" + index, out map, out ambiguous);
            }
            catch (Exception e)
            {
                Fail(report, "map " + index + ": a correct map was refused: " + e.GetType().Name + ": " + e.Message + " [" + Escape(text) + "]");
                return;
            }
            foreach (KeyValuePair<string, List<string>> m in model)
            {
                if (m.Value.Count > 1)
                {
                    report.AmbiguousChecked++;
                    if (!ambiguous.Contains(m.Key) || map.ContainsKey(m.Key)) Fail(report, "map " + index + ": " + m.Key + " is listed for " + string.Join(" and ", m.Value.ToArray()) + " but was not refused as ambiguous");
                }
                else
                {
                    string user;
                    if (!map.TryGetValue(m.Key, out user) || !string.Equals(user, m.Value[0], StringComparison.OrdinalIgnoreCase)) Fail(report, "map " + index + ": " + m.Key + " should map to " + m.Value[0] + ", got " + (user ?? "nothing"));
                    if (ambiguous.Contains(m.Key)) Fail(report, "map " + index + ": " + m.Key + " is one person's, yet ambiguous");
                }
            }
            if (map.Count + ambiguous.Count != model.Count) Fail(report, "map " + index + ": " + (map.Count + ambiguous.Count) + " numbers read, " + model.Count + " written");
        }

        static void CheckDamagedMap(Random random, PropertyReport report, int index)
        {
            report.DamagedMaps++;
            List<Line> lines = new List<Line>();
            int numbers = random.Next(1, 5);
            for (int i = 0; i < numbers; i++) lines.Add(new Line { Digits = Digits(random, 3, 12), User = Names[random.Next(Names.Length)] + "@contoso.com" });
            StringBuilder text = new StringBuilder(Render(random, lines));
            string[] edits = { "\"", ",", "=", "+", "-", "@", "\r", "\n", "\r\n", "\u0000", "\u0007", "\u200B", "\uFEFF", "\u00A0", "(", ")", "1", " ", "x" };
            int count = random.Next(1, 4);
            for (int e = 0; e < count; e++)
            {
                int at = random.Next(text.Length + 1);
                int op = random.Next(3);
                if (op == 0 || text.Length == 0) text.Insert(at, edits[random.Next(edits.Length)]);
                else if (op == 1 && at < text.Length) text.Remove(at, 1);
                else if (at < text.Length) { text.Remove(at, 1); text.Insert(at, edits[random.Next(edits.Length)]); }
            }
            string damaged = text.ToString();
            Dictionary<string, string> map = null, again = null;
            List<string> ambiguous = null, ambiguousAgain = null;
            try
            {
                CsvPhoneMap.Parse(damaged, "damaged" + index, out map, out ambiguous);
            }
            catch (FormatException)
            {
                report.DamagedRefused++;
                return;
            }
            catch (Exception e)
            {
                Fail(report, "damaged map " + index + ": threw " + e.GetType().Name + " (only FormatException may leave the parser) [" + Escape(damaged) + "]");
                return;
            }
            foreach (KeyValuePair<string, string> kv in map)
            {
                if (!IsNormal(kv.Key)) Fail(report, "damaged map " + index + ": key '" + kv.Key + "' is not a normalised number");
                if (ambiguous.Contains(kv.Key)) Fail(report, "damaged map " + index + ": " + kv.Key + " is both mapped and ambiguous");
                if (CsvPhoneMap.UserNameProblem(kv.Value) != null) Fail(report, "damaged map " + index + ": accepted the user name '" + Escape(kv.Value) + "'");
            }
            CsvPhoneMap.Parse(damaged, "damaged" + index, out again, out ambiguousAgain);
            if (again.Count != map.Count || ambiguousAgain.Count != ambiguous.Count) Fail(report, "damaged map " + index + ": parsing twice gave different results");
            foreach (KeyValuePair<string, string> kv in map)
            {
                string v;
                if (!again.TryGetValue(kv.Key, out v) || v != kv.Value) Fail(report, "damaged map " + index + ": parsing twice gave different results for " + kv.Key);
            }
        }

        static string Render(Random random, List<Line> lines)
        {
            string[] ends = { "\r\n", "\n", "\r" };
            string end = ends[random.Next(ends.Length)];
            bool phoneFirst = random.Next(2) == 0;
            StringBuilder b = new StringBuilder();
            string phoneHeader = random.Next(2) == 0 ? "PhoneNumber" : "phonenumber";
            string userHeader = random.Next(2) == 0 ? "UserName" : "USERNAME";
            b.Append(phoneFirst ? phoneHeader + "," + userHeader : userHeader + "," + phoneHeader).Append(end);
            foreach (Line l in lines)
            {
                string phone = Cell(random, Spell(random, l.Digits));
                string user = Cell(random, l.User);
                b.Append(phoneFirst ? phone + "," + user : user + "," + phone).Append(end);
                if (random.Next(10) == 0) b.Append(end);   // a blank line
            }
            return b.ToString();
        }

        static string Cell(Random random, string value)
        {
            bool must = value.IndexOf(',') >= 0 || value.IndexOf('"') >= 0;
            if (!must && random.Next(3) != 0) return value;
            return "\"" + value.Replace("\"", "\"\"") + "\"";
        }

        static byte[] Encode(Random random, string text)
        {
            switch (random.Next(4))
            {
                case 0: return Join(new byte[] { 0xEF, 0xBB, 0xBF }, new UTF8Encoding(false).GetBytes(text));
                case 1: return Join(new byte[] { 0xFF, 0xFE }, new UnicodeEncoding(false, false).GetBytes(text));
                case 2: return Join(new byte[] { 0xFE, 0xFF }, new UnicodeEncoding(true, false).GetBytes(text));
                default: return new UTF8Encoding(false).GetBytes(text);
            }
        }

        static byte[] Join(byte[] a, byte[] b)
        {
            byte[] r = new byte[a.Length + b.Length];
            Array.Copy(a, r, a.Length);
            Array.Copy(b, 0, r, a.Length, b.Length);
            return r;
        }

        static void Shuffle(Random random, List<Line> list)
        {
            for (int i = list.Count - 1; i > 0; i--)
            {
                int j = random.Next(i + 1);
                Line t = list[i]; list[i] = list[j]; list[j] = t;
            }
        }

        static string RandomText(Random random, int length)
        {
            const string alphabet = "0123456789+-.()/ \u00A0\u2013x=@,\"\u200B\u0661";
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < length; i++) b.Append(alphabet[random.Next(alphabet.Length)]);
            return b.ToString();
        }

        static string Escape(string s)
        {
            StringBuilder b = new StringBuilder();
            foreach (char c in s)
            {
                if (c < 0x20 || c > 0x7E) b.Append("\\u").Append(((int)c).ToString("x4"));
                else b.Append(c);
            }
            return b.ToString();
        }
    }
}
