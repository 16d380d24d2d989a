function Wait-MfaApproval {
    <#
    .SYNOPSIS
    Waits for started approvals and emits one result per request.

    .DESCRIPTION
    Takes MfaApproval.Request objects (from Start-MfaApproval) from the pipeline, shows
    progress while users answer, and emits an MfaApproval.Result for each as it finishes.
    With -Timeout, requests still pending after that many seconds are cancelled and
    reported as TimedOut. Ctrl+C cancels every request it was waiting on. A request can be
    waited on once.

    .PARAMETER Request
    Requests from Start-MfaApproval. Accepts pipeline input.

    .PARAMETER Timeout
    Seconds to wait in all (0, the default, waits until each request's own timeout).

    .EXAMPLE
    'alice@contoso.com', 'bob@contoso.com' | Start-MfaApproval | Wait-MfaApproval -Timeout 60
    #>
    [CmdletBinding()]
    [OutputType('MfaApproval.Result')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline)]
        [ValidateNotNull()]
        [psobject[]]$Request,

        [ValidateRange(0, 86400)]
        [int]$Timeout = 0
    )
    begin {
        $collected = New-Object 'System.Collections.Generic.List[object]'
    }
    process {
        foreach ($r in $Request) {
            if (@($r.PSObject.TypeNames) -notcontains 'MfaApproval.Request') {
                $PSCmdlet.WriteError((New-MfaErrorRecord -ErrorId 'MfaApproval.InvalidRequestObject' -Target $r -Message 'The -Request value is not an MfaApproval request from Start-MfaApproval.'))
                continue
            }
            if ($r.Waited -or $r.Handle.IsClosed) {
                $PSCmdlet.WriteError((New-MfaErrorRecord -ErrorId 'MfaApproval.RequestAlreadyWaited' -Category InvalidOperation -Target $r `
                            -Message ("The request for '{0}' (Id {1}) was already waited on; its result is in the request's Result property." -f $r.UserName, $r.Id)))
                continue
            }
            $r.Waited = $true
            $collected.Add($r)
        }
    }
    end {
        if ($collected.Count -gt 0) {
            Write-Verbose ("Waiting for {0} request(s){1}" -f $collected.Count, $(if ($Timeout) { " for at most $Timeout s" } else { '' }))
            Wait-MfaNativeRequest -Request $collected.ToArray() -TimeoutSeconds $Timeout
        }
    }
}
