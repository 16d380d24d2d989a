function Test-MfaConnection {
    <#
    .SYNOPSIS
    Checks that the MFA Server SDK answers, and says what failed if it does not.

    .DESCRIPTION
    Calls TestSecurity, then UserExists as an authenticated round trip, and returns an
    MfaApproval.ConnectionTest: Success, the Stage that failed (Dns, Connect, Tls,
    CertificatePin, Authentication for 401/403, Soap, HttpStatus, Timeout, Internal) and the
    server's message. No push is sent to anyone.

    .PARAMETER Connection
    The connection to test. Default: the session default.

    .PARAMETER Quiet
    Returns only $true or $false.

    .EXAMPLE
    Test-MfaConnection -Connection $conn

    .EXAMPLE
    if (-not (Test-MfaConnection -Quiet)) { throw 'MFA server unreachable' }
    #>
    [CmdletBinding()]
    [OutputType('MfaApproval.ConnectionTest', [bool])]
    param(
        [Parameter(Position = 0, ValueFromPipeline)]
        [psobject]$Connection,

        [switch]$Quiet
    )
    process {
        $conn = Resolve-MfaConnection -Connection $Connection -Cmdlet $PSCmdlet
        $security = Invoke-MfaNativeQuery -Connection $conn -Query @{ operation = 'testSecurity'; timeoutSeconds = $conn.HttpTimeout + 5 } -Cmdlet $PSCmdlet
        $roundTrip = $null
        if ($security.Status -eq 'Completed') {
            $roundTrip = Invoke-MfaNativeQuery -Connection $conn -Query @{ operation = 'userExists'; userName = 'mfaapproval-connection-test'; timeoutSeconds = $conn.HttpTimeout + 5 } -Cmdlet $PSCmdlet
        }
        $failed = @($security, $roundTrip) | Where-Object { $_ -and $_.Status -ne 'Completed' } | Select-Object -First 1
        $test = [pscustomobject]@{
            PSTypeName   = 'MfaApproval.ConnectionTest'
            Uri          = $conn.Uri
            Success      = -not $failed
            Stage        = $(if ($failed) { (Get-MfaFailureKind -Kind $failed.FailureKind).Stage } else { 'Ok' })
            Message      = $(if ($failed) { $failed.Message } else { 'TestSecurity and an authenticated round trip succeeded' })
            TestSecurity = $(if ($security.Data) { [string]$security.Data.message } else { $null })
            Duration     = $security.Duration + $(if ($roundTrip) { $roundTrip.Duration } else { [timespan]::Zero })
        }
        Write-Verbose ("Test-MfaConnection {0}: {1} ({2})" -f $conn.Uri, $test.Stage, $test.Message)
        if ($Quiet) { $test.Success } else { $test }
    }
}
