# Stopping a running pipeline (what Ctrl+C does) cancels the native approvals it waited on.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModulePath -Force
    $sim = Start-MfaSimulator -NoResponseAfter 300
}
AfterAll {
    $sim | Stop-MfaSimulator
    Remove-Module MfaApproval -ErrorAction SilentlyContinue
}

Describe 'Stopping a pipeline' {
    BeforeEach {
        $runspace = [runspacefactory]::CreateRunspace()
        $runspace.Open()
        $runspace.SessionStateProxy.SetVariable('connection', $sim.Connection)
        $ps = [powershell]::Create()
        $ps.Runspace = $runspace
        $null = $ps.AddScript("Import-Module '$ModulePath'").Invoke()
        $ps.Commands.Clear()
    }
    AfterEach {
        $ps.Dispose()
        $runspace.Dispose()
    }

    It 'Stop() during <Command> cancels every native request it was waiting on' -ForEach @(
        @{ Command = 'Wait-MfaApproval'; Count = 3; Script = '1..3 | ForEach-Object { "carol@contoso.com" } | Start-MfaApproval -Connection $connection -Timeout 300 | Wait-MfaApproval' }
        @{ Command = 'Invoke-MfaApproval'; Count = 1; Script = 'Invoke-MfaApproval -Connection $connection -UserName carol@contoso.com -Timeout 300' }
    ) {
        $null = $ps.AddScript($Script)
        $null = $ps.BeginInvoke()
        # The wait loop writes progress after its first native poll: that is the signal that
        # the requests are pending and being waited on (the simulator holds them for 300 s).
        $deadline = [datetime]::UtcNow.AddSeconds(30)
        while ($ps.Streams.Progress.Count -eq 0 -and $ps.InvocationStateInfo.State -eq 'Running' -and [datetime]::UtcNow -lt $deadline) {
            Start-Sleep -Milliseconds 10
        }
        $ps.InvocationStateInfo.State | Should -Be 'Running'
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        $ps.Stop()
        $clock.Stop()
        $ps.InvocationStateInfo.State | Should -Be 'Stopped'
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 5   # generous bound; typically ~0.1 s (see build.ps1 Bench)
        $ps.Commands.Clear()
        $open = @($ps.AddScript('& (Get-Module MfaApproval) { $script:OpenRequests.Values | ForEach-Object { [MfaApproval.Interop.Native]::Poll($_.Handle, 0) } }').Invoke())
        $open.Count | Should -Be $Count
        $open | Should -Not -Contain 0   # MFA_STATUS_PENDING: nothing left running
        $open | ForEach-Object { $_ | Should -Be 6 }   # MFA_STATUS_CANCELLED
    }

    It 'removing the module cancels approvals that were started and never waited on' {
        $null = $ps.AddScript('$global:r = Start-MfaApproval -Connection $connection -UserName carol@contoso.com -Timeout 300; Remove-Module MfaApproval; [MfaApproval.Interop.Native]::Poll($r.Handle, 0)')
        $ps.Invoke() | Should -Be 6
    }
}
