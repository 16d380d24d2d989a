# Four eyes by identity through the cmdlets and the MIM wrapper (issue 24): one person under
# two names (an MFA Server alias, a Duo alias, an Okta login and its user id) never meets
# -Require All, -Require 2 or -ExcludeUserName; the result says who (Approvers[i].Identity,
# IdentityCheck); RADIUS needs -AllowNameOnlyIdentity; docs/mim.md's two-of-three activity
# script, run as written, keeps out a requester whose account name differs from the UPN.
# Cost: about 20 s per Pester version (four simulators, five wrapper children).
BeforeDiscovery {
    $providers = @(
        @{ Provider = 'MfaServer'; Other = 'asmith@contoso.com'; Shared = 'phone \+\*+0001' }
        @{ Provider = 'Duo'; Other = 'asmith@contoso.com'; Shared = 'Duo device DP' }
        @{ Provider = 'Okta'; Other = 'id'; Shared = 'Okta user 00u' }
    )
}
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModulePath -Force
    $sims = @{
        MfaServer = Start-MfaSimulator
        Duo       = Start-MfaSimulator -Provider Duo
        Okta      = Start-MfaSimulator -Provider Okta
        Radius    = Start-MfaSimulator -Provider Radius
    }
    # Okta knows alice by her login and by her user id.
    $aliceId = (Get-MfaUser -Connection $sims.Okta.Connection -UserName alice@contoso.com).Settings.UserId
    $wrapper = Join-Path $ModulePath 'mim/Invoke-MfaApprovalOutOfProcess.ps1'
    $credentialPath = Join-Path $TestDrive 'svc.credential.xml'
    New-Object System.Management.Automation.PSCredential('demo-admin', (New-TestSecureString 'demo-password')) | Export-Clixml -Path $credentialPath
    $duoSecretPath = Join-Path $TestDrive 'duo.secret.xml'
    New-Object System.Management.Automation.PSCredential('duo', (New-TestSecureString 'demo-duo-secret-key-for-mfa-sim-only-0000')) | Export-Clixml -Path $duoSecretPath
    $oktaTokenPath = Join-Path $TestDrive 'okta.token.xml'
    New-Object System.Management.Automation.PSCredential('okta', (New-TestSecureString '00demo-okta-api-token-for-mfa-sim-only-0000000')) | Export-Clixml -Path $oktaTokenPath
    $settingsFor = @{
        Duo  = Join-Path $TestDrive 'duo.psd1'
        Okta = Join-Path $TestDrive 'okta.psd1'
    }
    Set-Content -Path $settingsFor.Duo -Value @"
@{
    Provider              = 'Duo'
    ApiHost               = '127.0.0.1:$(([uri]$sims.Duo.Uri).Port)'
    IntegrationKey        = 'DIDEMOINTEGRATION001'
    SecretKeyPath         = '$duoSecretPath'
    ServerCertificateHash = '$($sims.Duo.CertificateHash)'
    ModulePath            = '$ModulePath'
}
"@
    Set-Content -Path $settingsFor.Okta -Value @"
@{
    Provider              = 'Okta'
    OrgUrl                = 'https://127.0.0.1:$(([uri]$sims.Okta.Uri).Port)'
    ApiTokenPath          = '$oktaTokenPath'
    ServerCertificateHash = '$($sims.Okta.CertificateHash)'
    ModulePath            = '$ModulePath'
}
"@
    function Get-OtherName([string]$Other) { if ($Other -eq 'id') { $aliceId } else { $Other } }
}
AfterAll {
    $sims.Values | Stop-MfaSimulator -ErrorAction SilentlyContinue
    Remove-Module MfaApproval -ErrorAction SilentlyContinue
}

