# Misuse gets a specific, catchable error naming the parameter, and never crashes the host.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModulePath -Force
    $sim = Start-MfaSimulator -NoResponseAfter 1
    $conn = $sim.Connection
    $cred = New-Object System.Management.Automation.PSCredential('demo-admin', (New-TestSecureString 'demo-password'))
}
AfterAll {
    $sim | Stop-MfaSimulator -ErrorAction SilentlyContinue
    Remove-Module MfaApproval -ErrorAction SilentlyContinue
}

Describe 'Parameter validation' {
    It 'rejects user name <Name>' -ForEach @(
        @{ Name = 'empty'; Value = '' }
        @{ Name = 'blank'; Value = '   ' }
        @{ Name = 'too long'; Value = ('a' * 257) }
        @{ Name = 'with a newline'; Value = "alice`n@contoso.com" }
        @{ Name = 'with a NUL'; Value = "alice$([char]0)@contoso.com" }
    ) {
        $err = $null
        try { Invoke-MfaApproval -Connection $conn -UserName $Value } catch { $err = $_ }
        $err | Should -Not -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -Match '^ParameterArgumentValidationError'
        $err.Exception.Message | Should -Match 'UserName'
    }

    It 'takes the user-name rule from the engine: 256 characters, however many UTF-16 units' {
        # 256 emoji are 512 UTF-16 units; the engine counts characters, and so does the cmdlet now.
        $wide = [string]::Concat([System.Linq.Enumerable]::Repeat([char]::ConvertFromUtf32(0x1F600), 256))
        $wide.Length | Should -Be 512
        { Start-MfaApproval -Connection $conn -UserName $wide -Timeout 1 | Stop-MfaApproval } | Should -Not -Throw
        { Start-MfaApproval -Connection $conn -UserName ($wide + 'x') } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
    }

    It 'rejects <Parameter> <Value> by the engine rule, naming the parameter' -ForEach @(
        @{ Parameter = 'Mode'; Value = 'phoneapp'; Match = 'oathToken, phoneApp' }
        @{ Parameter = 'Timeout'; Value = 86401; Match = '86400' }
        @{ Parameter = 'InitiatingIpAddress'; Value = '10.0.0'; Match = 'IPv4 or IPv6' }
        @{ Parameter = 'ApplicationName'; Value = "a`tb"; Match = 'control character' }
    ) {
        $err = $null
        $splat = @{ Connection = $conn; UserName = 'alice@contoso.com'; $Parameter = $Value }
        try { Start-MfaApproval @splat } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -Match '^ParameterArgumentValidationError'
        $err.Exception.Message | Should -Match "parameter '$Parameter'"
        $err.Exception.Message | Should -Match $Match
    }

    It 'rejects New-MfaConnection <Parameter> <Value> by the engine rule' -ForEach @(
        @{ Parameter = 'InitiatingAuthenticationType'; Value = 'PFSDK' }
        @{ Parameter = 'HttpTimeout'; Value = 0 }
        @{ Parameter = 'ApplicationName'; Value = ('x' * 257) }
    ) {
        $splat = @{ Uri = $sim.Uri; $Parameter = $Value }
        { New-MfaConnection @splat } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
    }

    It 'completes -Mode and -InitiatingAuthenticationType from the engine lists' {
        $modes = (TabExpansion2 -inputScript 'Invoke-MfaApproval -Mode ' -cursorColumn 25).CompletionMatches.CompletionText
        $modes | Should -Be @([MfaApproval.Engine]::List('modes'))
        $modes | Should -Contain 'phoneApp'
        $types = (TabExpansion2 -inputScript 'New-MfaConnection -InitiatingAuthenticationType user' -cursorColumn 51).CompletionMatches.CompletionText
        $types | Should -Be @('user_enrollment', 'userportal')
    }

    It 'completes -SignatureVersion from the engine list, not with file names' {
        $line = 'New-MfaConnection -Provider Duo -SignatureVersion '
        $versions = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        $versions | Should -Be @([MfaApproval.Engine]::List('signatureVersions'))
        $versions | Should -Be @('5', '2')
    }

    It 'rejects a URI that is not http(s)' {
        { New-MfaConnection -Uri 'ftp://mfa.contoso.com/x' } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
        { New-MfaConnection -Uri 'relative/path' } | Should -Throw -ErrorId 'ParameterArgumentTransformationError,*'
        { New-MfaConnection -Uri 'relative/path' } | Should -Throw '*-Uri is not an absolute URL*'
    }

    It 'rejects a negative timeout' {
        { Invoke-MfaApproval -Connection $conn -UserName alice@contoso.com -Timeout -1 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
        { Start-MfaApproval -Connection $conn -UserName alice@contoso.com | Wait-MfaApproval -Timeout -5 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
    }

    It 'rejects a malformed certificate hash' {
        { New-MfaConnection -Uri $sim.Uri -ServerCertificateHash 'abc' } | Should -Throw -ErrorId 'ParameterArgumentValidationError,*'
    }

    It 'refuses a credential over plain http without the opt-in' {
        { New-MfaConnection -Uri 'http://127.0.0.1:1/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx' -Credential $cred } |
            Should -Throw -ErrorId 'MfaApproval.UnencryptedAuthentication,*'
        $err = $null
        try { New-MfaConnection -Uri 'http://127.0.0.1:1/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx' -Credential $cred } catch { $err = $_ }
        $err.Exception.Message | Should -Match '-AllowUnencryptedAuthentication'
        (New-MfaConnection -Uri 'http://127.0.0.1:1/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx' -Credential $cred -AllowUnencryptedAuthentication).Authentication | Should -Be 'Basic'
    }
}

Describe 'Certificates' {
    It 'an unreadable certificate file is named' {
        { New-MfaConnection -Uri $sim.Uri -ClientCertificateFile (Join-Path $TestDrive 'missing.pfx') } |
            Should -Throw -ErrorId 'MfaApproval.FileNotFound,*'
        $junk = Join-Path $TestDrive 'junk.pem'
        Set-Content -Path $junk -Value '-----BEGIN CERTIFICATE-----'
        $err = $null
        try { New-MfaConnection -Uri $sim.Uri -ClientCertificateFile $junk } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'MfaApproval.InvalidConnectionSettings,*'
        $err.Exception.Message | Should -Match 'clientCertificateFile'
    }

    It 'a wrong PFX password is a clear error that does not echo the password' {
        $pfx = Join-Path $TestDrive 'client.pfx'
        $rsa = [System.Security.Cryptography.RSA]::Create(2048)
        $request = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=mfa-client', $rsa, 'SHA256', [System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
        $cert = $request.CreateSelfSigned([datetimeoffset]::Now.AddDays(-1), [datetimeoffset]::Now.AddDays(30))
        [System.IO.File]::WriteAllBytes($pfx, $cert.Export('Pfx', 'Right-Pfx-Pass'))
        $err = $null
        try { New-MfaConnection -Uri $sim.Uri -ClientCertificateFile $pfx -ClientCertificatePassword (New-TestSecureString 'Wrong-Pfx-Pass') } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'MfaApproval.InvalidConnectionSettings,*'
        $err.Exception.Message | Should -Match 'wrong password'
        $err.Exception.Message | Should -Not -Match 'Wrong-Pfx-Pass'
        (New-MfaConnection -Uri $sim.Uri -ClientCertificateFile $pfx -ClientCertificatePassword (New-TestSecureString 'Right-Pfx-Pass')).Authentication | Should -Be 'ClientCertificate'
    }
}

Describe 'Files that are not small regular files' {
    # /dev/zero, a FIFO, a folder and a file over the limit, for every file parameter: each is
    # refused at once, naming the parameter. Run in one child PowerShell with a deadline, so a
    # reader without a bound fails this test (killed after 120 s) instead of hanging Pester.
    It 'refuses each for every file parameter, naming it, without reading it whole' -Skip:($IsWindows -or $PSVersionTable.PSEdition -eq 'Desktop') {
        $calls = [ordered]@{
            CaCertificateFile     = @('New-MfaConnection -Uri https://mfa.contoso.com/x.asmx -CaCertificateFile $f', 2MB)
            ClientCertificateFile = @('New-MfaConnection -Uri https://mfa.contoso.com/x.asmx -ClientCertificateFile $f', 2MB)
            ClientKeyFile         = @('New-MfaConnection -Uri https://mfa.contoso.com/x.asmx -ClientCertificateFile $cert -ClientKeyFile $f', 2MB)
            ResponseSigningKey    = @('New-MfaConnection -Provider PrivacyIdea -Uri https://pi.contoso.com -Realm contoso -Credential $c -ResponseSigningKey $f', 65KB)
            PrivateKeyFile        = @('New-MfaConnection -Provider Okta -OrgUrl https://contoso.okta.com -ClientId 0oa1b2c3d4e5f6g7h8i9 -PrivateKeyFile $f', 17KB)
        }
        $folder = Join-Path $TestDrive 'folder.pem'
        New-Item -ItemType Directory -Path $folder | Out-Null
        $fifo = Join-Path $TestDrive 'fifo.pem'
        & mkfifo $fifo
        $LASTEXITCODE | Should -Be 0
        $rsa = [System.Security.Cryptography.RSA]::Create(2048)
        $request = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=mfa-client', $rsa, 'SHA256', [System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
        $cert = Join-Path $TestDrive 'cert.pem'
        Set-Content -Path $cert -Value $request.CreateSelfSigned([datetimeoffset]::Now.AddDays(-1), [datetimeoffset]::Now.AddDays(30)).ExportCertificatePem()
        $body = New-Object System.Text.StringBuilder
        foreach ($name in $calls.Keys) {
            $over = Join-Path $TestDrive "$name-over.pem"
            $stream = [System.IO.File]::Create($over); $stream.SetLength($calls[$name][1]); $stream.Dispose()
            foreach ($path in @('/dev/zero', $fifo, $folder, $over)) {
                $null = $body.AppendLine("`$f = '$path'")
                $null = $body.AppendLine("try { $($calls[$name][0]) | Out-Null; 'ACCEPTED $name ' + `$f } catch { 'REFUSED $name ' + `$f + ' | ' + `$_.FullyQualifiedErrorId + ' | ' + `$_.Exception.Message }")
            }
        }
        $child = Join-Path $TestDrive 'child.ps1'
        Set-Content -Path $child -Value ("param(`$ModulePath, `$cert)`nImport-Module `$ModulePath`n`$c = New-Object System.Management.Automation.PSCredential('svc', (ConvertTo-SecureString 'pw' -AsPlainText -Force))`n" + $body.ToString())
        $run = & $InvokeNative -FilePath $Pwsh -TimeoutSeconds 120 -ArgumentList @('-NoProfile', '-NonInteractive', '-File', $child, '-ModulePath', $ModulePath, '-cert', $cert)
        $run.TimedOut | Should -BeFalse -Because 'a FIFO or a device must not be read until it ends'
        $lines = @($run.Output | Where-Object { $_ -match '^(ACCEPTED|REFUSED) ' })
        $lines.Count | Should -Be 20 -Because (($run.Output + $run.Error) -join "`n")
        foreach ($line in $lines) {
            $name = ($line -split ' ')[1]
            $line | Should -Match '^REFUSED '
            $line | Should -Match '\| MfaApproval\.(InvalidConnectionSettings|FileNotFound),'
            $line | Should -Match ('(?i)-?' + $name)
            $line | Should -Match 'a device|FIFO|folder|not a file|empty or not a regular file|larger than'
            $line | Should -Not -Match 'Array dimensions|OutOfMemory'
        }
    }
}

Describe 'Objects used wrongly' {
    It 'a connection object from another module version is refused' {
        # What a connection made by another loaded version looks like to this one: the same
        # type name, a different ModuleVersion, not this assembly's Connection class.
        $old = [pscustomobject]@{ PSTypeName = 'MfaApproval.Connection'; Uri = $conn.Uri; ModuleVersion = '0.0.1' }
        { Invoke-MfaApproval -Connection $old -UserName alice@contoso.com } | Should -Throw -ErrorId 'MfaApproval.ConnectionFromOtherVersion,*'
    }

    It 'a deserialized copy of a connection is refused' {
        $copy = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($conn))
        { Invoke-MfaApproval -Connection $copy -UserName alice@contoso.com } | Should -Throw -ErrorId 'MfaApproval.InvalidConnection,*'
    }

    It 'something that is not a connection is refused' {
        { Invoke-MfaApproval -Connection ([pscustomobject]@{ Uri = 'https://x' }) -UserName alice@contoso.com } | Should -Throw -ErrorId 'MfaApproval.InvalidConnection,*'
    }

    It 'a request waited on twice gets MfaApproval.RequestAlreadyWaited' {
        $r = Start-MfaApproval -Connection $conn -UserName bob@contoso.com
        ($r | Wait-MfaApproval).Status | Should -Be 'Denied'
        { $r | Wait-MfaApproval -ErrorAction Stop } | Should -Throw -ErrorId 'MfaApproval.RequestAlreadyWaited,*'
        $r.Result.Status | Should -Be 'Denied'
    }

    It 'a stopped simulator is named' {
        $short = Start-MfaSimulator
        $short | Stop-MfaSimulator
        { Invoke-MfaApproval -Connection $short.Connection -UserName alice@contoso.com } | Should -Throw -ErrorId 'MfaApproval.SimulatorStopped,*'
        { Test-MfaConnection -Connection $short.Connection } | Should -Throw -ErrorId 'MfaApproval.SimulatorStopped,*'
    }

    It 'a missing directory file is named' {
        { Start-MfaSimulator -DirectoryFile (Join-Path $TestDrive 'none.json') } | Should -Throw -ErrorId 'MfaApproval.FileNotFound,*'
    }

    It 'the host survives all of the above and still approves' {
        (Invoke-MfaApproval -Connection $conn -UserName alice@contoso.com).Status | Should -Be 'Approved'
    }
}

# New-MfaConnection names the parameters of the provider asked for, never the engine's
# configuration fields (passwordMode, auditPath, proxyUserName, the basicPassword secret...).
Describe 'New-MfaConnection names parameters, not fields' {
    BeforeAll {
        $s = New-TestSecureString 'Not-Shown-7'
        $key = New-TestSecureString 'abcdefghijklmnopqrstuvwxyz'
        # Every configuration field and secret name that has a parameter (camelCase ones).
        $fields = @([MfaApproval.Providers]::All | ForEach-Object { $_.Fields | ForEach-Object Json; $_.Secrets | ForEach-Object Name } |
            Where-Object { $_ -cmatch '[A-Z]' } | Sort-Object -Unique)
        function Get-Refusal([scriptblock]$Command) {
            $err = $null
            try { & $Command | Out-Null } catch { $err = $_ }
            $err | Should -Not -BeNullOrEmpty -Because 'the call must be refused'
            $err
        }
    }

    It '<Case>' -ForEach @(
        @{ Case = '-Provider Radius alone names -Server and -SharedSecret'; Command = { New-MfaConnection -Provider Radius }; Match = '-Provider Radius: missing -Server, -SharedSecret'; Not = '-Uri' }
        @{ Case = '-Provider Duo alone names Duo''s parameters'; Command = { New-MfaConnection -Provider Duo }; Match = '-Provider Duo: missing -ApiHost, -IntegrationKey, -SecretKey'; Not = 'missing -Uri' }
        @{ Case = '-Provider Okta alone names -OrgUrl'; Command = { New-MfaConnection -Provider Okta }; Match = '-Provider Okta: missing -OrgUrl'; Not = '-Uri' }
        @{ Case = '-Provider PrivacyIdea without -Realm names -Realm'; Command = { New-MfaConnection -Provider PrivacyIdea -Uri https://pi.contoso.test -Credential $cred }; Match = '-Provider PrivacyIdea: missing -Realm'; Not = 'for -Provider MfaServer' }
        @{ Case = '-Provider Okta -OrgUrl alone names the credential'; Command = { New-MfaConnection -Provider Okta -OrgUrl https://contoso.okta.com }; Match = '-ApiToken: is required for -Provider Okta.*unless -ClientId and -PrivateKeyFile are given'; Not = 'AmbiguousParameterSet' }
        @{ Case = 'an -OrgUrl with user:password@ names Okta''s credentials'; Command = { New-MfaConnection -Provider Okta -OrgUrl 'https://u:p@contoso.okta.com' -ApiToken $s }; Match = "parameter 'OrgUrl'.*must not embed credentials.*-ApiToken"; Not = '-Credential' }
        @{ Case = 'a -Uri with user:password@ names -Credential'; Command = { New-MfaConnection -Uri 'https://u:p@mfa.contoso.test/x.asmx' -Credential $cred }; Match = 'must not embed credentials.*give -Credential instead'; Not = 'xx' }
        @{ Case = 'a -Proxy with user:password@ names -ProxyCredential'; Command = { New-MfaConnection -Uri https://mfa.contoso.test/x.asmx -Credential $cred -Proxy 'http://u:p@proxy.contoso.test:3128' }; Match = 'must not embed credentials; give them as -ProxyCredential'; Not = 'xx' }
        @{ Case = '-ProxyCredential without -Proxy says there is no proxy URL'; Command = { New-MfaConnection -Uri https://mfa.contoso.test/x.asmx -Credential $cred -ProxyCredential $cred }; Match = '-ProxyCredential: is set, but there is no proxy URL'; Not = 'xx' }
        @{ Case = '-Password with -PasswordMode None names -PasswordMode'; Command = { New-MfaConnection -Provider Radius -Server 127.0.0.1 -SharedSecret $s -Password $s -PasswordMode None }; Match = '-Password: was given, but -PasswordMode is none \(set -PasswordMode to fixed'; Not = 'xx' }
        @{ Case = '-AuditKey without a trail names -AuditPath, -SyslogServer, -EventLog'; Command = { New-MfaConnection -Uri https://mfa.contoso.test/x.asmx -Credential $cred -AuditKey $key }; Match = '-AuditKey: .*set -AuditPath, -SyslogServer or -EventLog'; Not = 'xx' }
        @{ Case = 'privacyIDEA without -Credential names -Credential'; Command = { New-MfaConnection -Provider PrivacyIdea -Uri https://pi.contoso.test -Realm contoso }; Match = '-Credential: is required for -Provider PrivacyIdea.*the password of -Credential'; Not = 'basic password' }
        @{ Case = '-ClientKeyFile without -ClientCertificateFile names both'; Command = { New-MfaConnection -Uri https://mfa.contoso.test/x.asmx -ClientKeyFile $PSCommandPath }; Match = '-ClientKeyFile: is set without -ClientCertificateFile'; Not = 'xx' }
    ) {
        $err = Get-Refusal $Command
        $m = $err.Exception.Message
        $m | Should -Match $Match
        $m | Should -Not -Match $Not
        $m | Should -Not -Match 'Not-Shown-7'
        foreach ($f in $fields) { $m | Should -Not -Match "(?<![\w-])$f(?!\w)" -Because "'$m' names the field $f, not its parameter" }
    }
}

