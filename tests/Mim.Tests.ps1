# The MIM wrapper run as a child process, the way MIMWAL runs it, against the simulator.
BeforeDiscovery {
    . $PSScriptRoot/TestHelpers.ps1
    $hostileNames = Get-HostileUserName | ForEach-Object { @{ Name = $_ } }
}
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModulePath -Force
    $sim = Start-MfaSimulator -NoResponseAfter 2
    $pwsh = $Pwsh
    $credentialPath = Join-Path $TestDrive 'svc.credential.xml'
    New-Object System.Management.Automation.PSCredential('demo-admin', (New-TestSecureString 'demo-password')) | Export-Clixml -Path $credentialPath
    $settings = Join-Path $TestDrive 'mfa-settings.psd1'
    Set-Content -Path $settings -Value @"
@{
    Uri                   = '$($sim.Uri)'
    CredentialPath        = '$credentialPath'
    ServerCertificateHash = '$($sim.CertificateHash)'
    ModulePath            = '$ModulePath'
}
"@
    $wrapper = Join-Path $ModulePath 'mim/Invoke-MfaApprovalOutOfProcess.ps1'
    function Invoke-Wrapper([string]$UserName, [string]$Extra = '') {
        $script = "`$r = & '$wrapper' -UserName '$UserName' -SettingsPath '$settings' -TimeoutSeconds 20 -MimRequestId 'req-42' $Extra; `$r | ConvertTo-Json -Compress"
        $r = & $InvokeNative -FilePath $pwsh -ArgumentList @('-NoProfile', '-NonInteractive', '-Command', $script)
        @{ ExitCode = $r.ExitCode; Output = $r.Output; Error = $r.RawError }
    }
}
AfterAll {
    $sim | Stop-MfaSimulator
    Remove-Module MfaApproval -ErrorAction SilentlyContinue
}

Describe 'Invoke-MfaApprovalOutOfProcess.ps1' {
    It 'returns Approved in a hashtable and writes nothing to the error stream' {
        $run = Invoke-Wrapper 'alice@contoso.com'
        $run.ExitCode | Should -Be 0
        [string]::IsNullOrWhiteSpace($run.Error) | Should -BeTrue -Because $run.Error
        $r = ($run.Output | Select-Object -Last 1) | ConvertFrom-Json
        $r.Approved | Should -BeTrue
        $r.Status | Should -Be 'Approved'
        $r.CallResult | Should -Be 21
        $r.MimRequestId | Should -Be 'req-42'
    }

    It 'returns Approved = false for a denial' {
        $r = ((Invoke-Wrapper 'bob@contoso.com').Output | Select-Object -Last 1) | ConvertFrom-Json
        $r.Approved | Should -BeFalse
        $r.Status | Should -Be 'Denied'
        $r.ExitCode | Should -Be 1 -Because 'the child exits 1 when the answer is not an approval'
    }

    It 'with -Assert a denial is a terminating error with MfaApproval.Denied' {
        $script = "try { & '$wrapper' -UserName 'bob@contoso.com' -SettingsPath '$settings' -TimeoutSeconds 20 -Assert; 'no error' } catch { `$_.FullyQualifiedErrorId }"
        (& $pwsh -NoProfile -NonInteractive -Command $script) | Should -Match '^MfaApproval.Denied'
    }

    It 'with -Assert the ErrorId and category are the module''s (TimedOut: OperationTimeout, not PermissionDenied)' {
        $script = "try { & '$wrapper' -UserName 'carol@contoso.com' -SettingsPath '$settings' -TimeoutSeconds 1 -Assert; 'no error' } catch { `$_.FullyQualifiedErrorId + '|' + `$_.CategoryInfo.Category }"
        (& $pwsh -NoProfile -NonInteractive -Command $script) | Should -Match '^MfaApproval.TimedOut(,[^|]*)?\|OperationTimeout$'
    }

    It 'refuses a ModulePath that is not the build the wrapper belongs to' {
        $fake = Join-Path $TestDrive 'fake/MfaApproval'
        $null = New-Item -ItemType Directory -Path $fake -Force
        Set-Content -LiteralPath (Join-Path $fake 'MfaApproval.psm1') -Value @'
function New-MfaConnection { [pscustomobject]@{} }
function Invoke-MfaApproval { $r = [pscustomobject]@{ Status = 'Approved'; Approved = $true; UserName = 'x' }; $r | Add-Member ScriptMethod ToHashtable { @{ Status = 'Approved'; Approved = $true } }; $r }
'@
        $fakeSettings = Join-Path $TestDrive 'fake.psd1'
        Set-Content -Path $fakeSettings -Value "@{ Uri = '$($sim.Uri)'; ModulePath = '$fake' }"
        $r = & $wrapper -UserName 'alice@contoso.com' -SettingsPath $fakeSettings -TimeoutSeconds 20
        $r.Approved | Should -BeFalse
        $r.ExitCode | Should -Be 2
        $r.Message | Should -Match 'not the MfaApproval build'
    }

    It 'reports bad settings as Failed without throwing' {
        $bad = Join-Path $TestDrive 'bad.psd1'
        Set-Content -Path $bad -Value "@{ Uri = 'ftp://nowhere'; ModulePath = '$ModulePath' }"
        $stdout = & $pwsh -NoProfile -NonInteractive -Command "& '$wrapper' -UserName 'alice@contoso.com' -SettingsPath '$bad' | ConvertTo-Json -Compress"
        $r = ($stdout | Select-Object -Last 1) | ConvertFrom-Json
        $r.Approved | Should -BeFalse
        $r.Status | Should -Be 'Failed'
        $r.Message | Should -Match 'Uri'
        $r.ExitCode | Should -Be 2 -Because 'the child exits 2 when the approval could not be attempted'
    }
}

