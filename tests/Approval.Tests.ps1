# Every command against the real simulator, through the real module and native library.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModulePath -Force
    $sim = Start-MfaSimulator -NoResponseAfter 2
    $conn = $sim.Connection
}
AfterAll {
    $sim | Stop-MfaSimulator
    Remove-Module MfaApproval -ErrorAction SilentlyContinue
}

Describe 'Invoke-MfaApproval with the demo users' {
    It '<User> ends as <Status> with CallResult <Code>' -ForEach @(
        @{ User = 'alice@contoso.com'; Status = 'Approved'; Code = 21 }
        @{ User = 'bob@contoso.com'; Status = 'Denied'; Code = 129 }
        @{ User = 'carol@contoso.com'; Status = 'TimedOut'; Code = 133 }
    ) {
        $r = Invoke-MfaApproval -Connection $conn -UserName $User
        $r.PSObject.TypeNames | Should -Contain 'MfaApproval.Result'
        $r.Status | Should -Be $Status
        $r.CallResult | Should -Be $Code
        $r.Approved | Should -Be ($Status -eq 'Approved')
        $r.UserName | Should -Be $User
        $r.Provider | Should -Be 'mfaserver'
        $r.RequestId | Should -Not -BeNullOrEmpty
        $r.Duration | Should -BeOfType [timespan]
    }

    It 'mallory reports fraud and is blocked afterwards' {
        (Invoke-MfaApproval -Connection $conn -UserName mallory@contoso.com).Status | Should -Be 'FraudReported'
        $again = Invoke-MfaApproval -Connection $conn -UserName mallory@contoso.com
        $again.Status | Should -Be 'Failed'
        $again.CallResult | Should -Be 14
        $again.Approved | Should -BeFalse
    }

    It 'an unknown user fails with USER_NOT_FOUND' {
        $r = Invoke-MfaApproval -Connection $conn -UserName nobody@contoso.com
        $r.Status | Should -Be 'Failed'
        $r.ErrorCode | Should -Be 10
    }

    It 'the -Timeout deadline ends a silent user as TimedOut' {
        $r = Invoke-MfaApproval -Connection $conn -UserName carol@contoso.com -Timeout 1
        $r.Status | Should -Be 'TimedOut'
        $r.CallResult | Should -BeNullOrEmpty
        $r.FailureKind | Should -Be 'timeout'
    }

    It 'a -Mode override is accepted' {
        (Invoke-MfaApproval -Connection $conn -UserName alice@contoso.com -Mode phoneApp).Status | Should -Be 'Approved'
    }

    It 'takes user names from the pipeline as one request (several names need -Require)' {
        $results = @('alice@contoso.com', 'bob@contoso.com' | Invoke-MfaApproval -Connection $conn -Require All)
        $results.Count | Should -Be 1
        $results[0].Status | Should -Be 'Denied'
        @($results[0].Approvers).Count | Should -Be 2
    }

    It 'uses the session default connection' {
        $default = Start-MfaSimulator -NoResponseAfter 1 -Default
        try {
            (Invoke-MfaApproval -UserName alice@contoso.com).Status | Should -Be 'Approved'
        }
        finally { $default | Stop-MfaSimulator }
        { Invoke-MfaApproval -UserName alice@contoso.com } | Should -Throw -ErrorId 'MfaApproval.NoConnection,*'
    }
}

