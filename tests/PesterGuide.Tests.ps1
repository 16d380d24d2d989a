# docs/pester.md cannot rot: every code block it marks as a file (<!-- file: NAME --> before
# the fence) is extracted into a folder and its *.Tests.ps1 files run in a fresh PowerShell
# under this run's Pester version (build.ps1 Test runs 5.7.1 and 6.2.0), with the staged module
# as `Import-Module MfaApproval` finds it. Every extracted test must pass, and the -ErrorId
# pattern the page explains is checked both ways: the page's form passes, the bare ErrorId fails.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $page = Join-Path $RepoRoot 'docs/pester.md'
    $pesterVersion = (Get-Module Pester).Version.ToString()

    # The page's file blocks: name -> text, in page order.
    function Get-PageFile([string]$Path) {
        $files = [ordered]@{}
        $lines = Get-Content -LiteralPath $Path
        for ($i = 0; $i -lt $lines.Count; $i++) {
            if ($lines[$i] -notmatch '^<!-- file: (?<name>[\w.-]+) -->$') { continue }
            $name = $Matches.name
            if ($lines[$i + 1] -notmatch '^```powershell$') { throw "docs/pester.md line $($i + 2): a file block must start with ``````powershell" }
            $body = New-Object System.Collections.Generic.List[string]
            for ($j = $i + 2; $j -lt $lines.Count -and $lines[$j] -ne '```'; $j++) { $body.Add($lines[$j]) }
            if ($files.Contains($name)) { throw "docs/pester.md names the file $name twice" }
            $files[$name] = $body -join "`n"
            $i = $j
        }
        $files
    }

    # Runs the extracted tests in a fresh process (Pester runs do not nest) and returns each
    # test's name and result.
    function Invoke-PageTests([string]$Folder) {
        $resultFile = Join-Path $Folder 'results.json'
        $modules = Split-Path $ModulePath -Parent
        $runner = @"
`$ErrorActionPreference = 'Stop'
`$env:PSModulePath = '$modules' + [IO.Path]::PathSeparator + `$env:PSModulePath
Import-Module Pester -RequiredVersion $pesterVersion
`$c = New-PesterConfiguration
`$c.Run.Path = '$Folder'
`$c.Run.PassThru = `$true
`$c.Output.Verbosity = 'None'
`$r = Invoke-Pester -Configuration `$c
@(`$r.Tests | ForEach-Object { [pscustomobject]@{ Name = `$_.ExpandedPath; Result = "`$(`$_.Result)"; Error = "`$(`$_.ErrorRecord)" } }) | ConvertTo-Json -Depth 3 | Set-Content -Path '$resultFile'
"@
        $runnerFile = Join-Path $Folder 'run.ps1'
        Set-Content -Path $runnerFile -Value $runner
        $r = & $InvokeNative -FilePath $Pwsh -ArgumentList @('-NoProfile', '-NonInteractive', '-File', $runnerFile)
        if (-not (Test-Path $resultFile)) { throw "the page's tests did not run (exit code $($r.ExitCode)): $(@(@($r.Output) + @($r.Error)) -join [Environment]::NewLine)" }
        @(Get-Content -Raw $resultFile | ConvertFrom-Json)
    }
}

Describe 'docs/pester.md' {
    BeforeAll {
        $files = Get-PageFile $page
        $folder = Join-Path $TestDrive 'page'
        $null = New-Item -ItemType Directory -Path $folder
        foreach ($name in $files.Keys) { Set-Content -Path (Join-Path $folder $name) -Value $files[$name] }
        $tests = Invoke-PageTests $folder
    }

    It 'holds the script under test, its tests and the mocked module' {
        @($files.Keys) | Should -Be @('Grant-TierZeroAccess.ps1', 'Grant-TierZeroAccess.Tests.ps1', 'TierZero.psm1', 'TierZero.Tests.ps1')
    }

    It 'runs every example test, and every one passes' {
        $tests.Count | Should -Be 11 -Because "the page holds 11 example tests: $($tests.Name -join "; ")"
        $failed = @($tests | Where-Object Result -NE 'Passed' | ForEach-Object { "$($_.Name): $($_.Result) $($_.Error)" })
        $failed | Should -BeNullOrEmpty
    }

    It 'asserts -Assert failures with the pattern it explains' {
        $files['Grant-TierZeroAccess.Tests.ps1'] | Should -Match ([regex]::Escape("-ErrorId 'MfaApproval.Denied,*'"))
        @($tests | Where-Object Name -Like '*stops when the approver denies').Result | Should -Be 'Passed'
    }
}

Describe 'The -ErrorId pattern the page explains' {
    BeforeAll {
        Import-Module $ModulePath -Force
        $sim = Start-MfaSimulator -User @{ 'bob@contoso.com' = 'Deny' }
    }
    AfterAll { $sim | Stop-MfaSimulator }

    It 'the bare ErrorId does not match a compiled cmdlet''s FullyQualifiedErrorId; the wildcard form does' {
        $denied = { Invoke-MfaApproval -Connection $sim.Connection -UserName bob@contoso.com -Assert }
        { $denied | Should -Throw -ErrorId 'MfaApproval.Denied' } | Should -Throw '*MfaApproval.Denied,MfaApproval.Cmdlets.InvokeMfaApprovalCommand*'
        $denied | Should -Throw -ErrorId 'MfaApproval.Denied,*'
        { $denied | Should -Throw -ErrorId 'MfaApproval.TimedOut,*' } | Should -Throw
    }
}
