function Stop-MfaApproval {
    <#
    .SYNOPSIS
    Cancels started approvals.

    .DESCRIPTION
    Cancels each pending MfaApproval.Request at once (it never blocks): the request ends as
    Cancelled, never as an approval, and its HTTP call is dropped. Cancelling a finished or
    cancelled request changes nothing.

    .PARAMETER Request
    Requests from Start-MfaApproval. Accepts pipeline input.

    .PARAMETER PassThru
    Returns the requests after cancelling them.

    .EXAMPLE
    $r = Start-MfaApproval -UserName carol@contoso.com
    $r | Stop-MfaApproval
    $r | Wait-MfaApproval   # Status: Cancelled
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType('MfaApproval.Request')]
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline)]
        [ValidateNotNull()]
        [psobject[]]$Request,

        [switch]$PassThru
    )
    process {
        foreach ($r in $Request) {
            if (@($r.PSObject.TypeNames) -notcontains 'MfaApproval.Request') {
                $PSCmdlet.WriteError((New-MfaErrorRecord -ErrorId 'MfaApproval.InvalidRequestObject' -Target $r -Message 'The -Request value is not an MfaApproval request from Start-MfaApproval.'))
                continue
            }
            if ($PSCmdlet.ShouldProcess($r.UserName, 'Cancel MFA approval')) {
                if (-not $r.Handle.IsClosed) {
                    [MfaApproval.Interop.Native]::Cancel($r.Handle)
                    Write-Verbose ("Cancelled the approval for '{0}' (Id {1})" -f $r.UserName, $r.Id)
                }
            }
            if ($PassThru) { $r }
        }
    }
}
