# The Duo provider through the cmdlets: the simulator's Duo Auth API, every demo user,
# Verified Push codes shown while waiting, the bypass opt-in, connection tests with clock
# skew, cancellation, proxies and secrets that never show.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModulePath -Force
    $sim = Start-MfaSimulator -Provider Duo -NoResponseAfter 1
    $duo = $sim.Connection
    $demoSecret = 'demo-duo-secret-key-for-mfa-sim-only-0000'
    $port = ([uri]$sim.Uri).Port
}
AfterAll {
    $sim | Stop-MfaSimulator -ErrorAction SilentlyContinue
    Remove-Module MfaApproval -ErrorAction SilentlyContinue
}

Describe 'A Duo connection' {
    It 'is what Start-MfaSimulator -Provider Duo returns' {
        $duo.Provider | Should -Be 'Duo'
        $duo.Authentication | Should -Be 'DuoSignature'
        $duo.IntegrationKey | Should -Be 'DIDEMOINTEGRATION001'
        $duo.Uri.Port | Should -Be $port
    }

    It '<User> ends as <Status>' -ForEach @(
        @{ User = 'alice@contoso.com'; Status = 'Approved' }
        @{ User = 'bob@contoso.com'; Status = 'Denied' }
        @{ User = 'carol@contoso.com'; Status = 'TimedOut' }
        @{ User = 'mallory@contoso.com'; Status = 'FraudReported' }
        @{ User = 'locked@contoso.com'; Status = 'Denied' }
        @{ User = 'enroll@contoso.com'; Status = 'Failed' }
        @{ User = 'bypass@contoso.com'; Status = 'Failed' }
    ) {
        $r = Invoke-MfaApproval -Connection $duo -UserName $User -Timeout 30
        $r.Status | Should -Be $Status
        $r.Approved | Should -Be ($Status -eq 'Approved')
        $r.Provider | Should -Be 'duo'
    }

    It '-Assert refuses a Duo denial with MfaApproval.Denied' {
        { Invoke-MfaApproval -Connection $duo -UserName bob@contoso.com -Assert } | Should -Throw -ErrorId 'MfaApproval.Denied,*'
    }

    It 'shows the Verified Push code to the person waiting, while the request is pending' {
        $r = Invoke-MfaApproval -Connection $duo -UserName victor@contoso.com -InformationVariable shown
        $r.Status | Should -Be 'Approved'
        ($shown | Out-String) | Should -Match 'verification code 376'
        @($shown | Where-Object { $_.Tags -contains 'MfaApproval.VerificationCode' }).Count | Should -Be 1
    }

    It 'records the code on the pending request for Start/Wait' {
        $request = Start-MfaApproval -Connection $duo -UserName victor@contoso.com
        $result = $request | Wait-MfaApproval -InformationVariable shown
        $request.VerificationCode | Should -Be '376'
        $result.Status | Should -Be 'Approved'
    }

    It 'refuses a push text with an invisible or direction-changing character, naming it as U+XXXX' {
        # U+202E would make the phone show "Pay 1000 EUR" for "Pay 0001 EUR".
        $rlo = [char]0x202E; $pdf = [char]0x202C; $zwsp = [char]0x200B
        $err = $null
        try { Invoke-MfaApproval -Connection $duo -UserName instant@contoso.com -Reason "Pay $($rlo)0001$($pdf) EUR" } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty -Because 'a reversed amount must never be pushed'
        $err.Exception.Message | Should -Match "parameter 'Reason'|-Reason"
        $err.Exception.Message | Should -Match 'U\+202E'
        $err = $null
        try { Invoke-MfaApproval -Connection $duo -UserName instant@contoso.com -Reason 'Pay' -Context @{ "Amount$zwsp" = "0001$rlo" } } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.Exception.Message | Should -Match '-Context'
        $err.Exception.Message | Should -Match 'U\+200B|U\+202E'
        $err.Exception.Message.Contains([string]$rlo) | Should -BeFalse -Because 'the message names the character, never prints it'
        $err.Exception.Message.Contains([string]$zwsp) | Should -BeFalse
        (Invoke-MfaApproval -Connection $duo -UserName instant@contoso.com -Reason "Zahlung 0001 $([char]0x20AC)" -Context @{ Betrag = '0001' }).Status | Should -Be 'Approved'
    }

    It 'a bypass is an approval only with -AllowBypass, and then it warns' {
        $conn = New-MfaConnection -Provider Duo -ApiHost "127.0.0.1:$port" -IntegrationKey DIDEMOINTEGRATION001 -SecretKey (New-TestSecureString $demoSecret) -ServerCertificateHash $sim.CertificateHash -AllowBypass -WarningVariable created -WarningAction SilentlyContinue
        ($created | Out-String) | Should -Match 'bypass'
        $r = Invoke-MfaApproval -Connection $conn -UserName bypass@contoso.com -WarningVariable warned -WarningAction SilentlyContinue
        $r.Status | Should -Be 'Approved'
        ($warned | Out-String) | Should -Match 'WITHOUT a push'
        $conn.AllowBypass | Should -BeTrue
    }

    It 'Test-MfaConnection runs ping and a signed check and reports the clock skew' {
        $t = Test-MfaConnection -Connection $duo
        $t.Success | Should -BeTrue
        [math]::Abs($t.ClockSkewSeconds) | Should -BeLessOrEqual 2
    }

    It 'Get-MfaUser reads preauth; New-MfaActivationCode says Duo does not do it' {
        (Get-MfaUser -Connection $duo -UserName alice@contoso.com).Exists | Should -BeTrue
        (Get-MfaUser -Connection $duo -UserName nobody@contoso.com).Exists | Should -BeFalse
        { New-MfaActivationCode -Connection $duo -UserName alice@contoso.com -ErrorAction Stop } | Should -Throw -ErrorId 'MfaApproval.ActivationCodeFailed,*'
    }

    It 'Stop-MfaApproval cancels a pending Duo push (Duo has no cancel call: the wait ends)' {
        $r = Start-MfaApproval -Connection $duo -UserName carol@contoso.com -Timeout 60
        $r | Stop-MfaApproval
        $result = $r | Wait-MfaApproval
        $result.Status | Should -Be 'Cancelled'
        $result.Approved | Should -BeFalse
        $result.Message | Should -Match 'no cancel call'
    }
}

