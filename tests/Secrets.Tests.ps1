# No secret in any stream: output, error, warning, verbose, debug, information, progress.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModulePath -Force
    $sim = Start-MfaSimulator -NoResponseAfter 1
    $secret = 'Zq9-Very-Secret-Passw0rd'
    function Get-AllStreamText([scriptblock]$Script, [hashtable]$Variables = @{}) {
        $ps = [powershell]::Create()
        $null = $ps.AddScript("Import-Module '$ModulePath'").AddScript($Script.ToString())
        $ps.Runspace.SessionStateProxy.SetVariable('sim', $sim)
        $ps.Runspace.SessionStateProxy.SetVariable('secret', $secret)
        foreach ($k in $Variables.Keys) { $ps.Runspace.SessionStateProxy.SetVariable($k, $Variables[$k]) }
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
    # A plain-HTTP "proxy" on loopback that answers every request 500 with the request's
    # Authorization and Proxy-Authorization lines (what a careless proxy's error page does).
    function Start-EchoProxy {
        $listener = New-Object System.Net.Sockets.TcpListener ([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        $ps = [powershell]::Create()
        $null = $ps.AddScript({
            param($listener)
            while ($true) {
                $client = $listener.AcceptTcpClient()
                try {
                    $stream = $client.GetStream()
                    $buf = New-Object byte[] 16384
                    $n = 0
                    do {
                        $k = $stream.Read($buf, $n, $buf.Length - $n)
                        $n += $k
                        $text = [Text.Encoding]::ASCII.GetString($buf, 0, $n)
                    } while ($k -gt 0 -and $text.IndexOf("`r`n`r`n") -lt 0)
                    $echo = @($text -split "`r`n" | Where-Object { $_ -match 'authorization' }) -join ' ; '
                    $body = [Text.Encoding]::ASCII.GetBytes($echo)
                    $head = [Text.Encoding]::ASCII.GetBytes("HTTP/1.1 500 X`r`nContent-Type: text/plain`r`nContent-Length: $($body.Length)`r`nConnection: close`r`n`r`n")
                    $stream.Write($head, 0, $head.Length)
                    $stream.Write($body, 0, $body.Length)
                    $stream.Flush()
                }
                finally { $client.Close() }
            }
        }).AddArgument($listener)
        $null = $ps.BeginInvoke()
        [pscustomobject]@{ Port = $listener.LocalEndpoint.Port; Listener = $listener; PowerShell = $ps }
    }
    function Stop-EchoProxy($proxy) {
        $proxy.Listener.Stop()
        $proxy.PowerShell.Dispose()
    }
    # A plain-HTTP "Okta org" on loopback that answers every call 400 with an errorSummary
    # holding the API token it received in other spellings: hex, HEX with colons, the hex
    # of its UTF-16 bytes, base64 (what a careless API gateway's validation error does).
    function Start-EchoOkta {
        $listener = New-Object System.Net.Sockets.TcpListener ([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        $ps = [powershell]::Create()
        $null = $ps.AddScript({
            param($listener)
            while ($true) {
                $client = $listener.AcceptTcpClient()
                try {
                    $stream = $client.GetStream()
                    $buf = New-Object byte[] 16384
                    $n = 0
                    do {
                        $k = $stream.Read($buf, $n, $buf.Length - $n)
                        $n += $k
                        $text = [Text.Encoding]::ASCII.GetString($buf, 0, $n)
                    } while ($k -gt 0 -and $text.IndexOf("`r`n`r`n") -lt 0)
                    $token = ''
                    foreach ($line in ($text -split "`r`n")) { if ($line -match '^authorization:\s*SSWS\s*(\S+)') { $token = $Matches[1] } }
                    $bytes = [Text.Encoding]::UTF8.GetBytes($token)
                    $hex = -join ($bytes | ForEach-Object { $_.ToString('x2') })
                    $colons = ($bytes | ForEach-Object { $_.ToString('X2') }) -join ':'
                    $utf16 = -join ([Text.Encoding]::Unicode.GetBytes($token) | ForEach-Object { $_.ToString('x2') })
                    $b64 = [Convert]::ToBase64String($bytes)
                    $summary = "Api validation failed: key=$hex; alt=$colons; u=$utf16; b=$b64"
                    $body = [Text.Encoding]::ASCII.GetBytes('{"errorCode":"E0000001","errorSummary":"' + $summary + '","errorCauses":[]}')
                    $head = [Text.Encoding]::ASCII.GetBytes("HTTP/1.1 400 Bad Request`r`nContent-Type: application/json`r`nContent-Length: $($body.Length)`r`nConnection: close`r`n`r`n")
                    $stream.Write($head, 0, $head.Length)
                    $stream.Write($body, 0, $body.Length)
                    $stream.Flush()
                }
                finally { $client.Close() }
            }
        }).AddArgument($listener)
        $null = $ps.BeginInvoke()
        [pscustomobject]@{ Port = $listener.LocalEndpoint.Port; Listener = $listener; PowerShell = $ps }
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

    It 'an echoing proxy gets neither Basic credential into any stream, in any spelling' {
        $proxy = Start-EchoProxy
        try {
            $text = Get-AllStreamText -Variables @{ proxyPort = $proxy.Port } {
                $VerbosePreference = 'Continue'
                $cred = New-Object System.Management.Automation.PSCredential('svc-mfa', (ConvertTo-SecureString $secret -AsPlainText -Force))
                $pcred = New-Object System.Management.Automation.PSCredential('proxyuser', (ConvertTo-SecureString 'Pr0xy-Secret-Passw0rd' -AsPlainText -Force))
                $c = New-MfaConnection -Uri 'http://mfa.invalid/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx' -Credential $cred -AllowUnencryptedAuthentication -Proxy "http://127.0.0.1:$proxyPort" -ProxyCredential $pcred -HttpTimeout 5 -Verbose
                Invoke-MfaApproval -Connection $c -UserName alice@contoso.com -Timeout 10 -Verbose
                Invoke-MfaApproval -Connection $c -UserName alice@contoso.com -Timeout 10 -Assert -Verbose
            }
        }
        finally { Stop-EchoProxy $proxy }
        $text | Should -Match 'redacted'       # the echo reached the messages...
        foreach ($leak in @($secret, 'Pr0xy-Secret',
                [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes("proxyuser:Pr0xy-Secret-Passw0rd")).Substring(0, 16),
                [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes("svc-mfa:$secret")).Substring(0, 16))) {
            $text | Should -Not -Match ([regex]::Escape($leak))    # ...without a credential
        }
    }

    It 'hex and other spellings of the Okta API token in a 400 errorSummary reach no stream, result or error record' {
        $okta = Start-EchoOkta
        try {
            $text = Get-AllStreamText -Variables @{ oktaPort = $okta.Port } {
                $VerbosePreference = 'Continue'
                $c = New-MfaConnection -Provider Okta -OrgUrl "http://127.0.0.1:$oktaPort" -ApiToken (ConvertTo-SecureString $secret -AsPlainText -Force) -AllowUnencryptedAuthentication -HttpTimeout 5 -Verbose
                Invoke-MfaApproval -Connection $c -UserName alice@contoso.com -Timeout 10 -Verbose
                Invoke-MfaApproval -Connection $c -UserName alice@contoso.com -Timeout 10 -Assert -Verbose
                Start-MfaApproval -Connection $c -UserName alice@contoso.com -Timeout 10 | Wait-MfaApproval -Verbose
                Test-MfaConnection -Connection $c -Verbose
            }
        }
        finally { Stop-EchoProxy $okta }
        $text | Should -Match 'E0000001'       # the refusal reached the streams...
        $text | Should -Match 'redacted'
        $bytes = [Text.Encoding]::UTF8.GetBytes($secret)
        $hex = -join ($bytes | ForEach-Object { $_.ToString('x2') })
        $utf16 = -join ([Text.Encoding]::Unicode.GetBytes($secret) | ForEach-Object { $_.ToString('x2') })
        foreach ($leak in @($secret, $hex.Substring(0, 12), ($hex.Substring(0, 12) -replace '(..)(?!$)', '$1:'), $utf16.Substring(0, 12), [Convert]::ToBase64String($bytes).Substring(0, 12))) {
            $text | Should -Not -Match ([regex]::Escape($leak))    # ...without the token, in any spelling
        }
    }

    It 'a one-letter password leaves messages readable (whole tokens only)' {
        $text = Get-AllStreamText {
            $cred = New-Object System.Management.Automation.PSCredential('demo-admin', (ConvertTo-SecureString 'p' -AsPlainText -Force))
            $c = New-MfaConnection -Uri 'https://127.0.0.1:1/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx' -Credential $cred -HttpTimeout 3
            Invoke-MfaApproval -Connection $c -UserName alice@contoso.com -Timeout 5
        }
        $text | Should -Match 'https://127\.0\.0\.1:1'
        $text | Should -Not -Match 'htt\[redacted\]'
        $text | Should -Not -Match '\w\[redacted\]|\[redacted\]\w'
    }
}
