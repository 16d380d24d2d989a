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
        @{ Command = 'Wait-MfaApproval'; Count = 3; Script = '$global:requests = 1..3 | ForEach-Object { "carol@contoso.com" } | Start-MfaApproval -Connection $connection -Timeout 300; $requests | Wait-MfaApproval' }
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
        $pending = @([MfaApproval.Session]::OpenRequestsOf($runspace))
        $pending.Count | Should -Be $Count
        $pending | ForEach-Object { $_.NativeStatus | Should -Be 0 }   # MFA_STATUS_PENDING
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        $ps.Stop()
        $clock.Stop()
        $ps.InvocationStateInfo.State | Should -Be 'Stopped'
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 5   # generous bound; typically ~0.1 s (see build.ps1 Bench)
        # Every request the wait owned was cancelled natively, read as Cancelled and freed.
        $pending | ForEach-Object {
            $_.NativeStatus | Should -Be 6   # MFA_STATUS_CANCELLED
            $_.State | Should -Be 'Cancelled'
            $_.Result.Approved | Should -BeFalse
        }
        @([MfaApproval.Session]::OpenRequestsOf($runspace)).Count | Should -Be 0
    }

    It 'removing the module cancels approvals that were started and never waited on' {
        $null = $ps.AddScript('$global:r = Start-MfaApproval -Connection $connection -UserName carol@contoso.com -Timeout 300; $r.NativeStatus; Remove-Module MfaApproval; $r.NativeStatus')
        $ps.Invoke() | Should -Be @(0, 6)
    }

    It 'requests of one runspace are not cancelled when another removes the module' {
        $mine = Start-MfaApproval -Connection $sim.Connection -UserName carol@contoso.com -Timeout 300
        try {
            $null = $ps.AddScript('Remove-Module MfaApproval')
            $ps.Invoke()
            $mine.NativeStatus | Should -Be 0
        }
        finally { $mine | Stop-MfaApproval }
    }
}
