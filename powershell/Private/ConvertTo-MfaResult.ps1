function ConvertTo-MfaResult {
    # Turns the native outcome JSON into a typed MfaApproval.Result object.
    [CmdletBinding()]
    [OutputType('MfaApproval.Result')]
    param(
        [Parameter(Mandatory)][string]$Json,
        [string]$StatusOverride,
        [string]$MessageOverride
    )
    $o = ConvertFrom-Json -InputObject $Json
    $started = ([datetime]'1970-01-01Z').ToUniversalTime().AddMilliseconds([double]$o.startedAtUnixMs)
    $status = if ($StatusOverride) { $StatusOverride } else { [string]$o.status }
    $message = if ($MessageOverride) { $MessageOverride } else { [string]$o.message }
    $result = [pscustomobject]@{
        PSTypeName            = 'MfaApproval.Result'
        Status                = $status
        Approved              = ($status -eq 'Approved') -and ($o.approved -eq $true)
        UserName              = [string]$o.userName
        CallResult            = $(if ($o.callResult) { [int]$o.callResult.code } else { $null })
        CallResultName        = $(if ($o.callResult) { [string]$o.callResult.name } else { $null })
        CallResultDescription = $(if ($o.callResult) { [string]$o.callResult.description } else { $null })
        ErrorCode             = $(if ($o.error) { [int]$o.error.code } else { $null })
        ErrorDescription      = $(if ($o.error) { [string]$o.error.description } else { $null })
        RequestId             = [string]$o.authenticationRequestId
        Provider              = [string]$o.provider
        Operation             = [string]$o.operation
        FailureKind           = [string]$o.failureKind
        Message               = $message
        RequireUserMatch      = [bool]$o.requireUserMatch
        Warnings              = @($o.warnings | Where-Object { $_ })
        Data                  = $o.data
        StartedAt             = $started
        Duration              = [timespan]::FromMilliseconds([double]$o.elapsedMs)
        HttpCalls             = [int]$o.httpCalls
    }
    $result
}

function New-MfaErrorRecord {
    # An ErrorRecord with a stable ErrorId (MfaApproval.*), a category and a target.
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorRecord])]
    param(
        [Parameter(Mandatory)][string]$ErrorId,
        [Parameter(Mandatory)][string]$Message,
        [System.Management.Automation.ErrorCategory]$Category = 'InvalidArgument',
        [object]$Target,
        [System.Exception]$Exception
    )
    if (-not $Exception) {
        $Exception = New-Object System.ArgumentException($Message)
    }
    elseif ($Exception.Message -ne $Message) {
        $Exception = New-Object System.InvalidOperationException($Message, $Exception)
    }
    New-Object System.Management.Automation.ErrorRecord($Exception, $ErrorId, $Category, $Target)
}

function Get-MfaResultErrorRecord {
    # The terminating error -Assert throws for a result that is not Approved.
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorRecord])]
    param([Parameter(Mandatory)][psobject]$Result)
    $category = switch ($Result.Status) {
        'Denied' { 'PermissionDenied' }
        'FraudReported' { 'SecurityError' }
        'TimedOut' { 'OperationTimeout' }
        'Cancelled' { 'OperationStopped' }
        default { (Get-MfaFailureKind -Kind $Result.FailureKind).Category }
    }
    $status = if (@('Denied', 'FraudReported', 'TimedOut', 'Cancelled') -contains $Result.Status) { $Result.Status } else { 'Failed' }
    $text = "MFA approval for '{0}' was not granted: {1} ({2})" -f $Result.UserName, $Result.Status, $Result.Message
    $exception = New-Object System.Security.SecurityException($text)
    New-Object System.Management.Automation.ErrorRecord($exception, "MfaApproval.$status", $category, $Result)
}
