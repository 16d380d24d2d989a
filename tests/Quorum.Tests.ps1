# Multi-approver requests (-Require Any|All|N) on both providers: the engine decides, fail
# closed, and whoever is still pending when it is decided is cancelled at once. The same
# person named twice (any case, any spacing, any count) is refused before anything is sent:
# before ABI 4 each of these cases was Approved when alice approved every push.
BeforeDiscovery {
    $providers = @(@{ Provider = 'MfaServer' }, @{ Provider = 'Duo' })
}
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModulePath -Force
    $directory = Join-Path $TestDrive 'users.json'
    Set-Content -Path $directory -Value '{"users":[{"userName":"late-deny@contoso.com","answer":"deny","delaySeconds":3}]}'
    $sims = @{
        MfaServer = Start-MfaSimulator -NoResponseAfter 3 -DirectoryFile $directory
        Duo       = Start-MfaSimulator -Provider Duo -NoResponseAfter 3
    }
    $wrapper = Join-Path $ModulePath 'mim/Invoke-MfaApprovalOutOfProcess.ps1'
    $credentialPath = Join-Path $TestDrive 'svc.credential.xml'
    New-Object System.Management.Automation.PSCredential('demo-admin', (New-TestSecureString 'demo-password')) | Export-Clixml -Path $credentialPath
    $secretPath = Join-Path $TestDrive 'duo.secret.xml'
    New-Object System.Management.Automation.PSCredential('duo', (New-TestSecureString 'demo-duo-secret-key-for-mfa-sim-only-0000')) | Export-Clixml -Path $secretPath
    $settingsFor = @{
        MfaServer = Join-Path $TestDrive 'mfaserver.psd1'
        Duo       = Join-Path $TestDrive 'duo.psd1'
    }
    Set-Content -Path $settingsFor.MfaServer -Value @"
@{
    Uri                   = '$($sims.MfaServer.Uri)'
    CredentialPath        = '$credentialPath'
    ServerCertificateHash = '$($sims.MfaServer.CertificateHash)'
    ModulePath            = '$ModulePath'
}
"@
    Set-Content -Path $settingsFor.Duo -Value @"
@{
    Provider              = 'Duo'
    ApiHost               = '127.0.0.1:$(([uri]$sims.Duo.Uri).Port)'
    IntegrationKey        = 'DIDEMOINTEGRATION001'
    SecretKeyPath         = '$secretPath'
    ServerCertificateHash = '$($sims.Duo.CertificateHash)'
    ModulePath            = '$ModulePath'
}
"@
    $fifty = @(0..49 | ForEach-Object { @('alice@contoso.com', 'ALICE@contoso.com', ' alice@contoso.com', 'Alice@Contoso.com ')[$_ % 4] })
}
AfterAll {
    $sims.Values | Stop-MfaSimulator -ErrorAction SilentlyContinue
    Remove-Module MfaApproval -ErrorAction SilentlyContinue
}

