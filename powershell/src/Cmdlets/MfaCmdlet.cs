// What every MfaApproval cmdlet shares: the connection it uses (given, or the session
// default, checked to be live), starting native requests with engine errors mapped to
// parameter names, and waits that StopProcessing (Ctrl+C, PowerShell.Stop()) cancels at once.
using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using MfaApproval.Interop;
using MfaApproval.Json;

namespace MfaApproval.Cmdlets
{
    public abstract class MfaCmdlet : PSCmdlet
    {
        Waiter current;
        readonly object waiterGate = new object();

        /// <summary>Engine request fields and the parameters they come from.</summary>
        protected static readonly Dictionary<string, string> RequestParameters = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            { "userName", "UserName" },
            { "timeoutSeconds", "Timeout" },
            { "applicationName", "ApplicationName" },
            { "mode", "Mode" },
            { "initiatingIpAddress", "InitiatingIpAddress" },
            { "approvers", "UserName" },
            { "require", "Require" },
            { "excludeUserNames", "ExcludeUserName" },
            { "pushType", "Reason" },
            { "pushInfo", "Context" },
        };

        /// <summary>"-Parameter: problem" when the engine's field maps to a parameter, else the engine's text.</summary>
        protected static string ForParameter(MfaNativeException e, Dictionary<string, string> map)
        {
            string field = e.Field;
            if (field != null)
            {
                string bare = field;
                string parameter;
                // A map's entry ("pushInfo.<key>", the key already shown with U+XXXX for any
                // invisible character by the engine): the parameter and the entry.
                int dot = bare.IndexOf('.');
                if (dot > 0 && map.TryGetValue(bare.Substring(0, dot), out parameter)) return "-" + parameter + " (entry '" + bare.Substring(dot + 1) + "'): " + e.Problem;
                int bracket = bare.IndexOf('[');
                if (bracket > 0) bare = bare.Substring(0, bracket);
                if (map.TryGetValue(bare, out parameter)) return "-" + parameter + ": " + e.Problem;
            }
            return e.Message;
        }

        /// <summary>The ErrorId of a request the engine refused, by the field it named.</summary>
        static string RefusalErrorId(string field)
        {
            if (field == null) return "MfaApproval.InvalidRequest";
            if (field == "require") return "MfaApproval.InvalidRequire";
            if (field.StartsWith("approvers", StringComparison.Ordinal) || field.StartsWith("excludeUserNames", StringComparison.Ordinal)) return "MfaApproval.InvalidApprovers";
            return "MfaApproval.InvalidRequest";
        }

        /// <summary>The full file-system path of an existing file named by a parameter (PowerShell
        /// paths, relative to the current location); else a terminating MfaApproval.FileNotFound.</summary>
        protected string ResolveExistingFile(string parameter, string path)
        {
            if (path == null) return null;
            string full = null;
            try
            {
                ProviderInfo provider;
                Collection<string> found = SessionState.Path.GetResolvedProviderPathFromPSPath(path, out provider);
                if (provider.Name == "FileSystem" && found.Count == 1) full = found[0];
            }
            catch (SessionStateException) { }
            catch (NotSupportedException) { }
            catch (ArgumentException) { }
            if (full == null || !File.Exists(full))
            {
                ThrowTerminatingError(Errors.Record("MfaApproval.FileNotFound", string.Format(CultureInfo.InvariantCulture, "-{0}: the file '{1}' does not exist or is not a file.", parameter, path), ErrorCategory.ObjectNotFound, path));
            }
            return full;
        }

