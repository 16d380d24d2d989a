<#
.SYNOPSIS
Installs a release artifact as an administrator would and proves it approves.

.DESCRIPTION
-Path is MfaApproval.<version>.nupkg (saved from a temporary local repository with
Save-PSResource, or Save-Module where only PowerShellGet 2 exists) or MfaApproval-<version>.zip
(expanded, as on an offline server). The module is then imported by name and version in a fresh
process of this edition (powershell.exe under Windows PowerShell 5.1, pwsh otherwise) with
only the install folder added to PSModulePath, and asked for an approval (alice) and a
denial (bob) against its own simulator, through the MFA Server SDK and Duo. Prints one line per
check; exits 1 on the first that fails. The release workflow runs it on Windows PowerShell 5.1
and pwsh; tests/Assemble.Tests.ps1 runs it here.

.EXAMPLE
powershell.exe -NoProfile -ExecutionPolicy Bypass -File tools\Test-ReleaseArtifact.ps1 -Path release\MfaApproval.0.2.0.nupkg
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][string]$Path,
    # Where the module is installed (default: a new folder under the temporary directory).
    [string]$Destination
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 2.0

$file = Get-Item -LiteralPath $Path
if ($file.Name -notmatch '^MfaApproval[.-](\d+\.\d+\.\d+)\.(nupkg|zip)$') { throw "Test-ReleaseArtifact: '$($file.Name)' is neither MfaApproval.<version>.nupkg nor MfaApproval-<version>.zip" }
$version = $Matches[1]
$kind = $Matches[2]
if (-not $Destination) { $Destination = Join-Path ([System.IO.Path]::GetTempPath()) "mfa-release-$PID-$kind" }
if (Test-Path $Destination) { Remove-Item -Recurse -Force $Destination }
$null = New-Item -ItemType Directory -Path $Destination
$onWindows = [System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT

if ($kind -eq 'zip') {
    Expand-Archive -LiteralPath $file.FullName -DestinationPath $Destination
}
else {
    # A repository of its own holding only this package (a copy, so nothing else in the
    # artifact's folder is picked up).
    $repo = Join-Path $Destination '.repo'
    $null = New-Item -ItemType Directory -Path $repo
    Copy-Item -LiteralPath $file.FullName -Destination $repo
    $name = "MfaApprovalRelease$PID"
    if (Get-Command Save-PSResource -ErrorAction SilentlyContinue) {
        Register-PSResourceRepository -Name $name -Uri $repo -Trusted -Force
        try { Save-PSResource -Name MfaApproval -Version $version -Repository $name -Path $Destination -TrustRepository -SkipDependencyCheck }
        finally { Unregister-PSResourceRepository -Name $name }
    }
    else {
        Register-PSRepository -Name $name -SourceLocation $repo -InstallationPolicy Trusted
        try { Save-Module -Name MfaApproval -RequiredVersion $version -Repository $name -Path $Destination }
        finally { Unregister-PSRepository -Name $name }
    }
    Remove-Item -Recurse -Force $repo
}
$installed = Join-Path $Destination "MfaApproval/$version"
if (-not (Test-Path (Join-Path $installed 'MfaApproval.psd1'))) { throw "Test-ReleaseArtifact: $($file.Name) did not install to MfaApproval/$version under $Destination" }
if ($onWindows) { Get-ChildItem -LiteralPath $installed -Recurse -File | Unblock-File }
Write-Host "installed $($file.Name) to $installed"

# The check runs in a fresh process; its script is constant and reads its inputs from the
# environment (nothing is pasted into a command line).
$check = @'
$ErrorActionPreference = 'Stop'
$env:PSModulePath = $env:MFA_RELEASE_MODULES + [System.IO.Path]::PathSeparator + $env:PSModulePath
Import-Module MfaApproval -RequiredVersion $env:MFA_RELEASE_VERSION
'module ' + (Get-Module MfaApproval).ModuleBase
foreach ($provider in 'MfaServer', 'Duo') {
    $sim = Start-MfaSimulator -Provider $provider -NoResponseAfter 1
    try {
        $provider + ' alice ' + (Invoke-MfaApproval -Connection $sim.Connection -UserName alice@contoso.com -Timeout 30).Status
        $provider + ' bob ' + (Invoke-MfaApproval -Connection $sim.Connection -UserName bob@contoso.com -Timeout 30).Status
    }
    finally { $sim | Stop-MfaSimulator }
}
'help ' + (Get-Help Invoke-MfaApproval).Synopsis
'@
$exe = if ($PSVersionTable.PSEdition -eq 'Desktop') { Join-Path $PSHOME 'powershell.exe' }
elseif (Get-Command pwsh -CommandType Application -ErrorAction SilentlyContinue) { (Get-Command pwsh -CommandType Application | Select-Object -First 1).Source }
else { Join-Path $PSHOME 'pwsh' }
$env:MFA_RELEASE_MODULES = $Destination
$env:MFA_RELEASE_VERSION = $version
try {
    $encoded = [Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($check))
    $out = @(& $exe -NoProfile -NonInteractive -EncodedCommand $encoded 2>&1 | ForEach-Object { "$_" })
    $code = $LASTEXITCODE
}
finally {
    Remove-Item env:MFA_RELEASE_MODULES, env:MFA_RELEASE_VERSION -ErrorAction SilentlyContinue
}
$out | ForEach-Object { Write-Host "  $_" }
$expected = @(
    ('module ' + [System.IO.Path]::GetFullPath($installed).TrimEnd('\', '/')),
    'MfaServer alice Approved', 'MfaServer bob Denied', 'Duo alice Approved', 'Duo bob Denied')
$missing = @($expected | Where-Object { $out -notcontains $_ })
if ($code -ne 0 -or $missing.Count -gt 0 -or -not ($out | Where-Object { $_ -like 'help *approv*' })) {
    Write-Host "Test-ReleaseArtifact: $($file.Name) FAILED (exit code $code; missing: $($missing -join '; '))"
    exit 1
}
Write-Host "Test-ReleaseArtifact: $($file.Name) installs, imports and approves on $($PSVersionTable.PSEdition) $($PSVersionTable.PSVersion)"
