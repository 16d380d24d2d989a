# privacyIDEA through the cmdlets, against the simulator's privacyIDEA side: the connection
# built from the engine's registry, every demo user, the presence letter shown to the person
# waiting, a pinned response signing key, settings named by parameter, and a service
# password that never shows.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModulePath -Force
    $sim = Start-MfaSimulator -Provider PrivacyIdea -NoResponseAfter 1
    $pi = $sim.Connection
    $port = ([uri]$sim.Uri).Port
    $base = "https://127.0.0.1:$port"
    $service = [pscredential]::new('demo-admin', (New-TestSecureString 'demo-password'))
    $signingKey = Join-Path $PSScriptRoot 'data/mfa-sim-privacyidea-signing-key.pem'
}
AfterAll {
    $sim | Stop-MfaSimulator -ErrorAction SilentlyContinue
    Remove-Module MfaApproval -ErrorAction SilentlyContinue
}

Describe 'A privacyIDEA connection' {
    It 'is what Start-MfaSimulator -Provider PrivacyIdea returns, from the ready line the simulator printed' {
        $pi.Provider | Should -Be 'PrivacyIdea'
        $pi.Realm | Should -Be 'contoso'
        $pi.UserName | Should -Be 'demo-admin'
        $pi.Uri.Port | Should -Be $port
        $pi.ServerCertificateHash | Should -Be @($sim.CertificateHash)
    }

    It '<User> ends as <Status>' -ForEach @(
        @{ User = 'alice@contoso.com'; Status = 'Approved' }
        @{ User = 'bob@contoso.com'; Status = 'Denied' }
        @{ User = 'carol@contoso.com'; Status = 'TimedOut' }
        @{ User = 'dave@contoso.com'; Status = 'Failed' }
        @{ User = 'nobody@contoso.com'; Status = 'Failed' }
    ) {
        $r = Invoke-MfaApproval -Connection $pi -UserName $User -Timeout 4
        $r.Status | Should -Be $Status
        $r.Approved | Should -Be ($Status -eq 'Approved')
        $r.Provider | Should -Be 'privacyidea'
    }

    It 'New-MfaConnection -Provider PrivacyIdea builds the same connection from its parameters' {
        $c = New-MfaConnection -Provider PrivacyIdea -Uri $base -Realm contoso -Credential $service -ServerCertificateHash $sim.CertificateHash
        $c.Provider | Should -Be 'PrivacyIdea'
        $c.Authentication | Should -Be 'ServiceAccount'
        $c.Realm | Should -Be 'contoso'
        $c.UserName | Should -Be 'demo-admin'
        ($c | Format-List * | Out-String) | Should -Not -Match 'demo-password'
        (Invoke-MfaApproval -Connection $c -UserName alice@contoso.com).Status | Should -Be 'Approved'
    }

    It 'shows the presence letter to the person waiting, with the provider''s sentence' {
        $r = Invoke-MfaApproval -Connection $pi -UserName victor@contoso.com -Timeout 20 -InformationVariable shown
        $r.Status | Should -Be 'Approved'
        ($shown | Out-String) | Should -Match 'victor@contoso.com: pick \S+ in the privacyIDEA Authenticator to approve'
    }

    It 'with -ResponseSigningKey pinned, a tampered ACCEPT is never an approval and a signed one is' {
        $pinned = New-MfaConnection -Provider PrivacyIdea -Uri $base -Realm contoso -Credential $service -ServerCertificateHash $sim.CertificateHash -ResponseSigningKey $signingKey
        $r = Invoke-MfaApproval -Connection $pinned -UserName tampered@faults.contoso.com -Timeout 10
        $r.Status | Should -Be 'Failed'
        $r.Approved | Should -BeFalse
        (Invoke-MfaApproval -Connection $pinned -UserName alice@contoso.com).Status | Should -Be 'Approved'
    }

    It 'the simulator''s ready connection pins its demo signing key: <User> is never an approval' -ForEach @(
        @{ User = 'unsigned@faults.contoso.com' }
        @{ User = 'tampered@faults.contoso.com' }
    ) {
        # The simulator signs with its demo key and its ready connection names that key, so an
        # answer without a signature, or changed after signing, is refused.
        $r = Invoke-MfaApproval -Connection $pi -UserName $User -Timeout 10
        $r.Status | Should -Be 'Failed'
        $r.Approved | Should -BeFalse
        $r.FailureKind | Should -Be 'Protocol'
    }

    It 'without -ResponseSigningKey New-MfaConnection warns once, saying what it means and what to give; with it, not' {
        $null = New-MfaConnection -Provider PrivacyIdea -Uri $base -Realm contoso -Credential $service -ServerCertificateHash $sim.CertificateHash -WarningVariable unpinned -WarningAction SilentlyContinue
        @($unpinned).Count | Should -Be 1
        "$unpinned" | Should -Match 'without -ResponseSigningKey'
        "$unpinned" | Should -Match 'TLS alone'
        "$unpinned" | Should -Match 'PI_AUDIT_KEY_PUBLIC'
        $null = New-MfaConnection -Provider PrivacyIdea -Uri $base -Realm contoso -Credential $service -ServerCertificateHash $sim.CertificateHash -ResponseSigningKey $signingKey -WarningVariable pinnedWarnings -WarningAction SilentlyContinue
        @($pinnedWarnings).Count | Should -Be 0
        $null = New-MfaConnection -Provider Duo -ApiHost "127.0.0.1:$port" -IntegrationKey DIDEMOINTEGRATION001 -SecretKey (New-TestSecureString 'demo-duo-secret-key-for-mfa-sim-only-0000') -ServerCertificateHash $sim.CertificateHash -WarningVariable duoWarnings -WarningAction SilentlyContinue
        @($duoWarnings).Count | Should -Be 0 -Because 'only a provider whose answers can be signed warns'
    }

    It 'names the parameter of a wrong setting: <Case>' -ForEach @(
        @{ Case = 'a realm privacyIDEA cannot have'; Params = @{ Realm = 'con toso' }; Pattern = '-Realm: must be a privacyIDEA realm name' }
        @{ Case = 'a missing signing key file'; Params = @{ ResponseSigningKey = '/nonexistent/pi.pem' }; Pattern = '-ResponseSigningKey'; Id = 'MfaApproval.FileNotFound' }
        @{ Case = 'a signing key that is no key'; Params = @{ ResponseSigningKey = (Join-Path $PSScriptRoot 'data/unrelated-ca.pem') }; Pattern = '-ResponseSigningKey: ' }
    ) {
        $p = @{ Provider = 'PrivacyIdea'; Uri = $base; Realm = 'contoso'; Credential = $service; ServerCertificateHash = $sim.CertificateHash }
        foreach ($k in $Params.Keys) { $p[$k] = $Params[$k] }
        $err = $null
        try { New-MfaConnection @p -ErrorAction Stop } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike "$(if ($Id) { $Id } else { 'MfaApproval.InvalidConnectionSettings' })*"
        $err.Exception.Message | Should -Match $Pattern
        $err.Exception.Message | Should -Not -Match 'demo-password'
    }

    It 'Test-MfaConnection checks the service account and a user lookup, and says so' {
        $t = Test-MfaConnection -Connection $pi
        $t.Success | Should -BeTrue
        $t.Message | Should -Match 'privacyIDEA accepted the service account'
        $bad = New-MfaConnection -Provider PrivacyIdea -Uri $base -Realm contoso -Credential ([pscredential]::new('demo-admin', (New-TestSecureString 'Wrong-Pass-1'))) -ServerCertificateHash $sim.CertificateHash
        $t = Test-MfaConnection -Connection $bad
        $t.Success | Should -BeFalse
        $t.Stage | Should -Be 'Authentication'
        ($t | Out-String) | Should -Not -Match 'Wrong-Pass-1'
    }

    It 'Test-MfaConnection with a realm privacyIDEA does not have says it did not check -Realm' {
        $nosuch = New-MfaConnection -Provider PrivacyIdea -Uri $base -Realm nosuch -Credential $service -ServerCertificateHash $sim.CertificateHash
        $t = Test-MfaConnection -Connection $nosuch
        # privacyIDEA finds no one in a realm it does not have, as for an unknown user: the
        # test cannot tell, so it says what it did not check and how to check it.
        $t.Message | Should -Match '-Realm \(realm\) was not checked'
        $t.Message | Should -Match 'Get-MfaUser'
        (Get-MfaUser -Connection $nosuch -UserName alice@contoso.com).Exists | Should -BeFalse -Because 'alice is in realm contoso, not nosuch'
    }

    It 'Get-MfaUser asks privacyIDEA whether a user exists' {
        (Get-MfaUser -Connection $pi -UserName alice@contoso.com).Exists | Should -BeTrue
        (Get-MfaUser -Connection $pi -UserName nobody@contoso.com).Exists | Should -BeFalse
    }
}
