// Invoke-MfaApproval: one approval request to the engine, one result. With one -UserName
// it asks that user; with several, -Require (Any, All or a number) is mandatory and the
// engine asks them all at once, refuses the same person named twice, decides by quorum and
// cancels the rest. The decision is the engine's (result, audit line and -Assert agree);
// -Assert turns anything but Approved into a terminating error (the shape a MIM workflow
// needs), with the ErrorId and category of the generated contract.
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using MfaApproval.Json;

namespace MfaApproval.Cmdlets
{
    [Cmdlet(VerbsLifecycle.Invoke, "MfaApproval")]
    [OutputType(typeof(Result))]
    public sealed class InvokeMfaApprovalCommand : ApprovalCmdlet
    {
        readonly List<string> users = new List<string>();

        /// <summary>How many approvals decide it: Any, All or a number (mandatory with several user names).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(RequireCompleter))]
        public string Require { get; set; }

        /// <summary>Identities that may not approve (e.g. the requester).</summary>
        [Parameter]
        [ValidateNotNull]
        [ValidateRequestField("userName")]
        public string[] ExcludeUserName { get; set; }

        [Parameter]
        public SwitchParameter Assert { get; set; }

        protected override void ProcessRecord()
        {
            users.AddRange(UserName);
        }

        protected override void EndProcessing()
        {
            if (users.Count == 0) return;
            if (users.Count > 1 && Require == null)
            {
                ThrowTerminatingError(Errors.Record("MfaApproval.RequireNeeded", string.Format(CultureInfo.InvariantCulture,
                    "-Require: {0} user names were given ({1}); say how many approvals decide it with -Require Any, -Require All or -Require <number>.",
                    users.Count, string.Join(", ", users.ToArray())), ErrorCategory.InvalidArgument, users.ToArray()));
            }
            JsonObject request = ApprovalRequest(users.Count == 1 ? users[0] : null, null);
            if (users.Count > 1) request.Add("approvers", users.ToArray());
            if (Require != null) request.Add("require", Require);
            if (ExcludeUserName != null && ExcludeUserName.Length > 0) request.Add("excludeUserNames", ExcludeUserName);
            string who = string.Join(", ", users.ToArray());
            WriteVerbose(string.Format(CultureInfo.InvariantCulture, "Asking {0} via {1} (require {2}, timeout {3} s)", who, Resolved.Uri, Require ?? "Any", Timeout));
            Request pending = StartRequest(Resolved, request, who, "authenticate", Timeout);
            pending.Waited = true;
            Result result = null;
            // The engine's deadline (-Timeout) ends the request; no second timer here.
            Wait(new Request[] { pending }, 0, "Waiting for " + who + " to approve", delegate (Result r) { result = r; });
            foreach (string w in result.Warnings) WriteWarning(w);
            if (Assert && !result.Approved) ThrowTerminatingError(Errors.ForResult(result));
            WriteObject(result);
        }
    }

    /// <summary>-Require completion: Any and All (or type a number).</summary>
    public sealed class RequireCompleter : System.Management.Automation.IArgumentCompleter
    {
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, System.Management.Automation.Language.CommandAst commandAst, System.Collections.IDictionary fakeBoundParameters)
        {
            foreach (string word in new string[] { "Any", "All" })
            {
                if (word.StartsWith(wordToComplete ?? string.Empty, System.StringComparison.OrdinalIgnoreCase)) yield return new CompletionResult(word, word, CompletionResultType.ParameterValue, word);
            }
        }
    }
}
