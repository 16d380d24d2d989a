# Dot-sourced by every *.Tests.ps1: where the staged module is, and small helpers.
$script:ModulePath = if ($env:MFA_MODULE_PATH) { $env:MFA_MODULE_PATH } else { Join-Path $PSScriptRoot '../out/MfaApproval' }
$script:ModulePath = (Resolve-Path $script:ModulePath).ProviderPath
$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '..')).ProviderPath

function New-TestSecureString([string]$Text) {
    $s = New-Object System.Security.SecureString
    foreach ($c in $Text.ToCharArray()) { $s.AppendChar($c) }
    $s
}

# The PowerShell to start child processes with: this edition's own executable
# (powershell.exe under Windows PowerShell 5.1; pwsh otherwise, the PATH wrapper when there
# is one: it sets DOTNET_ROOT).
$script:Pwsh = $(
    if ($PSVersionTable.PSEdition -eq 'Desktop') { Join-Path $PSHOME 'powershell.exe' }
    elseif (Get-Command pwsh -CommandType Application -ErrorAction SilentlyContinue) { (Get-Command pwsh -CommandType Application | Select-Object -First 1).Source }
    else { Join-Path $PSHOME 'pwsh' })

# User names a hand-built command line gets wrong (quotes, backslash runs before quotes, a
# trailing backslash, a leading '-', spaces, $(), ';', backtick, quotes of every kind,
# non-ASCII); each must reach a child process exactly.
function Get-HostileUserName {
    @(
        'quote"inside@contoso.com'
        'back\slash\"quote@contoso.com'
        'back\\\"three@contoso.com'
        'trailing-backslash\'
        '-SettingsPath'
        'x" -SettingsPath "evil.psd1'
        'x\" -SettingsPath evil.psd1 \"'
        'with spaces in it@contoso.com'
        '$(Set-Content marker pwned)@contoso.com'
        'semi;colon@contoso.com'
        'back`tick@contoso.com'
        "single'quote@contoso.com"
        'smart' + [char]0x2019 + 'quote@contoso.com'
        'nön-äscii-名前@contoso.com'
    )
}

# Whether this machine has a C# 5 compiler (mcs, or the .NET Framework csc.exe). Without one,
# build.ps1 compiles the cmdlets with Add-Type (pwsh only, not strong-named) and says so.
$script:HasCSharp5 = [bool](Get-Command mcs -CommandType Application -ErrorAction SilentlyContinue) -or
    [bool]($env:WINDIR -and (Test-Path (Join-Path $env:WINDIR 'Microsoft.NET/Framework64/v4.0.30319/csc.exe')))
