function Start-MfaApproval {
    <#
    .SYNOPSIS
    Starts MFA approvals (a push to each user's phone) and returns at once.

    .DESCRIPTION
    Sends one PfAuthUser_4 request per user (PfAuthUser_5 with -Mode) in the background and
    returns a pending MfaApproval.Request for each. Read their state with Get-MfaApproval,
    wait for the answers with Wait-MfaApproval, cancel with Stop-MfaApproval.

    .PARAMETER Connection
    The connection (New-MfaConnection, Start-MfaSimulator). Default: the session default.

    .PARAMETER UserName
    The users to ask, as the MFA server knows them (e.g. UPNs). Accepts pipeline input.

    .PARAMETER Timeout
    Seconds each approval may take before it ends as TimedOut (default 120).

    .PARAMETER ApplicationName
    Overrides the connection's applicationName for these requests.

    .PARAMETER Mode
    A method override (phoneApp, voiceCall, smsText, oathToken); uses PfAuthUser_5.

    .PARAMETER InitiatingIpAddress
    The IP address shown in the server's reports.

    .EXAMPLE
    $requests = 'alice@contoso.com', 'bob@contoso.com' | Start-MfaApproval -Connection $conn
    $requests | Wait-MfaApproval -Timeout 90
    #>
    [CmdletBinding()]
    [OutputType('MfaApproval.Request')]
    param(
        [psobject]$Connection,

        [Parameter(Mandatory, Position = 0, ValueFromPipeline, ValueFromPipelineByPropertyName)]
        [ValidateScript({ Test-MfaUserNameArgument -Value $_ })]
        [string[]]$UserName,

        [ValidateRange(1, 86400)]
        [int]$Timeout = 120,

        [ValidateLength(0, 256)]
        [string]$ApplicationName,

        [ValidateSet('phoneApp', 'voiceCall', 'smsText', 'oathToken')]
        [string]$Mode,

        [ValidateScript({ $ip = $null; if (-not [System.Net.IPAddress]::TryParse($_, [ref]$ip)) { throw "'$_' is not an IPv4 or IPv6 address." }; $true })]
        [string]$InitiatingIpAddress
    )
    begin {
        $conn = Resolve-MfaConnection -Connection $Connection -Cmdlet $PSCmdlet
    }
    process {
        foreach ($user in $UserName) {
            $request = @{ userName = $user; timeoutSeconds = $Timeout }
            if ($ApplicationName) { $request.applicationName = $ApplicationName }
            if ($Mode) { $request.mode = $Mode }
            if ($InitiatingIpAddress) { $request.initiatingIpAddress = $InitiatingIpAddress }
            Write-Verbose ("Starting an approval for '{0}' on {1} (timeout {2} s)" -f $user, $conn.Uri, $Timeout)
            Start-MfaNativeRequest -Connection $conn -Request $request -Cmdlet $PSCmdlet
        }
    }
}
