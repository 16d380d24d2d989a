// A compile-only stand-in for the parts of System.DirectoryServices the MIM provider's
// directory lookup uses (mim/provider/DirectoryLookup.cs, compiled in with MFA_DIRECTORY),
// so the tests type-check that code on machines without the assembly (Linux, mono). Nothing
// here runs: every member throws. The Windows workflow compiles against the real assembly.
using System;
using System.Collections;

namespace System.DirectoryServices
{
    public enum ReferralChasingOption { None = 0, Subordinate = 32, External = 64, All = 96 }

    public class DirectoryEntry : IDisposable
    {
        public DirectoryEntry() { throw new NotSupportedException(); }
        public DirectoryEntry(string path) { throw new NotSupportedException(); }
        public void Dispose() { }
    }

    public class ResultPropertyValueCollection : ReadOnlyCollectionBase
    {
        public object this[int index] { get { throw new NotSupportedException(); } }
    }

    public class ResultPropertyCollection
    {
        public ResultPropertyValueCollection this[string name] { get { throw new NotSupportedException(); } }
    }

    public class SearchResult
    {
        public ResultPropertyCollection Properties { get { throw new NotSupportedException(); } }
    }

    public class SearchResultCollection : IDisposable
    {
        public int Count { get { throw new NotSupportedException(); } }
        public SearchResult this[int index] { get { throw new NotSupportedException(); } }
        public void Dispose() { }
    }

    public class DirectorySearcher : IDisposable
    {
        public DirectorySearcher(DirectoryEntry root) { throw new NotSupportedException(); }
        public string Filter { get; set; }
        public System.Collections.Specialized.StringCollection PropertiesToLoad { get { throw new NotSupportedException(); } }
        public int SizeLimit { get; set; }
        public TimeSpan ServerTimeLimit { get; set; }
        public TimeSpan ClientTimeout { get; set; }
        public ReferralChasingOption ReferralChasing { get; set; }
        public SearchResultCollection FindAll() { throw new NotSupportedException(); }
        public void Dispose() { }
    }
}
