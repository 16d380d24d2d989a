// MfaApproval MIM provider: the optional Active Directory lookup (Windows only; compiled in
// when Install-MfaMimProvider is given -DirectoryAttribute, which adds the symbol
// MFA_DIRECTORY and a reference to System.DirectoryServices). One search per call, as the
// MIM Service account: user objects whose <attribute> equals the normalised number
// (+digits, RFC 4515-escaped by Ldap.PhoneFilter), at most 2 results, 10 s server and
// client limits; returns userPrincipalName. None is unknown, two are ambiguous: Failed,
// never a guess. Runs on a worker thread (ProviderCore), so InitiateCall never waits on it.
// An attribute users can write on their own account (DirectoryAttributes: AD's
// Personal-Information and Web-Information property sets, such as mobile) is refused here
// too, as by the installer and the settings reader.
#if MFA_DIRECTORY
using System;
using MfaApproval.Hosting;
using System.DirectoryServices;

namespace MfaApproval.MimProvider
{
    internal sealed class DirectoryLookup
    {
        readonly string attribute;
        readonly string searchRoot;

        public DirectoryLookup(string attribute, string searchRoot)
        {
            string problem = DirectoryAttributes.Problem(attribute);
            if (problem != null) throw new ArgumentException("DirectoryAttribute " + problem);
            this.attribute = attribute;
            this.searchRoot = searchRoot;
        }

        public Lookup Find(string normalizedPhone)
        {
            using (DirectoryEntry root = string.IsNullOrEmpty(searchRoot) ? new DirectoryEntry() : new DirectoryEntry(searchRoot))
            using (DirectorySearcher searcher = new DirectorySearcher(root))
            {
                searcher.Filter = Ldap.PhoneFilter(attribute, normalizedPhone);
                searcher.PropertiesToLoad.Add("userPrincipalName");
                searcher.SizeLimit = 2;
                searcher.ServerTimeLimit = TimeSpan.FromSeconds(10);
                searcher.ClientTimeout = TimeSpan.FromSeconds(10);
                searcher.ReferralChasing = ReferralChasingOption.None;
                using (SearchResultCollection found = searcher.FindAll())
                {
                    if (found.Count == 0) return Lookup.Missing("no user in Active Directory has " + attribute + " equal to this number");
                    if (found.Count > 1) return Lookup.Refused("more than one user in Active Directory has " + attribute + " equal to this number (ambiguous)");
                    ResultPropertyValueCollection upn = found[0].Properties["userPrincipalName"];
                    if (upn == null || upn.Count != 1 || !(upn[0] is string) || ((string)upn[0]).Length == 0)
                    {
                        return Lookup.Refused("the Active Directory user with this number has no userPrincipalName");
                    }
                    return Lookup.Of((string)upn[0]);
                }
            }
        }
    }
}
#endif
