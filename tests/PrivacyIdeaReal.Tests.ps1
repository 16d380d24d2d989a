# privacyIDEA through the cmdlets against a REAL privacyIDEA 3.14 server (tests/python/
# privacyidea_server.py: SQLite, gunicorn over HTTPS on loopback, poll-only push tokens) and
# its scripted phones (tests/python/privacyidea_phone.py): approved only after the phone
# approves; a decline, no answer, and answers that do not verify with the pinned signing key
# are not. Started from the test venv (out/venv, made by build.ps1; or $env:MFA_PYTHON);
# skipped with one line where that Python or privacyIDEA is missing, required under CI=true
# on Linux (gunicorn runs on Unix only). Costs the server's start (about 5 s with its cache).
BeforeDiscovery {
    . $PSScriptRoot/TestHelpers.ps1
    $python = if ($env:MFA_PYTHON) { $env:MFA_PYTHON } else { Join-Path $RepoRoot 'out/venv/bin/python' }
    $onLinux = (Test-Path variable:IsLinux) -and $IsLinux
    $required = ($env:CI -eq 'true') -and $onLinux
    $available = $onLinux -and (Test-Path -LiteralPath $python -PathType Leaf)
    if ($available) {
        $probe = & $InvokeNative -FilePath $python -ArgumentList @('-c', 'import privacyidea, gunicorn')
        $available = $probe.ExitCode -eq 0
    }
    if (-not $available) {
        if ($required) { throw "privacyIDEA is required under CI=true: $python cannot import privacyidea and gunicorn (build.ps1 installs tests/python/requirements.txt into out/venv)" }
        Write-Host "Real privacyIDEA tests skipped: $python cannot import privacyidea and gunicorn (pwsh ./build.ps1 Test makes out/venv; or set MFA_PYTHON)." -ForegroundColor Yellow
    }
}

Describe 'A real privacyIDEA server' -Skip:(-not $available) {
    BeforeAll {
        . $PSScriptRoot/TestHelpers.ps1
        Import-Module $ModulePath -Force
        $python = if ($env:MFA_PYTHON) { $env:MFA_PYTHON } else { Join-Path $RepoRoot 'out/venv/bin/python' }
        $start = New-Object System.Diagnostics.ProcessStartInfo
        $start.FileName = $python
        $start.ArgumentList.Add((Join-Path $RepoRoot 'tests/python/privacyidea_server.py'))
        $start.UseShellExecute = $false
        $start.RedirectStandardInput = $true
        $start.RedirectStandardOutput = $true
        $server = [System.Diagnostics.Process]::Start($start)
        $line = $server.StandardOutput.ReadLineAsync()
        if (-not $line.Wait([TimeSpan]::FromSeconds(240)) -or -not $line.Result) { throw 'privacyIDEA did not start within 240 s (its log is on standard error above)' }
        $info = $line.Result | ConvertFrom-Json
        $service = [pscredential]::new($info.serviceUser, (New-TestSecureString $info.servicePassword))
        $common = @{ Provider = 'PrivacyIdea'; Uri = $info.url; Realm = $info.realm; Credential = $service; CaCertificateFile = $info.caFile }
        $pinned = New-MfaConnection @common -ResponseSigningKey $info.signingKeyFile
    }
    AfterAll {
        if ($server) {
            $server.StandardInput.Close()
            if (-not $server.WaitForExit(15000)) { $server.Kill() }
        }
        Remove-Module MfaApproval -ErrorAction SilentlyContinue
    }

    It 'approves alice only after her phone approved, with the answer signed by the pinned key' {
        $r = Invoke-MfaApproval -Connection $pinned -UserName alice -Timeout 30
        $r.Status | Should -Be 'Approved'
        $r.Approved | Should -BeTrue
        $r.Provider | Should -Be 'privacyidea'
        $r.Duration.TotalSeconds | Should -BeGreaterThan 0.5 -Because 'her phone answers about a second after the push'
    }

    It '<User> (<Why>) ends as <Status>, never approved' -ForEach @(
        @{ User = 'bob'; Why = 'the phone declines'; Status = 'Denied' }
        @{ User = 'carol'; Why = 'the phone never answers'; Status = 'TimedOut' }
        @{ User = 'dave'; Why = 'no push token'; Status = 'Failed' }
    ) {
        $r = Invoke-MfaApproval -Connection $pinned -UserName $User -Timeout 4
        $r.Status | Should -Be $Status
        $r.Approved | Should -BeFalse
    }

    It 'an answer that does not verify with the pinned key is never an approval (another key pinned)' {
        $wrongKey = New-MfaConnection @common -ResponseSigningKey (Join-Path $PSScriptRoot 'data/mfa-sim-privacyidea-signing-key.pem')
        $r = Invoke-MfaApproval -Connection $wrongKey -UserName alice -Timeout 10
        $r.Status | Should -Be 'Failed'
        $r.Approved | Should -BeFalse
        $r.Message | Should -Match 'signature'
    }

    It 'Test-MfaConnection passes with the service account and names Authentication for a wrong password' {
        (Test-MfaConnection -Connection $pinned).Success | Should -BeTrue
        $bad = New-MfaConnection -Provider PrivacyIdea -Uri $info.url -Realm $info.realm -CaCertificateFile $info.caFile -Credential ([pscredential]::new($info.serviceUser, (New-TestSecureString 'Not-The-Password-1')))
        $t = Test-MfaConnection -Connection $bad
        $t.Success | Should -BeFalse
        $t.Stage | Should -Be 'Authentication'
        ($t | Out-String) | Should -Not -Match ([regex]::Escape($info.servicePassword))
    }
}
