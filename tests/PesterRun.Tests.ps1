# tests/Invoke-PesterRun.ps1, the runner build.ps1 Test uses (several test files at once in
# background workers): a failing test and a failing block are reported as failures with their
# messages, never as passes; a file named twice runs once; the exit code and the result file
# agree. (A file whose worker died is counted as not finished, an error: tried by hand with
# [Environment]::Exit in a test; not a test here, as PowerShell notices a job's process has
# ended only after about a minute.)
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $Runner = Join-Path $PSScriptRoot 'Invoke-PesterRun.ps1'
    $InvokeNative = Join-Path (Split-Path -Parent $PSScriptRoot) 'tools/Invoke-NativeCommand.ps1'
    $Version = (Get-Module Pester).Version.ToString()
    $Dir = Join-Path ([System.IO.Path]::GetTempPath()) "mfa-runner-$([guid]::NewGuid().ToString('N'))"
    $null = New-Item -ItemType Directory -Path $Dir
    Set-Content -LiteralPath (Join-Path $Dir 'Good.Tests.ps1') -Value "Describe 'good' { It 'one' { 1 | Should -Be 1 }; It 'two' { 2 | Should -Be 2 } }"
    Set-Content -LiteralPath (Join-Path $Dir 'Bad.Tests.ps1') -Value "Describe 'bad' { It 'adds' { 1 + 1 | Should -Be 3 } }"
    Set-Content -LiteralPath (Join-Path $Dir 'Block.Tests.ps1') -Value "Describe 'block' { AfterAll { throw 'cleanup broke' }; It 'runs' { 1 | Should -Be 1 } }"
    function Invoke-Runner([string[]]$Files, [int]$Workers = 2) {
        $list = Join-Path $Dir "list-$([guid]::NewGuid().ToString('N')).txt"
        Set-Content -LiteralPath $list -Value ($Files | ForEach-Object { Join-Path $Dir $_ })
        $resultFile = Join-Path $Dir "result-$([guid]::NewGuid().ToString('N')).json"
        $logs = Join-Path $Dir 'logs'
        $run = & $InvokeNative -FilePath $Pwsh -ArgumentList @('-NoProfile', '-NonInteractive', '-File', $Runner, '-PesterVersion', $Version,
            '-ModulePath', $env:MFA_MODULE_PATH, '-ResultFile', $resultFile, '-ListFile', $list, '-Workers', "$Workers", '-LogDirectory', $logs) -TimeoutSeconds 300
        [pscustomobject]@{
            ExitCode = $run.ExitCode
            Output   = ($run.Output -join "`n") -replace "$([char]27)\[[0-9;]*m", ''
            Result   = $(if (Test-Path -LiteralPath $resultFile) { Get-Content -Raw -LiteralPath $resultFile | ConvertFrom-Json } else { $null })
        }
    }
}

AfterAll {
    if ($Dir -and (Test-Path -LiteralPath $Dir)) { Remove-Item -LiteralPath $Dir -Recurse -Force }
}

Describe 'The Pester runner of build.ps1 Test' {
    It 'passes files that pass, each file once however often it is named, with exit code 0' {
        $r = Invoke-Runner @('Good.Tests.ps1', 'Good.Tests.ps1')
        $r.ExitCode | Should -Be 0
        $r.Result.Passed | Should -Be 2
        $r.Result.Files | Should -Be 1
        ($r.Result.Failed + $r.Result.Errors) | Should -Be 0
        $r.Output | Should -Match '\[\+\] Good\.Tests\.ps1 .* 2 passed'
    }

    It 'reports a failing test by name with its message, beside a passing file, and exits 1' {
        $r = Invoke-Runner @('Good.Tests.ps1', 'Bad.Tests.ps1')
        $r.ExitCode | Should -Be 1
        $r.Result.Passed | Should -Be 2
        $r.Result.Failed | Should -Be 1
        $r.Output | Should -Match '\[-\] Bad\.Tests\.ps1 .* 1 failed'
        $r.Output | Should -Match 'bad\.adds: Expected 3, but got 2'
    }

    It 'reports a block whose AfterAll failed, with the message' {
        $r = Invoke-Runner @('Block.Tests.ps1') -Workers 1
        $r.ExitCode | Should -Be 1
        ($r.Result.Failed + $r.Result.Errors) | Should -BeGreaterThan 0
        $r.Output | Should -Match 'cleanup broke'
    }
}
