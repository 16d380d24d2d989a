# Dot-sourced by every *.Tests.ps1: where the staged module is, and small helpers.
$script:ModulePath = if ($env:MFA_MODULE_PATH) { $env:MFA_MODULE_PATH } else { Join-Path $PSScriptRoot '../out/MfaApproval' }
$script:ModulePath = (Resolve-Path $script:ModulePath).ProviderPath
$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '..')).ProviderPath

function New-TestSecureString([string]$Text) {
    $s = New-Object System.Security.SecureString
    foreach ($c in $Text.ToCharArray()) { $s.AppendChar($c) }
    $s
}

# The pwsh to start child processes with (the PATH wrapper when there is one: it sets DOTNET_ROOT).
$script:Pwsh = $(if (Get-Command pwsh -CommandType Application -ErrorAction SilentlyContinue) { (Get-Command pwsh -CommandType Application | Select-Object -First 1).Source } else { Join-Path $PSHOME 'pwsh' })
