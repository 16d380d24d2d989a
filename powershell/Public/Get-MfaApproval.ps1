function Get-MfaApproval {
    <#
    .SYNOPSIS
    Reads the state of started approvals without waiting.

    .DESCRIPTION
    For each MfaApproval.Request from Start-MfaApproval, refreshes State (Pending,
    Completed or Cancelled) and Status (Pending, or the final status such as Approved or
    Denied) and returns the request. It never blocks; use Wait-MfaApproval to wait and to
    get the full result.

    .PARAMETER Request
    Requests from Start-MfaApproval. Accepts pipeline input.

    .EXAMPLE
    $r = Start-MfaApproval -UserName alice@contoso.com
    Get-MfaApproval -Request $r | Select-Object UserName, State, Status
    #>
    [CmdletBinding()]
    [OutputType('MfaApproval.Request')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline)]
        [ValidateNotNull()]
        [psobject[]]$Request
    )
    process {
        foreach ($r in $Request) {
            if (@($r.PSObject.TypeNames) -notcontains 'MfaApproval.Request') {
                $PSCmdlet.WriteError((New-MfaErrorRecord -ErrorId 'MfaApproval.InvalidRequestObject' -Target $r -Message 'The -Request value is not an MfaApproval request from Start-MfaApproval.'))
                continue
            }
            if ($r.State -eq 'Pending' -and -not $r.Handle.IsClosed) {
                $status = [MfaApproval.Interop.Native]::Poll($r.Handle, 0)
                if ($status -ne [MfaApproval.Interop.Native]::StatusPending) {
                    $outcome = ConvertFrom-Json -InputObject ([MfaApproval.Interop.Native]::Outcome($r.Handle))
                    $r.Status = [string]$outcome.status
                    $r.State = if ($r.Status -eq 'Cancelled') { 'Cancelled' } else { 'Completed' }
                }
            }
            $r
        }
    }
}
