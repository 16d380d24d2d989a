// New-MfaActivationCode: GenerateActivationCode for each user (supports -WhatIf/-Confirm).
using System.Management.Automation;

namespace MfaApproval.Cmdlets
{
    [Cmdlet(VerbsCommon.New, "MfaActivationCode", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(UserActivationCode))]
    public sealed class NewMfaActivationCodeCommand : UserCmdlet
    {

        protected override void ProcessRecord()
        {
            foreach (string user in UserName)
            {
                if (!ShouldProcess(user, "Generate a mobile app activation code")) continue;
                Result r = Query(Resolved, "generateActivationCode", user, 60);
                if (r.Status != "Completed")
                {
                    ErrorCategory category = r.ErrorCode == 10 ? ErrorCategory.ObjectNotFound : ErrorCategory.ConnectionError;
                    WriteError(Errors.Record("MfaApproval.ActivationCodeFailed", string.Format("GenerateActivationCode for '{0}' failed: {1}", user, r.Message), category, user));
                    continue;
                }
                PSObject data = r.Data as PSObject;
                PSPropertyInfo code = data == null ? null : data.Properties["activationCode"];
                UserActivationCode a = new UserActivationCode();
                a.UserName = user;
                a.ActivationCode = code == null || code.Value == null ? null : code.Value.ToString();
                a.CreatedAt = r.StartedAt;
                WriteObject(a);
            }
        }
    }
}
