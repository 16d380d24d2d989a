function Invoke-MfaApproval {
    <#
    .SYNOPSIS
    Asks a user to approve on their phone and waits for the answer.

    .DESCRIPTION
    Starts an MFA approval (push to the Authenticator app through the MFA Server SDK) and
    waits for it. Returns an MfaApproval.Result whose Status is Approved, Denied,
    FraudReported, TimedOut, Cancelled or Failed. Only an explicit, recognised
    "authenticated" answer is Approved; everything else is not.

    With -Assert, anything but Approved is a terminating error whose ErrorId is
    MfaApproval.Denied, MfaApproval.FraudReported, MfaApproval.TimedOut,
    MfaApproval.Cancelled or MfaApproval.Failed, with the result as its TargetObject: the
    shape a MIM authorization workflow needs to refuse a request.

    Ctrl+C cancels the approval at once.

    .PARAMETER Connection
    The connection (New-MfaConnection, Start-MfaSimulator). Default: the session default.

    .PARAMETER UserName
    The user to ask. Accepts pipeline input (one approval after another).

    .PARAMETER Timeout
    Seconds to wait for the answer before the result is TimedOut (default 120).

    .PARAMETER ApplicationName
    Overrides the connection's applicationName (e.g. 'MIM request <id>').

    .PARAMETER Mode
    A method override (phoneApp, voiceCall, smsText, oathToken); uses PfAuthUser_5.

    .PARAMETER Assert
    Throws a terminating error unless the result is Approved.

    .EXAMPLE
    $sim = Start-MfaSimulator
    Invoke-MfaApproval -Connection $sim.Connection -UserName alice@contoso.com

    .EXAMPLE
    Invoke-MfaApproval -UserName $upn -Timeout 90 -Assert   # in a MIM workflow: throws unless approved
    #>
    [CmdletBinding()]
    [OutputType('MfaApproval.Result')]
    param(
        [psobject]$Connection,

        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [ValidateScript({ Test-MfaUserNameArgument -Value $_ })]
        [string]$UserName,

        [ValidateRange(1, 86400)]
        [int]$Timeout = 120,

        [ValidateLength(0, 256)]
        [string]$ApplicationName,

        [ValidateSet('phoneApp', 'voiceCall', 'smsText', 'oathToken')]
        [string]$Mode,

        [switch]$Assert
    )
    begin {
        $conn = Resolve-MfaConnection -Connection $Connection -Cmdlet $PSCmdlet
    }
    process {
        $request = @{ userName = $UserName; timeoutSeconds = $Timeout }
        if ($ApplicationName) { $request.applicationName = $ApplicationName }
        if ($Mode) { $request.mode = $Mode }
        Write-Verbose ("Asking '{0}' to approve via {1} (timeout {2} s)" -f $UserName, $conn.Uri, $Timeout)
        $pending = Start-MfaNativeRequest -Connection $conn -Request $request -Cmdlet $PSCmdlet
        $pending.Waited = $true
        # The native deadline ends the request as TimedOut; the wait bound is a safety net.
        $result = Wait-MfaNativeRequest -Request $pending -TimeoutSeconds ($Timeout + 10) -Activity ("Waiting for {0} to approve" -f $UserName)
        foreach ($w in $result.Warnings) { Write-Warning $w }
        if ($Assert -and -not $result.Approved) {
            $PSCmdlet.ThrowTerminatingError((Get-MfaResultErrorRecord -Result $result))
        }
        $result
    }
}
