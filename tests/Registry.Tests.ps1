# The provider registry as PowerShell reads it: New-MfaConnection's parameter sets match the
# engine's description of every provider (Generated/Providers.cs, rendered from
# mfa_capabilities' providerDetails), the MIM settings keys follow from the parameters, and
# the C# asks the registry instead of comparing provider names. Fast: metadata and files only.
BeforeDiscovery {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModulePath -Force
    $specs = @([MfaApproval.Providers]::All | ForEach-Object { @{ Label = $_.Label; Spec = $_ } })
}
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModulePath -Force
    $command = Get-Command New-MfaConnection
    $providers = [MfaApproval.Providers]::All
    $capabilities = [MfaApproval.Interop.Native]::Capabilities() | ConvertFrom-Json
    function Get-ParameterSets([string]$Name) {
        @($command.Parameters[$Name].ParameterSets.Keys)
    }
}

Describe 'New-MfaConnection and the provider registry' {
    It 'has one -Provider value per registered provider, named by its label' {
        [enum]::GetNames([MfaApproval.Cmdlets.MfaProvider]) | Should -Be @($providers | ForEach-Object Label)
        @($capabilities.providers) | Should -Be @($providers | ForEach-Object Name)
    }

    It 'the generated table is the document the loaded engine exports' {
        foreach ($p in $providers) {
            $d = $capabilities.providerDetails | Where-Object name -EQ $p.Name
            $d.label | Should -Be $p.Label
            @($d.fields | ForEach-Object json) | Should -Be @($p.Fields | ForEach-Object Json)
            @($d.secrets | ForEach-Object kind) | Should -Be @($p.Secrets | ForEach-Object Kind)
            $d.codeSentence | Should -Be $p.CodeSentence
        }
    }

    It '<Label>: every parameter set it names exists, with -Provider' -ForEach $specs {
        foreach ($set in $Spec.ParameterSets) {
            @($command.ParameterSets | ForEach-Object Name) | Should -Contain $set
            (Get-ParameterSets 'Provider') | Should -Contain $set
        }
    }

    It '<Label>: every field and secret is set by a parameter of its sets, mandatory where the engine requires it' -ForEach $specs {
        $items = @($Spec.Fields | Where-Object { $_.Parameter -and $_.Json -ne 'provider' } | ForEach-Object { @{ Parameter = $_.Parameter; Required = $_.Required } })
        $items += @($Spec.Secrets | ForEach-Object { @{ Parameter = $_.Parameter; Required = $_.Required } })
        foreach ($item in $items) {
            $command.Parameters.Keys | Should -Contain $item.Parameter
            $sets = Get-ParameterSets $item.Parameter
            $inOwn = ($sets -contains '__AllParameterSets') -or @($Spec.ParameterSets | Where-Object { $sets -contains $_ }).Count -gt 0
            $inOwn | Should -BeTrue -Because "-$($item.Parameter) sets a $Label field"
            # A PSCredential parameter stays optional: [Credential] prompts for a $null given to
            # a mandatory one; the engine's "is required" names it instead (tested below).
            # The default set's parameters stay optional too: -Provider X alone binds the default
            # set, and the cmdlet names what X is missing (tested below).
            if ($item.Required -and $command.Parameters[$item.Parameter].ParameterType -ne [pscredential]) {
                foreach ($set in @($Spec.ParameterSets | Where-Object { $_ -ne $command.DefaultParameterSet })) {
                    $command.Parameters[$item.Parameter].ParameterSets[$set].IsMandatory | Should -BeTrue -Because "$Label requires -$($item.Parameter) in set $set"
                }
            }
        }
    }

    It '<Label>: every parameter its sets offer is one of its fields, secrets or the cmdlet''s own' -ForEach $specs {
        $own = @('Provider', 'Default') + [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
        $takes = @($Spec.Fields | Where-Object Parameter | ForEach-Object Parameter) + @($Spec.Secrets | ForEach-Object Parameter)
        # -UseSystemProxy sets the proxy field.
        if ($Spec.ParameterOf('proxy')) { $takes += 'UseSystemProxy' }
        foreach ($set in $Spec.ParameterSets) {
            $offered = @(($command.ParameterSets | Where-Object Name -EQ $set).Parameters | ForEach-Object Name | Where-Object { $own -notcontains $_ })
            $offered.Count | Should -BeGreaterThan 3 -Because "set $set offers parameters"
            foreach ($name in $offered) {
                $takes | Should -Contain $name -Because "set $set offers -$name, which -Provider $Label does not take"
            }
        }
    }

    It 'the syntax offers no parameter a provider refuses: <Set> has no -<Name>' -ForEach @(
        @{ Set = 'Radius'; Name = 'Proxy' }, @{ Set = 'Radius'; Name = 'ApplicationName' }, @{ Set = 'Radius'; Name = 'ServerCertificateHash' }
        @{ Set = 'Radius'; Name = 'AllowUnencryptedAuthentication' }, @{ Set = 'PrivacyIdea'; Name = 'ApplicationName' }, @{ Set = 'Duo'; Name = 'Uri' }
    ) {
        $syntax = (Get-Command New-MfaConnection -Syntax) -split '\r?\n' | Where-Object { $_ -match '\S' }
        $line = @($syntax | Where-Object { $_ -match '-Provider <MfaProvider>' -and ($_ -match $(if ($Set -eq 'Radius') { '-Server ' } elseif ($Set -eq 'Duo') { '-ApiHost ' } else { '-Realm ' })) })
        $line.Count | Should -Be 1
        $line[0] | Should -Not -Match "-$Name\b"
    }

    It 'a required credential left out is named, not prompted for' {
        $e = { New-MfaConnection -Provider PrivacyIdea -Uri https://pi.contoso.test -Realm contoso } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -BeLike 'MfaApproval.InvalidConnectionSettings,*'
        $e.Exception.Message | Should -Match '-Credential: is required'
    }

    It 'every MIM settings key is a parameter name, with Path for a secret parameter' {
        . (Join-Path $ModulePath 'mim/Settings.ps1')
        $map = Get-MfaSettingsMap
        foreach ($p in $providers) {
            foreach ($s in $p.Secrets) {
                $map.Contains($s.SettingsKey) | Should -BeTrue -Because "$($p.Label)'s secret $($s.Name) is set in the settings file as $($s.SettingsKey)"
                $map[$s.SettingsKey].Parameter | Should -Be $s.Parameter
            }
        }
        $map['Realm'].Kind | Should -Be 'Value'
        $map['CredentialPath'].Kind | Should -Be 'Credential'
    }
}

Describe 'Provider names in the code' {
    BeforeAll {
        # A provider's name, label or parameter set, quoted either way, in any case.
        $names = @($providers | ForEach-Object { $_.Name; $_.Label; $_.ParameterSets } | Sort-Object -Unique)
        $alternatives = ($names | ForEach-Object { [regex]::Escape($_) }) -join '|'
        # ...or an enum value compared (MfaProvider.Duo, [MfaProvider]::Duo).
        $pattern = '["''](' + $alternatives + ')["'']|MfaProvider(\.|\]::)(' + $alternatives + ')\b'
        function Get-ProductionFile([string[]]$Under, [string[]]$Extension) {
            foreach ($u in $Under) {
                Get-ChildItem -Recurse -File (Join-Path $RepoRoot $u) | Where-Object { $Extension -contains $_.Extension -and $_.FullName -notmatch '[\\/]Generated[\\/]' }
            }
        }
    }

    # Every difference between providers comes from the registry (Generated/Providers.cs):
    # a parameter set's declaration is the only place a provider is named.
    It 'C# and the MIM scripts compare no provider names outside the generated code' {
        $files = @(Get-ProductionFile @('powershell/src', 'powershell/mim') @('.cs', '.ps1'))
        $files.Count | Should -BeGreaterThan 20 -Because 'the check must see the C# and the MIM scripts'
        foreach ($f in $files) {
            $hits = @(Get-Content $f.FullName | Where-Object { $_ -notmatch '^\s*(//|#)' -and $_ -notmatch 'ParameterSetName = "' } | Select-String -Pattern $pattern -AllMatches | ForEach-Object { $_.Matches })
            $hits.Count | Should -Be 0 -Because "$($f.FullName) compares provider names ($(@($hits | ForEach-Object Value) -join ', ')); ask [MfaApproval.Providers] instead"
        }
    }

    It 'the check finds a provider name compared in any spelling or quote: <_>' -ForEach @(
        'if (Provider != "duo") x();', "if (`$p -eq 'Radius') { }", 'bool okta = set.StartsWith("OktaToken");', 'x == "PRIVACYIDEA"',
        'if (Provider == MfaProvider.Duo) x();', 'if ($p -eq [MfaApproval.Cmdlets.MfaProvider]::Okta) { }'
    ) {
        $_ | Should -Match $pattern
    }

    # The registry's folder counts once: its registering line is split between the catalog
    # (registry/mod.rs, data below the providers) and the constructor table (registry/build.rs,
    # above them), so that the engine has no import circle.
    It 'privacyidea appears in at most 5 production files outside its provider folder and generated code' {
        $files = @(Get-ProductionFile @('rust/engine/src', 'rust/ffi/src', 'powershell/src', 'powershell/mim') @('.rs', '.cs', '.ps1') |
            Where-Object { $_.FullName -notmatch '[\\/]rust[\\/]engine[\\/]src[\\/]privacyidea[\\/]' } |
            Where-Object { (Get-Content -Raw $_.FullName) -match '(?i)privacyidea' })
        $places = @($files | ForEach-Object { $_.FullName -replace '[\\/]rust[\\/]engine[\\/]src[\\/]registry[\\/].*$', '/rust/engine/src/registry/' } | Sort-Object -Unique)
        $places.Count | Should -BeLessOrEqual 5 -Because ($places -join ', ')
    }
}
