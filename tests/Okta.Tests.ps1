# The Okta provider through the cmdlets: the simulator's Okta API, every demo user, the
# number challenge shown to the person waiting, connection settings named by parameter,
# queries, cancellation, and an API token that never shows.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModulePath -Force
    $sim = Start-MfaSimulator -Provider Okta -NoResponseAfter 1
    $okta = $sim.Connection
    $demoToken = '00demo-okta-api-token-for-mfa-sim-only-0000000'
    $port = ([uri]$sim.Uri).Port
    $org = "https://127.0.0.1:$port"
}
AfterAll {
    $sim | Stop-MfaSimulator -ErrorAction SilentlyContinue
    Remove-Module MfaApproval -ErrorAction SilentlyContinue
}

Describe 'An Okta connection' {
    It 'is what Start-MfaSimulator -Provider Okta returns' {
        $okta.Provider | Should -Be 'Okta'
        $okta.Authentication | Should -Be 'OktaApiToken'
        $okta.Uri.Port | Should -Be $port
    }

    It '<User> ends as <Status>' -ForEach @(
        @{ User = 'alice@contoso.com'; Status = 'Approved' }
        @{ User = 'bob@contoso.com'; Status = 'Denied' }
        @{ User = 'carol@contoso.com'; Status = 'TimedOut' }
        @{ User = 'mallory@contoso.com'; Status = 'Denied' }
        @{ User = 'dave@contoso.com'; Status = 'Failed' }
        @{ User = 'error@faults.contoso.com'; Status = 'Failed' }
        @{ User = 'nobody@contoso.com'; Status = 'Failed' }
    ) {
        $r = Invoke-MfaApproval -Connection $okta -UserName $User -Timeout 30
        $r.Status | Should -Be $Status
        $r.Approved | Should -Be ($Status -eq 'Approved')
        $r.Provider | Should -Be 'okta'
    }

    It 'refuses -Mode (an MFA Server setting) before anything is sent, never approving by push' {
        $r = Invoke-MfaApproval -Connection $okta -UserName alice@contoso.com -Mode voiceCall
        $r.Status | Should -Be 'Failed'
        $r.Approved | Should -BeFalse
        $r.Message | Should -Match 'leave -Mode out; nothing was sent'
    }

    It 'says why a user without Okta Verify gets no push' {
        (Invoke-MfaApproval -Connection $okta -UserName dave@contoso.com).Message | Should -Match 'no active Okta Verify push factor.*enrollment policy'
    }

    It '-Assert refuses an Okta rejection with MfaApproval.Denied' {
        { Invoke-MfaApproval -Connection $okta -UserName bob@contoso.com -Assert } | Should -Throw -ErrorId 'MfaApproval.Denied,*'
    }

    It 'shows the number challenge to the person waiting, once, while the request is pending' {
        $conn = New-MfaConnection -Provider Okta -OrgUrl $org -ApiToken (New-TestSecureString $demoToken) -ServerCertificateHash $sim.CertificateHash -NumberChallenge
        $conn.NumberChallenge | Should -BeTrue
        $r = Invoke-MfaApproval -Connection $conn -UserName alice@contoso.com -InformationVariable shown
        $r.Status | Should -Be 'Approved'
        ($shown | Out-String) | Should -Match 'alice@contoso.com: pick number \d+ in Okta Verify to approve'
        @($shown | Where-Object { $_.Tags -contains 'MfaApproval.VerificationCode' }).Count | Should -Be 1
    }

    It 'shows each approver their own number when several must approve' {
        $conn = New-MfaConnection -Provider Okta -OrgUrl $org -ApiToken (New-TestSecureString $demoToken) -ServerCertificateHash $sim.CertificateHash -NumberChallenge
        $r = Invoke-MfaApproval -Connection $conn -UserName alice@contoso.com, victor@contoso.com -Require All -InformationVariable shown
        $r.Status | Should -Be 'Approved'
        $lines = @($shown | Where-Object { $_.Tags -contains 'MfaApproval.VerificationCode' } | ForEach-Object { [string]$_.MessageData })
        $lines.Count | Should -Be 2
        ($lines -join "`n") | Should -Match 'alice@contoso.com: pick number \d+ in Okta Verify'
        ($lines -join "`n") | Should -Match 'victor@contoso.com: pick number \d+ in Okta Verify'
    }

    It 'records the number on the pending request for Start/Wait' {
        $request = Start-MfaApproval -Connection $okta -UserName victor@contoso.com
        $result = $request | Wait-MfaApproval -InformationVariable shown
        $request.VerificationCode | Should -Match '^\d{2}$'
        $result.Status | Should -Be 'Approved'
    }

    It 'Test-MfaConnection and Get-MfaUser ask Okta and push nothing' {
        (Test-MfaConnection -Connection $okta).Success | Should -BeTrue
        (Get-MfaUser -Connection $okta -UserName alice@contoso.com).Exists | Should -BeTrue
        (Get-MfaUser -Connection $okta -UserName nobody@contoso.com).Exists | Should -BeFalse
    }

    It 'Stop-MfaApproval cancels a pending Okta push and says the push is withdrawn' {
        $r = Start-MfaApproval -Connection $okta -UserName carol@contoso.com -Timeout 60
        $r | Stop-MfaApproval
        $result = $r | Wait-MfaApproval
        $result.Status | Should -Be 'Cancelled'
        $result.Approved | Should -BeFalse
        $result.Message | Should -Match 'withdrawn'
    }
}