Describe 'One person under two names on <Provider>' -ForEach $providers {
    BeforeAll {
        $conn = $sims[$Provider].Connection
        $other = Get-OtherName $Other
    }

    It 'never meets -Require <Require>' -ForEach @(@{ Require = 'All' }, @{ Require = '2' }) {
        $r = Invoke-MfaApproval -Connection $conn -UserName alice@contoso.com, $other -Require $Require -Timeout 20
        $r.Approved | Should -BeFalse
        $r.Status | Should -Be 'Failed'
        $r.FailureKind | Should -Be 'identity'
        $r.IdentityCheck | Should -Be 'Provider'
        $r.Message | Should -BeLike "*'alice@contoso.com' and '$other' are one person*"
        $r.Message | Should -Match $Shared
        $r.Duration.TotalSeconds | Should -BeLessThan 1 -Because 'nothing was pushed (alice answers after a second)'
        $err = $null
        try { Invoke-MfaApproval -Connection $conn -UserName alice@contoso.com, $other -Require $Require -Timeout 20 -Assert } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'MfaApproval.Failed,*'
        $err.CategoryInfo.Category | Should -Be 'SecurityError'
    }

    It 'never meets -ExcludeUserName' {
        $r = Invoke-MfaApproval -Connection $conn -UserName $other -ExcludeUserName alice@contoso.com -Timeout 20
        $r.Approved | Should -BeFalse
        $r.FailureKind | Should -Be 'identity'
        $r.Message | Should -BeLike "*'$other' may not approve*"
    }

    It 'different people are asked, and the result says who each one was' {
        $r = Invoke-MfaApproval -Connection $conn -UserName alice@contoso.com, carol@contoso.com -Require Any -ExcludeUserName mallory@contoso.com -Timeout 20
        $r.Status | Should -Be 'Approved'
        $r.IdentityCheck | Should -Be 'Provider'
        $r.Approvers[0].Identity | Should -Match $Shared
        $r.Approvers[1].Identity | Should -Not -BeNullOrEmpty
        $r.Approvers[0].Identity | Should -Not -Be $r.Approvers[1].Identity
        $h = $r.ToHashtable()
        $h.IdentityCheck | Should -Be 'Provider'
        $h.Identities | Should -BeLike "alice@contoso.com=*; carol@contoso.com=*"
        ($r.Approvers | Format-Table | Out-String) | Should -Match 'Identity'
        [MfaApproval.Result]::HashtableKeys | Should -Contain 'Identities'
    }
}

Describe 'An excluded name the provider cannot identify' {
    It 'blocks the request on <_> and says which name to pass' -ForEach @('MfaServer', 'Duo', 'Okta') {
        $r = Invoke-MfaApproval -Connection $sims[$_].Connection -UserName alice@contoso.com, bob@contoso.com -Require Any -ExcludeUserName 'CONTOSO\jdoe' -Timeout 20
        $r.Approved | Should -BeFalse
        $r.Status | Should -Be 'Failed'
        $r.Message | Should -BeLike "*excluded 'CONTOSO\jdoe' could not be identified*"
        $r.Message | Should -Match 'Next: |pass '
    }
}

Describe 'RADIUS cannot say who a name is' {
    BeforeAll {
        $radius = $sims.Radius.Connection
        $server = $radius.Servers[0]
        $secret = 'demo-radius-shared-secret-for-mfa-sim-only'
    }

    It 'refuses two approvers without -AllowNameOnlyIdentity, with IdentityCheck = Names' {
        $r = Invoke-MfaApproval -Connection $radius -UserName alice@contoso.com, carol@contoso.com -Require Any -Timeout 10
        $r.Approved | Should -BeFalse
        $r.FailureKind | Should -Be 'identity'
        $r.IdentityCheck | Should -Be 'Names'
        $r.Message | Should -Match '-AllowNameOnlyIdentity'
        (Invoke-MfaApproval -Connection $radius -UserName alice@contoso.com -ExcludeUserName bob@contoso.com -Timeout 10).FailureKind | Should -Be 'identity'
    }

    It 'takes them with -AllowNameOnlyIdentity (which warns), and says Names' {
        $c = New-MfaConnection -Provider Radius -Server $server -SharedSecret (New-TestSecureString $secret) -AllowNameOnlyIdentity -WarningVariable made -WarningAction SilentlyContinue
        $made | Should -Match 'names alone'
        $c.AllowNameOnlyIdentity | Should -BeTrue
        $r = Invoke-MfaApproval -Connection $c -UserName alice@contoso.com, carol@contoso.com -Require Any -Timeout 10
        $r.Status | Should -Be 'Approved'
        $r.IdentityCheck | Should -Be 'Names'
        $r.Approvers[0].Identity | Should -BeNullOrEmpty
    }

    It '-AllowNameOnlyIdentity is a RADIUS parameter only' {
        { New-MfaConnection -Uri $sims.MfaServer.Uri -AllowNameOnlyIdentity } | Should -Throw
    }
}

