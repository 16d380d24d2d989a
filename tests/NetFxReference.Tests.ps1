# tools/Get-NetFx452ReferenceAssemblies.ps1, the one step every workflow that compiles the
# cmdlets uses for the .NET Framework 4.5.2 reference assemblies (MFA_NETFX_REFERENCE), fed a
# stand-in package built here from this machine's framework assemblies (no NuGet here). The
# real package is fetched only by the workflows (.github/actions/netfx452-reference-assemblies).
BeforeDiscovery {
    . $PSScriptRoot/TestHelpers.ps1
    $haveFramework = [bool]$NetFxAssemblies
}

Describe 'tools/Get-NetFx452ReferenceAssemblies.ps1' -Skip:(-not $haveFramework) {
    BeforeAll {
        . $PSScriptRoot/TestHelpers.ps1
        $fetch = Join-Path $RepoRoot 'tools/Get-NetFx452ReferenceAssemblies.ps1'
        $four = @('mscorlib.dll', 'System.dll', 'System.Core.dll', 'System.Xml.dll' | Sort-Object)
    }

    It 'takes exactly the four assemblies, returns their folder and hands it to the next steps (-GitHubEnv)' {
        $package = Join-Path $TestDrive 'good.nupkg'
        # Entries that must never be written: a facade, and names that climb out of the folder.
        New-NetFxStandInPackage $package -Entries @{
            'build/.NETFramework/v4.5.2/Facades/System.Runtime.dll' = Join-Path $NetFxAssemblies 'System.dll'
            '../escaped.dll'                                       = Join-Path $NetFxAssemblies 'System.dll'
            'build/.NETFramework/v4.5.2/../../../escaped2.dll'     = Join-Path $NetFxAssemblies 'System.dll'
        }
        $destination = Join-Path $TestDrive 'refs with space'
        $githubEnv = Join-Path $TestDrive 'github-env'
        Set-Content -LiteralPath $githubEnv -Value 'EARLIER=1' -Encoding ASCII
        $saved = $env:GITHUB_ENV
        $env:GITHUB_ENV = $githubEnv
        try { $out = & $fetch -Source $package -Destination $destination -GitHubEnv 6>&1 }
        finally { $env:GITHUB_ENV = $saved }
        $out[-1] | Should -Be $destination
        @(Get-ChildItem -LiteralPath $destination -Recurse -File | ForEach-Object Name | Sort-Object) | Should -Be $four
        @(Get-ChildItem -LiteralPath $TestDrive -Recurse -Filter 'escaped*') | Should -BeNullOrEmpty
        [System.IO.File]::ReadAllText($githubEnv) | Should -Be "EARLIER=1$([Environment]::NewLine)MFA_NETFX_REFERENCE=$destination`n"
        ($out -join "`n") | Should -Match 'SHA-512 [0-9A-F]{128}'
    }

    It 'refuses a package <Case>, naming the entry' -ForEach @(
        @{ Case = 'without System.Xml.dll'; Entries = @{ 'build/.NETFramework/v4.5.2/System.Xml.dll' = $null }; Twice = $null; Expected = '*holds build/.NETFramework/v4.5.2/System.Xml.dll 0 times*' }
        @{ Case = 'holding System.dll twice'; Entries = @{}; Twice = 'build/.NETFramework/v4.5.2/System.dll'; Expected = '*holds build/.NETFramework/v4.5.2/System.dll 2 times*' }
        @{ Case = 'whose mscorlib.dll is not an assembly'; Entries = @{ 'build/.NETFramework/v4.5.2/mscorlib.dll' = 'LICENSE' }; Twice = $null; Expected = '*mscorlib.dll in the package is not a .NET assembly*' }
        @{ Case = 'whose System.Core.dll is another assembly'; Entries = @{ 'build/.NETFramework/v4.5.2/System.Core.dll' = 'MODULE' }; Twice = $null; Expected = "*System.Core.dll in the package is 'MfaApproval, Version=*', not the .NET Framework's System.Core, Version=4.0.0.0, PublicKeyToken=b77a5c561934e089*" }
    ) {
        $replace = @{}
        foreach ($k in $Entries.Keys) {
            $replace[$k] = if ($Entries[$k] -eq 'LICENSE') { Join-Path $RepoRoot 'LICENSE' } elseif ($Entries[$k] -eq 'MODULE') { Join-Path $ModulePath 'MfaApproval.dll' } else { $null }
        }
        $package = Join-Path $TestDrive 'bad.nupkg'
        New-NetFxStandInPackage $package -Entries $replace -Twice $Twice
        { & $fetch -Source $package -Destination (Join-Path $TestDrive 'bad-refs') 6>$null } | Should -Throw $Expected
    }

    It 'refuses a -Source that is <Case>' -ForEach @(
        @{ Case = 'not a zip'; Source = 'LICENSE'; Expected = '*is not a NuGet package (a zip)*' }
        @{ Case = 'plain http'; Source = 'http://example.invalid/x.nupkg'; Expected = "*-Source 'http://example.invalid/x.nupkg' is neither an https URL nor a file*" }
        @{ Case = 'missing'; Source = 'no-such.nupkg'; Expected = "*-Source '*no-such.nupkg' is not a file*" }
    ) {
        $source = if ($Source -like '*://*') { $Source } else { Join-Path $RepoRoot $Source }
        { & $fetch -Source $source -Destination (Join-Path $TestDrive 'refs') 6>$null } | Should -Throw $Expected
    }

    It 'says what -GitHubEnv needs outside GitHub Actions' {
        $saved = $env:GITHUB_ENV
        Remove-Item env:GITHUB_ENV -ErrorAction SilentlyContinue
        try { { & $fetch -Source (Join-Path $RepoRoot 'LICENSE') -GitHubEnv } | Should -Throw '*-GitHubEnv needs $env:GITHUB_ENV*set MFA_NETFX_REFERENCE yourself*' }
        finally { if ($saved) { $env:GITHUB_ENV = $saved } }
    }
}