Describe 'Okta connection settings' {
    It 'a wrong API token is refused by Okta (E0000011) and never shown' {
        $wrong = '00Wrong-Okta-Token-0123456789abcdefghij'
        $all = & {
            $conn = New-MfaConnection -Provider Okta -OrgUrl $org -ApiToken (New-TestSecureString $wrong) -ServerCertificateHash $sim.CertificateHash -Verbose
            Invoke-MfaApproval -Connection $conn -UserName alice@contoso.com -Verbose
            Test-MfaConnection -Connection $conn
        } *>&1 | Out-String
        $all | Should -Match 'E0000011'
        $all | Should -Not -Match ([regex]::Escape($wrong))
        # What to check is the API token, not a service app's -ClientId/-PrivateKeyFile.
        $all | Should -Match 'Next: check -ApiToken'
        $all | Should -Not -Match '-ClientId|-PrivateKeyFile'
    }

    It 'names -OrgUrl for <Name>' -ForEach @(
        @{ Name = 'a path'; Url = 'https://contoso.okta.com/api/v1' }
        @{ Name = 'plain http'; Url = 'http://contoso.okta.com' }
    ) {
        $err = $null
        try { New-MfaConnection -Provider Okta -OrgUrl $Url -ApiToken (New-TestSecureString $demoToken) } catch { $err = $_ }
        # Okta's rules for its URL apply while binding -OrgUrl (not the MFA Server's for -Uri).
        $err.FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentValidationError,*'
        $err.Exception.Message | Should -Match "parameter 'OrgUrl'.*(path|https://)"
    }

    It 'refuses credentials in -OrgUrl when binding, before anything is shown' {
        { New-MfaConnection -Provider Okta -OrgUrl 'https://svc:Hunter2@contoso.okta.com' -ApiToken (New-TestSecureString $demoToken) -Verbose 4>&1 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
    }

    It 'names -ClientId, and -PrivateKeyFile when it is missing or not a key' {
        $err = $null
        try { New-MfaConnection -Provider Okta -OrgUrl $org -ClientId 'not/an/id' -PrivateKeyFile $PSCommandPath } catch { $err = $_ }
        $err.Exception.Message | Should -Match '-ClientId|-PrivateKeyFile'
        $err = $null
        try { New-MfaConnection -Provider Okta -OrgUrl $org -ClientId '0oa1b2c3d4e5f6g7h8i9' -PrivateKeyFile (Join-Path $TestDrive 'missing.pem') } catch { $err = $_ }
        $err.Exception.Message | Should -Match 'PrivateKeyFile'
        Set-Content -Path (Join-Path $TestDrive 'bad.pem') -Value 'not a key'
        $err = $null
        try { New-MfaConnection -Provider Okta -OrgUrl $org -ClientId '0oa1b2c3d4e5f6g7h8i9' -PrivateKeyFile (Join-Path $TestDrive 'bad.pem') } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'MfaApproval.InvalidConnectionSettings,*'
        $err.Exception.Message | Should -Match '-PrivateKeyFile'
    }

    It '-Provider Okta with MFA Server parameters is refused' {
        { New-MfaConnection -Provider Okta -Uri $sim.Uri } | Should -Throw -ErrorId 'MfaApproval.InvalidConnectionSettings,*'
    }
}

Describe 'A push left waiting (Okta)' {
    BeforeAll {
        # carol never answers here: only the request's own end can take her push away.
        $slow = Start-MfaSimulator -Provider Okta -NoResponseAfter 60
    }
    AfterAll { $slow | Stop-MfaSimulator -ErrorAction SilentlyContinue }

    It 'is withdrawn when the request times out, and the result says so' {
        $r = Invoke-MfaApproval -Connection $slow.Connection -UserName carol@contoso.com -Timeout 2
        $r.Status | Should -Be 'TimedOut'
        $r.PushWithdrawn | Should -BeTrue
        $r.Approvers[0].PushWithdrawn | Should -BeTrue
        $r.Warnings | Should -BeNullOrEmpty
    }

    It 'is withdrawn when the other approver decided it' {
        $r = Invoke-MfaApproval -Connection $slow.Connection -UserName alice@contoso.com, carol@contoso.com -Require Any -Timeout 20
        $r.Status | Should -Be 'Approved'
        $r.PushWithdrawn | Should -BeTrue
        ($r.Approvers | Where-Object UserName -eq 'carol@contoso.com').PushWithdrawn | Should -BeTrue
        ($r.Approvers | Where-Object UserName -eq 'alice@contoso.com').PushWithdrawn | Should -BeNullOrEmpty
    }

    It 'is not confirmed withdrawn when the host ends the wait (it never waits for the answer), and the result warns' {
        # Wait-MfaApproval -Timeout ends the request itself (the engine's expire), like a cancel:
        # the push was out long before, its withdraw is sent as the request ends, unconfirmed.
        $r = Start-MfaApproval -Connection $slow.Connection -UserName carol@contoso.com -Timeout 30 | Wait-MfaApproval -Timeout 2
        $r.Status | Should -Be 'TimedOut'
        $r.PushWithdrawn | Should -BeFalse
        $r.Approvers[0].PushWithdrawn | Should -BeFalse
        ($r.Warnings -join ' ') | Should -Match 'could not be withdrawn .*sent as the request ended'
    }
}
