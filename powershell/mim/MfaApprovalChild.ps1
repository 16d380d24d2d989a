<#
.SYNOPSIS
The child side of Invoke-MfaApprovalOutOfProcess.ps1: one approval, one JSON line out.

.DESCRIPTION
Started by the wrapper with a constant command line; the wrapper's bootstrap reads the
request (UserName (one or more), Require, Reason, SettingsPath, TimeoutSeconds, MimRequestId,
MimActorId, MimTargetId)
as JSON from standard input and passes it here as -Request. Imports MfaApproval, builds
the connection from the settings file, runs Invoke-MfaApproval and writes the result as
one compressed JSON line of UTF-8 on standard output. Exit code 0 when approved, 1 when
not, 2 when the approval could not be attempted (bad settings, module missing, invalid
user name); the bootstrap exits 3 when it fails before this script runs (ChildProcess.ps1).
Settings.ps1 maps the settings file's keys to New-MfaConnection's parameters (unknown keys
are refused). Never prints a secret.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)][psobject]$Request
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
function Write-Outcome([hashtable]$Value, [int]$Code) {
    $utf8 = New-Object System.Text.UTF8Encoding($false)
    $bytes = $utf8.GetBytes((ConvertTo-Json -InputObject $Value -Compress) + "`n")
    $out = [Console]::OpenStandardOutput()
    $out.Write($bytes, 0, $bytes.Length)
    $out.Flush()
    exit $Code
}
$UserName = @($Request.UserName | ForEach-Object { [string]$_ })
try {
    # Settings.ps1: the one mapping from settings keys to New-MfaConnection parameters.
    . (Join-Path $PSScriptRoot 'Settings.ps1')
    $settingsPath = [string]$Request.SettingsPath
    $settings = Import-PowerShellDataFile -LiteralPath $settingsPath
    $module = if ($settings.ContainsKey('ModulePath') -and $settings.ModulePath) { $settings.ModulePath } else { 'MfaApproval' }
    Import-Module $module
    # Only the build the wrapper belongs to may answer: a ModulePath naming another module
    # (another version, another build, or a look-alike) is refused before it runs anything more.
    # Fail closed: with no build to compare (the wrapper found no MfaApproval.dll beside its
    # mim/ folder) nothing is run either.
    $loaded = 'MfaApproval.Session' -as [type]
    if (-not $Request.ExpectedAssembly -or -not $Request.ExpectedAssemblyHash) {
        throw "the wrapper found no MfaApproval.dll beside its mim folder, so the module build cannot be checked; run Invoke-MfaApprovalOutOfProcess.ps1 from the installed module's mim folder."
    }
    $actual = if ($loaded) { $loaded.Assembly.GetName().FullName } else { '(no MfaApproval assembly)' }
    $hash = if ($loaded) { (Get-FileHash -LiteralPath $loaded.Assembly.Location -Algorithm SHA256).Hash } else { '' }
    if ($actual -ne [string]$Request.ExpectedAssembly -or $hash -ne [string]$Request.ExpectedAssemblyHash) {
        throw "ModulePath '$module' is not the MfaApproval build this wrapper belongs to (expected $($Request.ExpectedAssembly), found $actual); point ModulePath at the module folder the wrapper came from."
    }
    # After the import: the module reads Protect-MfaSecret files (Settings.ps1).
    $connect = ConvertFrom-MfaSettings -Settings $settings -Path $settingsPath
    $connection = New-MfaConnection @connect
    $invoke = @{ Connection = $connection; UserName = $UserName }
    if ($null -ne $Request.TimeoutSeconds) { $invoke.Timeout = [int]$Request.TimeoutSeconds }
    if ($Request.Require) { $invoke.Require = [string]$Request.Require }
    # Every name as given: a blank one (an empty lookup in the workflow) is refused by the
    # cmdlet, never dropped (dropping it would lift the exclusion).
    $exclude = @($Request.ExcludeUserName | Where-Object { $null -ne $_ } | ForEach-Object { [string]$_ })
    if ($exclude.Count) { $invoke.ExcludeUserName = $exclude }
    $context = @{}
    if ($Request.MimRequestId) { $context['MIM request'] = [string]$Request.MimRequestId }
    if ($Request.MimActorId) { $context['MIM actor'] = [string]$Request.MimActorId }
    if ($Request.MimTargetId) { $context['MIM target'] = [string]$Request.MimTargetId }
    if ($context.Count) { $invoke.Context = $context }
    if ($Request.Reason) { $invoke.Reason = [string]$Request.Reason }
    elseif ($Request.MimRequestId) { $invoke.Reason = "MIM request $([string]$Request.MimRequestId)" }
    $r = Invoke-MfaApproval @invoke
}
catch {
    # The message, then the error id where it adds something (a thrown text is its own id).
    $text = $_.Exception.Message
    $id = [string]$_.FullyQualifiedErrorId
    if ($id -and -not $id.StartsWith($text)) { $text = "$text ($id)" }
    Write-Outcome @{ Status = 'Failed'; Approved = $false; UserName = ($UserName -join ', '); Message = $text } 2
}
# The module's own fields and -Assert mapping (Result.ToHashtable()).
Write-Outcome $r.ToHashtable() $(if ($r.Approved) { 0 } else { 1 })
