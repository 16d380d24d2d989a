// Get-MfaUser: UserExists, then GetUserSettings_3 for users that exist. No push is sent.
using System.Management.Automation;

namespace MfaApproval.Cmdlets
{
    [Cmdlet(VerbsCommon.Get, "MfaUser")]
    [OutputType(typeof(User))]
    public sealed class GetMfaUserCommand : UserCmdlet
    {

        static object Member(object o, string name)
        {
            PSObject p = o as PSObject;
            if (p == null) return null;
            PSPropertyInfo prop = p.Properties[name];
            return prop == null ? null : prop.Value;
        }

        protected override void ProcessRecord()
        {
            foreach (string user in UserName)
            {
                Result exists = Query(Resolved, "userExists", user, 60);
                if (exists.Status != "Completed")
                {
                    WriteError(Errors.Record("MfaApproval.QueryFailed", string.Format("UserExists for '{0}' failed: {1}", user, exists.Message), ErrorCategory.ConnectionError, user));
                    continue;
                }
                object found = Member(exists.Data, "exists");
                bool doesExist = found is bool && (bool)found;
                object settings = null;
                if (doesExist)
                {
                    Result read = Query(Resolved, "getUserSettings", user, 60);
                    if (read.Status == "Completed") settings = Member(read.Data, "userSettings");
                    else WriteError(Errors.Record("MfaApproval.QueryFailed", string.Format("GetUserSettings_3 for '{0}' failed: {1}", user, read.Message), ErrorCategory.ConnectionError, user));
                }
                User u = new User();
                u.UserName = user;
                u.Exists = doesExist;
                if (settings != null)
                {
                    u.FirstName = Member(settings, "FirstName") as string;
                    u.LastName = Member(settings, "LastName") as string;
                    u.EmailAddress = Member(settings, "EmailAddress") as string;
                    u.Mode = Member(settings, "Mode") as string;
                    u.PhoneAppMode = Member(settings, "PhoneAppMode") as string;
                    object enabled = Member(settings, "Enabled");
                    object activated = Member(settings, "PhoneAppActivated");
                    u.Enabled = enabled is bool && (bool)enabled;
                    u.PhoneAppActivated = activated is bool && (bool)activated;
                    u.Settings = settings;
                }
                WriteObject(u);
            }
        }
    }
}
