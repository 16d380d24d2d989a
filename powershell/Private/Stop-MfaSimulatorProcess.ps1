$script:Simulators = [System.Collections.Generic.List[object]]::new()

function Stop-MfaSimulatorProcess {
    # Ends one simulator process (stdin EOF, then kill after 5 s) and forgets it.
    [CmdletBinding()]
    param([Parameter(Mandatory)][psobject]$Simulator)
    $p = $Simulator.Process
    if (-not $p.HasExited) {
        try { $p.StandardInput.Close() } catch { $null = $_ }
        if (-not $p.WaitForExit(5000)) {
            try { $p.Kill() } catch { $null = $_ }
            [void]$p.WaitForExit(5000)
        }
    }
    if ($Simulator.Connection -and $Simulator.Connection.NativeClient) { $Simulator.Connection.NativeClient.Dispose() }
    if ($script:DefaultConnection -and $script:DefaultConnection.Simulator -eq $Simulator) { $script:DefaultConnection = $null }
    [void]$script:Simulators.Remove($Simulator)
}