        protected Connection ResolveConnection(PSObject given)
        {
            Connection c;
            if (given == null)
            {
                c = Session.DefaultConnection;
                if (c == null)
                {
                    ThrowTerminatingError(Errors.Record("MfaApproval.NoConnection", "No connection: pass -Connection (from New-MfaConnection or Start-MfaSimulator), or make one the default with New-MfaConnection -Default.", ErrorCategory.InvalidOperation, null));
                }
            }
            else
            {
                c = given.BaseObject as Connection;
                if (c == null)
                {
                    PSPropertyInfo version = given.Properties["ModuleVersion"];
                    bool looksLikeOne = given.TypeNames.Contains("MfaApproval.Connection") || given.TypeNames.Contains("Deserialized.MfaApproval.Connection");
                    if (looksLikeOne && version != null && version.Value != null && Convert.ToString(version.Value, CultureInfo.InvariantCulture) != Session.ModuleVersion)
                    {
                        ThrowTerminatingError(Errors.Record("MfaApproval.ConnectionFromOtherVersion", string.Format(CultureInfo.InvariantCulture, "The -Connection was made by MfaApproval {0}; this is MfaApproval {1}. Create a new connection with New-MfaConnection.", version.Value, Session.ModuleVersion), ErrorCategory.InvalidArgument, given));
                    }
                    ThrowTerminatingError(Errors.Record("MfaApproval.InvalidConnection", "The -Connection value is not a live MfaApproval connection (a copy made by serialization is not); create one with New-MfaConnection.", ErrorCategory.InvalidArgument, given));
                }
            }
            if (c.Simulator != null && c.Simulator.HasExited)
            {
                ThrowTerminatingError(Errors.Record("MfaApproval.SimulatorStopped", "The simulator behind this connection (" + c.Uri + ") has stopped; start a new one with Start-MfaSimulator.", ErrorCategory.ResourceUnavailable, c));
            }
            if (c.IsClosed)
            {
                ThrowTerminatingError(Errors.Record("MfaApproval.ConnectionClosed", "The -Connection has been closed; create a new one with New-MfaConnection.", ErrorCategory.InvalidOperation, c));
            }
            if (c.AllowUnknownUser)
            {
                WriteWarning("Connection to " + c.Uri + " uses -AllowUnknownUser: the MFA server lets users it does not know through WITHOUT any MFA.");
            }
            if (c.AllowBypass)
            {
                WriteWarning("Connection to " + c.Uri + " uses -AllowBypass: a Duo bypass (a user let through WITHOUT a push) counts as an approval.");
            }
            return c;
        }

        /// <summary>Starts one native request and remembers it until it is read.</summary>
        protected Request StartRequest(Connection c, JsonObject request, string userName, string operation, double timeoutSeconds)
        {
            MfaRequestHandle handle = null;
            try
            {
                handle = Native.StartRequest(c.NativeClient, request.ToString());
            }
            catch (MfaNativeException e)
            {
                ThrowTerminatingError(Errors.Record(RefusalErrorId(e.Field), "The request was refused: " + ForParameter(e, RequestParameters), ErrorCategory.InvalidArgument, userName, e));
            }
            Request r = new Request(Session.NextRequestId(), userName, operation, timeoutSeconds, c.Uri, c.Provider ?? Providers.Default.Label, handle);
            Session.Remember(r);
            return r;
        }

        /// <summary>Waits for <paramref name="requests"/>, writing each result with <paramref name="emit"/>.</summary>
        protected void Wait(IEnumerable<Request> requests, double timeoutSeconds, string activity, Action<Result> emit)
        {
            Waiter w = new Waiter(requests);
            lock (waiterGate) current = w;
            if (Stopping) w.Stop();
            try
            {
                w.Run(this, timeoutSeconds, activity, emit);
            }
            finally
            {
                lock (waiterGate) current = null;
            }
        }

        /// <summary>Runs one query (testSecurity, userExists, ...) to its end.</summary>
        protected Result Query(Connection c, string operation, string userName, double timeoutSeconds)
        {
            JsonObject q = new JsonObject().Add("operation", operation).Add("userName", userName).Add("timeoutSeconds", timeoutSeconds);
            WriteVerbose(operation + " " + userName + " on " + c.Uri);
            Request r = StartRequest(c, q, userName, operation, timeoutSeconds);
            Result result = null;
            Wait(new Request[] { r }, 0, "MfaApproval: " + operation, delegate (Result x) { result = x; });
            return result;
        }

        protected override void StopProcessing()
        {
            Waiter w;
            lock (waiterGate) w = current;
            if (w != null) w.Stop();
        }

        /// <summary>The Request objects in <paramref name="items"/>; anything else is a non-terminating error.</summary>
        protected IEnumerable<Request> Requests(PSObject[] items)
        {
            foreach (PSObject item in items)
            {
                Request r = item == null ? null : item.BaseObject as Request;
                if (r == null)
                {
                    WriteError(Errors.Record("MfaApproval.InvalidRequestObject", "The -Request value is not an MfaApproval request from Start-MfaApproval.", ErrorCategory.InvalidArgument, item));
                    continue;
                }
                yield return r;
            }
        }
    }
}
