// Test-MfaConnection: TestSecurity (Duo: ping and a signed check; Okta: an authenticated
// call; others: what their registry entry says), then UserExists (Duo: preauth; Okta: a
// user lookup) as an authenticated round trip; the success message is the
// provider's own (the engine's registry);
// names the stage that failed. No push is sent. RADIUS has no such test (any Access-Request
// pushes): the engine says so, and nothing is sent.
using System;
using System.Management.Automation;

namespace MfaApproval.Cmdlets
{
    [Cmdlet(VerbsDiagnostic.Test, "MfaConnection")]
    [OutputType(typeof(ConnectionTest), typeof(bool))]
    public sealed class TestMfaConnectionCommand : MfaCmdlet
    {
        [Parameter(Position = 0, ValueFromPipeline = true)]
        public PSObject Connection { get; set; }

        [Parameter]
        public SwitchParameter Quiet { get; set; }

        protected override void ProcessRecord()
        {
            Connection c = ResolveConnection(Connection);
            double limit = c.HttpTimeout + 5;
            Result security = Query(c, "testSecurity", null, limit);
            Result roundTrip = null;
            if (security.Status == "Completed") roundTrip = Query(c, "userExists", "mfaapproval-connection-test", limit);
            Result failed = security.Status != "Completed" ? security : (roundTrip != null && roundTrip.Status != "Completed" ? roundTrip : null);
            ConnectionTest t = new ConnectionTest();
            t.Uri = c.Uri;
            t.Success = failed == null;
            t.Stage = failed == null ? "Ok" : FailureKinds.Stage(failed.FailureKind);
            ProviderSpec spec = Providers.Find(c.Provider);
            string succeeded = spec != null && spec.TestSuccess.Length > 0 ? spec.TestSuccess : "TestSecurity and an authenticated round trip succeeded";
            t.Message = failed == null ? succeeded : failed.Message;
            PSObject data = security.Data as PSObject;
            PSPropertyInfo message = data == null ? null : data.Properties["message"];
            t.TestSecurity = message == null || message.Value == null ? null : message.Value.ToString();
            PSPropertyInfo skew = data == null ? null : data.Properties["clockSkewSeconds"];
            if (skew != null && skew.Value is long) t.ClockSkewSeconds = (long)skew.Value;
            t.Duration = security.Duration + (roundTrip != null ? roundTrip.Duration : TimeSpan.Zero);
            WriteVerbose(string.Format("Test-MfaConnection {0}: {1} ({2})", c.Uri, t.Stage, t.Message));
            if (Quiet) WriteObject(t.Success);
            else WriteObject(t);
        }
    }
}
