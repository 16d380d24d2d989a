// Whether someone other than an administrator can change what the MIM provider is built and
// loaded from. Install-MfaMimProvider (Windows) refuses a module folder where a
// non-administrator could have replaced MfaApproval.dll, the native library or the
// provider's sources before they are pinned: code there would run as the MIM Service account.
//
// The rule (Problem) is a pure function over a described ACL, tested on every platform; the
// Windows call that describes a file's ACL (Describe) is the small part at the end.
// - Administrators: BUILTIN\Administrators, SYSTEM, TrustedInstaller, a domain's Domain
//   Admins (-512), Enterprise Admins (-519) and built-in Administrator (-500). Everyone else
//   (Users, Authenticated Users, Everyone, a service account, the installing admin's own
//   user SID, CREATOR OWNER resolved to a person) is not.
// - A file or folder that is used (the module folder, the files and the folders between
//   them): no non-administrator may write data, add files or folders, delete it or its
//   children, change its permissions or take ownership (generic write or all included).
// - Each folder above the module folder: no non-administrator may delete children, delete
//   it, change its permissions or take ownership (any of which lets the module folder be
//   swapped). Creating new folders there (C:\ lets Users do that) is allowed.
// - The owner may always change the permissions (implicit WRITE_DAC), unless an OWNER RIGHTS
//   (S-1-3-4) entry replaces that; so a non-administrator owner is refused.
// - Inherit-only entries do not apply to the object itself and are skipped. Deny entries are
//   not subtracted (an allow to a non-administrator is refused even if a deny may cancel it:
//   remove the allow); this errs on the side of refusing.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Security.AccessControl;
using System.Security.Principal;
using System.Text.RegularExpressions;

namespace MfaApproval.Hosting
{
    /// <summary>One entry of an ACL, as the rule sees it.</summary>
    public sealed class AccessEntry
    {
        public AccessEntry(string sid, bool allow, int rights, bool inheritOnly)
        {
            Sid = sid;
            Allow = allow;
            Rights = rights;
            InheritOnly = inheritOnly;
        }

        public string Sid { get; private set; }
        public bool Allow { get; private set; }
        public int Rights { get; private set; }
        public bool InheritOnly { get; private set; }
    }

    public static class WriteAccess
    {
        public const int WriteData = 0x2;
        public const int AppendData = 0x4;
        public const int DeleteChild = 0x40;
        public const int Delete = 0x10000;
        public const int WriteDac = 0x40000;
        public const int WriteOwner = 0x80000;
        public const int GenericAll = 0x10000000;
        public const int GenericWrite = 0x40000000;

        /// <summary>Rights that change a file or folder that is used.</summary>
        public const int UsedRights = WriteData | AppendData | DeleteChild | Delete | WriteDac | WriteOwner | GenericAll | GenericWrite;
        /// <summary>Rights on a folder above that let what is below it be swapped.</summary>
        public const int AncestorRights = DeleteChild | Delete | WriteDac | WriteOwner | GenericAll;

        const string OwnerRights = "S-1-3-4";
        static readonly Regex DomainAdmin = new Regex(@"^S-1-5-21-\d{1,10}-\d{1,10}-\d{1,10}-(500|512|519)$", RegexOptions.CultureInvariant);

        /// <summary>True for the SIDs of administrators (see the file's comment).</summary>
        public static bool IsAdministrative(string sid)
        {
            if (sid == null) return false;
            switch (sid)
            {
                case "S-1-5-18":     // SYSTEM
                case "S-1-5-32-544": // BUILTIN\Administrators
                case "S-1-5-80-956008885-3425037156-3617178237-876020869-2393337193": // NT SERVICE\TrustedInstaller
                    return true;
                default:
                    return DomainAdmin.IsMatch(sid);
            }
        }

        /// <summary>Who, besides administrators, may change an object with this owner and ACL,
        /// and how ("BUILTIN\Users: write data, add subfolders"), or null when nobody may.
        /// <paramref name="ancestor"/>: a folder above the module folder. <paramref name="name"/>
        /// turns a SID into a name for the message (may be null).</summary>
        public static string Problem(string ownerSid, IEnumerable<AccessEntry> entries, bool ancestor, Func<string, string> name)
        {
            int mask = ancestor ? AncestorRights : UsedRights;
            List<string> found = new List<string>();
            bool ownerRightsEntry = false;
            foreach (AccessEntry e in entries)
            {
                if (e.InheritOnly || !e.Allow) continue;
                string sid = e.Sid;
                if (sid == OwnerRights)
                {
                    ownerRightsEntry = true;
                    sid = ownerSid;
                }
                if (sid == "S-1-3-0" || sid == "S-1-3-1") continue; // CREATOR OWNER/GROUP: placeholders, never a token's
                int rights = e.Rights & mask;
                if (rights == 0 || IsAdministrative(sid)) continue;
                found.Add(Named(sid, name) + ": " + Describe(rights));
            }
            if (!ownerRightsEntry && ownerSid != null && !IsAdministrative(ownerSid))
            {
                found.Add(Named(ownerSid, name) + ": owner (may change the permissions)");
            }
            return found.Count == 0 ? null : string.Join("; ", found.ToArray());
        }

