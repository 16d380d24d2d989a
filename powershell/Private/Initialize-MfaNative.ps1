function Get-MfaRuntimeIdentifier {
    # The runtimes/<rid> folder for this process: win-x64, linux-x64, osx-arm64, ...
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $onWindows = ($PSVersionTable.PSEdition -eq 'Desktop') -or ((Test-Path variable:IsWindows) -and $IsWindows)
    $onMac = (Test-Path variable:IsMacOS) -and $IsMacOS
    $os = if ($onWindows) { 'win' } elseif ($onMac) { 'osx' } else { 'linux' }
    $arch = $null
    $runtimeInformation = 'System.Runtime.InteropServices.RuntimeInformation' -as [type]
    if ($runtimeInformation -and $runtimeInformation.GetProperty('ProcessArchitecture')) {
        $arch = $runtimeInformation::ProcessArchitecture.ToString().ToLowerInvariant()
    }
    elseif ([Environment]::Is64BitProcess) {
        $arch = if ($env:PROCESSOR_ARCHITECTURE -eq 'ARM64') { 'arm64' } else { 'x64' }
    }
    else {
        $arch = 'x86'
    }
    '{0}-{1}' -f $os, $arch
}

function Get-MfaNativeLibraryPath {
    [CmdletBinding()]
    [OutputType([string])]
    param()
    $rid = Get-MfaRuntimeIdentifier
    $file = switch -Wildcard ($rid) {
        'win-*' { 'mfa_approval.dll' }
        'osx-*' { 'libmfa_approval.dylib' }
        default { 'libmfa_approval.so' }
    }
    Join-Path (Join-Path (Join-Path (Join-Path $script:ModuleRoot 'runtimes') $rid) 'native') $file
}

function Initialize-MfaNative {
    # Loads the native library for this platform from the module folder and checks its ABI
    # version before anything else; one terminating error names the path and both versions.
    [CmdletBinding()]
    param()
    $path = Get-MfaNativeLibraryPath
    Write-Verbose "MfaApproval: loading native library '$path'"
    try {
        [MfaApproval.Interop.Native]::Load($path)
    }
    catch {
        $inner = $_.Exception
        while ($inner.InnerException -and -not ($inner -is [MfaApproval.Interop.MfaLoadException])) { $inner = $inner.InnerException }
        $record = New-Object System.Management.Automation.ErrorRecord($inner, 'MfaApproval.NativeLibraryLoadFailed',
            [System.Management.Automation.ErrorCategory]::ResourceUnavailable, $path)
        throw $record
    }
}