Describe 'The MIM wrapper on <_>' -ForEach @('Duo', 'Okta') {
    It 'refuses one person under two names' {
        $other = if ($_ -eq 'Okta') { $aliceId } else { 'asmith@contoso.com' }
        $r = & $wrapper -UserName 'alice@contoso.com', $other -Require All -SettingsPath $settingsFor[$_] -TimeoutSeconds 20
        $r.Approved | Should -BeFalse
        $r.ExitCode | Should -Be 1
        $r.IdentityCheck | Should -Be 'Provider'
        $r.Message | Should -Match 'are one person'
    }
}

Describe 'The two-of-three activity of docs/mim.md, as written' {
    BeforeAll {
        # The directory behind the example: alice, bob and carol approve; bob's account name is
        # CONTOSO\rbrown (not his UPN's start), jane's CONTOSO\jsmith. Approvers are UPNs.
        $directory = Join-Path $TestDrive 'mim-users.json'
        Set-Content -Path $directory -Value @'
{ "replace": true, "users": [
  { "userName": "alice@contoso.com", "answer": "approve", "delaySeconds": 0.3 },
  { "userName": "bob@contoso.com", "answer": "approve", "delaySeconds": 0.3, "aliases": ["CONTOSO\\rbrown"] },
  { "userName": "carol@contoso.com", "answer": "approve", "delaySeconds": 0.3 },
  { "userName": "jane.smith@contoso.com", "answer": "approve", "delaySeconds": 0.3, "aliases": ["CONTOSO\\jsmith"] }
] }
'@
        $mimSim = Start-MfaSimulator -DirectoryFile $directory
        $settings = Join-Path $TestDrive 'mim-settings.psd1'
        Set-Content -Path $settings -Value @"
@{
    Uri                   = '$($mimSim.Uri)'
    CredentialPath        = '$credentialPath'
    ServerCertificateHash = '$($mimSim.CertificateHash)'
    ModulePath            = '$ModulePath'
}
"@
        # The activity's script text, from the documentation, with this machine's paths.
        $doc = Get-Content -Raw (Join-Path $RepoRoot 'docs/mim.md')
        $section = $doc.Substring($doc.IndexOf('### A second activity'))
        $text = [regex]::Match($section, '(?s)```powershell\r?\n(.*?)```').Groups[1].Value
        $text = $text.Replace("'C:\Program Files\WindowsPowerShell\Modules\MfaApproval\0.2.0\mim\Invoke-MfaApprovalOutOfProcess.ps1'", "'$wrapper'").
            Replace("'C:\MfaApproval\mfa-settings.psd1'", "'$settings'").
            Replace('-TimeoutSeconds 180', '-TimeoutSeconds 20')
        $text | Should -Match ([regex]::Escape($wrapper)) -Because 'the documented script names the wrapper'
        $activity = [scriptblock]::Create($text)
        # What MIMWAL defines for the script.
        $AECRequestId = 'req-24'; $AECActorId = 'actor-24'; $AECTargetId = 'role-24'
    }
    AfterAll { $mimSim | Stop-MfaSimulator -ErrorAction SilentlyContinue }

    It 'is approved by two approvers when the requester is not one of them' {
        $r = & $activity -Reason 'Activate role Tier0' -RequesterDomain 'CONTOSO' -RequesterAccount 'jsmith'
        $r.Approved | Should -BeTrue
        $r.IdentityCheck | Should -Be 'Provider'
        $r.Identities | Should -Match 'alice@contoso.com=phone '
    }

    It 'refuses the request when the requester is an approver under his UPN' {
        $err = $null
        try { & $activity -Reason 'Activate role Tier0' -RequesterDomain 'CONTOSO' -RequesterAccount 'rbrown' } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty -Because 'bob requested the role: his own approval must not count'
        $err.FullyQualifiedErrorId | Should -BeLike 'MfaApproval.Failed*'
        $err.Exception.Message | Should -BeLike "*'bob@contoso.com' may not approve*CONTOSO\rbrown*"
    }

    It 'refuses the request, saying which name to pass, when the provider does not know the requester''s name' {
        $err = $null
        try { & $activity -Reason 'Activate role Tier0' -RequesterDomain 'FABRIKAM' -RequesterAccount 'rbrown' } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty -Because 'an exclusion that matches nobody is never dropped silently'
        $err.Exception.Message | Should -BeLike "*excluded 'FABRIKAM\rbrown' could not be identified*"
    }
}
