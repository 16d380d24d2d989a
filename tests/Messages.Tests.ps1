# Messages a new administrator meets first, through the cmdlets: each names what went wrong
# and the next step (the parameter to change), and none shows Rust debug notation. The
# engine's tests (rust/engine/tests/messages.rs) walk every failure kind; these are the
# common ones, plus the parameter-binding mistakes PowerShell itself would word badly.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModulePath -Force
    $sim = Start-MfaSimulator -NoResponseAfter 1
    $duoSim = Start-MfaSimulator -Provider Duo -NoResponseAfter 1
    $cred = New-Object System.Management.Automation.PSCredential('demo-admin', (New-TestSecureString 'demo-password'))
    $secret = New-TestSecureString 'demo-duo-secret-key-for-mfa-sim-only-0000'

    function Assert-Readable([string]$Message) {
        foreach ($bad in '{', '}', 'Some(', 'None', 'Other(', 'OtherError', 'Kind(') {
            $Message.Contains($bad) | Should -BeFalse -Because "'$bad' is Rust debug notation, in: $Message"
        }
        $Message | Should -Match 'Next: '
    }

    # The full text of the error a command throws.
    function Get-ThrownMessage([scriptblock]$Command) {
        try { & $Command; 'no error' } catch { $_.Exception.Message }
    }
}
AfterAll {
    $sim, $duoSim | Stop-MfaSimulator -ErrorAction SilentlyContinue
    Remove-Module MfaApproval -ErrorAction SilentlyContinue
}