Describe 'Quorum on <Provider>' -ForEach $providers {
    BeforeAll { $conn = $sims[$Provider].Connection }

    It 'Any: the first approval wins and the approver still pending is cancelled' {
        $r = Invoke-MfaApproval -Connection $conn -UserName alice@contoso.com, carol@contoso.com -Require Any -Timeout 30
        $r.Status | Should -Be 'Approved'
        $r.Approved | Should -BeTrue
        $r.DecidedBy | Should -Be 'alice@contoso.com'
        $r.Require | Should -Be 'Any'
        ($r.Approvers | Where-Object UserName -EQ 'carol@contoso.com').Status | Should -Be 'Cancelled'
        $r.Duration.TotalSeconds | Should -BeLessThan 3   # carol was not waited for
    }

    It 'All: one denial makes it impossible: Denied' {
        $r = Invoke-MfaApproval -Connection $conn -UserName alice@contoso.com, bob@contoso.com -Require All -Timeout 30
        $r.Status | Should -Be 'Denied'
        $r.Approved | Should -BeFalse
        $r.DecidedBy | Should -Be 'bob@contoso.com'
        @($r.Approvers).Count | Should -Be 2
    }

    It 'a fraud report from anyone ends it as FraudReported and cancels the rest' {
        $r = Invoke-MfaApproval -Connection $conn -UserName carol@contoso.com, mallory@contoso.com -Require Any -Timeout 30
        $r.Status | Should -Be 'FraudReported'
        $r.DecidedBy | Should -Be 'mallory@contoso.com'
        ($r.Approvers | Where-Object UserName -EQ 'carol@contoso.com').Status | Should -Be 'Cancelled'
    }

    It 'N=2 with a silent approver ends as TimedOut' {
        $r = Invoke-MfaApproval -Connection $conn -UserName carol@contoso.com, alice@contoso.com -Require 2 -Timeout 30
        $r.Status | Should -Be 'TimedOut'
        $r.DecidedBy | Should -Be 'carol@contoso.com'
        ($r.Approvers | Where-Object UserName -EQ 'alice@contoso.com').Status | Should -Be 'Approved'
    }

    It '-Assert throws the deciding status; -Require takes the names from the pipeline too' {
        { 'alice@contoso.com', 'bob@contoso.com' | Invoke-MfaApproval -Connection $conn -Require All -Assert } | Should -Throw -ErrorId 'MfaApproval.Denied,*'
        ('alice@contoso.com', 'carol@contoso.com' | Invoke-MfaApproval -Connection $conn -Require 1).Status | Should -Be 'Approved'
    }
}

Describe 'One person never counts as two on <Provider>' -ForEach $providers {
    BeforeAll { $conn = $sims[$Provider].Connection }

    It 'refuses <Case>' -ForEach @(
        @{ Case = 'alice twice with -Require All'; Names = @('alice@contoso.com', 'alice@contoso.com'); Require = 'All' }
        @{ Case = 'ALICE and alice with -Require 2'; Names = @('ALICE@contoso.com', 'alice@contoso.com'); Require = '2' }
        @{ Case = 'a trailing space'; Names = @('alice@contoso.com ', 'alice@contoso.com'); Require = 'All' }
        @{ Case = 'three copies with -Require 3'; Names = @('alice@contoso.com', 'Alice@contoso.com', 'alice@CONTOSO.com'); Require = '3' }
        @{ Case = 'fifty copies with -Require All'; Names = 'fifty'; Require = 'All' }
    ) {
        $users = if ($Names -eq 'fifty') { $fifty } else { $Names }
        $err = $null
        try { Invoke-MfaApproval -Connection $conn -UserName $users -Require $Require -Timeout 20 } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty -Because 'the same person must never satisfy a rule for several approvers'
        $err.FullyQualifiedErrorId | Should -BeLike 'MfaApproval.InvalidApprovers,*'
        $err.Exception.Message | Should -BeLike '*-UserName:*same person*'
        { Invoke-MfaApproval -Connection $conn -UserName $users -Require $Require -Timeout 20 -Assert } | Should -Throw -ErrorId 'MfaApproval.InvalidApprovers,*'
    }

    It 'refuses it through the MIM wrapper: Approved is False and the exit code is not 0' {
        foreach ($names in @(@('alice@contoso.com', 'alice@contoso.com'), @('ALICE@contoso.com', 'alice@contoso.com '))) {
            $r = & $wrapper -UserName $names -Require All -SettingsPath $settingsFor[$Provider] -TimeoutSeconds 20
            $r.Approved | Should -BeFalse
            $r.ExitCode | Should -Not -Be 0
            $r.Message | Should -Match 'same person'
        }
    }

    It '-ExcludeUserName keeps the requester from approving, in any spelling' {
        { Invoke-MfaApproval -Connection $conn -UserName alice@contoso.com, carol@contoso.com -Require Any -ExcludeUserName ' ALICE@contoso.com' } | Should -Throw -ErrorId 'MfaApproval.InvalidApprovers,*'
        { Invoke-MfaApproval -Connection $conn -UserName alice@contoso.com -ExcludeUserName 'Alice@Contoso.com' } | Should -Throw '*may not approve*'
        (Invoke-MfaApproval -Connection $conn -UserName alice@contoso.com -ExcludeUserName bob@contoso.com).Status | Should -Be 'Approved'
    }
}

