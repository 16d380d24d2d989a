function New-MfaActivationCode {
    <#
    .SYNOPSIS
    Generates a mobile-app activation code for a user (GenerateActivationCode).

    .DESCRIPTION
    Asks the MFA Server SDK for a new Authenticator app activation code for each user, as
    the admin enrolment path does. The code lets a device enrol for that user: hand it over
    only through a trusted channel. Supports -WhatIf and -Confirm.

    .PARAMETER Connection
    The connection. Default: the session default.

    .PARAMETER UserName
    The users to make codes for. Accepts pipeline input.

    .EXAMPLE
    New-MfaActivationCode -Connection $sim.Connection -UserName bob@contoso.com
    #>
    [CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'Medium')]
    [OutputType('MfaApproval.ActivationCode')]
    param(
        [psobject]$Connection,

        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [ValidateScript({ Test-MfaUserNameArgument -Value $_ })]
        [string[]]$UserName
    )
    begin {
        $conn = Resolve-MfaConnection -Connection $Connection -Cmdlet $PSCmdlet
    }
    process {
        foreach ($user in $UserName) {
            if (-not $PSCmdlet.ShouldProcess($user, 'Generate a mobile app activation code')) { continue }
            $r = Invoke-MfaNativeQuery -Connection $conn -Query @{ operation = 'generateActivationCode'; userName = $user } -Cmdlet $PSCmdlet
            if ($r.Status -ne 'Completed') {
                $category = if ($r.ErrorCode -eq 10) { 'ObjectNotFound' } else { 'ConnectionError' }
                $PSCmdlet.WriteError((New-MfaErrorRecord -ErrorId 'MfaApproval.ActivationCodeFailed' -Category $category -Target $user -Message ("GenerateActivationCode for '{0}' failed: {1}" -f $user, $r.Message)))
                continue
            }
            [pscustomobject]@{
                PSTypeName     = 'MfaApproval.ActivationCode'
                UserName       = $user
                ActivationCode = [string]$r.Data.activationCode
                CreatedAt      = $r.StartedAt
            }
        }
    }
}
