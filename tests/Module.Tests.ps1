# The module as a product: manifest, exports, help, the assembly, import/remove cycles,
# and no script that Windows PowerShell 5.1 cannot run.
BeforeDiscovery {
    . $PSScriptRoot/TestHelpers.ps1
    $commands = (Import-PowerShellDataFile (Join-Path $RepoRoot 'module.psd1')).CmdletsToExport
    # Every script we ship or run on a Windows PowerShell 5.1 host: the MIM scripts, the
    # build, the tools and the tests themselves.
    $shipped = @(Get-ChildItem (Join-Path $RepoRoot 'powershell'), (Join-Path $RepoRoot 'tests'), (Join-Path $RepoRoot 'tools') -Recurse -Include *.ps1, *.psm1, *.psd1) +
        @(Get-Item (Join-Path $RepoRoot 'module.psd1'), (Join-Path $RepoRoot 'build.ps1'))
    $shippedCases = $shipped | ForEach-Object { @{ Path = $_.FullName; Name = $_.Name } }
}
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $manifestPath = Join-Path $ModulePath 'MfaApproval.psd1'
}
AfterAll {
    Remove-Module MfaApproval -ErrorAction SilentlyContinue
}

Describe 'Manifest' {
    It 'passes Test-ModuleManifest with explicit exports and both editions' {
        $m = Test-ModuleManifest -Path $manifestPath -ErrorAction Stop
        $m.CompatiblePSEditions | Should -Be @('Desktop', 'Core')
        $m.PowerShellVersion | Should -Be ([version]'5.1')
        $m.ExportedFunctions.Count | Should -Be 0
        $m.ExportedAliases.Count | Should -Be 0
        $m.RootModule | Should -Be 'MfaApproval.dll'
        $m.DotNetFrameworkVersion | Should -Be ([version]'4.5.2')
        $m.PrivateData.PSData.Tags | Should -Contain 'MFA'
        $m.PrivateData.PSData.LicenseUri | Should -Not -BeNullOrEmpty
        $data = Import-PowerShellDataFile $manifestPath
        $data.CmdletsToExport | Should -Not -Contain '*'
        $data.FormatsToProcess | Should -Be @('MfaApproval.format.ps1xml')
    }

    It 'exports exactly the manifest list, each a compiled cmdlet with its help page' {
        Import-Module $ModulePath -Force
        $module = Get-Module MfaApproval
        $module.ModuleType | Should -Be 'Binary'
        $exported = $module.ExportedCmdlets.Keys | Sort-Object
        $listed = (Import-PowerShellDataFile $manifestPath).CmdletsToExport | Sort-Object
        $exported | Should -Be $listed
        $module.ExportedFunctions.Count | Should -Be 0
        $pages = Get-ChildItem (Join-Path $RepoRoot 'docs/commands/*-*.md') | ForEach-Object BaseName | Sort-Object
        $pages | Should -Be $listed
    }

    It 'format views exist for every output type' {
        Import-Module $ModulePath -Force
        [xml]$format = Get-Content -Raw (Join-Path $ModulePath 'MfaApproval.format.ps1xml')
        $viewed = @($format.Configuration.ViewDefinitions.View.ViewSelectedBy.TypeName)
        foreach ($command in (Get-Module MfaApproval).ExportedCmdlets.Values) {
            foreach ($type in $command.OutputType.Type | Where-Object { $_ -and $_.Namespace -eq 'MfaApproval' }) {
                $viewed | Should -Contain $type.FullName
            }
        }
    }
}

