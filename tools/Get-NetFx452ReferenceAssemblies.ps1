<#
.SYNOPSIS
Fetches the .NET Framework 4.5.2 reference assemblies and returns their folder, for
MFA_NETFX_REFERENCE (build.ps1 compiles the cmdlets against exactly that API).

.DESCRIPTION
Windows Server 2016, the oldest MIM Service host, ships .NET Framework 4.6.2, and the cmdlets
promise 4.5.2: compiled against a newer framework, a call to a newer API compiles and fails
only on an old server. Which targeting packs a machine has is an accident (the windows-latest
runner image, Windows Server 2025 with Visual Studio 2026, has 4.6.2 to 4.8.1 only), so every
workflow that compiles the cmdlets takes them from the NuGet package
Microsoft.NETFramework.ReferenceAssemblies.net452 (version pinned here), through this script
(.github/actions/netfx452-reference-assemblies).

It downloads the package (or reads -Source, a local .nupkg), takes exactly mscorlib.dll,
System.dll, System.Core.dll and System.Xml.dll from build/.NETFramework/v4.5.2/ (nothing else
is extracted; a package with one of them missing or twice is refused), checks that each is the
framework's assembly (name, version 4.0.0.0, public key token b77a5c561934e089), writes them
to -Destination and returns that folder. With -GitHubEnv it also appends
MFA_NETFX_REFERENCE=<folder> to $env:GITHUB_ENV, for the steps after it. Prints the package's
SHA-512. Windows PowerShell 5.1 syntax; runs on Windows and Linux.

.PARAMETER Destination
The folder the four assemblies are written to (created; default: mfa-netfx452 under the
temporary folder).

.PARAMETER Source
An https URL or a local path of the .nupkg (default: the pinned version on nuget.org).

.PARAMETER GitHubEnv
Append MFA_NETFX_REFERENCE=<folder> to the file $env:GITHUB_ENV names (GitHub Actions).

.EXAMPLE
$env:MFA_NETFX_REFERENCE = & .\tools\Get-NetFx452ReferenceAssemblies.ps1 -Destination C:\build\net452
powershell.exe -NoProfile -ExecutionPolicy Bypass -File .\build.ps1 Build
#>
[CmdletBinding()]
param(
    [string]$Destination = (Join-Path ([System.IO.Path]::GetTempPath()) 'mfa-netfx452'),
    [string]$Source,
    [switch]$GitHubEnv
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 2.0

$package = 'microsoft.netframework.referenceassemblies.net452'
$version = '1.0.3'
$folder = 'build/.NETFramework/v4.5.2'
$names = @('mscorlib.dll', 'System.dll', 'System.Core.dll', 'System.Xml.dll')
if (-not $Source) { $Source = "https://api.nuget.org/v3-flatcontainer/$package/$version/$package.$version.nupkg" }

if ($GitHubEnv -and -not $env:GITHUB_ENV) { throw 'Get-NetFx452ReferenceAssemblies: -GitHubEnv needs $env:GITHUB_ENV (set by GitHub Actions): run without it elsewhere and set MFA_NETFX_REFERENCE yourself' }
$Destination = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Destination)
if ($Destination -match '[\r\n]') { throw 'Get-NetFx452ReferenceAssemblies: -Destination must not contain a line break' }

$downloaded = $null
if ($Source -match '^https://') {
    $downloaded = Join-Path ([System.IO.Path]::GetTempPath()) "$package.$version.$PID.nupkg"
    # Windows PowerShell 5.1 offers TLS 1.0 by default; nuget.org needs 1.2.
    [Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12
    Write-Host "Get-NetFx452ReferenceAssemblies: downloading $Source"
    Invoke-WebRequest -Uri $Source -OutFile $downloaded -UseBasicParsing -TimeoutSec 300
    $nupkg = $downloaded
}
elseif ($Source -match '^[a-z][a-z0-9+.-]*://') { throw "Get-NetFx452ReferenceAssemblies: -Source '$Source' is neither an https URL nor a file" }
else {
    if (-not (Test-Path -LiteralPath $Source -PathType Leaf)) { throw "Get-NetFx452ReferenceAssemblies: -Source '$Source' is not a file" }
    $nupkg = (Resolve-Path -LiteralPath $Source).ProviderPath
}

try {
    $hash = (Get-FileHash -LiteralPath $nupkg -Algorithm SHA512).Hash
    Write-Host "Get-NetFx452ReferenceAssemblies: $Source (expected: $package $version), SHA-512 $hash"
    Add-Type -AssemblyName System.IO.Compression, System.IO.Compression.FileSystem
    try { $archive = [System.IO.Compression.ZipFile]::OpenRead($nupkg) }
    catch { throw "Get-NetFx452ReferenceAssemblies: '$Source' is not a NuGet package (a zip): $($_.Exception.Message)" }
    try {
        $null = New-Item -ItemType Directory -Force -Path $Destination
        foreach ($name in $names) {
            # Entries are compared by their whole name ('/' or '\'), never extracted by it.
            $entries = @($archive.Entries | Where-Object { $_.FullName.Replace('\', '/') -ceq "$folder/$name" })
            if ($entries.Count -ne 1) { throw "Get-NetFx452ReferenceAssemblies: the package holds $folder/$name $($entries.Count) times (expected once): is it $package $($version)?" }
            $target = Join-Path $Destination $name
            [System.IO.Compression.ZipFileExtensions]::ExtractToFile($entries[0], $target, $true)
            try { $identity = [System.Reflection.AssemblyName]::GetAssemblyName($target) }
            catch { throw "Get-NetFx452ReferenceAssemblies: $folder/$name in the package is not a .NET assembly: $($_.Exception.InnerException.Message)" }
            $token = -join @($identity.GetPublicKeyToken() | ForEach-Object { $_.ToString('x2') })
            if ($identity.Name -ne [System.IO.Path]::GetFileNameWithoutExtension($name) -or $identity.Version -ne [version]'4.0.0.0' -or $token -ne 'b77a5c561934e089') {
                throw "Get-NetFx452ReferenceAssemblies: $folder/$name in the package is '$($identity.FullName)', not the .NET Framework's $([System.IO.Path]::GetFileNameWithoutExtension($name)), Version=4.0.0.0, PublicKeyToken=b77a5c561934e089"
            }
        }
    }
    finally { $archive.Dispose() }
}
finally {
    if ($downloaded) { Remove-Item -LiteralPath $downloaded -ErrorAction SilentlyContinue }
}

if ($GitHubEnv) {
    [System.IO.File]::AppendAllText($env:GITHUB_ENV, "MFA_NETFX_REFERENCE=$Destination`n", (New-Object System.Text.UTF8Encoding($false)))
    Write-Host "Get-NetFx452ReferenceAssemblies: MFA_NETFX_REFERENCE=$Destination for the next steps"
}
$Destination
