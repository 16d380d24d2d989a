$script:RequestCounter = 0
# Requests started and not yet read: removing the module cancels them, so it never leaves an
# approval running.
$script:OpenRequests = [System.Collections.Generic.Dictionary[int,object]]::new()

function Start-MfaNativeRequest {
    # Starts one native request and returns a pending MfaApproval.Request.
    [CmdletBinding()]
    [OutputType('MfaApproval.Request')]
    param(
        [Parameter(Mandatory)][psobject]$Connection,
        [Parameter(Mandatory)][hashtable]$Request,
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet]$Cmdlet
    )
    $json = ConvertTo-MfaJson -Value $Request
    try {
        $handle = [MfaApproval.Interop.Native]::StartRequest($Connection.NativeClient, $json)
    }
    catch [MfaApproval.Interop.MfaNativeException] {
        $e = $_.Exception
        $Cmdlet.ThrowTerminatingError((New-MfaErrorRecord -ErrorId 'MfaApproval.InvalidRequest' -Exception $e -Target $Request.userName `
                    -Message ("The request was refused: {0}" -f $e.Message)))
    }
    $script:RequestCounter++
    $operation = if ($Request.operation) { $Request.operation } else { 'authenticate' }
    $pending = [pscustomobject]@{
        PSTypeName     = 'MfaApproval.Request'
        Id             = $script:RequestCounter
        UserName       = [string]$Request.userName
        Operation      = $operation
        State          = 'Pending'
        Status         = 'Pending'
        StartedAt      = [datetime]::UtcNow
        TimeoutSeconds = [double]$Request.timeoutSeconds
        Uri            = $Connection.Uri
        Handle         = $handle
        Result         = $null
        Waited         = $false
        ModuleVersion  = $script:ModuleVersion
    }
    $script:OpenRequests[$pending.Id] = $pending
    $pending
}

function Complete-MfaNativeRequest {
    # Reads a finished request's outcome into its Result, frees the native handle.
    [CmdletBinding()]
    [OutputType('MfaApproval.Result')]
    param([Parameter(Mandatory)][psobject]$Request, [string]$StatusOverride, [string]$MessageOverride)
    $json = [MfaApproval.Interop.Native]::Outcome($Request.Handle)
    $result = ConvertTo-MfaResult -Json $json -StatusOverride $StatusOverride -MessageOverride $MessageOverride
    $Request.Result = $result
    $Request.State = 'Completed'
    $Request.Status = $result.Status
    $Request.Handle.Dispose()
    [void]$script:OpenRequests.Remove($Request.Id)
    $result
}

function Wait-MfaNativeRequest {
    # Waits for requests with bounded native polls (so Ctrl+C is noticed within ~0.1 s),
    # emits each result as it finishes, and cancels whatever is still pending when the
    # wait ends early (timeout, Ctrl+C, pipeline Stop()).
    [CmdletBinding()]
    [OutputType('MfaApproval.Result')]
    param(
        [Parameter(Mandatory)][object[]]$Request,
        [double]$TimeoutSeconds = 0,
        [string]$Activity = 'Waiting for MFA approval'
    )
    $pending = New-Object 'System.Collections.Generic.List[object]'
    foreach ($r in $Request) { $pending.Add($r) }
    $total = $pending.Count
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    try {
        while ($pending.Count -gt 0) {
            [void][MfaApproval.Interop.Native]::Poll($pending[0].Handle, 100)
            foreach ($r in $pending.ToArray()) {
                if ([MfaApproval.Interop.Native]::Poll($r.Handle, 0) -ne [MfaApproval.Interop.Native]::StatusPending) {
                    [void]$pending.Remove($r)
                    $result = Complete-MfaNativeRequest -Request $r
                    Write-Verbose ("{0}: {1} after {2:N1} s ({3})" -f $r.UserName, $result.Status, $result.Duration.TotalSeconds, $result.Message)
                    $result
                }
            }
            if ($TimeoutSeconds -gt 0 -and $clock.Elapsed.TotalSeconds -ge $TimeoutSeconds -and $pending.Count -gt 0) {
                foreach ($r in $pending.ToArray()) {
                    [MfaApproval.Interop.Native]::Cancel($r.Handle)
                    [void]$pending.Remove($r)
                    Complete-MfaNativeRequest -Request $r -StatusOverride 'TimedOut' `
                        -MessageOverride ("no answer within the wait timeout of {0} s; the request was cancelled" -f $TimeoutSeconds)
                }
            }
            if ($pending.Count -gt 0) {
                $done = $total - $pending.Count
                $status = '{0} of {1} answered; waiting for {2}' -f $done, $total, (($pending | Select-Object -First 3 | ForEach-Object { $_.UserName }) -join ', ')
                $progress = @{ Activity = $Activity; Status = $status; PercentComplete = [int](100 * $done / $total) }
                if ($TimeoutSeconds -gt 0) { $progress.SecondsRemaining = [int][math]::Max(0, $TimeoutSeconds - $clock.Elapsed.TotalSeconds) }
                Write-Progress @progress
            }
        }
    }
    finally {
        # Runs on Ctrl+C and pipeline Stop() too: cancel first (never blocks), then tidy up.
        foreach ($r in $pending) {
            try { [MfaApproval.Interop.Native]::Cancel($r.Handle) } catch { $null = $_ }
            $r.State = 'Cancelled'
            $r.Status = 'Cancelled'
        }
        try { Write-Progress -Activity $Activity -Completed } catch { $null = $_ }
    }
}

function Invoke-MfaNativeQuery {
    # Runs one query (testSecurity, userExists, ...) to its end and returns its result.
    [CmdletBinding()]
    [OutputType('MfaApproval.Result')]
    param(
        [Parameter(Mandatory)][psobject]$Connection,
        [Parameter(Mandatory)][hashtable]$Query,
        [Parameter(Mandatory)][System.Management.Automation.PSCmdlet]$Cmdlet
    )
    if (-not $Query.ContainsKey('timeoutSeconds')) { $Query.timeoutSeconds = 60 }
    Write-Verbose ("{0} {1} on {2}" -f $Query.operation, $Query.userName, $Connection.Uri)
    $request = Start-MfaNativeRequest -Connection $Connection -Request $Query -Cmdlet $Cmdlet
    Wait-MfaNativeRequest -Request $request -Activity ("MfaApproval: {0}" -f $Query.operation)
}