Describe 'Help for <_>' -ForEach $commands {
    BeforeAll {
        Import-Module $ModulePath -Force
        $help = Get-Help $_ -Full
        $command = Get-Command $_
    }
    It 'has a synopsis, a description and an example' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match '^\s*\S+ \[' # not the auto-generated syntax line
        ($help.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty
        @($help.Examples.Example).Count | Should -BeGreaterThan 0
    }
    It 'documents every parameter' {
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        foreach ($p in $command.Parameters.Keys | Where-Object { $common -notcontains $_ }) {
            $doc = $help.Parameters.Parameter | Where-Object Name -EQ $p
            ($doc.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "-$p needs help text"
        }
    }
    It 'is a compiled cmdlet and declares OutputType' {
        $command.CommandType | Should -Be 'Cmdlet'
        if ($_ -ne 'Stop-MfaSimulator') { $command.OutputType.Count | Should -BeGreaterThan 0 }
    }
    It 'has notes and related links (about_MfaApproval first)' {
        ($help.alertSet | Out-String).Trim() | Should -Not -BeNullOrEmpty
        $links = @($help.relatedLinks.navigationLink | ForEach-Object { $_.linkText })
        $links[0] | Should -Be 'about_MfaApproval'
        $links.Count | Should -BeGreaterThan 1
    }
    It 'its help syntax offers exactly the parameters of each parameter set' {
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        $sets = @($command.ParameterSets | ForEach-Object { (@($_.Parameters | ForEach-Object Name | Where-Object { $common -notcontains $_ }) | Sort-Object) -join ' ' })
        $items = @($help.syntax.syntaxItem | ForEach-Object { (@($_.parameter | ForEach-Object Name | Where-Object { $common -notcontains $_ }) | Sort-Object) -join ' ' })
        $items.Count | Should -Be $sets.Count
        foreach ($i in $items) { $sets | Should -Contain $i -Because 'each help syntax line is one parameter set, with no parameter that set refuses' }
        # The Markdown's SYNTAX blocks (docs/commands) read the same.
        $md = ((Get-Content -Raw (Join-Path $RepoRoot "docs/commands/$_.md")) -split '(?m)^## ')[2]
        $md | Should -Match '^SYNTAX' 
        $lines = @([regex]::Matches($md, '(?s)```\s*' + [regex]::Escape($_) + ' (.*?)```') | ForEach-Object { (@([regex]::Matches($_.Groups[1].Value, '(?<![\w-])-(\w+)') | ForEach-Object { $_.Groups[1].Value } | Where-Object { $common -notcontains $_ } | Sort-Object -Unique)) -join ' ' })
        foreach ($l in $lines) { $sets | Should -Contain $l -Because "docs/commands/$_.md's syntax line lists one parameter set" }
    }
    It 'has -Examples help with code' {
        $examples = @((Get-Help $_ -Examples).Examples.Example)
        $examples.Count | Should -BeGreaterThan 0
        $examples | ForEach-Object { $_.Code | Should -Not -BeNullOrEmpty }
    }
}

Describe 'about_MfaApproval' {
    It 'is shipped and found by Get-Help' {
        Import-Module $ModulePath -Force
        Test-Path (Join-Path $ModulePath 'en-US/about_MfaApproval.help.txt') | Should -BeTrue
        $text = Get-Help about_MfaApproval | Out-String
        $text | Should -Match 'about_MfaApproval'
        $text | Should -Match 'SHORT DESCRIPTION'
        $text | Should -Match 'WHEN IT FAILS'
        $text | Should -Not -Match '```'
    }
}

Describe 'Import, remove, re-import' {
    It 'imports from another working directory, removes and re-imports in one session' {
        Push-Location ([System.IO.Path]::GetTempPath())
        try {
            Import-Module $ModulePath -Force
            $sim = Start-MfaSimulator -NoResponseAfter 1
            $pid1 = $sim.ProcessId
            (Invoke-MfaApproval -Connection $sim.Connection -UserName alice@contoso.com).Status | Should -Be 'Approved'
            Remove-Module MfaApproval
            (Get-Process -Id $pid1 -ErrorAction SilentlyContinue) | Should -BeNullOrEmpty -Because 'removing the module stops its simulators'
            Import-Module $ModulePath
            $sim2 = Start-MfaSimulator -NoResponseAfter 1
            (Invoke-MfaApproval -Connection $sim2.Connection -UserName bob@contoso.com).Status | Should -Be 'Denied'
            $sim2 | Stop-MfaSimulator
        }
        finally { Pop-Location }
    }

    It 'a missing native library is one clear terminating error naming the path' {
        $copy = Join-Path $TestDrive 'MfaApproval'
        Copy-Item -Recurse $ModulePath $copy
        Remove-Item -Recurse (Join-Path $copy 'runtimes')
        $out = & $Pwsh -NoProfile -NonInteractive -Command "try { Import-Module '$copy' -ErrorAction Stop; 'imported' } catch { `$_.FullyQualifiedErrorId; `$_.Exception.Message }"
        ($out -join "`n") | Should -Match 'MfaApproval.NativeLibraryLoadFailed'
        ($out -join "`n") | Should -Match ([regex]::Escape((Join-Path $copy 'runtimes')))
    }
}

Describe 'Windows PowerShell 5.1 compatibility of <Name>' -ForEach $shippedCases {
    It 'uses no PowerShell 7-only syntax or parameters' {
        $tokens = $null; $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseFile($Path, [ref]$tokens, [ref]$errors)
        $errors | Should -BeNullOrEmpty
        $found = New-Object System.Collections.Generic.List[string]
        foreach ($t in $tokens) {
            if (@('QuestionMark', 'QuestionQuestion', 'QuestionQuestionEquals', 'QuestionDot', 'QuestionLBracket', 'AndAnd', 'OrOr', 'Clean') -contains $t.Kind.ToString()) {
                $found.Add("$($t.Kind) at line $($t.Extent.StartLineNumber)")
            }
        }
        # By type NAME: Windows PowerShell 5.1 has no TernaryExpressionAst or PipelineChainAst
        # type, and a type literal of either would throw "Unable to find type" there.
        $sevenOnlyAst = @('TernaryExpressionAst', 'PipelineChainAst')
        $ast.FindAll({ param($n) $sevenOnlyAst -contains $n.GetType().Name }, $true) |
            ForEach-Object { $found.Add("$($_.GetType().Name) at line $($_.Extent.StartLineNumber)") }
        $sevenOnly = @{ 'ForEach-Object' = @('Parallel', 'ThrottleLimit'); 'ConvertFrom-Json' = @('AsHashtable', 'Depth', 'NoEnumerate'); 'Invoke-WebRequest' = @('SkipCertificateCheck'); 'Invoke-RestMethod' = @('SkipCertificateCheck') }
        $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandAst] }, $true) | ForEach-Object {
            $name = $_.GetCommandName()
            if ($name -and $sevenOnly.ContainsKey($name)) {
                foreach ($p in $_.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] }) {
                    if ($sevenOnly[$name] | Where-Object { $_ -like "$($p.ParameterName)*" }) { $found.Add("$name -$($p.ParameterName) at line $($p.Extent.StartLineNumber)") }
                }
            }
        }
        $found | Should -BeNullOrEmpty
    }

    It 'is ASCII, or UTF-8 with a BOM (5.1 reads a BOM-less script in the ANSI code page)' {
        Get-ScriptEncodingProblem -Path $Path | Should -BeNullOrEmpty
    }
}