Describe 'Duo connection settings' {
    It 'a wrong secret key is refused by Duo (40103) and never shown' {
        $wrong = 'Wrong-Duo-Secret-Key-0123456789abcdefghij'
        $conn = New-MfaConnection -Provider Duo -ApiHost "127.0.0.1:$port" -IntegrationKey DIDEMOINTEGRATION001 -SecretKey (New-TestSecureString $wrong) -ServerCertificateHash $sim.CertificateHash -Verbose 4>&1 | Where-Object { $_ -is [MfaApproval.Connection] }
        $all = & { Invoke-MfaApproval -Connection $conn -UserName alice@contoso.com -Verbose; Test-MfaConnection -Connection $conn } *>&1 | Out-String
        $all | Should -Match '40103'
        $all | Should -Not -Match ([regex]::Escape($wrong))
        (Test-MfaConnection -Connection $conn).Stage | Should -Be 'Authentication'
    }

    It 'rejects <Name> by the engine rule' -ForEach @(
        @{ Name = 'signature version 3'; Splat = @{ SignatureVersion = 3 } }
        @{ Name = 'a SOCKS proxy'; Splat = @{ Proxy = 'socks5://127.0.0.1:1080' } }
        @{ Name = 'a proxy URL with a path'; Splat = @{ Proxy = 'http://proxy:3128/x' } }
    ) {
        $base = @{ Provider = 'Duo'; ApiHost = "127.0.0.1:$port"; IntegrationKey = 'DIDEMOINTEGRATION001'; SecretKey = (New-TestSecureString $demoSecret) }
        { New-MfaConnection @base @Splat } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
    }

    It 'an integration key that is not one is named, at binding' {
        $err = $null
        try { New-MfaConnection -Provider Duo -ApiHost "127.0.0.1:$port" -IntegrationKey 'not a key!' -SecretKey (New-TestSecureString $demoSecret) } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentValidationError,*'
        $err.Exception.Message | Should -Match 'IntegrationKey'
        $err.Exception.Message | Should -Match 'letters and digits'
    }

    It '-ApiHost <Value> is refused by the engine at binding and never echoed' -ForEach @(
        @{ Value = 'svc:Hunter2@127.0.0.1:9'; Problem = 'user info' }
        @{ Value = 'https://Hunter2.example'; Problem = 'without a scheme' }
        @{ Value = '127.0.0.1:9/Hunter2'; Problem = 'path' }
        @{ Value = '127.0.0.1:9?k=Hunter2'; Problem = 'query' }
        @{ Value = '127.0.0.1:9#Hunter2'; Problem = 'fragment' }
    ) {
        $err = $null
        $streams = try { New-MfaConnection -Provider Duo -ApiHost $Value -IntegrationKey DIDEMOINTEGRATION001 -SecretKey (New-TestSecureString $demoSecret) -Verbose -ErrorAction Stop *>&1 | Out-String }
        catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentValidationError,*'
        $err.Exception.Message | Should -Match 'ApiHost'
        $err.Exception.Message | Should -Match $Problem
        $record = @($err | Format-List * -Force | Out-String; $err.Exception.ToString(); [string]$err.TargetObject; $err.CategoryInfo.TargetName; $streams) -join "`n"
        $record | Should -Not -Match 'Hunter2'
    }

    It '<Name> with credentials in the URL is refused at binding and never echoed' -ForEach @(
        @{ Name = '-Uri'; Splat = @{ Uri = 'https://svc:Hunter2@127.0.0.1:9/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx' } }
        @{ Name = '-Proxy'; Splat = @{ Uri = 'https://127.0.0.1:9/x'; Proxy = 'http://proxyuser:Hunter2@127.0.0.1:3128' } }
    ) {
        $err = $null
        $streams = try { New-MfaConnection @Splat -Verbose -ErrorAction Stop *>&1 | Out-String }
        catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentValidationError,*'
        $err.Exception.Message | Should -Match 'credentials'
        $record = @($err | Format-List * -Force | Out-String; $err.Exception.ToString(); [string]$err.TargetObject; $streams) -join "`n"
        $record | Should -Not -Match 'Hunter2'
    }

    It '<Name> that does not even parse as a URL (a password with / or #) is refused without repeating it' -ForEach @(
        @{ Name = '-Uri'; Splat = @{ Uri = 'https://svc:Pa#ss/w0rd-Hunter2@127.0.0.1/x.asmx' } }
        @{ Name = '-Proxy'; Splat = @{ Uri = 'https://127.0.0.1:9/x'; Proxy = 'http://proxyuser:Pa#ss/Hunter2@127.0.0.1:3128' } }
        @{ Name = '-OrgUrl'; Splat = @{ Provider = 'Okta'; OrgUrl = 'https://svc:Pa#ss/Hunter2@contoso.okta.com' } }
    ) {
        if ($Splat.ContainsKey('OrgUrl')) { $Splat.ApiToken = New-TestSecureString 'x' }
        $err = $null
        $streams = try { New-MfaConnection @Splat -Verbose -ErrorAction Stop *>&1 | Out-String }
        catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.Exception.Message | Should -Match 'not an absolute URL'
        $record = @($err | Format-List * -Force | Out-String; $err.Exception.ToString(); [string]$err.TargetObject; $streams) -join "`n"
        $record | Should -Not -Match 'Hunter2'
    }

    It 'an unreachable proxy fails the connection test at the Connect stage, never approves' {
        $conn = New-MfaConnection -Provider Duo -ApiHost "127.0.0.1:$port" -IntegrationKey DIDEMOINTEGRATION001 -SecretKey (New-TestSecureString $demoSecret) -ServerCertificateHash $sim.CertificateHash -Proxy 'http://127.0.0.1:1' -HttpTimeout 5
        $conn.Proxy | Should -Be 'http://127.0.0.1:1/'
        (Test-MfaConnection -Connection $conn).Stage | Should -Be 'Connect'
        (Invoke-MfaApproval -Connection $conn -UserName alice@contoso.com -Timeout 3).Approved | Should -BeFalse
    }

    It '-Proxy and -UseSystemProxy together are refused' {
        { New-MfaConnection -Uri $sim.Uri -Proxy 'http://127.0.0.1:3128' -UseSystemProxy } | Should -Throw -ErrorId 'MfaApproval.InvalidConnectionSettings,*'
    }
}

