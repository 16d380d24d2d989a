function Initialize-MfaNative {
    # Loads the native library for this platform from runtimes/<rid>/native/ in the module
    # folder and checks its ABI version before anything else; a missing library, a wrong
    # platform or a version mismatch is one terminating error naming the path and versions.
    [CmdletBinding()]
    param()
    $path = [MfaApproval.Interop.Native]::LibraryPathIn($script:ModuleRoot)
    try {
        [MfaApproval.Interop.Native]::Load($path)
    }
    catch {
        $inner = $_.Exception
        while ($inner.InnerException -and -not ($inner -is [MfaApproval.Interop.MfaLoadException])) { $inner = $inner.InnerException }
        throw (New-Object System.Management.Automation.ErrorRecord($inner, 'MfaApproval.NativeLibraryLoadFailed',
                [System.Management.Automation.ErrorCategory]::ResourceUnavailable, $path))
    }
}
