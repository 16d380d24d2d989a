// A small, strict JSON reader for the documents the engine returns (outcomes and
// capabilities): objects become Dictionary<string, object> (ordinal keys, in order),
// arrays List<object>, numbers double, plus string, bool and null. Depth is bounded.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace MfaApproval.Json
{
    public sealed class JsonReader
    {
        const int MaxDepth = 64;
        readonly string text;
        int pos;

        JsonReader(string text) { this.text = text; }

        public static object Parse(string text)
        {
            JsonReader r = new JsonReader(text ?? string.Empty);
            object value = r.Value(0);
            r.SkipSpace();
            if (r.pos != r.text.Length) throw r.Error("trailing characters");
            return value;
        }

        /// <summary>Parses a document whose top level must be an object.</summary>
        public static Dictionary<string, object> ParseObject(string text)
        {
            Dictionary<string, object> o = Parse(text) as Dictionary<string, object>;
            if (o == null) throw new FormatException("JSON: the document is not an object");
            return o;
        }

        FormatException Error(string what)
        {
            return new FormatException("JSON: " + what + " at offset " + pos);
        }

        void SkipSpace()
        {
            while (pos < text.Length && (text[pos] == ' ' || text[pos] == '\t' || text[pos] == '\n' || text[pos] == '\r')) pos++;
        }

        object Value(int depth)
        {
            if (depth > MaxDepth) throw Error("nesting too deep");
            SkipSpace();
            if (pos >= text.Length) throw Error("unexpected end");
            char c = text[pos];
            if (c == '{') return ObjectValue(depth);
            if (c == '[') return ArrayValue(depth);
            if (c == '"') return StringValue();
            if (Literal("true")) return true;
            if (Literal("false")) return false;
            if (Literal("null")) return null;
            return NumberValue();
        }

        bool Literal(string word)
        {
            if (string.CompareOrdinal(text, pos, word, 0, word.Length) == 0)
            {
                pos += word.Length;
                return true;
            }
            return false;
        }

        Dictionary<string, object> ObjectValue(int depth)
        {
            Dictionary<string, object> o = new Dictionary<string, object>(StringComparer.Ordinal);
            pos++;
            SkipSpace();
            if (pos < text.Length && text[pos] == '}') { pos++; return o; }
            while (true)
            {
                SkipSpace();
                if (pos >= text.Length || text[pos] != '"') throw Error("expected a member name");
                string name = StringValue();
                SkipSpace();
                if (pos >= text.Length || text[pos] != ':') throw Error("expected ':'");
                pos++;
                if (o.ContainsKey(name)) throw Error("duplicate member '" + name + "'");
                o[name] = Value(depth + 1);
                SkipSpace();
                if (pos < text.Length && text[pos] == ',') { pos++; continue; }
                if (pos < text.Length && text[pos] == '}') { pos++; return o; }
                throw Error("expected ',' or '}'");
            }
        }

        List<object> ArrayValue(int depth)
        {
            List<object> a = new List<object>();
            pos++;
            SkipSpace();
            if (pos < text.Length && text[pos] == ']') { pos++; return a; }
            while (true)
            {
                a.Add(Value(depth + 1));
                SkipSpace();
                if (pos < text.Length && text[pos] == ',') { pos++; continue; }
                if (pos < text.Length && text[pos] == ']') { pos++; return a; }
                throw Error("expected ',' or ']'");
            }
        }

        string StringValue()
        {
            pos++;
            StringBuilder sb = new StringBuilder();
            while (true)
            {
                if (pos >= text.Length) throw Error("unterminated string");
                char c = text[pos++];
                if (c == '"') return sb.ToString();
                if (c < 0x20) throw Error("control character in a string");
                if (c != '\\') { sb.Append(c); continue; }
                if (pos >= text.Length) throw Error("unterminated escape");
                char e = text[pos++];
                switch (e)
                {
                    case '"': sb.Append('"'); break;
                    case '\\': sb.Append('\\'); break;
                    case '/': sb.Append('/'); break;
                    case 'b': sb.Append('\b'); break;
                    case 'f': sb.Append('\f'); break;
                    case 'n': sb.Append('\n'); break;
                    case 'r': sb.Append('\r'); break;
                    case 't': sb.Append('\t'); break;
                    case 'u':
                        int code;
                        if (pos + 4 > text.Length || !int.TryParse(text.Substring(pos, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out code)) throw Error("bad \\u escape");
                        sb.Append((char)code);
                        pos += 4;
                        break;
                    default: throw Error("bad escape");
                }
            }
        }

        double NumberValue()
        {
            int start = pos;
            while (pos < text.Length && "+-0123456789.eE".IndexOf(text[pos]) >= 0) pos++;
            double d;
            if (pos == start || !double.TryParse(text.Substring(start, pos - start), NumberStyles.Float, CultureInfo.InvariantCulture, out d)) throw Error("bad value");
            return d;
        }
    }
}
