// A small JSON writer for the documents the module sends to the engine (configuration
// and requests, the simulator's scripted users): objects of strings, numbers, booleans,
// string arrays and arrays of objects. No third-party
// library: the MIM Service host cannot take binding redirects.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace MfaApproval.Json
{
    public sealed class JsonObject
    {
        readonly List<KeyValuePair<string, object>> members = new List<KeyValuePair<string, object>>();

        /// <summary>Adds a member; null values are left out.</summary>
        public JsonObject Add(string name, object value)
        {
            if (value != null) members.Add(new KeyValuePair<string, object>(name, value));
            return this;
        }

        /// <summary>A dictionary's entries as string members (keys and values as text).</summary>
        public static JsonObject FromDictionary(System.Collections.IDictionary d)
        {
            JsonObject o = new JsonObject();
            foreach (System.Collections.DictionaryEntry e in d)
            {
                o.Add(Convert.ToString(e.Key, CultureInfo.InvariantCulture), Convert.ToString(e.Value, CultureInfo.InvariantCulture) ?? string.Empty);
            }
            return o;
        }

        public override string ToString()
        {
            StringBuilder sb = new StringBuilder();
            Write(sb, this);
            return sb.ToString();
        }

        static void Write(StringBuilder sb, object value)
        {
            JsonObject o = value as JsonObject;
            string s = value as string;
            if (o != null)
            {
                sb.Append('{');
                for (int i = 0; i < o.members.Count; i++)
                {
                    if (i > 0) sb.Append(',');
                    WriteString(sb, o.members[i].Key);
                    sb.Append(':');
                    Write(sb, o.members[i].Value);
                }
                sb.Append('}');
            }
            else if (s != null) WriteString(sb, s);
            else if (value is bool) sb.Append((bool)value ? "true" : "false");
            else if (value is int || value is long || value is uint) sb.Append(Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture));
            else if (value is double)
            {
                double d = (double)value;
                if (double.IsNaN(d) || double.IsInfinity(d)) throw new ArgumentException("JSON has no NaN or infinity");
                sb.Append(d.ToString("R", CultureInfo.InvariantCulture));
            }
            else if (value is IEnumerable<string>)
            {
                sb.Append('[');
                bool first = true;
                foreach (string item in (IEnumerable<string>)value)
                {
                    if (!first) sb.Append(',');
                    first = false;
                    WriteString(sb, item ?? string.Empty);
                }
                sb.Append(']');
            }
            else if (value is IEnumerable<JsonObject>)
            {
                sb.Append('[');
                bool first = true;
                foreach (JsonObject item in (IEnumerable<JsonObject>)value)
                {
                    if (!first) sb.Append(',');
                    first = false;
                    Write(sb, item);
                }
                sb.Append(']');
            }
            else throw new ArgumentException("cannot write a " + value.GetType().Name + " as JSON");
        }

        static void WriteString(StringBuilder sb, string s)
        {
            sb.Append('"');
            foreach (char c in s)
            {
                switch (c)
                {
                    case '"': sb.Append("\\\""); break;
                    case '\\': sb.Append("\\\\"); break;
                    case '\n': sb.Append("\\n"); break;
                    case '\r': sb.Append("\\r"); break;
                    case '\t': sb.Append("\\t"); break;
                    default:
                        if (c < 0x20 || (c >= 0xD800 && c <= 0xDFFF) || c == 0x2028 || c == 0x2029)
                        {
                            // Surrogates as escapes: a lone one then reaches the engine, which refuses it by name.
                            sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        }
                        else sb.Append(c);
                        break;
                }
            }
            sb.Append('"');
        }
    }
}