Describe 'The script encoding check' {
    It 'finds raw non-ASCII in a BOM-less script, and accepts ASCII and a BOM-d UTF-8 script' {
        $utf8 = New-Object System.Text.UTF8Encoding($false)
        $name = 'n{0}n-{1}scii-{2}{3}' -f [char]0x00F6, [char]0x00E4, [char]0x540D, [char]0x524D
        $bad = Join-Path $TestDrive 'bad.ps1'
        [System.IO.File]::WriteAllText($bad, "`$a = 1`n`$name = '$name'`n", $utf8)
        Get-ScriptEncodingProblem -Path $bad | Should -Match 'line 2'
        $bom = Join-Path $TestDrive 'bom.ps1'
        [System.IO.File]::WriteAllText($bom, "`$name = '$name'`n", (New-Object System.Text.UTF8Encoding($true)))
        Get-ScriptEncodingProblem -Path $bom | Should -BeNullOrEmpty
        $ascii = Join-Path $TestDrive 'ascii.ps1'
        [System.IO.File]::WriteAllText($ascii, "`$name = 'n{0}n' -f [char]0x00F6`n", $utf8)
        Get-ScriptEncodingProblem -Path $ascii | Should -BeNullOrEmpty
    }
}

Describe 'The cmdlet assembly' {
    BeforeAll {
        $dll = Join-Path $ModulePath 'MfaApproval.dll'
        $name = [System.Reflection.AssemblyName]::GetAssemblyName($dll)
    }
    It 'is strong-named and versioned as the module' -Skip:(-not $HasCSharp5) {
        $name.GetPublicKeyToken().Count | Should -Be 8
        $name.Version.ToString(3) | Should -Be (Import-PowerShellDataFile (Join-Path $ModulePath 'MfaApproval.psd1')).ModuleVersion
    }
    It 'references only the .NET Framework and PowerShell 5.1 assemblies (no third-party library)' -Skip:(-not $HasCSharp5) {
        $asm = [System.Reflection.Assembly]::LoadFile($dll)
        ($asm.GetReferencedAssemblies().Name | Sort-Object -Unique) | Should -Be @('mscorlib', 'System', 'System.Management.Automation', 'System.Xml')
        ($asm.GetReferencedAssemblies() | Where-Object Name -EQ 'System.Management.Automation').Version | Should -Be ([version]'3.0.0.0')
    }
    It 'was compiled from C# 5 against the committed PowerShell 5.1 reference assembly (mcs -langversion:5)' -Skip:(-not (Get-Command mcs -ErrorAction SilentlyContinue)) {
        $out = Join-Path $TestDrive 'Check.dll'
        $sources = Get-ChildItem (Join-Path $RepoRoot 'powershell/src') -Recurse -Filter *.cs | ForEach-Object FullName
        $mcs = (Get-Command mcs -CommandType Application | Select-Object -First 1).Source
        $r = & $InvokeNative -FilePath $mcs -ArgumentList (@('-noconfig', '-langversion:5', '-target:library', '-unsafe', '-warnaserror', '-nologo', "-out:$out", '-r:System.dll', '-r:System.Core.dll', '-r:System.Xml.dll', "-r:$(Join-Path $RepoRoot 'powershell/ref/System.Management.Automation.dll')") + @($sources))
        $r.ExitCode | Should -Be 0 -Because (@($r.Output) + @($r.Error) -join "`n")
    }
    It 'ships MAML help generated from docs/commands' {
        $help = Join-Path $ModulePath 'en-US/MfaApproval.dll-Help.xml'
        Test-Path $help | Should -BeTrue
        [xml]$maml = Get-Content -Raw $help
        @($maml.helpItems.command).Count | Should -Be @(Get-ChildItem (Join-Path $RepoRoot 'docs/commands/*-*.md')).Count
    }
}

