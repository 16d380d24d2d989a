# No secret in any stream: output, error, warning, verbose, debug, information, progress.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModulePath -Force
    $sim = Start-MfaSimulator -NoResponseAfter 1
    $secret = 'Zq9-Very-Secret-Passw0rd'
    function Get-AllStreamText([scriptblock]$Script) {
        $ps = [powershell]::Create()
        $null = $ps.AddScript("Import-Module '$ModulePath'").AddScript($Script.ToString())
        $ps.Runspace.SessionStateProxy.SetVariable('sim', $sim)
        $ps.Runspace.SessionStateProxy.SetVariable('secret', $secret)
        $out = try { $ps.Invoke() } catch { $_ }
        $text = @(
            # Every property of every output (a simulator's Process object is left out: it is the .NET process).
            $out | ForEach-Object { $o = $_ | Select-Object * -ExcludeProperty Process; $o | Format-List * -Force | Out-String; $o | ConvertTo-Json -Depth 3 -WarningAction SilentlyContinue }
            $ps.Streams.Error | ForEach-Object { $_ | Format-List * -Force | Out-String; $_.Exception.ToString() }
            $ps.Streams.Warning; $ps.Streams.Verbose; $ps.Streams.Debug; $ps.Streams.Information
            $ps.Streams.Progress | ForEach-Object { $_.StatusDescription }
        ) -join "`n"
        $ps.Dispose()
        $text
    }
}
AfterAll {
    $sim | Stop-MfaSimulator
    Remove-Module MfaApproval -ErrorAction SilentlyContinue
}

Describe 'Secrets' {
    It 'a wrong Basic password never appears in any stream' {
        $text = Get-AllStreamText {
            $VerbosePreference = 'Continue'; $DebugPreference = 'Continue'
            $cred = New-Object System.Management.Automation.PSCredential('demo-admin', (ConvertTo-SecureString $secret -AsPlainText -Force))
            $c = New-MfaConnection -Uri $sim.Uri -Credential $cred -ServerCertificateHash $sim.CertificateHash -Verbose
            $c
            Test-MfaConnection -Connection $c -Verbose
            Invoke-MfaApproval -Connection $c -UserName alice@contoso.com -Verbose
            Invoke-MfaApproval -Connection $c -UserName alice@contoso.com -Assert -Verbose
        }
        $text | Should -Match 'Authentication'    # the failure was reported...
        $text | Should -Not -Match $secret        # ...without the password
    }

    It 'the demo password stays out of every stream of a successful run' {
        $text = Get-AllStreamText {
            $VerbosePreference = 'Continue'
            $s = Start-MfaSimulator -Verbose
            $s; $s.Connection
            Invoke-MfaApproval -Connection $s.Connection -UserName bob@contoso.com -Verbose
            $s | Stop-MfaSimulator -Verbose
        }
        $text | Should -Match 'Denied'
        $text | Should -Not -Match 'demo-password'
    }

    It 'a wrong Okta API token and a refused service app key never appear in any stream' {
        $text = Get-AllStreamText {
            $VerbosePreference = 'Continue'; $DebugPreference = 'Continue'
            $org = 'https://127.0.0.1:{0}' -f ([uri]$sim.Uri).Port
            $c = New-MfaConnection -Provider Okta -OrgUrl $org -ApiToken (ConvertTo-SecureString $secret -AsPlainText -Force) -ServerCertificateHash $sim.CertificateHash -Verbose
            $c
            Test-MfaConnection -Connection $c -Verbose
            Invoke-MfaApproval -Connection $c -UserName alice@contoso.com -Verbose
            Invoke-MfaApproval -Connection $c -UserName alice@contoso.com -Assert -Verbose
            $key = Join-Path ([System.IO.Path]::GetTempPath()) "mfa-okta-key-$PID.pem"
            Set-Content -Path $key -Value "-----BEGIN PRIVATE KEY-----`n$secret`n-----END PRIVATE KEY-----"
            try { New-MfaConnection -Provider Okta -OrgUrl $org -ClientId 0oa1b2c3d4e5f6g7h8i9 -PrivateKeyFile $key -Verbose } finally { Remove-Item $key }
        }
        $text | Should -Match 'E0000011'          # the refusals were reported...
        $text | Should -Match 'PrivateKeyFile'
        $text | Should -Not -Match $secret        # ...without the token or the key
    }

    It 'a wrong PFX password is not echoed' {
        $text = Get-AllStreamText {
            $f = Join-Path ([System.IO.Path]::GetTempPath()) "mfa-secret-$PID.pfx"
            [System.IO.File]::WriteAllBytes($f, [byte[]](1..64))
            New-MfaConnection -Uri $sim.Uri -ClientCertificateFile $f -ClientCertificatePassword (ConvertTo-SecureString $secret -AsPlainText -Force) -Verbose
            Remove-Item $f
        }
        $text | Should -Match 'clientCertificateFile'
        $text | Should -Not -Match $secret
    }
}
