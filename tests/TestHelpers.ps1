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

# Starts a program and returns its exit code, standard output and decoded standard error
# (tools/Invoke-NativeCommand.ps1): never `& program 2>&1`, which Windows PowerShell 5.1 turns
# into a terminating error under $ErrorActionPreference = 'Stop'.
$script:InvokeNative = Join-Path $script:RepoRoot 'tools/Invoke-NativeCommand.ps1'

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
        # A non-ASCII name built from code points (o and a with diaeresis, two CJK ideographs):
        # this file stays ASCII, so Windows PowerShell 5.1, which reads a BOM-less script in
        # the ANSI code page, sees the same name.
        ('n{0}n-{1}scii-{2}{3}@contoso.com' -f [char]0x00F6, [char]0x00E4, [char]0x540D, [char]0x524D)
    )
}

# Whether this machine has a C# 5 compiler (mcs, or the .NET Framework csc.exe). Without one,
# build.ps1 compiles the cmdlets with Add-Type (pwsh only, not strong-named) and says so.
$script:HasCSharp5 = [bool](Get-Command mcs -CommandType Application -ErrorAction SilentlyContinue) -or
    [bool]($env:WINDIR -and (Test-Path (Join-Path $env:WINDIR 'Microsoft.NET/Framework64/v4.0.30319/csc.exe')))

# Why Windows PowerShell 5.1 would misread a script, or nothing: 5.1 reads a script without a
# byte order mark in the machine's ANSI code page, so a raw non-ASCII character in it (a
# UTF-8 name, a smart quote) arrives as other characters. ASCII, or a BOM, is safe.
function Get-ScriptEncodingProblem([string]$Path) {
    $bytes = [System.IO.File]::ReadAllBytes($Path)
    if ($bytes.Length -ge 3 -and $bytes[0] -eq 0xEF -and $bytes[1] -eq 0xBB -and $bytes[2] -eq 0xBF) { return }
    if ($bytes.Length -ge 2 -and (($bytes[0] -eq 0xFF -and $bytes[1] -eq 0xFE) -or ($bytes[0] -eq 0xFE -and $bytes[1] -eq 0xFF))) { return }
    $line = 1
    for ($i = 0; $i -lt $bytes.Length; $i++) {
        if ($bytes[$i] -eq 10) { $line++ }
        elseif ($bytes[$i] -gt 127) {
            return "${Path}: a non-ASCII character at line $line in a file without a BOM; build it from code points ([char]0x...) or save the file as UTF-8 with a BOM"
        }
    }
}

# The .NET Framework's mscorlib, System, System.Core and System.Xml (4.0.0.0, the framework's
# key) on this machine: Mono's 4.5 profile, or the Framework itself on Windows; $null where
# there is neither. Stand-ins for the 4.5.2 reference assemblies: same names, versions, key.
$script:NetFxAssemblies = @('/usr/lib/mono/4.5', $(if ($env:WINDIR) { Join-Path $env:WINDIR 'Microsoft.NET/Framework64/v4.0.30319' })) |
    Where-Object { $_ -and (Test-Path -LiteralPath (Join-Path $_ 'System.Xml.dll')) } | Select-Object -First 1

# A stand-in for the NuGet package Microsoft.NETFramework.ReferenceAssemblies.net452 at $Path:
# a zip whose build/.NETFramework/v4.5.2/ holds the four assemblies from $NetFxAssemblies.
# -Entries adds or replaces entries (entry name = source file; a $null source leaves the entry
# out); -Twice writes that entry a second time.
function New-NetFxStandInPackage([string]$Path, [hashtable]$Entries = @{}, [string]$Twice) {
    $all = @{}
    foreach ($name in 'mscorlib.dll', 'System.dll', 'System.Core.dll', 'System.Xml.dll') { $all["build/.NETFramework/v4.5.2/$name"] = Join-Path $NetFxAssemblies $name }
    $all['microsoft.netframework.referenceassemblies.net452.nuspec'] = Join-Path $RepoRoot 'LICENSE'
    foreach ($k in $Entries.Keys) { $all[$k] = $Entries[$k] }
    Add-Type -AssemblyName System.IO.Compression, System.IO.Compression.FileSystem
    if (Test-Path -LiteralPath $Path) { Remove-Item -LiteralPath $Path }
    $zip = [System.IO.Compression.ZipFile]::Open($Path, [System.IO.Compression.ZipArchiveMode]::Create)
    try {
        foreach ($k in $all.Keys) {
            if ($null -eq $all[$k]) { continue }
            $null = [System.IO.Compression.ZipFileExtensions]::CreateEntryFromFile($zip, $all[$k], $k)
            if ($k -eq $Twice) { $null = [System.IO.Compression.ZipFileExtensions]::CreateEntryFromFile($zip, $all[$k], $k) }
        }
    }
    finally { $zip.Dispose() }
}
