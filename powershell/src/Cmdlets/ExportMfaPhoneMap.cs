// Export-MfaPhoneMap: drafts the MIM provider's phone map from directory objects for an
// administrator to review (Get-ADUser -Properties mobile | Export-MfaPhoneMap -Path draft.csv).
// The directory's phone attributes may be written by their owners (DirectoryAttributes), so
// the provider never reads them; an administrator reads this draft, checks it, and installs
// the reviewed map in a folder only administrators can write. Every input row comes back as
// an object with a Status (Ok, Duplicate, Repeated, InvalidNumber, NoNumber, InvalidUserName):
// a number listed for two different people is written for each of them (so the provider
// refuses it, and Install-MfaMimProvider warns, until the admin keeps one) and flagged;
// invalid numbers and names are left out. The file is what CsvPhoneMap reads: UTF-8 without
// a BOM, CRLF, PhoneNumber,UserName; an existing file is replaced only with -Force (its
// permissions kept).
using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Text;
using MfaApproval.Hosting;

namespace MfaApproval.Cmdlets
{
    [Cmdlet(VerbsData.Export, "MfaPhoneMap", SupportsShouldProcess = true)]
    [OutputType(typeof(PSObject))]
    public sealed class ExportMfaPhoneMapCommand : PSCmdlet
    {
        const int MaxValuesPerObject = 64;
        string phoneProperty = "mobile";
        string userNameProperty = "userPrincipalName";
        readonly List<Row> rows = new List<Row>();
        string full;

