<#
.SYNOPSIS
Makes sure the Pester versions the tests run under are installed; build.ps1 Test calls it first.

.DESCRIPTION
For each of -Version that Get-Module -ListAvailable does not find, installs Pester for the
current user from the configured repositories (Install-PSResource where PSResourceGet exists,
else Install-Module), then looks again. When a version is still missing, fails with one line
that names the versions and the exact commands to run. Windows PowerShell 5.1 syntax.

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
    Write-Host "Pester $v is not installed: installing it for the current user from the configured repositories..." -ForegroundColor Yellow
    try {
        if ($psResourceGet) {
            Install-PSResource -Name Pester -Version $v -Scope CurrentUser -TrustRepository -Quiet -ErrorAction Stop
        }
        elseif (Get-Command Install-Module -ErrorAction SilentlyContinue) {
            # -SkipPublisherCheck: Windows ships Pester 3.4.0 signed by another publisher.
            Install-Module -Name Pester -RequiredVersion $v -Scope CurrentUser -Force -SkipPublisherCheck -AllowClobber -ErrorAction Stop
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
    $why = if ($reasons.Count -gt 0) { " ($($reasons -join '; '))" } else { '' }
    throw "The tests need Pester $($still -join ' and '), which could not be installed$why. Run: $how (from a repository that has them; Register-PSResourceRepository adds one), then build.ps1 Test again."
}
Write-Host "Pester $($missing -join ' and ') installed for the current user." -ForegroundColor Green
