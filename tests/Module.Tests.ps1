# The module as a product: manifest, exports, help, import/remove cycles, and nothing
# that Windows PowerShell 5.1 cannot load.
BeforeDiscovery {
    . $PSScriptRoot/TestHelpers.ps1
    $commands = (Import-PowerShellDataFile (Join-Path $RepoRoot 'module.psd1')).FunctionsToExport
    $shipped = @(Get-ChildItem (Join-Path $RepoRoot 'powershell') -Recurse -Include *.ps1, *.psm1, *.psd1) + @(Get-Item (Join-Path $RepoRoot 'module.psd1'))
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
        $m.ExportedCmdlets.Count | Should -Be 0
        $m.ExportedAliases.Count | Should -Be 0
        $m.PrivateData.PSData.Tags | Should -Contain 'MFA'
        $m.PrivateData.PSData.LicenseUri | Should -Not -BeNullOrEmpty
        $data = Import-PowerShellDataFile $manifestPath
        $data.FunctionsToExport | Should -Not -Contain '*'
        $data.FormatsToProcess | Should -Be @('MfaApproval.format.ps1xml')
    }

    It 'exports exactly the manifest list, and every public file defines one of them' {
        Import-Module $ModulePath -Force
        $exported = (Get-Module MfaApproval).ExportedFunctions.Keys | Sort-Object
        $listed = (Import-PowerShellDataFile $manifestPath).FunctionsToExport | Sort-Object
        $exported | Should -Be $listed
        $files = Get-ChildItem (Join-Path $RepoRoot 'powershell/Public/*.ps1') | ForEach-Object BaseName | Sort-Object
        $files | Should -Be $listed
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
    It 'declares OutputType and CmdletBinding' {
        $command.CmdletBinding | Should -BeTrue
        if ($_ -ne 'Stop-MfaSimulator') { $command.OutputType.Count | Should -BeGreaterThan 0 }
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
        $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.TernaryExpressionAst] -or $n -is [System.Management.Automation.Language.PipelineChainAst] }, $true) |
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
}

Describe 'The interop assembly' {
    It 'compiles as C# 5 against mscorlib only (mcs -langversion:5)' -Skip:(-not (Get-Command mcs -ErrorAction SilentlyContinue)) {
        $dll = Join-Path $TestDrive 'Interop.dll'
        $log = & mcs -noconfig -langversion:5 -target:library -warnaserror -nologo "-out:$dll" (Join-Path $RepoRoot 'powershell/interop/Native.cs') 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($log -join "`n")
        Test-Path $dll | Should -BeTrue
    }
    It 'the staged assembly references mscorlib only' {
        $asm = [System.Reflection.Assembly]::LoadFile((Join-Path $ModulePath 'lib/MfaApproval.Interop.dll'))
        ($asm.GetReferencedAssemblies().Name | Sort-Object -Unique) | Should -Be @('mscorlib')
    }
}

Describe 'Failure kinds' {
    BeforeAll { Import-Module $ModulePath -Force }
    It 'maps every failure kind of the engine in one place' {
        $source = Get-Content -Raw (Join-Path $PSScriptRoot '../rust/engine/src/outcome.rs')
        $block = [regex]::Match($source, 'pub const ALL: &''static \[FailureKind\] = &\[(?<list>[^\]]+)\]').Groups['list'].Value
        $kinds = @([regex]::Matches($block, 'FailureKind::(\w+)') | ForEach-Object { $_.Groups[1].Value.Substring(0, 1).ToLowerInvariant() + $_.Groups[1].Value.Substring(1) })
        $kinds.Count | Should -BeGreaterThan 10
        $table = InModuleScope MfaApproval { Get-MfaFailureKind }
        foreach ($kind in $kinds) {
            $table.ContainsKey($kind) | Should -BeTrue -Because "the engine has failure kind '$kind'"
        }
        @($table.Keys | Where-Object { $kinds -notcontains $_ }) | Should -BeNullOrEmpty -Because 'the table has no kind the engine lacks'
    }
}