        sealed class Row
        {
            public string Status;
            public string Phone;
            public string Written;
            public string UserName;
            public string Detail;
        }

        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; }

        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        [AllowNull]
        public PSObject InputObject { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string PhoneProperty { get { return phoneProperty; } set { phoneProperty = value; } }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string UserNameProperty { get { return userNameProperty; } set { userNameProperty = value; } }

        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void BeginProcessing()
        {
            full = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
            string folder = System.IO.Path.GetDirectoryName(full);
            if (Directory.Exists(full)) Fail("MfaApproval.InvalidArgument", "-Path: '" + full + "' is a folder; give the file to write.", ErrorCategory.InvalidArgument, Path);
            if (string.IsNullOrEmpty(folder) || !Directory.Exists(folder)) Fail("MfaApproval.FileNotFound", "-Path: the folder '" + folder + "' does not exist.", ErrorCategory.ObjectNotFound, Path);
            if (File.Exists(full) && !Force) Fail("MfaApproval.FileExists", "-Path: '" + full + "' exists (it may be the reviewed map the provider uses); write the draft elsewhere, or add -Force to replace it.", ErrorCategory.ResourceExists, Path);
        }

        protected override void ProcessRecord()
        {
            if (InputObject == null) return;
            string user;
            string userProblem = UserNameOf(InputObject, out user);
            List<string> numbers = Values(Property(InputObject, PhoneProperty));
            if (numbers.Count == 0)
            {
                rows.Add(new Row { Status = "NoNumber", UserName = user, Detail = "no " + PhoneProperty });
                return;
            }
            foreach (string raw in numbers)
            {
                Row row = new Row { Phone = Shown(raw), UserName = user };
                string normalized = Phone.Normalize(raw);
                if (userProblem != null) { row.Status = "InvalidUserName"; row.Detail = userProblem; }
                else if (normalized == null) { row.Status = "InvalidNumber"; row.Detail = "'" + Shown(raw) + "' is not a phone number"; }
                else
                {
                    row.Status = "Ok";
                    row.Phone = normalized;
                    // A number without a country code stays one: the map and MIM compare digits.
                    row.Written = raw.TrimStart().StartsWith("+", StringComparison.Ordinal) ? normalized : normalized.Substring(1);
                    if (row.Written == normalized.Substring(1)) row.Detail = "no country code: prefer international numbers (+ and the country code) in the directory and in MIM";
                }
                rows.Add(row);
            }
        }

        protected override void EndProcessing()
        {
            // Who each number belongs to, in the order first seen.
            Dictionary<string, List<Row>> byNumber = new Dictionary<string, List<Row>>(StringComparer.Ordinal);
            foreach (Row r in rows)
            {
                if (r.Status != "Ok") continue;
                List<Row> list;
                if (!byNumber.TryGetValue(r.Phone, out list)) byNumber[r.Phone] = list = new List<Row>();
                list.Add(r);
            }
            int duplicates = 0, invalid = 0;
            StringBuilder text = new StringBuilder("PhoneNumber,UserName\r\n");
            Dictionary<string, bool> written = new Dictionary<string, bool>(StringComparer.OrdinalIgnoreCase);
            foreach (Row r in rows)
            {
                if (r.Status == "InvalidNumber" || r.Status == "InvalidUserName") invalid++;
                if (r.Status != "Ok") continue;
                List<string> others = new List<string>();
                foreach (Row o in byNumber[r.Phone])
                {
                    if (!string.Equals(o.UserName, r.UserName, StringComparison.OrdinalIgnoreCase) && !others.Contains(o.UserName)) others.Add(o.UserName);
                }
                if (others.Count > 0)
                {
                    r.Status = "Duplicate";
                    r.Detail = "also listed for " + string.Join(", ", others.ToArray()) + ": the provider refuses this number until the map names one user";
                }
                string key = r.Phone + "\n" + r.UserName;
                if (written.ContainsKey(key))
                {
                    if (r.Status == "Ok") { r.Status = "Repeated"; r.Detail = "the same number for the same user again (written once)"; }
                    continue;
                }
                written[key] = true;
                if (r.Status == "Duplicate") duplicates++;
                text.Append(r.Written).Append(',').Append(Cell(r.UserName)).Append("\r\n");
            }
            byte[] bytes = new UTF8Encoding(false).GetBytes(text.ToString());
            if (bytes.Length > CsvPhoneMap.MaxBytes)
            {
                Fail("MfaApproval.PhoneMapTooLarge", string.Format(CultureInfo.InvariantCulture, "The map would be {0} bytes; the provider reads at most {1}. Narrow the input (-SearchBase of Get-ADUser).", bytes.Length, CsvPhoneMap.MaxBytes), ErrorCategory.LimitsExceeded, null);
            }
            if (ShouldProcess(full, "Write a draft phone map for review"))
            {
                string temp = full + ".MfaApproval-new";
                File.WriteAllBytes(temp, bytes);
                // Replace keeps an existing file's permissions (the folder's otherwise).
                if (File.Exists(full)) File.Replace(temp, full, null);
                else File.Move(temp, full);
                WriteVerbose(string.Format(CultureInfo.InvariantCulture, "Wrote {0}: {1} rows in, {2} listed for more than one user, {3} left out as invalid.", full, rows.Count, duplicates, invalid));
            }
            if (duplicates > 0)
            {
                WriteWarning(string.Format(CultureInfo.InvariantCulture, "{0} line(s) list a number that belongs to more than one user (Status Duplicate): keep one user per number before the map is used.", duplicates));
            }
            if (invalid > 0)
            {
                WriteWarning(string.Format(CultureInfo.InvariantCulture, "{0} row(s) were left out: a number or user name that is not valid (Status InvalidNumber or InvalidUserName).", invalid));
            }
            foreach (Row r in rows)
            {
                PSObject o = new PSObject();
                o.TypeNames.Insert(0, "MfaApproval.PhoneMapEntry");
                o.Properties.Add(new PSNoteProperty("Status", r.Status));
                o.Properties.Add(new PSNoteProperty("PhoneNumber", r.Phone));
                o.Properties.Add(new PSNoteProperty("UserName", r.UserName));
                o.Properties.Add(new PSNoteProperty("Detail", r.Detail));
                WriteObject(o);
            }
        }

        /// <summary>The user name of an input object (trimmed), and why it cannot be in a map (or null).</summary>
        string UserNameOf(PSObject input, out string user)
        {
            List<string> values = Values(Property(input, UserNameProperty));
            user = values.Count == 1 ? values[0].Trim() : null;
            if (values.Count == 0) return "no " + UserNameProperty;
            if (values.Count > 1) return UserNameProperty + " has " + values.Count.ToString(CultureInfo.InvariantCulture) + " values";
            return CsvPhoneMap.UserNameProblem(user);
        }

        /// <summary>A property of a PSObject, or a key of a hashtable, by name in any case.</summary>
        static object Property(PSObject input, string name)
        {
            IDictionary dictionary = input.BaseObject as IDictionary;
            if (dictionary != null)
            {
                foreach (object key in dictionary.Keys)
                {
                    if (string.Equals(key as string, name, StringComparison.OrdinalIgnoreCase)) return dictionary[key];
                }
                return null;
            }
            PSPropertyInfo p = input.Properties[name];
            return p == null ? null : p.Value;
        }

        /// <summary>The non-empty values of a property (one string, or each item of a collection
        /// such as otherMobile), at most 64.</summary>
        static List<string> Values(object value)
        {
            List<string> values = new List<string>();
            PSObject wrapped = value as PSObject;
            if (wrapped != null) value = wrapped.BaseObject;
            if (value == null) return values;
            IEnumerable items = value is string ? null : value as IEnumerable;
            if (items == null) items = new object[] { value };
            foreach (object item in items)
            {
                object v = item is PSObject ? ((PSObject)item).BaseObject : item;
                string s = v == null ? null : Convert.ToString(v, CultureInfo.InvariantCulture);
                if (!string.IsNullOrEmpty(s) && s.Trim().Length > 0) values.Add(s);
                if (values.Count >= MaxValuesPerObject) break;
            }
            return values;
        }

        /// <summary>A user name as a CSV cell: quoted when it holds a comma or a quote.</summary>
        static string Cell(string value)
        {
            if (value.IndexOf(',') < 0 && value.IndexOf('"') < 0) return value;
            return "\"" + value.Replace("\"", "\"\"") + "\"";
        }

        static string Shown(string raw)
        {
            string t = raw.Trim();
            return t.Length > 64 ? t.Substring(0, 64) + "..." : t;
        }

        void Fail(string id, string message, ErrorCategory category, object target)
        {
            ThrowTerminatingError(Errors.Record(id, message, category, target));
        }
    }
}
