# The RADIUS provider through the cmdlets: Start-MfaSimulator -Provider Radius (the
# simulator's RADIUS server on loopback UDP), every demo user, New-MfaConnection -Provider
# Radius with its parameters and errors, the Message-Authenticator opt-out warning, and
# the shared secret and password that never show. A real FreeRADIUS is exercised by the
# engine's tests (rust/engine/tests/radius_freeradius.rs).
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModulePath -Force
    $sim = Start-MfaSimulator -Provider Radius
    $radius = $sim.Connection
    $demoSecret = 'demo-radius-shared-secret-for-mfa-sim-only'
    $server = $radius.Servers[0]
}
AfterAll {
    $sim | Stop-MfaSimulator -ErrorAction SilentlyContinue
    Remove-Module MfaApproval -ErrorAction SilentlyContinue
}

Describe 'A RADIUS connection' {
    It 'is what Start-MfaSimulator -Provider Radius returns' {
        $radius.Provider | Should -Be 'Radius'
        $radius.Authentication | Should -Be 'SharedSecret'
        $radius.Uri.Scheme | Should -Be 'radius'
        $server | Should -Match '^127\.0\.0\.1:\d+$'
        $radius.PasswordMode | Should -Be 'None'
    }

    It '<User> ends as <Status>' -ForEach @(
        @{ User = 'alice@contoso.com'; Status = 'Approved'; Kind = '' }
        @{ User = 'bob@contoso.com'; Status = 'Denied'; Kind = 'provider' }
        @{ User = 'challenge@contoso.com'; Status = 'Failed'; Kind = 'challenge' }
        @{ User = 'unsigned@contoso.com'; Status = 'TimedOut'; Kind = 'timeout' }
        @{ User = 'wrongsecret@contoso.com'; Status = 'TimedOut'; Kind = 'timeout' }
        @{ User = 'carol@contoso.com'; Status = 'TimedOut'; Kind = 'timeout' }
    ) {
        $r = Invoke-MfaApproval -Connection $radius -UserName $User -Timeout 3
        $r.Status | Should -Be $Status
        $r.Approved | Should -Be ($Status -eq 'Approved')
        $r.Provider | Should -Be 'radius'
        $r.FailureKind | Should -Be $Kind
    }

    It 'says why answers were dropped' {
        $r = Invoke-MfaApproval -Connection $radius -UserName unsigned@contoso.com -Timeout 2
        $r.Message | Should -Match 'no Message-Authenticator'
    }

    It 'New-MfaConnection -Provider Radius approves through the simulator, with a fixed password too' {
        $c = New-MfaConnection -Provider Radius -Server $server -SharedSecret (New-TestSecureString $demoSecret) -NasIdentifier 'mim-prod'
        (Invoke-MfaApproval -Connection $c -UserName alice@contoso.com -Timeout 10).Status | Should -Be 'Approved'
        $fixed = New-MfaConnection -Provider Radius -Server $server -SharedSecret (New-TestSecureString $demoSecret) -Password (New-TestSecureString 'demo-radius-password')
        $fixed.PasswordMode | Should -Be 'Fixed'
        (Invoke-MfaApproval -Connection $fixed -UserName alice@contoso.com -Timeout 10).Status | Should -Be 'Approved'
        $wrong = New-MfaConnection -Provider Radius -Server $server -SharedSecret (New-TestSecureString $demoSecret) -PasswordMode Fixed -Password (New-TestSecureString 'Wr0ng-Passw0rd')
        $r = Invoke-MfaApproval -Connection $wrong -UserName alice@contoso.com -Timeout 10
        $r.Status | Should -Be 'Denied'
        ($r | ConvertTo-Json -Depth 5) | Should -Not -Match 'Wr0ng-Passw0rd'
    }

    It '-AllowMissingMessageAuthenticator warns when made and on every result' {
        $c = New-MfaConnection -Provider Radius -Server $server -SharedSecret (New-TestSecureString $demoSecret) -AllowMissingMessageAuthenticator -WarningVariable made -WarningAction SilentlyContinue
        ($made | Out-String) | Should -Match 'CVE-2024-3596'
        $r = Invoke-MfaApproval -Connection $c -UserName unsigned@contoso.com -Timeout 10 -WarningVariable used -WarningAction SilentlyContinue
        $r.Status | Should -Be 'Approved'
        ($used | Out-String) | Should -Match 'had no Message-Authenticator'
    }

    It 'a wrong shared secret never approves, and is never shown' {
        $c = New-MfaConnection -Provider Radius -Server $server -SharedSecret (New-TestSecureString 'Not-The-Secret-42')
        $r = Invoke-MfaApproval -Connection $c -UserName alice@contoso.com -Timeout 2 -Verbose 4>&1 | Out-String
        $r | Should -Match 'TimedOut'
        $r | Should -Not -Match 'Not-The-Secret-42'
    }

    It 'names the parameter that is wrong: <Case>' -ForEach @(
        @{ Case = 'bad port'; Params = @{ Server = 'nps01.contoso.com:99999' }; Pattern = '-Server: ' }
        @{ Case = 'fixed without password'; Params = @{ PasswordMode = 'Fixed' }; Pattern = '-Password: ' }
        @{ Case = 'NAS-Identifier with a control character'; Params = @{ NasIdentifier = "a`tb" }; Pattern = '-NasIdentifier: ' }
    ) {
        $p = @{ Provider = 'Radius'; Server = $server; SharedSecret = (New-TestSecureString $demoSecret) }
        foreach ($k in $Params.Keys) { $p[$k] = $Params[$k] }
        { New-MfaConnection @p } | Should -Throw -ErrorId 'MfaApproval.InvalidConnectionSettings,*' -ExpectedMessage "*$Pattern*"
    }
}

Describe 'Invoke-MfaApprovalOutOfProcess.ps1 with a RADIUS settings file' {
    BeforeAll {
        $secretPath = Join-Path $TestDrive 'radius.secret.xml'
        New-Object System.Management.Automation.PSCredential('radius', (New-TestSecureString $demoSecret)) | Export-Clixml -Path $secretPath
        $radiusSettings = Join-Path $TestDrive 'radius-settings.psd1'
        Set-Content -Path $radiusSettings -Value @"
@{
    Provider         = 'Radius'
    Server           = '$server'
    SharedSecretPath = '$secretPath'
    NasIdentifier    = 'mim01'
    ModulePath       = '$ModulePath'
}
"@
        $wrapper = Join-Path $ModulePath 'mim/Invoke-MfaApprovalOutOfProcess.ps1'
    }
    It 'approves alice and refuses bob through RADIUS, exiting as MIM expects' {
        foreach ($case in @(@{ User = 'alice@contoso.com'; Approved = $true; Exit = 0 }, @{ User = 'bob@contoso.com'; Approved = $false; Exit = 1 })) {
            $script = "`$r = & '$wrapper' -UserName '$($case.User)' -SettingsPath '$radiusSettings' -TimeoutSeconds 20 -MimRequestId 'req-88'; `$r | ConvertTo-Json -Compress"
            $out = & $Pwsh -NoProfile -NonInteractive -Command $script
            $r = ($out | Select-Object -Last 1) | ConvertFrom-Json
            $r.Approved | Should -Be $case.Approved
            $r.ExitCode | Should -Be $case.Exit
            ($out | Out-String) | Should -Not -Match ([regex]::Escape($demoSecret))
        }
    }
}