Describe 'Duo answers read strictly (issue 16)' {
    It '<User>: a forged auth_status is a protocol failure, never an approval' -ForEach @(
        @{ User = 'forged-duplicate@faults.contoso.com' }
        @{ User = 'forged-stat@faults.contoso.com' }
        @{ User = 'forged-response@faults.contoso.com' }
    ) {
        $r = Invoke-MfaApproval -Connection $duo -UserName $User -Timeout 10
        $r.Approved | Should -BeFalse
        $r.Status | Should -Be 'Failed'
        $r.FailureKind | Should -Be 'protocol'
        $r.Message | Should -Match 'repeats a key'
        { Invoke-MfaApproval -Connection $duo -UserName $User -Timeout 10 -Assert } | Should -Throw
    }

    It 'a status that answers at once with a new message each time ends at the deadline, paced' {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $r = Invoke-MfaApproval -Connection $duo -UserName chatty@faults.contoso.com -Timeout 3
        $r.Status | Should -Be 'TimedOut'
        $r.Approved | Should -BeFalse
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 5
    }
}

Describe 'The WinHTTP proxy list' {
    It 'picks the HTTPS proxy from <List>' -ForEach @(
        @{ List = 'proxy.contoso.com:3128'; Want = 'http://proxy.contoso.com:3128' }
        @{ List = 'http=web:80;https=secure:8443'; Want = 'http://secure:8443' }
        @{ List = 'http=web:80'; Want = $null }
        @{ List = 'first:1 second:2'; Want = 'http://first:1' }
        @{ List = ''; Want = $null }
    ) {
        [MfaApproval.WinHttpProxy]::Pick($List) | Should -Be $Want
    }
    It 'is not consulted off Windows' -Skip:([System.Environment]::OSVersion.Platform -eq 'Win32NT') {
        [MfaApproval.WinHttpProxy]::Get() | Should -BeNullOrEmpty
    }
}