Describe 'Hostile values reach the child exactly' {
    BeforeAll {
        $names = @(Get-HostileUserName)
        $directory = Join-Path $TestDrive 'hostile-users.json'
        $users = @($names | ForEach-Object { @{ userName = $_; answer = 'approve'; delaySeconds = 0 } })
        # UTF-8 without a BOM in both editions (5.1's Set-Content -Encoding UTF8 adds one).
        [System.IO.File]::WriteAllText($directory, (ConvertTo-Json -InputObject @{ users = $users } -Depth 4), (New-Object System.Text.UTF8Encoding($false)))
        $hostileSim = Start-MfaSimulator -DirectoryFile $directory
        # A settings file that must never be read: its module writes a marker when imported.
        $marker = Join-Path $TestDrive 'pwned.txt'
        $evilModule = Join-Path $TestDrive 'EvilModule'
        $null = New-Item -ItemType Directory -Path $evilModule
        Set-Content -LiteralPath (Join-Path $evilModule 'EvilModule.psm1') -Value "Set-Content -LiteralPath '$marker' -Value pwned"
        foreach ($place in @((Join-Path $TestDrive 'evil.psd1'), (Join-Path (Get-Location) 'evil.psd1'))) {
            Set-Content -LiteralPath $place -Value "@{ Uri = 'https://127.0.0.1:1/x.asmx'; ModulePath = '$evilModule' }"
        }
        $hostileSettings = Join-Path (Join-Path $TestDrive 'hostile settings (with spaces)') 'mfa-settings.psd1'
        $null = New-Item -ItemType Directory -Path (Split-Path $hostileSettings)
        Set-Content -LiteralPath $hostileSettings -Value @"
@{
    Uri                   = '$($hostileSim.Uri)'
    CredentialPath        = '$credentialPath'
    ServerCertificateHash = '$($hostileSim.CertificateHash)'
    ModulePath            = '$ModulePath'
}
"@
    }
    AfterAll {
        $hostileSim | Stop-MfaSimulator
        Remove-Item -LiteralPath (Join-Path (Get-Location) 'evil.psd1') -ErrorAction SilentlyContinue
    }

    It 'approves <Name> as exactly that user, reading only the given settings' -ForEach $hostileNames {
        $r = & $wrapper -UserName $Name -SettingsPath $hostileSettings -TimeoutSeconds 20 -MimRequestId 'req-"\7'
        $r.UserName | Should -BeExactly $Name
        $r.Status | Should -Be 'Approved' -Because $r.Message
        $r.Approved | Should -BeTrue
        $r.MimRequestId | Should -BeExactly 'req-"\7'
        Test-Path -LiteralPath $marker | Should -BeFalse
    }

    It 'passes a name with a newline through exactly, and the engine refuses it' {
        $name = "alice@contoso.com`n-SettingsPath evil.psd1"
        $r = & $wrapper -UserName $name -SettingsPath $hostileSettings -TimeoutSeconds 20
        $r.UserName | Should -BeExactly $name
        $r.Approved | Should -BeFalse
        $r.Message | Should -Match 'control character'
        Test-Path -LiteralPath $marker | Should -BeFalse
    }

    It 'quotes command lines so that a child sees every argument exactly' {
        $python = @('python3', 'python') | ForEach-Object { Get-Command $_ -CommandType Application -ErrorAction SilentlyContinue } | Select-Object -First 1
        $arguments = @('-c', 'import sys, json; sys.stdout.write(json.dumps(sys.argv[1:]))') + $names + @('', 'a\', 'a\\"b', ' ')
        $info = New-Object System.Diagnostics.ProcessStartInfo
        $info.FileName = $python.Source
        $info.Arguments = [MfaApproval.CommandLine]::Join([string[]]$arguments)
        $info.UseShellExecute = $false
        $info.RedirectStandardOutput = $true
        $info.StandardOutputEncoding = New-Object System.Text.UTF8Encoding($false)
        $info.EnvironmentVariables['PYTHONIOENCODING'] = 'utf-8'
        $p = [System.Diagnostics.Process]::Start($info)
        $seen = $p.StandardOutput.ReadToEnd() | ConvertFrom-Json
        $p.WaitForExit()
        @($seen).Count | Should -Be ($arguments.Count - 2)
        for ($i = 2; $i -lt $arguments.Count; $i++) { $seen[$i - 2] | Should -BeExactly $arguments[$i] }
    }
}

Describe 'Invoke-MfaApprovalOutOfProcess.ps1 with a Duo settings file' {
    BeforeAll {
        $secretPath = Join-Path $TestDrive 'duo.secret.xml'
        New-Object System.Management.Automation.PSCredential('duo', (New-TestSecureString 'demo-duo-secret-key-for-mfa-sim-only-0000')) | Export-Clixml -Path $secretPath
        $duoSettings = Join-Path $TestDrive 'duo-settings.psd1'
        Set-Content -Path $duoSettings -Value @"
@{
    Provider              = 'Duo'
    ApiHost               = '127.0.0.1:$(([uri]$sim.Uri).Port)'
    IntegrationKey        = 'DIDEMOINTEGRATION001'
    SecretKeyPath         = '$secretPath'
    ServerCertificateHash = '$($sim.CertificateHash)'
    ModulePath            = '$ModulePath'
}
"@
    }
    It 'approves alice and refuses bob through Duo, with the MIM request id on the push' {
        foreach ($case in @(@{ User = 'alice@contoso.com'; Approved = $true; Exit = 0 }, @{ User = 'bob@contoso.com'; Approved = $false; Exit = 1 })) {
            $script = "`$r = & '$wrapper' -UserName '$($case.User)' -SettingsPath '$duoSettings' -TimeoutSeconds 20 -MimRequestId 'req-77'; `$r | ConvertTo-Json -Compress"
            $out = & $pwsh -NoProfile -NonInteractive -Command $script
            $r = ($out | Select-Object -Last 1) | ConvertFrom-Json
            $r.Approved | Should -Be $case.Approved
            $r.ExitCode | Should -Be $case.Exit
            $r.MimRequestId | Should -Be 'req-77'
        }
    }
}

Describe 'Invoke-MfaApprovalOutOfProcess.ps1 with an Okta settings file' {
    BeforeAll {
        $tokenPath = Join-Path $TestDrive 'okta.token.xml'
        New-Object System.Management.Automation.PSCredential('okta', (New-TestSecureString '00demo-okta-api-token-for-mfa-sim-only-0000000')) | Export-Clixml -Path $tokenPath
        $oktaSettings = Join-Path $TestDrive 'okta-settings.psd1'
        Set-Content -Path $oktaSettings -Value @"
@{
    Provider              = 'Okta'
    OrgUrl                = 'https://127.0.0.1:$(([uri]$sim.Uri).Port)'
    ApiTokenPath          = '$tokenPath'
    NumberChallenge       = `$true
    ServerCertificateHash = '$($sim.CertificateHash)'
    ModulePath            = '$ModulePath'
}
"@
    }
    It 'approves alice and refuses bob through Okta' {
        foreach ($case in @(@{ User = 'alice@contoso.com'; Approved = $true; Exit = 0 }, @{ User = 'bob@contoso.com'; Approved = $false; Exit = 1 })) {
            $script = "`$r = & '$wrapper' -UserName '$($case.User)' -SettingsPath '$oktaSettings' -TimeoutSeconds 20 -MimRequestId 'req-78'; `$r | ConvertTo-Json -Compress"
            $out = & $pwsh -NoProfile -NonInteractive -Command $script
            $r = ($out | Select-Object -Last 1) | ConvertFrom-Json
            $r.Approved | Should -Be $case.Approved
            $r.ExitCode | Should -Be $case.Exit
            $r.MimRequestId | Should -Be 'req-78'
        }
    }
}

Describe 'Invoke-MfaApprovalOutOfProcess.ps1 with approvers, context and an audit trail' {
    BeforeAll {
        $auditPath = Join-Path $TestDrive 'audit/mfa-audit.jsonl'
        $null = New-Item -ItemType Directory -Path (Split-Path $auditPath)
        $auditSettings = Join-Path $TestDrive 'audit-settings.psd1'
        Set-Content -Path $auditSettings -Value @"
@{
    Uri                   = '$($sim.Uri)'
    CredentialPath        = '$credentialPath'
    ServerCertificateHash = '$($sim.CertificateHash)'
    AuditPath             = '$auditPath'
    ModulePath            = '$ModulePath'
}
"@
    }
    It 'asks two approvers at once, reports the deciding one and the audit id, and the audit lines carry the MIM context' {
        $script = "`$r = & '$wrapper' -UserName 'carol@contoso.com','alice@contoso.com' -Require Any -SettingsPath '$auditSettings' -TimeoutSeconds 20 -MimRequestId 'req-9' -MimActorId 'actor-1' -MimTargetId 'target-2' -Reason 'Add jane to Domain Admins'; `$r | ConvertTo-Json -Compress"
        $r = ((& $pwsh -NoProfile -NonInteractive -Command $script) | Select-Object -Last 1) | ConvertFrom-Json
        $r.Approved | Should -BeTrue
        $r.DecidedBy | Should -Be 'alice@contoso.com'
        $r.Approvers | Should -Match 'carol@contoso.com=Cancelled'
        $r.AuditId | Should -Match '^[0-9a-f]{32}$'
        $all = @(Get-Content $auditPath | ForEach-Object { $_ | ConvertFrom-Json })
        $all[0].type | Should -Be 'header' -Because 'a chained file starts with its header'
        $lines = @($all | Select-Object -Skip 1)
        $lines.Count | Should -Be 1 -Because 'one record per decision'
        $lines[0].id | Should -Be $r.AuditId
        $lines[0].decidedBy | Should -Be 'alice@contoso.com'
        ($lines[0].approvers | Where-Object userName -EQ 'carol@contoso.com').status | Should -Be 'Cancelled'
        foreach ($l in $lines) {
            $l.context.'MIM request' | Should -Be 'req-9'
            $l.context.'MIM actor' | Should -Be 'actor-1'
            $l.context.'MIM target' | Should -Be 'target-2'
            $l.applicationName | Should -Be 'Add jane to Domain Admins'
        }
        (Get-Content -Raw $auditPath) | Should -Not -Match 'demo-password'
    }
}
