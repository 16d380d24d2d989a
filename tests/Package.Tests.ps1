# The module as users install it: published to a repository (a local folder here, the
# PowerShell Gallery for real), saved from it, imported from there in a fresh process, and
# used for an approval against its own simulator.
BeforeDiscovery {
    $canPublish = [bool](Get-Command Publish-PSResource -ErrorAction SilentlyContinue)
}

Describe 'Package round trip' -Skip:(-not $canPublish) {
  BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $repo = Join-Path $TestDrive 'repo'
    $saved = Join-Path $TestDrive 'modules'
    $null = New-Item -ItemType Directory -Path $repo, $saved
    $repoName = "MfaApprovalTest$PID"
    Register-PSResourceRepository -Name $repoName -Uri $repo -Trusted -Force
    Publish-PSResource -Path $ModulePath -Repository $repoName -SkipDependenciesCheck
    $version = (Import-PowerShellDataFile (Join-Path $ModulePath 'MfaApproval.psd1')).ModuleVersion
  }
  AfterAll {
    Unregister-PSResourceRepository -Name $repoName -ErrorAction SilentlyContinue
  }

    It 'publishes one .nupkg that carries the Gallery metadata' {
        $nupkg = @(Get-ChildItem $repo -Filter '*.nupkg')
        $nupkg.Count | Should -Be 1
        $nupkg[0].Name | Should -Be "MfaApproval.$version.nupkg"
        $found = Find-PSResource -Name MfaApproval -Repository $repoName
        $found.Version.ToString() | Should -Be $version
        $found.Tags | Should -Contain 'MIM'
        $found.LicenseUri | Should -Not -BeNullOrEmpty
        $found.ReleaseNotes | Should -Match $version
    }

    It 'saves, imports in a fresh process and approves against its own simulator' {
        Save-PSResource -Name MfaApproval -Repository $repoName -Path $saved -TrustRepository -SkipDependencyCheck
        $installed = Join-Path $saved "MfaApproval/$version"
        Test-Path (Join-Path $installed 'MfaApproval.dll') | Should -BeTrue
        Test-Path (Join-Path $installed 'en-US/MfaApproval.dll-Help.xml') | Should -BeTrue
        $script = @"
`$ErrorActionPreference = 'Stop'
`$env:PSModulePath = '$saved' + [IO.Path]::PathSeparator + `$env:PSModulePath
Import-Module MfaApproval -RequiredVersion $version
(Get-Module MfaApproval).ModuleBase
`$sim = Start-MfaSimulator -NoResponseAfter 1
try { (Invoke-MfaApproval -Connection `$sim.Connection -UserName alice@contoso.com).Status } finally { `$sim | Stop-MfaSimulator }
(Get-Help Invoke-MfaApproval).Synopsis
"@
        $r = & $InvokeNative -FilePath $Pwsh -ArgumentList @('-NoProfile', '-NonInteractive', '-Command', $script)
        $r.ExitCode | Should -Be 0 -Because (@($r.Output) + @($r.Error) -join "`n")
        $out = @($r.Output)
        $out[0] | Should -Be ([System.IO.Path]::GetFullPath($installed))
        $out[1] | Should -Be 'Approved'
        $out[2] | Should -Match 'approve'
    }
}
