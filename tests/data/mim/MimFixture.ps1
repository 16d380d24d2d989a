# Dot-sourced (after TestHelpers.ps1) by the MIM provider tests: this machine's C# 5 compiler
# (csc.exe of the .NET Framework on Windows, mcs elsewhere) and a compile helper, so each
# test file compiles its stand-ins the same way.
$script:OnWindows = [System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT
$script:MimCompiler = if ($script:OnWindows) { Join-Path $env:WINDIR 'Microsoft.NET/Framework64/v4.0.30319/csc.exe' }
    else { (Get-Command mcs -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1).Source }

function Invoke-MimCompiler([string]$Out, [string[]]$Sources, [string[]]$References, [string[]]$Extra = @()) {
    $arguments = @('-noconfig', '-nologo', '-langversion:5', '-target:library', "-out:$Out", '-r:System.dll', '-r:System.Core.dll') + $Extra +
        @($References | Where-Object { $_ } | ForEach-Object { "-r:$_" }) + $Sources
    $r = & $InvokeNative -FilePath $script:MimCompiler -ArgumentList $arguments
    if ($r.ExitCode -ne 0) { throw "compiling $Out failed: $(@($r.Output) + @($r.Error) -join ' ')" }
}
