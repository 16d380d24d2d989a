function Stop-MfaSimulator {
    <#
    .SYNOPSIS
    Stops simulators started with Start-MfaSimulator.

    .DESCRIPTION
    Closes each simulator's standard input (it then exits), waits up to five seconds, and
    kills it if it is still running. Its connection can no longer be used. Without
    -Simulator, stops every simulator this module started.

    .PARAMETER Simulator
    Simulators from Start-MfaSimulator. Accepts pipeline input.

    .EXAMPLE
    $sim | Stop-MfaSimulator

    .EXAMPLE
    Stop-MfaSimulator   # all of them
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Position = 0, ValueFromPipeline)]
        [psobject[]]$Simulator
    )
    process {
        $targets = if ($PSBoundParameters.ContainsKey('Simulator')) { $Simulator } else { $script:Simulators.ToArray() }
        foreach ($s in $targets) {
            if (@($s.PSObject.TypeNames) -notcontains 'MfaApproval.Simulator') {
                $PSCmdlet.WriteError((New-MfaErrorRecord -ErrorId 'MfaApproval.InvalidSimulatorObject' -Target $s -Message 'The -Simulator value is not an MfaApproval simulator from Start-MfaSimulator.'))
                continue
            }
            if (-not $PSCmdlet.ShouldProcess($s.Uri, 'Stop MFA simulator')) { continue }
            Stop-MfaSimulatorProcess -Simulator $s
            Write-Verbose "Stopped the simulator at $($s.Uri)"
        }
    }
}