Describe 'Native library loading' {
    BeforeAll { Import-Module $ModulePath -Force }
    It 'looks for the Windows layout the build stages: runtimes/RID/native/mfa_approval.dll, bin/RID/mfa-sim.exe' {
        $root = [System.IO.Path]::GetFullPath('/m')
        [MfaApproval.Interop.Loader]::LibraryPathIn($root, 'win-x64') | Should -Be ([System.IO.Path]::Combine($root, 'runtimes', 'win-x64', 'native', 'mfa_approval.dll'))
        [MfaApproval.Interop.Loader]::SimulatorPathIn($root, 'win-arm64') | Should -Be ([System.IO.Path]::Combine($root, 'bin', 'win-arm64', 'mfa-sim.exe'))
        [MfaApproval.Interop.Loader]::LibraryPathIn($root, 'linux-x64') | Should -Be ([System.IO.Path]::Combine($root, 'runtimes', 'linux-x64', 'native', 'libmfa_approval.so'))
        $build = Get-Content -Raw (Join-Path $RepoRoot 'build.ps1')
        $build | Should -Match ([regex]::Escape('"runtimes/$rid/native"'))
        $build | Should -Match ([regex]::Escape('"bin/$rid"'))
    }
    It 'explains Win32 error <Code> with what to do' -ForEach @(
        @{ Code = 126; Match = 'depends on is missing.*ERROR_MOD_NOT_FOUND' }
        @{ Code = 193; Match = 'architecture.*ERROR_BAD_EXE_FORMAT' }
        @{ Code = 5; Match = 'access is denied.*AppLocker' }
        @{ Code = 1114; Match = 'Win32 error 1114' }
    ) {
        $text = [MfaApproval.Interop.Loader]::LoadFailureMessage('C:\m\mfa_approval.dll', $Code, $null)
        $text | Should -Match ([regex]::Escape('C:\m\mfa_approval.dll'))
        $text | Should -Match $Match
    }
    It 'a loader failing with Win32 error <Code> becomes one clear load error naming the library' -ForEach @(
        @{ Code = 126; Match = 'ERROR_MOD_NOT_FOUND' }
        @{ Code = 193; Match = 'ERROR_BAD_EXE_FORMAT' }
    ) {
        # A loader that fails as LoadLibraryExW would, behind the same abstraction the module uses.
        $library = [MfaApproval.Interop.Loader]::LibraryPathIn($ModulePath, [MfaApproval.Interop.Loader]::RuntimeIdentifier)
        $script = @"
Add-Type -Path '$(Join-Path $ModulePath 'MfaApproval.dll')'
Invoke-Expression 'class FailingLoader : MfaApproval.Interop.ILibraryLoader { [IntPtr] Load([string]`$p) { throw [MfaApproval.Interop.Win32LoadException]::new($Code) } [IntPtr] Export([IntPtr]`$l, [string]`$n) { return [IntPtr]::Zero } }'
try { [MfaApproval.Interop.Native]::Load('$library', 'test', (Invoke-Expression '[FailingLoader]::new()')); 'loaded' }
catch { `$e = `$_.Exception.InnerException; `$e.ErrorRecord.FullyQualifiedErrorId; `$e.ErrorRecord.TargetObject; `$e.Message }
"@
        $out = & $Pwsh -NoProfile -NonInteractive -Command $script
        $out[0] | Should -Be 'MfaApproval.NativeLibraryLoadFailed'
        $out[1] | Should -Be $library
        $out[2] | Should -Match ([regex]::Escape($library))
        $out[2] | Should -Match $Match
    }
    It 'refuses a 32-bit Windows host before looking for a file, and names the 64-bit PowerShell' {
        [MfaApproval.Interop.Loader]::UnsupportedRuntimeMessage('win-x86') | Should -Match 'Sysnative'
        [MfaApproval.Interop.Loader]::UnsupportedRuntimeMessage('win-x64') | Should -BeNullOrEmpty
    }
    It 'a second MfaApproval build in the same process fails clearly and names both' {
        # On .NET Framework two strong-named versions load side by side; each then asks for
        # its own native library, and the second must be refused (one engine per process).
        $other = Join-Path $TestDrive 'v9/runtimes/linux-x64/native/libmfa_approval.so'
        $script = "Import-Module '$ModulePath'; try { [MfaApproval.Interop.Native]::Load('$other', '9.9.9 (v9)'); 'loaded' } catch { `$_.Exception.InnerException.ErrorRecord.FullyQualifiedErrorId; `$_.Exception.InnerException.Message }"
        $text = (& $Pwsh -NoProfile -NonInteractive -Command $script) -join "`n"
        $text | Should -Not -Match 'loaded$'
        $text | Should -Match 'MfaApproval.NativeLibraryLoadFailed'
        $text | Should -Match 'already loaded in this process'
        $text | Should -Match ([regex]::Escape($ModulePath))
        $text | Should -Match '9\.9\.9'
    }
}

Describe 'Failure kinds' {
    BeforeAll { Import-Module $ModulePath -Force }
    It 'maps every failure kind the engine reports (its capabilities), and no other' {
        $engine = @([MfaApproval.Engine]::List('failureKinds'))
        $engine.Count | Should -BeGreaterThan 10
        $mapped = @([MfaApproval.FailureKinds]::Kinds)
        foreach ($kind in $engine) { $mapped | Should -Contain $kind -Because "the engine has failure kind '$kind'" }
        @($mapped | Where-Object { $engine -notcontains $_ }) | Should -BeNullOrEmpty -Because 'the table has no kind the engine lacks'
    }
}
