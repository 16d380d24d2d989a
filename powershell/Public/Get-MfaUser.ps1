function Get-MfaUser {
    <#
    .SYNOPSIS
    Reads a user's MFA settings from the MFA Server SDK.

    .DESCRIPTION
    Calls UserExists and, for users that exist, GetUserSettings_3. Returns an
    MfaApproval.User with Exists, names, Mode, PhoneAppMode, Enabled, PhoneAppActivated
    and all settings the server sent. No push is sent.

    .PARAMETER Connection
    The connection. Default: the session default.

    .PARAMETER UserName
    The users to read. Accepts pipeline input.

    .EXAMPLE
    Get-MfaUser -Connection $sim.Connection -UserName alice@contoso.com

    .EXAMPLE
    'alice@contoso.com', 'nobody@contoso.com' | Get-MfaUser | Format-Table UserName, Exists, PhoneAppActivated
    #>
    [CmdletBinding()]
    [OutputType('MfaApproval.User')]
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
            $exists = Invoke-MfaNativeQuery -Connection $conn -Query @{ operation = 'userExists'; userName = $user } -Cmdlet $PSCmdlet
            if ($exists.Status -ne 'Completed') {
                $PSCmdlet.WriteError((New-MfaErrorRecord -ErrorId 'MfaApproval.QueryFailed' -Category ConnectionError -Target $user -Message ("UserExists for '{0}' failed: {1}" -f $user, $exists.Message)))
                continue
            }
            $settings = $null
            if ($exists.Data.exists) {
                $read = Invoke-MfaNativeQuery -Connection $conn -Query @{ operation = 'getUserSettings'; userName = $user } -Cmdlet $PSCmdlet
                if ($read.Status -eq 'Completed') { $settings = $read.Data.userSettings }
                else { $PSCmdlet.WriteError((New-MfaErrorRecord -ErrorId 'MfaApproval.QueryFailed' -Category ConnectionError -Target $user -Message ("GetUserSettings_3 for '{0}' failed: {1}" -f $user, $read.Message))) }
            }
            [pscustomobject]@{
                PSTypeName        = 'MfaApproval.User'
                UserName          = $user
                Exists            = [bool]$exists.Data.exists
                FirstName         = $(if ($settings) { $settings.FirstName })
                LastName          = $(if ($settings) { $settings.LastName })
                EmailAddress      = $(if ($settings) { $settings.EmailAddress })
                Mode              = $(if ($settings) { $settings.Mode })
                PhoneAppMode      = $(if ($settings) { $settings.PhoneAppMode })
                Enabled           = $(if ($settings) { $settings.Enabled -eq $true })
                PhoneAppActivated = $(if ($settings) { $settings.PhoneAppActivated -eq $true })
                Settings          = $settings
            }
        }
    }
}