Describe 'Several names need -Require and give one result' {
    It 'refuses several names without -Require (parameter and pipeline)' {
        { Invoke-MfaApproval -Connection $sims.MfaServer.Connection -UserName bob@contoso.com, alice@contoso.com } | Should -Throw -ErrorId 'MfaApproval.RequireNeeded,*'
        { 'bob@contoso.com', 'alice@contoso.com' | Invoke-MfaApproval -Connection $sims.MfaServer.Connection } | Should -Throw -ErrorId 'MfaApproval.RequireNeeded,*'
    }

    It 'the MIM wrapper with two names and no -Require is not an approval' {
        $r = & $wrapper -UserName bob@contoso.com, alice@contoso.com -SettingsPath $settingsFor.MfaServer -TimeoutSeconds 20
        $r.Approved | Should -BeFalse
        $r.ExitCode | Should -Not -Be 0
        @($r.Status).Count | Should -Be 1
    }

    It 'the MIM wrapper refuses a blank -ExcludeUserName (an empty lookup) instead of dropping the exclusion' {
        $r = & $wrapper -UserName alice@contoso.com -ExcludeUserName '' -SettingsPath $settingsFor.MfaServer -TimeoutSeconds 20
        $r.Approved | Should -BeFalse
        $r.ExitCode | Should -Be 2
        $r.Message | Should -Match 'ExcludeUserName'
    }

    It '-Require completes Any and All, not file names' {
        $words = (TabExpansion2 -inputScript 'Invoke-MfaApproval -Require ' -cursorColumn 28).CompletionMatches.CompletionText
        $words | Should -Be @('Any', 'All')
    }
}

Describe 'Quorum rules' {
    It 'Any with a late denial still approves when another approves first (MFA Server)' {
        $r = Invoke-MfaApproval -Connection $sims.MfaServer.Connection -UserName late-deny@contoso.com, alice@contoso.com -Require Any -Timeout 30
        $r.Status | Should -Be 'Approved'
        ($r.Approvers | Where-Object UserName -EQ 'late-deny@contoso.com').Status | Should -Be 'Cancelled'
    }

    It 'rejects -Require <Require> for two approvers' -ForEach @(@{ Require = '3' }, @{ Require = '0' }, @{ Require = 'Most' }, @{ Require = '-1' }) {
        { Invoke-MfaApproval -Connection $sims.MfaServer.Connection -UserName alice@contoso.com, bob@contoso.com -Require $Require } | Should -Throw -ErrorId 'MfaApproval.InvalidRequire,*'
    }

    It 'a wait timeout is TimedOut in the result and in the audit line alike' {
        $audit = Join-Path $TestDrive 'timeout-audit.jsonl'
        $c = New-MfaConnection -Uri $sims.MfaServer.Uri -Credential (New-Object System.Management.Automation.PSCredential('demo-admin', (New-TestSecureString 'demo-password'))) -ServerCertificateHash $sims.MfaServer.CertificateHash -AuditPath $audit
        $r = Start-MfaApproval -Connection $c -UserName carol@contoso.com -Timeout 60 | Wait-MfaApproval -Timeout 1
        $r.Status | Should -Be 'TimedOut'
        $r.FailureKind | Should -Be 'timeout'
        $line = Get-Content $audit | ForEach-Object { $_ | ConvertFrom-Json } | Where-Object id -EQ $r.AuditId
        $line.status | Should -Be 'TimedOut'
        $r.Duration.TotalSeconds | Should -BeLessThan 5
        { Start-MfaApproval -Connection $c -UserName carol@contoso.com -Timeout 60 | Wait-MfaApproval -Timeout 1 | Where-Object { -not $_.Approved } | ForEach-Object { throw [MfaApproval.Contract]::AssertErrorId($_.Status) } } | Should -Throw 'MfaApproval.TimedOut'
    }
}
