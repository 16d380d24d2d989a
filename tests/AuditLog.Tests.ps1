# The audit trail through the cmdlets: New-MfaConnection -AuditPath -AuditKey writes a keyed,
# hash-chained file; Test-MfaAuditLog verifies it and names the record an edit, a deletion or
# another key broke; -Assert throws MfaApproval.AuditLogInvalid naming it; the key never
# shows; bad audit settings name their parameter; a required syslog server that cannot be
# reached refuses the approval.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModulePath -Force
    $sim = Start-MfaSimulator -Provider Duo
    $keyText = 'pester-audit-key-0123456789'
    $key = New-TestSecureString $keyText
    $dir = Join-Path ([System.IO.Path]::GetTempPath()) "mfa-pester-audit-$PID"
    $null = New-Item -ItemType Directory -Force -Path $dir
    $audit = Join-Path $dir 'audit.jsonl'
    $duoKey = New-TestSecureString 'demo-duo-secret-key-for-mfa-sim-only-0000'
    $port = ([uri]$sim.Uri).Port
    function New-Audited([hashtable]$Extra) {
        New-MfaConnection -Provider Duo -ApiHost "127.0.0.1:$port" -IntegrationKey DIDEMOINTEGRATION001 -SecretKey $duoKey -ServerCertificateHash $sim.CertificateHash @Extra
    }
    # A copy of the audit file with its lines changed by $Change (an array of lines in, out).
    function New-TamperedCopy([string]$Name, [scriptblock]$Change) {
        $lines = @(Get-Content -LiteralPath $audit)
        $copy = Join-Path $dir $Name
        [System.IO.File]::WriteAllText($copy, ((& $Change $lines) -join "`n") + "`n")
        $copy
    }
}
AfterAll {
    $sim | Stop-MfaSimulator -ErrorAction SilentlyContinue
    Remove-Item -Recurse -Force $dir -ErrorAction SilentlyContinue
    Remove-Module MfaApproval -ErrorAction SilentlyContinue
}

Describe 'A keyed audit trail' {
    BeforeAll {
        $verbose = $null
        $conn = New-Audited @{ AuditPath = $audit; AuditKey = $key; Verbose = $true } 4>&1 | Tee-Object -Variable verbose | Where-Object { $_ -is [MfaApproval.Connection] }
        $results = 1..3 | ForEach-Object { Invoke-MfaApproval -Connection $conn -UserName instant@contoso.com -Verbose 4>$null }
    }

    It 'writes a header and one chained record per approval' {
        @($results | Where-Object Approved).Count | Should -Be 3
        $lines = @(Get-Content -LiteralPath $audit)
        $lines.Count | Should -Be 4
        ($lines[0] | ConvertFrom-Json).type | Should -Be 'header'
        ($lines[3] | ConvertFrom-Json).seq | Should -Be 3
        ($lines[3] | ConvertFrom-Json).id | Should -Be $results[2].AuditId
    }

    It 'verifies with the key, as an MfaApproval.AuditLogReport' {
        $r = Test-MfaAuditLog -Path $audit -AuditKey $key
        $r.PSObject.TypeNames[0] | Should -Be 'MfaApproval.AuditLogReport'
        $r.Valid | Should -BeTrue
        $r.Records | Should -Be 3
        $r.Keyed | Should -BeTrue
        $r.FirstBadRecord | Should -BeNullOrEmpty
        $r.LastSequence | Should -Be 3
        $r.LastHash | Should -Match '^[0-9a-f]{64}$'
        Test-MfaAuditLog -Path $audit -AuditKey $key -Assert | Should -Not -BeNullOrEmpty
    }

    It 'verifies the chain without the key and says the MACs were not checked' {
        $r = Test-MfaAuditLog $audit
        $r.Valid | Should -BeTrue
        $r.Keyed | Should -BeFalse
        $r.Message | Should -Match 'audit key'
    }

    It 'names the edited record, and -Assert throws MfaApproval.AuditLogInvalid naming it' {
        $copy = New-TamperedCopy 'edited.jsonl' { param($l) $l[2] = $l[2].Replace('instant@contoso.com', 'instanT@contoso.com'); $l }
        $r = Test-MfaAuditLog -Path $copy -AuditKey $key
        $r.Valid | Should -BeFalse
        $r.FirstBadRecord | Should -Be 2
        $r.Reason | Should -Be 'edited'
        $e = { Test-MfaAuditLog -Path $copy -AuditKey $key -Assert } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -BeLike 'MfaApproval.AuditLogInvalid,*'
        $e.CategoryInfo.Category | Should -Be 'SecurityError'
        $e.Exception.Message | Should -Match 'record 2'
        $e.TargetObject.FirstBadRecord | Should -Be 2
    }

    It 'names a removed record and two swapped ones' {
        $removed = New-TamperedCopy 'removed.jsonl' { param($l) @($l[0], $l[1], $l[3]) }
        $r = Test-MfaAuditLog -Path $removed
        $r.FirstBadRecord, $r.Reason | Should -Be 2, 'removed'
        $swapped = New-TamperedCopy 'swapped.jsonl' { param($l) @($l[0], $l[2], $l[1], $l[3]) }
        $r = Test-MfaAuditLog -Path $swapped
        $r.FirstBadRecord, $r.Reason | Should -Be 1, 'reordered'
    }

    It 'refuses another key at the header (badMac)' {
        $r = Test-MfaAuditLog -Path $audit -AuditKey (New-TestSecureString 'another-key-of-enough-length')
        $r.Valid | Should -BeFalse
        $r.FirstBadRecord, $r.Reason | Should -Be 0, 'badMac'
        $r.Message | Should -Match 'another audit key'
    }

    It 'takes files from Get-ChildItem' {
        $reports = @(Get-ChildItem -LiteralPath $dir -Filter '*.jsonl' | Test-MfaAuditLog -AuditKey $key)
        $reports.Count | Should -BeGreaterThan 2
        @($reports | Where-Object Valid).Path | Should -Be $audit
    }

    It 'shows that the connection signs its records, and never the key' {
        $conn.AuditKeyed | Should -BeTrue
        $conn.AuditPath | Should -Be $audit
        foreach ($text in @((Get-Content -Raw $audit), ($conn | Format-List * | Out-String), ($verbose | Out-String))) {
            $text | Should -Not -Match $keyText
        }
    }

    It 'refuses a plain-text -AuditKey, saying why' {
        $e = { New-Audited @{ AuditPath = $audit; AuditKey = $keyText } } | Should -Throw -PassThru
        $e.Exception.Message | Should -Match '-AuditKey takes a SecureString'
        $e.Exception.Message | Should -Not -Match $keyText
    }

    It 'refuses a file that does not exist, naming -Path' {
        $e = { Test-MfaAuditLog -Path (Join-Path $dir 'missing.jsonl') } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -BeLike 'MfaApproval.FileNotFound,*'
        $e.Exception.Message | Should -Match '-Path'
    }
}