Describe 'Invoke-MfaApproval -Assert' {
    It 'returns the result when approved, saying nothing failed' {
        $r = Invoke-MfaApproval -Connection $conn -UserName alice@contoso.com -Assert
        $r.Approved | Should -BeTrue
        $r.FailureKind | Should -BeNullOrEmpty
        $r.ErrorId | Should -BeNullOrEmpty
        $r.Category | Should -Be 'NotSpecified'
    }

    It 'throws <ErrorId> (<Category>) for <User>' -ForEach @(
        @{ User = 'bob@contoso.com'; ErrorId = 'MfaApproval.Denied'; Category = 'PermissionDenied'; Timeout = 30 }
        @{ User = 'carol@contoso.com'; ErrorId = 'MfaApproval.TimedOut'; Category = 'OperationTimeout'; Timeout = 30 }
        @{ User = 'nobody@contoso.com'; ErrorId = 'MfaApproval.Failed'; Category = 'ResourceUnavailable'; Timeout = 30 }
    ) {
        $err = $null
        try { Invoke-MfaApproval -Connection $conn -UserName $User -Timeout $Timeout -Assert; throw 'no error' }
        catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike "$ErrorId,*"
        $err.CategoryInfo.Category | Should -Be $Category
        $err.TargetObject.PSObject.TypeNames | Should -Contain 'MfaApproval.Result'
        $err.TargetObject.UserName | Should -Be $User
        $err.TargetObject.Approved | Should -BeFalse
    }

    It 'throws MfaApproval.FraudReported (SecurityError) for fraud' {
        $fraud = Start-MfaSimulator -NoResponseAfter 1
        try {
            { Invoke-MfaApproval -Connection $fraud.Connection -UserName mallory@contoso.com -Assert } |
                Should -Throw -ErrorId 'MfaApproval.FraudReported,*'
            try { Invoke-MfaApproval -Connection $fraud.Connection -UserName mallory@contoso.com -Assert } catch { $_.CategoryInfo.Category | Should -Be 'ResourceUnavailable' }
        }
        finally { $fraud | Stop-MfaSimulator }
    }

    It 'a transport failure is MfaApproval.Failed with ConnectionError' {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
        $closed = New-MfaConnection -Uri "https://127.0.0.1:$port/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx" -ServerCertificateHash $sim.CertificateHash
        try { Invoke-MfaApproval -Connection $closed -UserName alice@contoso.com -Assert; throw 'no error' }
        catch {
            $_.FullyQualifiedErrorId | Should -BeLike 'MfaApproval.Failed,*'
            $_.CategoryInfo.Category | Should -Be 'ConnectionError'
        }
    }
}

Describe 'Start-, Get-, Wait- and Stop-MfaApproval' {
    It 'Start returns pending requests at once and Wait emits one result per request' {
        $requests = 'alice@contoso.com', 'bob@contoso.com', 'carol@contoso.com' | Start-MfaApproval -Connection $conn
        $requests.Count | Should -Be 3
        $requests[0].PSObject.TypeNames | Should -Contain 'MfaApproval.Request'
        (Get-MfaApproval -Request $requests[2]).State | Should -Be 'Pending'
        $results = $requests | Wait-MfaApproval
        $results.Count | Should -Be 3
        ($results | Sort-Object UserName).Status | Should -Be @('Approved', 'Denied', 'TimedOut')
        (Get-MfaApproval -Request $requests[0]).State | Should -Be 'Completed'
    }

    It 'Get-MfaApproval reports a finished request without consuming it' {
        $r = Start-MfaApproval -Connection $conn -UserName bob@contoso.com
        $null = Wait-MfaApproval -Request (Start-MfaApproval -Connection $conn -UserName bob@contoso.com)   # bob answers in ~1 s
        (Get-MfaApproval -Request $r).Status | Should -BeIn @('Pending', 'Denied')
        ($r | Wait-MfaApproval).Status | Should -Be 'Denied'
    }

    It 'Stop-MfaApproval cancels: the result is Cancelled, never an approval' {
        $r = Start-MfaApproval -Connection $conn -UserName alice@contoso.com
        $r | Stop-MfaApproval
        $result = $r | Wait-MfaApproval
        $result.Status | Should -Be 'Cancelled'
        $result.Approved | Should -BeFalse
    }

    It 'Stop-MfaApproval -PassThru returns the request as it is after the cancel' {
        $r = Start-MfaApproval -Connection $conn -UserName carol@contoso.com
        $out = $r | Stop-MfaApproval -PassThru
        $out.State | Should -Be 'Cancelled'
        $out.Status | Should -Be 'Cancelled'
        ($r | Wait-MfaApproval).Approved | Should -BeFalse
    }

    It 'Stop-MfaApproval -WhatIf leaves the request running' {
        $r = Start-MfaApproval -Connection $conn -UserName alice@contoso.com
        $r | Stop-MfaApproval -WhatIf
        ($r | Wait-MfaApproval).Status | Should -Be 'Approved'
    }

    It 'Wait-MfaApproval -Timeout cancels what is still pending and reports TimedOut' {
        $r = Start-MfaApproval -Connection $conn -UserName carol@contoso.com -Timeout 60
        $result = $r | Wait-MfaApproval -Timeout 1
        $result.Status | Should -Be 'TimedOut'
        $result.Message | Should -Match "host's wait ended"
    }

    It '50 approvals started from one session all complete correctly' {
        $users = 1..50 | ForEach-Object { if ($_ % 2) { 'alice@contoso.com' } else { 'bob@contoso.com' } }
        $requests = $users | Start-MfaApproval -Connection $conn
        $results = $requests | Wait-MfaApproval
        $results.Count | Should -Be 50
        @($results | Where-Object Status -EQ 'Approved').Count | Should -Be 25
        @($results | Where-Object Status -EQ 'Denied').Count | Should -Be 25
        @($results | Where-Object { $_.Approved -and $_.UserName -ne 'alice@contoso.com' }).Count | Should -Be 0
        ($requests | Where-Object State -NE 'Completed') | Should -BeNullOrEmpty
    }
}

