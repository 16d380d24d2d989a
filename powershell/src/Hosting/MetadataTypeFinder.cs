// Which DLL in a folder defines a type, found by reading ECMA-335 metadata (the PE file's
// CLI header, the metadata root, the #~ tables and the #Strings heap) without loading
// anything: works on every runtime (.NET Framework has reflection-only loading, .NET has
// not), never runs code from the file, and skips native DLLs and anything malformed. Every
// read is bounds-checked; a file larger than 256 MiB is skipped.
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace MfaApproval.Hosting
{
    public static class MetadataTypeFinder
    {
        const long MaxFileBytes = 256L * 1024 * 1024;
        const uint TypeAttributesInterface = 0x20;

        /// <summary>The *.dll files directly in <paramref name="folder"/> that define the
        /// interface <paramref name="ns"/>.<paramref name="name"/>, sorted.</summary>
        public static string[] FindInterface(string folder, string ns, string name)
        {
            List<string> found = new List<string>();
            foreach (string file in Directory.GetFiles(folder, "*.dll"))
            {
                try
                {
                    if (DefinesInterface(file, ns, name)) found.Add(Path.GetFullPath(file));
                }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }
            found.Sort(StringComparer.OrdinalIgnoreCase);
            return found.ToArray();
        }

        /// <summary>True when the file's metadata has a TypeDef ns.name that is an interface.
        /// False for native files and anything that is not well-formed metadata.</summary>
        public static bool DefinesInterface(string path, string ns, string name)
        {
            FileInfo info = new FileInfo(path);
            if (!info.Exists || info.Length > MaxFileBytes || info.Length < 128) return false;
            byte[] pe = File.ReadAllBytes(path);
            try
            {
                foreach (KeyValuePair<uint, KeyValuePair<string, string>> t in TypeDefs(pe))
                {
                    if ((t.Key & TypeAttributesInterface) != 0 && t.Value.Key == ns && t.Value.Value == name) return true;
                }
            }
            catch (FormatException) { }
            catch (OverflowException) { }
            catch (ArgumentException) { }
            catch (IndexOutOfRangeException) { }
            return false;
        }

        sealed class Reader
        {
            readonly byte[] b;
            public Reader(byte[] bytes) { b = bytes; }
            public int Length { get { return b.Length; } }
            void Need(long at, long count) { if (at < 0 || count < 0 || at + count > b.Length) throw new FormatException("truncated"); }
            public ushort U16(long at) { Need(at, 2); return (ushort)(b[at] | b[at + 1] << 8); }
            public uint U32(long at) { Need(at, 4); return (uint)(b[at] | b[at + 1] << 8 | b[at + 2] << 16 | b[at + 3] << 24); }
            public byte U8(long at) { Need(at, 1); return b[at]; }
            public uint Index(long at, int size) { return size == 2 ? U16(at) : U32(at); }
            public string CString(long at, long end, int max)
            {
                List<byte> bytes = new List<byte>();
                for (long i = at; ; i++)
                {
                    if (i >= end || bytes.Count > max) throw new FormatException("unterminated string");
                    byte c = U8(i);
                    if (c == 0) break;
                    bytes.Add(c);
                }
                return Encoding.UTF8.GetString(bytes.ToArray());
            }
        }

        /// <summary>(flags, (namespace, name)) of every TypeDef. FormatException when malformed.</summary>
        static IEnumerable<KeyValuePair<uint, KeyValuePair<string, string>>> TypeDefs(byte[] bytes)
        {
            Reader r = new Reader(bytes);
            if (r.U16(0) != 0x5A4D) throw new FormatException("no MZ");
            long pe = r.U32(0x3C);
            if (r.U32(pe) != 0x00004550) throw new FormatException("no PE");
            int sections = r.U16(pe + 6);
            int optionalSize = r.U16(pe + 20);
            long optional = pe + 24;
            ushort magic = r.U16(optional);
            long directories = magic == 0x10B ? optional + 96 : magic == 0x20B ? optional + 112 : -1;
            if (directories < 0) throw new FormatException("unknown optional header");
            uint directoryCount = r.U32(directories - 4);
            if (directoryCount < 15) throw new FormatException("no CLI header");
            uint cliRva = r.U32(directories + 14 * 8);
            if (cliRva == 0) throw new FormatException("not a .NET file");
            long sectionTable = optional + optionalSize;
            if (sections > 96) throw new FormatException("too many sections");
            Func<uint, long> offset = delegate(uint rva)
            {
                for (int i = 0; i < sections; i++)
                {
                    long s = sectionTable + i * 40;
                    uint virtualSize = r.U32(s + 8), va = r.U32(s + 12), rawSize = r.U32(s + 16), raw = r.U32(s + 20);
                    uint size = Math.Max(virtualSize, rawSize);
                    if (rva >= va && rva < (long)va + size)
                    {
                        long o = (long)raw + (rva - va);
                        if (o >= r.Length) throw new FormatException("RVA outside the file");
                        return o;
                    }
                }
                throw new FormatException("RVA in no section");
            };
            long cli = offset(cliRva);
            long metadata = offset(r.U32(cli + 8));
            if (r.U32(metadata) != 0x424A5342) throw new FormatException("no metadata signature");
            uint versionLength = r.U32(metadata + 12);
            if (versionLength > 255) throw new FormatException("metadata version too long");
            long p = metadata + 16 + versionLength;
            int streams = r.U16(p + 2);
            p += 4;
            long tables = -1, strings = -1, stringsEnd = -1;
            for (int i = 0; i < streams && i < 16; i++)
            {
                uint streamOffset = r.U32(p), streamSize = r.U32(p + 4);
                string streamName = r.CString(p + 8, p + 8 + 32, 32);
                p += 8 + ((streamName.Length + 4) & ~3);
                if (streamName == "#~") tables = metadata + streamOffset;
                else if (streamName == "#Strings") { strings = metadata + streamOffset; stringsEnd = strings + streamSize; }
            }
            if (tables < 0 || strings < 0) throw new FormatException("no #~ or #Strings stream");
            if (stringsEnd > r.Length) throw new FormatException("#Strings outside the file");
            byte heapSizes = r.U8(tables + 6);
            ulong valid = (ulong)r.U32(tables + 8) | ((ulong)r.U32(tables + 12) << 32);
            uint[] rows = new uint[64];
            long q = tables + 24;
            for (int t = 0; t < 64; t++)
            {
                if ((valid & (1UL << t)) == 0) continue;
                rows[t] = r.U32(q);
                q += 4;
            }
            int str = (heapSizes & 1) != 0 ? 4 : 2;
            int guid = (heapSizes & 2) != 0 ? 4 : 2;
            Func<int, int> index = delegate(int t) { return rows[t] < 0x10000 ? 2 : 4; };
            Func<int, int[], int> coded = delegate(int tagBits, int[] ts)
            {
                uint max = 0;
                foreach (int t in ts) max = Math.Max(max, rows[t]);
                return max < (1u << (16 - tagBits)) ? 2 : 4;
            };
            int moduleRow = 2 + str + 3 * guid;
            int typeRefRow = coded(2, new int[] { 0x00, 0x1A, 0x23, 0x01 }) + 2 * str;
            int extends = coded(2, new int[] { 0x02, 0x01, 0x1B });
            int typeDefRow = 4 + 2 * str + extends + index(0x04) + index(0x06);
            long typeDef = q + rows[0x00] * (long)moduleRow + rows[0x01] * (long)typeRefRow;
            if (rows[0x02] > 1000000) throw new FormatException("too many types");
            List<KeyValuePair<uint, KeyValuePair<string, string>>> result = new List<KeyValuePair<uint, KeyValuePair<string, string>>>();
            for (uint i = 0; i < rows[0x02]; i++)
            {
                long row = typeDef + i * (long)typeDefRow;
                uint flags = r.U32(row);
                uint nameIndex = r.Index(row + 4, str);
                uint nsIndex = r.Index(row + 4 + str, str);
                if (strings + nameIndex >= stringsEnd || strings + nsIndex >= stringsEnd) throw new FormatException("string index outside #Strings");
                string typeName = r.CString(strings + nameIndex, stringsEnd, 1024);
                string typeNs = r.CString(strings + nsIndex, stringsEnd, 1024);
                result.Add(new KeyValuePair<uint, KeyValuePair<string, string>>(flags, new KeyValuePair<string, string>(typeNs, typeName)));
            }
            return result;
        }
    }
}
