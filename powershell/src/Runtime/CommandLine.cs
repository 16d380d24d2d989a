// Joins arguments into one command line by the Windows rules (CommandLineToArgvW and the
// MSVC runtime; .NET on Unix parses ProcessStartInfo.Arguments the same way): a run of
// backslashes is doubled before a quote and at the end of a quoted argument, so the child
// sees every argument exactly. Never paste data into a command line without this.
using System.Collections.Generic;
using System.Text;

namespace MfaApproval
{
    public static class CommandLine
    {
        public static string Join(IEnumerable<string> arguments)
        {
            StringBuilder line = new StringBuilder();
            foreach (string a in arguments)
            {
                if (line.Length > 0) line.Append(' ');
                line.Append(Quote(a ?? string.Empty));
            }
            return line.ToString();
        }

        static string Quote(string a)
        {
            bool plain = a.Length > 0;
            foreach (char c in a) if (char.IsWhiteSpace(c) || c == '"') plain = false;
            if (plain) return a;
            StringBuilder sb = new StringBuilder("\"");
            int backslashes = 0;
            foreach (char c in a)
            {
                if (c == '\\') { backslashes++; continue; }
                if (c == '"') sb.Append('\\', 2 * backslashes + 1);
                else if (backslashes > 0) sb.Append('\\', backslashes);
                sb.Append(c);
                backslashes = 0;
            }
            if (backslashes > 0) sb.Append('\\', 2 * backslashes);
            return sb.Append('"').ToString();
        }
    }
}