Describe 'Test-MfaConnection, Get-MfaUser, New-MfaActivationCode' {
    It 'Test-MfaConnection succeeds against the simulator' {
        $t = Test-MfaConnection -Connection $conn
        $t.Success | Should -BeTrue
        $t.Stage | Should -Be 'Ok'
        $t.TestSecurity | Should -Match 'secure'
        Test-MfaConnection -Connection $conn -Quiet | Should -BeTrue
    }

    It 'Test-MfaConnection names the failing stage (pin, 401, TLS)' {
        $wrongPin = New-MfaConnection -Uri $sim.Uri -ServerCertificateHash ('00' * 32)
        (Test-MfaConnection -Connection $wrongPin).Stage | Should -Be 'CertificatePin'
        $wrongPassword = New-MfaConnection -Uri $sim.Uri -ServerCertificateHash $sim.CertificateHash `
            -Credential (New-Object System.Management.Automation.PSCredential('demo-admin', (New-TestSecureString 'wrong')))
        $t = Test-MfaConnection -Connection $wrongPassword
        $t.Stage | Should -Be 'Authentication'
        $t.Success | Should -BeFalse
        $noTrust = New-MfaConnection -Uri $sim.Uri -CaCertificateFile (Join-Path $RepoRoot 'tests/data/unrelated-ca.pem')
        (Test-MfaConnection -Connection $noTrust).Stage | Should -Be 'Tls'
    }

    It 'Get-MfaUser reads settings of known users and reports unknown ones' {
        $users = 'alice@contoso.com', 'nobody@contoso.com' | Get-MfaUser -Connection $conn
        $users[0].Exists | Should -BeTrue
        $users[0].FirstName | Should -Be 'Alice'
        $users[0].PhoneAppActivated | Should -BeTrue
        $users[1].Exists | Should -BeFalse
    }

    It 'New-MfaActivationCode returns a code, and nothing with -WhatIf' {
        $code = New-MfaActivationCode -Connection $conn -UserName bob@contoso.com
        $code.ActivationCode | Should -Match '^\d{9}$'
        New-MfaActivationCode -Connection $conn -UserName bob@contoso.com -WhatIf | Should -BeNullOrEmpty
        { New-MfaActivationCode -Connection $conn -UserName nobody@contoso.com -ErrorAction Stop } |
            Should -Throw -ErrorId 'MfaApproval.ActivationCodeFailed,*'
    }
}

Describe 'Connection options' {
    It '-AllowUnknownUser warns when created and on every use, and the result carries the warning' {
        $open = New-MfaConnection -Uri $sim.Uri -Credential (New-Object System.Management.Automation.PSCredential('demo-admin', (New-TestSecureString 'demo-password'))) `
            -ServerCertificateHash $sim.CertificateHash -AllowUnknownUser -WarningVariable created -WarningAction SilentlyContinue
        $created | Should -Not -BeNullOrEmpty
        $r = Invoke-MfaApproval -Connection $open -UserName stranger@contoso.com -WarningVariable used -WarningAction SilentlyContinue
        @($used).Count | Should -BeGreaterThan 0
        $r.RequireUserMatch | Should -BeFalse
        $r.Warnings | Should -Match 'WITHOUT any MFA'
    }

    It 'Basic challenge mode answers the 401 and approves' {
        $challenge = New-MfaConnection -Uri $sim.Uri -Credential (New-Object System.Management.Automation.PSCredential('demo-admin', (New-TestSecureString 'demo-password'))) `
            -ServerCertificateHash $sim.CertificateHash -BasicAuthentication Challenge
        $r = Invoke-MfaApproval -Connection $challenge -UserName alice@contoso.com
        $r.Status | Should -Be 'Approved'
        $r.HttpCalls | Should -Be 2
    }

    It 'a simulator with -DirectSdkDisallowed refuses pfsdk; userportal works' {
        $strict = Start-MfaSimulator -DirectSdkDisallowed -NoResponseAfter 1
        try {
            $r = Invoke-MfaApproval -Connection $strict.Connection -UserName alice@contoso.com
            $r.CallResult | Should -Be 149
            $r.Status | Should -Be 'Failed'
            $portal = New-MfaConnection -Uri $strict.Uri -Credential (New-Object System.Management.Automation.PSCredential('demo-admin', (New-TestSecureString 'demo-password'))) `
                -ServerCertificateHash $strict.CertificateHash -InitiatingAuthenticationType userportal
            (Invoke-MfaApproval -Connection $portal -UserName alice@contoso.com).Status | Should -Be 'Approved'
        }
        finally { $strict | Stop-MfaSimulator }
    }

    It 'a directory file scripts extra users' {
        $file = Join-Path $TestDrive 'users.json'
        Set-Content -Path $file -Value '{"users":[{"userName":"dave@contoso.com","answer":"approve","delaySeconds":0.1}]}'
        $custom = Start-MfaSimulator -DirectoryFile $file
        try { (Invoke-MfaApproval -Connection $custom.Connection -UserName dave@contoso.com).Status | Should -Be 'Approved' }
        finally { $custom | Stop-MfaSimulator }
    }

    It 'a directory file saved with a UTF-8 BOM (Windows PowerShell 5.1, Notepad) works' {
        $file = Join-Path $TestDrive 'users-bom.json'
        $json = '{"users":[{"userName":"erin@contoso.com","answer":"deny","delaySeconds":0.1}]}'
        [System.IO.File]::WriteAllText($file, $json, (New-Object System.Text.UTF8Encoding($true)))
        ([System.IO.File]::ReadAllBytes($file))[0] | Should -Be 0xEF -Because 'the file really starts with a BOM'
        $custom = Start-MfaSimulator -DirectoryFile $file
        try { (Invoke-MfaApproval -Connection $custom.Connection -UserName erin@contoso.com).Status | Should -Be 'Denied' }
        finally { $custom | Stop-MfaSimulator }
    }
}