Describe 'Failures name the next step' {
    It 'a pin mismatch shows the presented and the expected hash and -ServerCertificateHash' {
        $wrong = 'AB' * 32
        $c = New-MfaConnection -Uri $sim.Uri -Credential $cred -ServerCertificateHash $wrong
        $r = Invoke-MfaApproval -Connection $c -UserName alice@contoso.com -Timeout 10
        $r.FailureKind | Should -Be 'certificatePin'
        $r.Message | Should -Match $sim.CertificateHash
        $r.Message | Should -Match $wrong
        $r.Message | Should -Match '-ServerCertificateHash'
        Assert-Readable $r.Message
        $t = Test-MfaConnection -Connection $c
        $t.Stage | Should -Be 'CertificatePin'
        Assert-Readable $t.Message
    }

    It 'an untrusted issuer names -CaCertificateFile and -ServerCertificateHash' {
        $c = New-MfaConnection -Uri $sim.Uri -Credential $cred -CaCertificateFile (Join-Path $RepoRoot 'tests/data/unrelated-ca.pem')
        $r = Invoke-MfaApproval -Connection $c -UserName alice@contoso.com -Timeout 10
        $r.FailureKind | Should -Be 'tls'
        $r.Message | Should -Match 'does not trust'
        $r.Message | Should -Match '-CaCertificateFile'
        $r.Message | Should -Match '-ServerCertificateHash'
        Assert-Readable $r.Message
    }

    It 'a user the MFA Server does not know: Error 10 with its meaning and what to do' {
        $r = Invoke-MfaApproval -Connection $sim.Connection -UserName nobody@contoso.com -Timeout 10
        $r.Status | Should -Be 'Failed'
        $r.ErrorCode | Should -Be 10
        $r.Message | Should -Match 'Error 10 USER_NOT_FOUND: the MFA Server does not know this user'
        $r.Message | Should -Match 'Next: check the user name'
        Assert-Readable $r.Message
        # -Assert carries the same sentence.
        Get-ThrownMessage { Invoke-MfaApproval -Connection $sim.Connection -UserName nobody@contoso.com -Timeout 10 -Assert } |
            Should -Match 'does not know this user'
    }

    It 'wrong credentials name -Credential (MFA Server) and -IntegrationKey/-SecretKey (Duo)' {
        $bad = New-Object System.Management.Automation.PSCredential('demo-admin', (New-TestSecureString 'not-the-password'))
        $r = Invoke-MfaApproval -Connection (New-MfaConnection -Uri $sim.Uri -Credential $bad -ServerCertificateHash $sim.CertificateHash) -UserName alice@contoso.com -Timeout 10
        $r.FailureKind | Should -Be 'authentication'
        $r.Message | Should -Match '-Credential'
        Assert-Readable $r.Message
        $wrongKey = New-MfaConnection -Provider Duo -ApiHost ('127.0.0.1:{0}' -f ([uri]$duoSim.Uri).Port) -IntegrationKey DIDEMOINTEGRATION001 `
            -SecretKey (New-TestSecureString 'a-wrong-secret-key-of-forty-characters00') -ServerCertificateHash $duoSim.CertificateHash
        $r = Invoke-MfaApproval -Connection $wrongKey -UserName alice@contoso.com -Timeout 10
        $r.FailureKind | Should -Be 'authentication'
        $r.Message | Should -Match '-IntegrationKey and -SecretKey'
        $r.Message | Should -Not -Match '-Credential'
        Assert-Readable $r.Message
    }

    It 'nothing listening names the host and port in -Uri' {
        $c = New-MfaConnection -Uri 'https://127.0.0.1:1/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx' -Credential $cred -ServerCertificateHash $sim.CertificateHash
        $r = Invoke-MfaApproval -Connection $c -UserName alice@contoso.com -Timeout 10
        $r.FailureKind | Should -Be 'connect'
        $r.Message | Should -Match 'check the host and port in -Uri'
        Assert-Readable $r.Message
    }
}

Describe 'Parameter mistakes say what to give instead' {
    It '-SecretKey as plain text says why and what to give' {
        $m = Get-ThrownMessage { New-MfaConnection -Provider Duo -ApiHost api-xxxxxxxx.duosecurity.com -IntegrationKey DIWJ8X6AEYOR5OMC6TQ1 -SecretKey 'abc' }
        $m | Should -Match '-SecretKey takes a SecureString, not plain text'
        $m | Should -Match 'Read-Host -AsSecureString'
        $m | Should -Not -Match 'abc'
    }

    It '-ClientCertificatePassword as plain text says the same' {
        Get-ThrownMessage { New-MfaConnection -Uri $sim.Uri -ClientCertificatePassword 'pfx-pass' } |
            Should -Match '-ClientCertificatePassword takes a SecureString'
    }

    It '-<Name> as plain text says the same' -ForEach @(
        @{ Name = 'ApiToken'; Command = { New-MfaConnection -Provider Okta -OrgUrl https://contoso.okta.com -ApiToken 'plain-token' } }
        @{ Name = 'SharedSecret'; Command = { New-MfaConnection -Provider Radius -Server 127.0.0.1 -SharedSecret 'plain-secret' } }
        @{ Name = 'Password'; Command = { New-MfaConnection -Provider Radius -Server 127.0.0.1 -SharedSecret (New-TestSecureString 's') -Password 'plain-pass' } }
    ) {
        $m = Get-ThrownMessage $Command
        $m | Should -Match "-$Name takes a SecureString"
        $m | Should -Not -Match 'plain-'
    }

    It '-Provider Duo with -Uri explains which parameters go with which provider' {
        $m = Get-ThrownMessage { New-MfaConnection -Provider Duo -Uri https://api-xxxxxxxx.duosecurity.com }
        $m | Should -Match '-Provider Duo takes -ApiHost'
        $m | Should -Match '-Uri, -Credential.*are for the MFA Server SDK'
        $m | Should -Not -Match 'Parameter set cannot be resolved'
    }

    # -Uri or -Credential next to Duo's own parameters: no parameter set has both (the syntax
    # shows only what works), so PowerShell refuses the call while binding.
    It '-Provider Duo with <Case> is refused while binding' -ForEach @(
        @{ Case = '-Uri, -IntegrationKey and -SecretKey'; Command = { New-MfaConnection -Provider Duo -Uri https://api-xxxxxxxx.duosecurity.com -ApiHost api-xxxxxxxx.duosecurity.com -IntegrationKey DIWJ8X6AEYOR5OMC6TQ1 -SecretKey $secret } }
        @{ Case = '-Credential'; Command = { New-MfaConnection -Provider Duo -ApiHost api-xxxxxxxx.duosecurity.com -IntegrationKey DIWJ8X6AEYOR5OMC6TQ1 -SecretKey $secret -Credential $cred } }
    ) {
        $Command | Should -Throw -ErrorId 'AmbiguousParameterSet,*'
    }

    It 'a $null -<_> is refused where it is given, not with a 401 later' -ForEach 'Credential', 'ProxyCredential' {
        $splat = @{ Uri = $sim.Uri; $_ = $null }
        $m = Get-ThrownMessage { New-MfaConnection @splat }
        $m | Should -Match "-$_ is empty"
    }
}

Describe 'Duo wording on Duo paths' {
    It 'the Duo simulator''s Uri is its API host, not the SDK''s .asmx' {
        $duoSim.Uri.AbsolutePath | Should -Be '/'
        $duoSim.Uri.AbsoluteUri | Should -Not -Match 'asmx'
        $duoSim.Connection.Uri | Should -Be $duoSim.Uri
    }

    It 'Test-MfaConnection on Duo says what it checked (no TestSecurity)' {
        $t = Test-MfaConnection -Connection $duoSim.Connection
        $t.Success | Should -BeTrue
        $t.Message | Should -Match 'Duo ping'
        $t.Message | Should -Not -Match 'TestSecurity'
    }
}
