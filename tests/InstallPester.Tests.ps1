# build.ps1 Test provisions its Pester versions (tools/Install-Pester.ps1) before any build
# work. Run in a pwsh of its own whose PSModulePath lacks Pester, with a home folder of its
# own (so the current-user module folder and the PSResourceGet repository list are this
# test's): once with a local-folder repository holding the Pester packages (published here
# from the installed copies), once with no repository at all.
BeforeDiscovery {
    # The isolation moves HOME, which is where pwsh on Linux and macOS keeps both.
    $canRun = [bool](Get-Command Publish-PSResource -ErrorAction SilentlyContinue) -and
        [System.Environment]::OSVersion.Platform -ne [System.PlatformID]::Win32NT
}

Describe 'Pester provisioning' -Skip:(-not $canRun) {
  BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $versions = '5.7.1', '6.2.0'
    $repo = Join-Path $TestDrive 'pester-repo'
    $null = New-Item -ItemType Directory -Path $repo
    $name = "MfaApprovalPester$PID"
    Register-PSResourceRepository -Name $name -Uri $repo -Trusted -Force
    try {
        foreach ($v in $versions) {
            $installed = Get-Module -ListAvailable Pester | Where-Object { $_.Version -eq [version]$v } | Select-Object -First 1
            Publish-PSResource -Path $installed.ModuleBase -Repository $name -SkipDependenciesCheck -SkipModuleManifestValidate
        }
    }
    finally { Unregister-PSResourceRepository -Name $name }

    # pwsh itself, not a wrapper that adds a Pester folder to PSModulePath.
    $bare = Join-Path $PSHOME 'pwsh'

    # Runs a constant script in the bare pwsh with HOME moved to $HomeFolder and a PSModulePath
    # of $PSHOME/Modules only; values reach it through MFA_TEST_* environment variables.
    function Invoke-Isolated([string]$HomeFolder, [string]$Script) {
        $set = @{ HOME = $HomeFolder; XDG_DATA_HOME = $null; XDG_CONFIG_HOME = $null; XDG_CACHE_HOME = $null; PSModulePath = (Join-Path $PSHOME 'Modules'); MFA_TEST_REPO = $repo; MFA_TEST_ROOT = $RepoRoot }
        $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($Script))
        $r = & $InvokeNative -FilePath $bare -ArgumentList @('-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded) -Environment $set
        [pscustomobject]@{ Code = $r.ExitCode; Lines = @(@($r.Output) + @($r.Error)) }
    }

    $listPester = '@(Get-Module -ListAvailable Pester | ForEach-Object { "have " + $_.Version + " " + $_.ModuleBase })'

    # Pester installed for all users (or in $PSHOME) is in every pwsh's module path: then no
    # pwsh without it can be made here, and the tests say so instead of failing.
    $probe = Join-Path $TestDrive 'home-probe'
    $null = New-Item -ItemType Directory -Path $probe
    $preinstalled = @((Invoke-Isolated $probe $listPester).Lines | Where-Object { $_ -like 'have *' })
    $skipBecause = "Pester is installed where every pwsh finds it ($($preinstalled -join '; ')), so no pwsh without it can be made here"
  }

    It 'installs the missing versions for the current user from the configured repository' {
        if ($preinstalled.Count -gt 0) { Set-ItResult -Skipped -Because $skipBecause; return }
        $homeFolder = Join-Path $TestDrive 'home-with-repo'
        $null = New-Item -ItemType Directory -Path $homeFolder
        $before = Invoke-Isolated $homeFolder $listPester
        @($before.Lines | Where-Object { $_ -like 'have *' }) | Should -BeNullOrEmpty -Because 'the isolated pwsh must start without Pester'

        $r = Invoke-Isolated $homeFolder @'
$ErrorActionPreference = 'Stop'
Unregister-PSResourceRepository -Name PSGallery -ErrorAction SilentlyContinue
Register-PSResourceRepository -Name LocalPester -Uri $env:MFA_TEST_REPO -Trusted
& (Join-Path $env:MFA_TEST_ROOT 'tools/Install-Pester.ps1')
'@
        $r.Code | Should -Be 0 -Because ($r.Lines -join "`n")

        $after = Invoke-Isolated $homeFolder ($listPester + '; Import-Module Pester -RequiredVersion 6.2.0; "imported " + (Get-Module Pester).Version')
        foreach ($v in $versions) {
            $after.Lines | Should -Contain ("have $v " + (Join-Path $homeFolder ".local/share/powershell/Modules/Pester/$v"))
        }
        $after.Lines | Should -Contain 'imported 6.2.0'

        # A second run finds them and installs nothing.
        $again = Invoke-Isolated $homeFolder "& (Join-Path `$env:MFA_TEST_ROOT 'tools/Install-Pester.ps1')"
        $again.Code | Should -Be 0 -Because ($again.Lines -join "`n")
        ($again.Lines -join "`n") | Should -Not -Match 'installing'
    }

    It 'says in one line how to install them when no repository has them' {
        if ($preinstalled.Count -gt 0) { Set-ItResult -Skipped -Because $skipBecause; return }
        $homeFolder = Join-Path $TestDrive 'home-without-repo'
        $null = New-Item -ItemType Directory -Path $homeFolder
        $r = Invoke-Isolated $homeFolder @'
Unregister-PSResourceRepository -Name PSGallery -ErrorAction SilentlyContinue
try { & (Join-Path $env:MFA_TEST_ROOT 'tools/Install-Pester.ps1'); 'no error' }
catch { 'ERROR ' + $_.Exception.Message; exit 3 }
'@
        $r.Code | Should -Be 3 -Because ($r.Lines -join "`n")
        $line = @($r.Lines | Where-Object { $_ -like 'ERROR *' })
        $line.Count | Should -Be 1
        $line[0] | Should -Not -Match "`n"
        $line[0] | Should -Match 'need Pester 5\.7\.1 and 6\.2\.0'
        # The three ways: a repository, Save-PSResource on a connected machine, copying the folders.
        $line[0] | Should -Match ([regex]::Escape('Install-PSResource -Name Pester -Version 5.7.1 -Scope CurrentUser -TrustRepository; Install-PSResource -Name Pester -Version 6.2.0 -Scope CurrentUser -TrustRepository'))
        $line[0] | Should -Match ([regex]::Escape("Save-PSResource -Name Pester -Version 5.7.1 -Path <folder>"))
        $line[0] | Should -Match 'copy the folders Pester/5\.7\.1 and Pester/6\.2\.0 .*into a \$env:PSModulePath folder'
        $line[0] | Should -Not -Match 'Name or service not known|https?://' -Because 'the repositories'' own errors are noise offline'
    }

    It 'build.ps1 Test stops on it before any build work' {
        if ($preinstalled.Count -gt 0) { Set-ItResult -Skipped -Because $skipBecause; return }
        $homeFolder = Join-Path $TestDrive 'home-build'
        $null = New-Item -ItemType Directory -Path $homeFolder
        $r = Invoke-Isolated $homeFolder @'
Unregister-PSResourceRepository -Name PSGallery -ErrorAction SilentlyContinue
& $PSHOME/pwsh -NoProfile -NonInteractive -File (Join-Path $env:MFA_TEST_ROOT 'build.ps1') Test
"exit $LASTEXITCODE"
'@
        $text = $r.Lines -join "`n"
        $r.Lines | Should -Not -Contain 'exit 0'
        $text | Should -Match 'Install-PSResource -Name Pester -Version'
        # One line, not an error record's block.
        @($r.Lines | Where-Object { $_ -match '\S' -and $_ -notmatch '^exit ' }).Count | Should -Be 1 -Because $text
        $text | Should -Not -Match '>> cargo'
        $text | Should -Not -Match 'Staged '
    }
}