        /// <summary>The rights of a mask, in words.</summary>
        public static string Describe(int rights)
        {
            List<string> words = new List<string>();
            if ((rights & GenericAll) != 0) words.Add("full control");
            if ((rights & GenericWrite) != 0) words.Add("write");
            if ((rights & WriteData) != 0) words.Add("write data or add files");
            if ((rights & AppendData) != 0) words.Add("append data or add folders");
            if ((rights & DeleteChild) != 0) words.Add("delete what is inside");
            if ((rights & Delete) != 0) words.Add("delete");
            if ((rights & WriteDac) != 0) words.Add("change permissions");
            if ((rights & WriteOwner) != 0) words.Add("take ownership");
            return string.Join(", ", words.ToArray());
        }

        static string Named(string sid, Func<string, string> name)
        {
            string n = null;
            if (name != null)
            {
                try { n = name(sid); } catch (Exception) { n = null; }
            }
            return string.IsNullOrEmpty(n) || n == sid ? sid : n + " (" + sid + ")";
        }

        /// <summary>What the installer checks in a module folder: the folder, the folders and
        /// files below it that are used (relative paths, '/' separated; folders end in '/'),
        /// for this runtime; each folder above it is an ancestor.</summary>
        public static List<string> UsedPaths(string rid, IEnumerable<string> providerSources)
        {
            List<string> used = new List<string>();
            used.Add(string.Empty);
            used.Add(ModuleFile.ManagedAssembly);
            string native = ModuleFile.NativeLibrary(rid);
            string folder = string.Empty;
            string[] parts = native.Split('/');
            for (int i = 0; i < parts.Length - 1; i++)
            {
                folder += parts[i] + "/";
                used.Add(folder);
            }
            used.Add(native);
            used.Add("mim/");
            used.Add("mim/provider/");
            foreach (string source in providerSources) used.Add("mim/provider/" + source);
            return used;
        }

        /// <summary>Windows: refuses (returns why) when a non-administrator may change the
        /// module folder <paramref name="moduleRoot"/> or what the provider uses in it; null
        /// when only administrators may.</summary>
        public static string CheckModuleFolder(string moduleRoot, string rid, IEnumerable<string> providerSources)
        {
            string root = Path.GetFullPath(moduleRoot);
            foreach (string relative in UsedPaths(rid, providerSources))
            {
                bool directory = relative.Length == 0 || relative.EndsWith("/", StringComparison.Ordinal);
                string path = relative.Length == 0 ? root : Path.Combine(root, relative.TrimEnd('/').Replace('/', Path.DirectorySeparatorChar));
                string problem = Check(path, directory, false);
                if (problem != null) return problem;
            }
            for (DirectoryInfo up = new DirectoryInfo(root).Parent; up != null; up = up.Parent)
            {
                string problem = Check(up.FullName, true, true);
                if (problem != null) return problem;
            }
            return null;
        }

        static string Check(string path, bool directory, bool ancestor)
        {
            string owner;
            List<AccessEntry> entries = DescribeAcl(path, directory, out owner);
            string problem = Problem(owner, entries, ancestor, AccountName);
            if (problem == null) return null;
            return string.Format(CultureInfo.InvariantCulture, "'{0}' can be changed by {1}, who is not an administrator", path, problem);
        }

        // ---- Windows only: reading an ACL (DirectorySecurity/FileSecurity exist in .NET
        // Framework's mscorlib and, forwarded, in .NET's System.IO.FileSystem.AccessControl).

        /// <summary>The owner and the entries of a file's or folder's ACL, as SIDs.</summary>
        static List<AccessEntry> DescribeAcl(string path, bool directory, out string owner)
        {
            AccessControlSections sections = AccessControlSections.Access | AccessControlSections.Owner;
            FileSystemSecurity security = directory ? (FileSystemSecurity)new DirectorySecurity(path, sections) : new FileSecurity(path, sections);
            IdentityReference o = security.GetOwner(typeof(SecurityIdentifier));
            owner = o == null ? null : o.Value;
            List<AccessEntry> entries = new List<AccessEntry>();
            foreach (FileSystemAccessRule rule in security.GetAccessRules(true, true, typeof(SecurityIdentifier)))
            {
                entries.Add(new AccessEntry(rule.IdentityReference.Value, rule.AccessControlType == AccessControlType.Allow, (int)rule.FileSystemRights, (rule.PropagationFlags & PropagationFlags.InheritOnly) != 0));
            }
            return entries;
        }

        static string AccountName(string sid)
        {
            return new SecurityIdentifier(sid).Translate(typeof(NTAccount)).Value;
        }
    }
}
