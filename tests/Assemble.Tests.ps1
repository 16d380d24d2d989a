# build.ps1 Assemble: the release's one multi-platform package. The natives of this machine's
# runtime are the real ones (from the staged module); the other runtimes of the release
# (linux-x64, win-x64, win-arm64) get stand-ins: a few bytes with the right ELF/PE header.
# Checked: the layout is where the loader looks (Loader.LibraryPathIn / SimulatorPathIn), the
# .nupkg and the .zip carry the same files, this machine's part installs and approves from
# each (tools/Test-ReleaseArtifact.ps1, as the release workflow runs it on Windows), and
# wrong inputs are refused before anything is built.
BeforeDiscovery {
    $canPublish = [bool](Get-Command Publish-PSResource -ErrorAction SilentlyContinue)
    $onWindows = [System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT
}

Describe 'build.ps1 Assemble' -Skip:(-not $canPublish) {
  BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModulePath -Force
    $version = (Import-PowerShellDataFile (Join-Path $ModulePath 'MfaApproval.psd1')).ModuleVersion
    $hostRid = [MfaApproval.Interop.Loader]::RuntimeIdentifier
    $releaseRids = @('linux-x64', 'win-x64', 'win-arm64')

    function New-StandIn([string]$Path, [string]$Rid) {
        # Just enough header for build.ps1's format check: ELF e_machine or PE Machine.
        $b = New-Object byte[] 512
        $machine = @{ 'linux-x64' = 0x3E; 'linux-arm64' = 0xB7; 'win-x64' = 0x8664; 'win-arm64' = 0xAA64 }[$Rid]
        if ($Rid -like 'linux-*') {
            $b[0] = 0x7F; $b[1] = 0x45; $b[2] = 0x4C; $b[3] = 0x46; $b[4] = 2; $b[5] = 1
            [BitConverter]::GetBytes([uint16]$machine).CopyTo($b, 18)
        }
        else {
            $b[0] = 0x4D; $b[1] = 0x5A
            [BitConverter]::GetBytes([int]0x80).CopyTo($b, 0x3C)
            $b[0x80] = 0x50; $b[0x81] = 0x45
            [BitConverter]::GetBytes([uint16]$machine).CopyTo($b, 0x84)
        }
        $null = New-Item -ItemType Directory -Force -Path (Split-Path $Path)
        [IO.File]::WriteAllBytes($Path, $b)
    }

    function Get-Relative([string]$Full, [string]$Base) { $Full.Substring($Base.Length + 1).Replace('\', '/') }

    # A native root for $Rids: the real files for this machine's runtime, stand-ins otherwise.
    function New-NativeRoot([string]$Root, [string[]]$Rids) {
        foreach ($r in $Rids) {
            $lib = [MfaApproval.Interop.Loader]::LibraryPathIn($Root, $r)
            $sim = [MfaApproval.Interop.Loader]::SimulatorPathIn($Root, $r)
            if ($r -eq $hostRid) {
                foreach ($p in $lib, $sim) {
                    $null = New-Item -ItemType Directory -Force -Path (Split-Path $p)
                    Copy-Item (Join-Path $ModulePath (Get-Relative $p $Root)) $p
                }
            }
            else { New-StandIn $lib $r; New-StandIn $sim $r }
        }
    }

    function Invoke-Assemble([string]$Natives, [string]$Output, [string[]]$Rids) {
        $run = & $InvokeNative -FilePath $Pwsh -ArgumentList @('-NoProfile', '-NonInteractive', '-File', (Join-Path $RepoRoot 'build.ps1'), 'Assemble', '-NativeRoot', $Natives, '-Rid', ($Rids -join ','), '-OutputPath', $Output) -Environment @{ MFA_NETFX_REFERENCE = $netfx }
        # The error view colours and wraps the message: read it as one line.
        $text = (@($run.Output) + @($run.Error) -join "`n") -replace '\x1b\[[0-9;]*m', '' -replace '\s*\n\s*\|\s*', ' '
        [pscustomobject]@{ Code = $run.ExitCode; Text = $text }
    }

    function Get-Entries([string]$Zip) {
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $a = [IO.Compression.ZipFile]::OpenRead($Zip)
        try { $a.Entries | ForEach-Object { [pscustomobject]@{ Name = $_.FullName; Length = $_.Length } } } finally { $a.Dispose() }
    }

    # The cmdlets compiled as the release workflow compiles them: against the reference
    # assemblies tools/Get-NetFx452ReferenceAssemblies.ps1 takes from a package (here a
    # stand-in package of this machine's framework assemblies; none: this machine's defaults).
    $netfx = $null
    if ($NetFxAssemblies) {
        New-NetFxStandInPackage (Join-Path $TestDrive 'netfx.nupkg')
        $netfx = & (Join-Path $RepoRoot 'tools/Get-NetFx452ReferenceAssemblies.ps1') -Source (Join-Path $TestDrive 'netfx.nupkg') -Destination (Join-Path $TestDrive 'netfx') 6>$null
    }

    $rids = @($releaseRids + $hostRid | Select-Object -Unique)
    $natives = Join-Path $TestDrive 'natives'
    New-NativeRoot $natives $rids
    $release = Join-Path $TestDrive 'release'
    $assembled = Invoke-Assemble $natives $release $rids
    $nupkg = Join-Path $release "MfaApproval.$version.nupkg"
    $zip = Join-Path $release "MfaApproval-$version.zip"
  }

    It 'writes MfaApproval.<version>.nupkg and MfaApproval-<version>.zip' {
        $assembled.Code | Should -Be 0 -Because $assembled.Text
        if ($netfx) { $assembled.Text | Should -Match '(-|/)nostdlib' -Because 'MFA_NETFX_REFERENCE replaces the compiler''s own framework' }
        @(Get-ChildItem $release -File | ForEach-Object Name | Sort-Object) | Should -Be @("MfaApproval-$version.zip", "MfaApproval.$version.nupkg")
    }

    It 'puts every native where the loader looks, the same in the .nupkg and the .zip' {
        $fromNupkg = Get-Entries $nupkg
        $fromZip = Get-Entries $zip | ForEach-Object { $_.Name | Should -BeLike "MfaApproval/$version/*"; [pscustomobject]@{ Name = $_.Name.Substring("MfaApproval/$version/".Length); Length = $_.Length } }
        foreach ($r in $rids) {
            foreach ($p in [MfaApproval.Interop.Loader]::LibraryPathIn($natives, $r), [MfaApproval.Interop.Loader]::SimulatorPathIn($natives, $r)) {
                $name = Get-Relative $p $natives
                foreach ($entries in $fromNupkg, $fromZip) {
                    $e = @($entries | Where-Object Name -eq $name)
                    $e.Count | Should -Be 1 -Because "$name must be in the package once"
                    $e[0].Length | Should -Be (Get-Item $p).Length
                }
            }
        }
        # Nothing under runtimes/ or bin/ but those files.
        $expected = @($rids | ForEach-Object { Get-Relative ([MfaApproval.Interop.Loader]::LibraryPathIn($natives, $_)) $natives; Get-Relative ([MfaApproval.Interop.Loader]::SimulatorPathIn($natives, $_)) $natives } | Sort-Object)
        @($fromZip | Where-Object { $_.Name -like 'runtimes/*' -or $_.Name -like 'bin/*' } | ForEach-Object Name | Sort-Object) | Should -Be $expected
        @($fromNupkg | Where-Object { $_.Name -like 'runtimes/*' -or $_.Name -like 'bin/*' } | ForEach-Object Name | Sort-Object) | Should -Be $expected
        # The runtime-independent part, in both.
        foreach ($name in 'MfaApproval.psd1', 'MfaApproval.dll', 'MfaApproval.format.ps1xml', 'LICENSE', 'en-US/MfaApproval.dll-Help.xml', 'en-US/about_MfaApproval.help.txt', 'mim/Invoke-MfaApprovalOutOfProcess.ps1', 'mim/MfaApprovalChild.ps1') {
            @($fromNupkg | Where-Object Name -eq $name).Count | Should -Be 1 -Because "$name in the .nupkg"
            @($fromZip | Where-Object Name -eq $name).Count | Should -Be 1 -Because "$name in the .zip"
        }
    }

    # The zip is installed through a stand-in "PowerShell" (not on Windows, where the release
    # workflow runs the real 5.1): Windows PowerShell 5.1 writes a child powershell.exe's
    # progress records (and errors) to standard error as CLIXML, and `& powershell.exe ... 2>&1`
    # under $ErrorActionPreference = 'Stop' died on the first line (issue 28). The stand-in
    # writes real CLIXML (this pwsh's serializer: a progress record, a warning), 5.1's form of
    # an error and plain text to standard error, then runs pwsh with the same arguments.
    It 'installs from the <_> and approves with this machine''s natives (the zip through a PowerShell that writes CLIXML to standard error)' -ForEach 'nupkg', 'zip' {
        $artifact = if ($_ -eq 'nupkg') { $nupkg } else { $zip }
        $standIn = $_ -eq 'zip' -and [System.Environment]::OSVersion.Platform -ne [System.PlatformID]::Win32NT
        $arguments = @('-NoProfile', '-NonInteractive', '-File', (Join-Path $RepoRoot 'tools/Test-ReleaseArtifact.ps1'), '-Path', $artifact, '-Destination', (Join-Path $TestDrive "installed-$_"))
        if ($standIn) {
            $clixml = (& $InvokeNative -FilePath $Pwsh -ArgumentList @('-NoProfile', '-NonInteractive', '-OutputFormat', 'xml', '-Command',
                    '$ProgressPreference = ''Continue''; Write-Progress -Activity ''Preparing modules for first use.'' -Status ''0 of 1''; Write-Warning ''a warning from the child''')).RawError
            $clixml | Should -Match 'S="progress"'
            $stderr = Join-Path $TestDrive 'stderr.txt'
            [System.IO.File]::WriteAllText($stderr, $clixml + "plain text on standard error`n#< CLIXML`n" + '<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><S S="Error">error text as 5.1 writes it_x000D__x000A_</S></Objs>' + "`n")
            $powershell = Join-Path $TestDrive 'powershell-writing-stderr'
            [System.IO.File]::WriteAllText($powershell, "#!/bin/sh`ncat `"`$MFA_TEST_STDERR`" >&2`nexec `"`$MFA_TEST_PWSH`" `"`$@`"`n")
            [System.IO.File]::SetUnixFileMode($powershell, [System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute')
            $arguments += @('-PowerShellPath', $powershell)
            $env:MFA_TEST_STDERR = $stderr
            $env:MFA_TEST_PWSH = $Pwsh
        }
        try { $run = & $InvokeNative -FilePath $Pwsh -ArgumentList $arguments }
        finally { Remove-Item env:MFA_TEST_STDERR, env:MFA_TEST_PWSH -ErrorAction SilentlyContinue }
        $text = @($run.Output) + @($run.Error) -join "`n"
        $run.ExitCode | Should -Be 0 -Because $text
        $run.Output | Should -Contain '  MfaServer alice Approved'
        $run.Output | Should -Contain '  Duo bob Denied'
        $text | Should -Match ([regex]::Escape("module $([IO.Path]::GetFullPath((Join-Path $TestDrive "installed-$_/MfaApproval/$version")))"))
        if ($standIn) {
            $run.Output | Should -Contain '  stderr: WARNING: a warning from the child'
            $run.Output | Should -Contain '  stderr: plain text on standard error'
            $run.Output | Should -Contain '  stderr: error text as 5.1 writes it'
            @($run.Output | Where-Object { $_ -like '  stderr: (* progress records left out)' }).Count | Should -Be 1
            $text | Should -Not -Match '<Objs|CLIXML'
        }
    }

    It 'Test-ReleaseArtifact reports a PowerShell that fails with CLIXML errors on standard error as FAILED, readably' -Skip:$onWindows {
        $standIn = Join-Path $TestDrive 'powershell-failing'
        $stderr = Join-Path $TestDrive 'stderr-failing.txt'
        [System.IO.File]::WriteAllText($stderr, "#< CLIXML`r`n" + '<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><S S="Error">Import-Module : The specified module &apos;MfaApproval&apos; was not loaded_x000D__x000A_</S></Objs>' + "`r`n")
        [System.IO.File]::WriteAllText($standIn, "#!/bin/sh`ncat `"`$MFA_TEST_STDERR`" >&2`nexit 1`n")
        [System.IO.File]::SetUnixFileMode($standIn, [System.IO.UnixFileMode]'UserRead, UserWrite, UserExecute')
        $env:MFA_TEST_STDERR = $stderr
        try {
            $run = & $InvokeNative -FilePath $Pwsh -ArgumentList @('-NoProfile', '-NonInteractive', '-File', (Join-Path $RepoRoot 'tools/Test-ReleaseArtifact.ps1'), '-Path', $zip, '-Destination', (Join-Path $TestDrive 'installed-failing'), '-PowerShellPath', $standIn)
        }
        finally { Remove-Item env:MFA_TEST_STDERR -ErrorAction SilentlyContinue }
        $run.ExitCode | Should -Be 1
        $run.Output | Should -Contain "  stderr: Import-Module : The specified module 'MfaApproval' was not loaded"
        ($run.Output -join "`n") | Should -Match ("Test-ReleaseArtifact: MfaApproval-" + [regex]::Escape($version) + "\.zip FAILED \(exit code 1; missing: module ")
        @($run.Error) | Should -BeNullOrEmpty -Because 'a failed check is reported, not thrown'
    }

    It 'refuses <Case> before building anything' -ForEach @(
        @{ Case = 'a missing runtime'; Break = { param($root) Remove-Item -Recurse (Join-Path $root 'runtimes/win-arm64') }; Expected = 'runtimes/win-arm64/native/mfa_approval.dll is missing' }
        @{ Case = 'a native in the wrong folder'; Break = { param($root) Copy-Item -Force (Join-Path $root 'runtimes/win-x64/native/mfa_approval.dll') (Join-Path $root 'runtimes/win-arm64/native/mfa_approval.dll') }; Expected = 'runtimes/win-arm64/native/mfa_approval.dll is a win-x64 build, not win-arm64' }
        @{ Case = 'a Linux library under win-x64'; Break = { param($root) New-StandIn (Join-Path $root 'runtimes/win-x64/native/mfa_approval.dll') 'linux-x64' }; Expected = 'runtimes/win-x64/native/mfa_approval.dll is a linux-x64 build, not win-x64' }
        @{ Case = 'a stray file'; Break = { param($root) Set-Content (Join-Path $root 'bin/win-x64/mfa-sim.pdb') 'x' }; Expected = 'bin/win-x64/mfa-sim.pdb is not part of the module' }
        @{ Case = 'a runtime not asked for'; Break = { param($root) New-StandIn (Join-Path $root 'runtimes/linux-arm64/native/libmfa_approval.so') 'linux-arm64' }; Expected = 'runtimes/linux-arm64 is not one of -Rid' }
    ) {
        $root = Join-Path $TestDrive "bad-$([guid]::NewGuid().ToString('N'))"
        New-NativeRoot $root $releaseRids
        & $Break $root
        $output = Join-Path $root 'release'
        $r = Invoke-Assemble $root $output $releaseRids
        $r.Code | Should -Not -Be 0
        $r.Text | Should -Match ([regex]::Escape($Expected))
        Test-Path $output | Should -BeFalse
    }
}
