<#
.SYNOPSIS
The child side of Invoke-MfaApprovalOutOfProcess.ps1: one approval, one JSON line out.

.DESCRIPTION
Imports MfaApproval, builds the connection from -SettingsPath, runs Invoke-MfaApproval
and writes the result as one compressed JSON line on standard output. Exit code 0 when
approved, 1 when not, 2 when the approval could not be attempted (bad settings, module
missing). Never prints a secret.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)][string]$UserName,
    [Parameter(Mandatory)][string]$SettingsPath,
    [int]$TimeoutSeconds = 120,
    [string]$MimRequestId
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
function Write-Outcome([hashtable]$Value, [int]$Code) {
    [Console]::Out.WriteLine((ConvertTo-Json -InputObject $Value -Compress))
    exit $Code
}
try {
    $settings = Import-PowerShellDataFile -LiteralPath $SettingsPath
    $module = if ($settings.ContainsKey('ModulePath') -and $settings.ModulePath) { $settings.ModulePath } else { 'MfaApproval' }
    Import-Module $module
    $connect = @{ Uri = $settings.Uri }
    if ($settings.ContainsKey('CredentialPath') -and $settings.CredentialPath) { $connect.Credential = Import-Clixml -LiteralPath $settings.CredentialPath }
    foreach ($name in 'ServerCertificateHash', 'CaCertificateFile', 'ClientCertificateFile', 'InitiatingAuthenticationType', 'ApplicationName') {
        if ($settings.ContainsKey($name) -and $settings[$name]) { $connect[$name] = $settings[$name] }
    }
    $connection = New-MfaConnection @connect
    $invoke = @{ Connection = $connection; UserName = $UserName; Timeout = $TimeoutSeconds }
    if ($MimRequestId) { $invoke.ApplicationName = "MIM request $MimRequestId" }
    $r = Invoke-MfaApproval @invoke
}
catch {
    Write-Outcome @{ Status = 'Failed'; Approved = $false; UserName = $UserName; Message = "$($_.FullyQualifiedErrorId): $($_.Exception.Message)" } 2
}
Write-Outcome @{
    Status                = $r.Status
    Approved              = $r.Approved
    UserName              = $r.UserName
    CallResult            = $r.CallResult
    CallResultDescription = $r.CallResultDescription
    ErrorCode             = $r.ErrorCode
    RequestId             = $r.RequestId
    Message               = $r.Message
    DurationSeconds       = $r.Duration.TotalSeconds
} $(if ($r.Approved) { 0 } else { 1 })
