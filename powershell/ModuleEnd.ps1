# Load the native library now: a missing library, a wrong platform or an ABI mismatch is
# one clear terminating error at import.
Initialize-MfaNative

$ExecutionContext.SessionState.Module.OnRemove = {
    foreach ($r in $script:OpenRequests.Values) {
        try { [MfaApproval.Interop.Native]::Cancel($r.Handle) } catch { $null = $_ }
    }
    $script:OpenRequests.Clear()
    foreach ($s in $script:Simulators.ToArray()) { Stop-MfaSimulatorProcess -Simulator $s }
    $script:DefaultConnection = $null
}