Describe 'Audit settings' {
    It '-AuditRequired offers exactly the engine''s values' {
        $caps = [MfaApproval.Interop.Native]::Capabilities() | ConvertFrom-Json
        @([enum]::GetNames([MfaApproval.Cmdlets.AuditRequirement]) | ForEach-Object { $_.ToLowerInvariant() }) | Should -Be @($caps.auditRequired)
        $caps.auditEvents.ids.Approved | Should -Be 1001
    }

    It 'refuses a short -AuditKey, naming it and not showing it' {
        $e = { New-Audited @{ AuditPath = $audit; AuditKey = (New-TestSecureString 'short-key-9') } } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -BeLike 'MfaApproval.InvalidConnectionSettings,*'
        $e.Exception.Message | Should -Match '^New-MfaConnection -AuditKey: '
        $e.Exception.Message | Should -Not -Match 'short-key-9'
    }

    It 'refuses -AuditRequired Syslog over udp, naming -AuditRequired' {
        $e = { New-Audited @{ SyslogServer = 'udp://127.0.0.1:514'; AuditRequired = 'Syslog' } } | Should -Throw -PassThru
        $e.Exception.Message | Should -Match '^New-MfaConnection -AuditRequired: .*udp'
    }

    It 'refuses -SyslogServer <Value> where it is bound' -ForEach @(
        @{ Value = 'http://siem.contoso.com' }
        @{ Value = 'tcp://user:secret@siem.contoso.com' }
        @{ Value = 'siem.contoso.com:514' }
    ) {
        $e = { New-Audited @{ SyslogServer = $Value } } | Should -Throw -PassThru
        $e.FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentValidationError,*'
        $e.Exception.Message | Should -Match 'SyslogServer'
        $e.Exception.Message | Should -Not -Match 'secret'
    }

    It 'refuses -EventLog off Windows, naming it' -Skip:([System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT) {
        $e = { New-Audited @{ EventLog = $true } } | Should -Throw -PassThru
        $e.Exception.Message | Should -Match '^New-MfaConnection -EventLog: .*only on Windows'
    }

    # Windows only (the Windows workflow runs elevated, as registering a source needs once).
    It 'writes each record to the Application log under MfaApproval, one event id per status' -Skip:([System.Environment]::OSVersion.Platform -ne [System.PlatformID]::Win32NT) {
        if (-not [System.Diagnostics.EventLog]::SourceExists('MfaApproval')) { [System.Diagnostics.EventLog]::CreateEventSource('MfaApproval', 'Application') }
        $caps = [MfaApproval.Interop.Native]::Capabilities() | ConvertFrom-Json
        $logged = Join-Path $dir 'eventlog.jsonl'
        $conn = New-Audited @{ EventLog = $true; AuditPath = $logged }
        $conn.EventLog | Should -BeTrue
        $r = Invoke-MfaApproval -Connection $conn -UserName instant@contoso.com
        $r.Warnings | Should -BeNullOrEmpty
        $events = @(Get-WinEvent -FilterHashtable @{ LogName = 'Application'; ProviderName = 'MfaApproval'; Id = $caps.auditEvents.ids.Approved } -MaxEvents 50 |
            Where-Object { $_.Message -like "*$($r.AuditId)*" })
        $events.Count | Should -Be 1
        $events[0].Level | Should -Be 4 -Because 'Information (EVENTLOG_INFORMATION_TYPE)'
        $events[0].Message | Should -Be @(Get-Content -LiteralPath $logged)[1] -Because 'the event is the chained line, byte for byte'
    }

    It 'does not grant an approval whose required syslog record cannot be sent' {
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        $closed = $listener.LocalEndpoint.Port
        $listener.Stop()
        $conn = New-Audited @{ SyslogServer = "tcp://127.0.0.1:$closed"; AuditRequired = 'Syslog' }
        $conn.SyslogServer | Should -Be "tcp://127.0.0.1:$closed"
        $r = Invoke-MfaApproval -Connection $conn -UserName instant@contoso.com -Timeout 10
        $r.Status | Should -Be 'Failed'
        $r.Approved | Should -BeFalse
        $r.Message | Should -Match 'syslog 127\.0\.0\.1'
        { Invoke-MfaApproval -Connection $conn -UserName instant@contoso.com -Timeout 10 -Assert } | Should -Throw -ErrorId 'MfaApproval.Failed*'
    }
}
