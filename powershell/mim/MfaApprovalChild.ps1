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
user name). Never prints a secret.
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
    $TimeoutSeconds = if ($Request.TimeoutSeconds) { [int]$Request.TimeoutSeconds } else { 120 }
    $settings = Import-PowerShellDataFile -LiteralPath ([string]$Request.SettingsPath)
    $module = if ($settings.ContainsKey('ModulePath') -and $settings.ModulePath) { $settings.ModulePath } else { 'MfaApproval' }
    Import-Module $module
    $duo = $settings.ContainsKey('Provider') -and $settings.Provider -eq 'Duo'
    if ($duo) {
        # SecretKeyPath: an Export-Clixml'd PSCredential whose password is the Duo secret key
        # (DPAPI-protected for the MIM service account); its user name is not used.
        $connect = @{ Provider = 'Duo'; ApiHost = $settings.ApiHost; IntegrationKey = $settings.IntegrationKey; SecretKey = (Import-Clixml -LiteralPath $settings.SecretKeyPath).Password }
        $names = 'ServerCertificateHash', 'CaCertificateFile', 'ApplicationName', 'Proxy', 'HttpTimeout', 'AuditPath'
    }
    elseif ($settings.ContainsKey('Provider') -and $settings.Provider -eq 'Okta') {
        # ApiTokenPath: an Export-Clixml'd PSCredential whose password is the API token; or
        # ClientId with PrivateKeyFile (a service app). NumberChallenge = $true asks for one.
        $connect = @{ Provider = 'Okta'; OrgUrl = $settings.OrgUrl }
        if ($settings.ContainsKey('ApiTokenPath') -and $settings.ApiTokenPath) { $connect.ApiToken = (Import-Clixml -LiteralPath $settings.ApiTokenPath).Password }
        $names = 'ClientId', 'PrivateKeyFile', 'NumberChallenge', 'ServerCertificateHash', 'CaCertificateFile', 'ApplicationName', 'Proxy', 'HttpTimeout', 'AuditPath'
    }
    else {
        $connect = @{ Uri = $settings.Uri }
        if ($settings.ContainsKey('CredentialPath') -and $settings.CredentialPath) { $connect.Credential = Import-Clixml -LiteralPath $settings.CredentialPath }
        $names = 'ServerCertificateHash', 'CaCertificateFile', 'ClientCertificateFile', 'InitiatingAuthenticationType', 'ApplicationName', 'Proxy', 'HttpTimeout', 'AuditPath'
    }
    foreach ($name in $names) {
        if ($settings.ContainsKey($name) -and $settings[$name]) { $connect[$name] = $settings[$name] }
    }
    if ($settings.ContainsKey('ProxyCredentialPath') -and $settings.ProxyCredentialPath) { $connect.ProxyCredential = Import-Clixml -LiteralPath $settings.ProxyCredentialPath }
    $connection = New-MfaConnection @connect
    $invoke = @{ Connection = $connection; UserName = $UserName; Timeout = $TimeoutSeconds }
    if ($Request.Require) { $invoke.Require = [string]$Request.Require }
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
    Write-Outcome @{ Status = 'Failed'; Approved = $false; UserName = ($UserName -join ', '); Message = "$($_.FullyQualifiedErrorId): $($_.Exception.Message)" } 2
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
    AuditId               = $r.AuditId
    DecidedBy             = $r.DecidedBy
    Approvers             = (@($r.Approvers | Where-Object { $_ } | ForEach-Object { '{0}={1}' -f $_.UserName, $_.Status }) -join '; ')
} $(if ($r.Approved) { 0 } else { 1 })
