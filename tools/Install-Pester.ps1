<#
.SYNOPSIS
Makes sure the Pester versions the tests run under are installed; build.ps1 Test calls it first.

.DESCRIPTION
For each of -Version that Get-Module -ListAvailable does not find, installs Pester for the
current user from the configured repositories (Install-PSResource where PSResourceGet exists,
else Install-Module), then looks again. When a version is still missing (offline, or no
repository has it), fails with one line that names the versions and three ways: from a
repository, with Save-PSResource on a connected machine and a copy, or by copying the module
folders into a $env:PSModulePath folder. Windows PowerShell 5.1 syntax.

.EXAMPLE
pwsh ./tools/Install-Pester.ps1
#>
[CmdletBinding()]
param(
    [string[]]$Version = @('5.7.1', '6.2.0')
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 2.0

function Get-MissingPester {
    $have = @(Get-Module -ListAvailable -Name Pester | ForEach-Object { $_.Version.ToString() })
    @($Version | Where-Object { $have -notcontains $_ })
}

$missing = @(Get-MissingPester)
if ($missing.Count -eq 0) { return }

$psResourceGet = [bool](Get-Command Install-PSResource -ErrorAction SilentlyContinue)
$reasons = New-Object System.Collections.Generic.List[string]
foreach ($v in $missing) {
    # Quiet while it tries: one line at the end says what happened (installed, or how to).
    try {
        if ($psResourceGet) {
            Install-PSResource -Name Pester -Version $v -Scope CurrentUser -TrustRepository -Quiet -ErrorAction Stop -WarningAction SilentlyContinue
        }
        elseif (Get-Command Install-Module -ErrorAction SilentlyContinue) {
            # -SkipPublisherCheck: Windows ships Pester 3.4.0 signed by another publisher.
            Install-Module -Name Pester -RequiredVersion $v -Scope CurrentUser -Force -SkipPublisherCheck -AllowClobber -ErrorAction Stop -WarningAction SilentlyContinue
        }
        else {
            $reasons.Add('this PowerShell has neither Install-PSResource nor Install-Module')
            break
        }
    }
    catch {
        $reasons.Add(("Pester {0}: {1}" -f $v, ($_.Exception.Message -replace '\s+', ' ')))
    }
}

$still = @(Get-MissingPester)
if ($still.Count -gt 0) {
    $how = if ($psResourceGet) {
        ($still | ForEach-Object { "Install-PSResource -Name Pester -Version $_ -Scope CurrentUser -TrustRepository" }) -join '; '
    }
    else {
        ($still | ForEach-Object { "Install-Module -Name Pester -RequiredVersion $_ -Scope CurrentUser -Force -SkipPublisherCheck" }) -join '; '
    }
    $save = ($still | ForEach-Object { "Save-PSResource -Name Pester -Version $_ -Path <folder>" }) -join '; '
    $folders = ($still | ForEach-Object { "Pester/$_" }) -join ' and '
    $modules = @($env:PSModulePath -split [System.IO.Path]::PathSeparator | Where-Object { $_ })
    $here = if ($modules.Count -gt 0) { " (here: $($modules[0]))" } else { '' }
    # The repositories' own errors (URLs, "Name or service not known") are noise offline: say
    # which were asked, not what each said.
    $repositories = @()
    if ($psResourceGet) { $repositories = @(Get-PSResourceRepository -ErrorAction SilentlyContinue | ForEach-Object { $_.Name }) }
    $asked = if ($repositories.Count -gt 0) { "the repositories $($repositories -join ', ') did not provide them" } elseif ($reasons.Count -gt 0) { 'no repository provided them' } else { 'no repository is configured' }
    throw "The tests need Pester $($still -join ' and '), which are not installed ($asked). Any one of: from a repository that has them, $how; or on a connected machine $save, then copy the saved Pester folder here; or copy the folders $folders of an installed Pester into a `$env:PSModulePath folder$here. Then run build.ps1 Test again."
}
Write-Host "Pester $($missing -join ' and ') installed for the current user." -ForegroundColor Green
