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
and pwsh; tests/Assemble.Tests.ps1 runs it here, also with a child that writes progress
records and plain text to standard error (what Windows PowerShell 5.1 does).

.EXAMPLE
powershell.exe -NoProfile -ExecutionPolicy Bypass -File tools\Test-ReleaseArtifact.ps1 -Path release\MfaApproval.0.2.0.nupkg
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][string]$Path,
    # Where the module is installed (default: a new folder under the temporary directory).
    [string]$Destination,
    # The PowerShell that imports and asks (default: this edition's, powershell.exe under
    # Windows PowerShell 5.1, pwsh otherwise).
    [string]$PowerShellPath
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
# Standard output as UTF-8 (the caller reads it so); without a console this may be refused.
try { [Console]::OutputEncoding = New-Object System.Text.UTF8Encoding($false) } catch { $null = $_ }
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
$exe = if ($PowerShellPath) { $PowerShellPath }
elseif ($PSVersionTable.PSEdition -eq 'Desktop') { Join-Path $PSHOME 'powershell.exe' }
elseif (Get-Command pwsh -CommandType Application -ErrorAction SilentlyContinue) { (Get-Command pwsh -CommandType Application | Select-Object -First 1).Source }
else { Join-Path $PSHOME 'pwsh' }
# Started through tools/Invoke-NativeCommand.ps1, not `& $exe ... 2>&1`: Windows PowerShell
# 5.1 would turn the child's first line of standard error (its progress records, as CLIXML)
# into a terminating error under $ErrorActionPreference = 'Stop'. Only the exit code and
# standard output decide; standard error is shown, decoded.
$encoded = [Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($check))
$run = & (Join-Path $PSScriptRoot 'Invoke-NativeCommand.ps1') -FilePath $exe -ArgumentList @('-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded) `
    -Environment @{ MFA_RELEASE_MODULES = $Destination; MFA_RELEASE_VERSION = $version } -TimeoutSeconds 600
$out = @($run.Output)
$code = $run.ExitCode
$out | ForEach-Object { Write-Host "  $_" }
$run.Error | ForEach-Object { Write-Host "  stderr: $_" }
if ($run.Progress -gt 0) { Write-Host "  stderr: ($($run.Progress) progress records left out)" }
if ($run.TimedOut) { Write-Host '  the check ran over 600 s and was stopped' }
$expected = @(
    ('module ' + [System.IO.Path]::GetFullPath($installed).TrimEnd('\', '/')),
    'MfaServer alice Approved', 'MfaServer bob Denied', 'Duo alice Approved', 'Duo bob Denied')
$missing = @($expected | Where-Object { $out -notcontains $_ })
if ($code -ne 0 -or $missing.Count -gt 0 -or -not ($out | Where-Object { $_ -like 'help *approv*' })) {
    Write-Host "Test-ReleaseArtifact: $($file.Name) FAILED (exit code $code; missing: $($missing -join '; '))"
    exit 1
}
Write-Host "Test-ReleaseArtifact: $($file.Name) installs, imports and approves on $($PSVersionTable.PSEdition) $($PSVersionTable.PSVersion)"