Describe 'Reading outcomes fails closed' {
    BeforeAll { Import-Module $ModulePath -Force }
    It 'only status Approved with approved=true is an approval: <Name>' -ForEach @(
        @{ Name = 'the real thing'; Json = '{"status":"Approved","approved":true,"userName":"a"}'; Approved = $true; Status = 'Approved' }
        @{ Name = 'approved=false'; Json = '{"status":"Approved","approved":false}'; Approved = $false; Status = 'Failed' }
        @{ Name = 'approved as a string'; Json = '{"status":"Approved","approved":"true"}'; Approved = $false; Status = 'Failed' }
        @{ Name = 'approved as 1'; Json = '{"status":"Approved","approved":1}'; Approved = $false; Status = 'Failed' }
        @{ Name = 'lower-case status'; Json = '{"status":"approved","approved":true}'; Approved = $false; Status = 'approved' }
        @{ Name = 'a denial that says approved'; Json = '{"status":"Denied","approved":true}'; Approved = $false; Status = 'Denied' }
        @{ Name = 'no status'; Json = '{"approved":true}'; Approved = $false; Status = 'Failed' }
        @{ Name = 'a duplicated member'; Json = '{"status":"Denied","status":"Approved","approved":true}'; Approved = $false; Status = 'Failed' }
        @{ Name = 'trailing text'; Json = '{"status":"Approved","approved":true} x'; Approved = $false; Status = 'Failed' }
        @{ Name = 'truncated'; Json = '{"status":"Approved","approved":tr'; Approved = $false; Status = 'Failed' }
        @{ Name = 'not an object'; Json = '["Approved",true]'; Approved = $false; Status = 'Failed' }
        @{ Name = 'nested 100 deep'; Json = ('{"status":"Approved","approved":true,"data":' + ('[' * 100) + (']' * 100) + '}'); Approved = $false; Status = 'Failed' }
        @{ Name = 'empty'; Json = ''; Approved = $false; Status = 'Failed' }
    ) {
        $r = [MfaApproval.Result]::Parse($Json)
        $r.Approved | Should -Be $Approved
        $r.Status | Should -BeExactly $Status
    }
}
