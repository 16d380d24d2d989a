# New-MfaConnection builds every provider's connection the same way, from the engine's
# registry (NewMfaConnection.Registry.cs): for each provider, the configuration the engine
# receives is the one the hand-built code sent before (field by field, no secret in it, the
# host field instead of uri where the registry says so), the simulator approves through it,
# and a parameter or -Provider of another provider is refused with what this one takes.
# Costs about 10 s: one simulator per provider.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModulePath -Force
    $sims = @{}
    foreach ($p in 'MfaServer', 'Duo', 'Okta', 'Radius', 'PrivacyIdea') { $sims[$p] = Start-MfaSimulator -Provider $p }
    $hash = @{}
    foreach ($p in $sims.Keys) { $hash[$p] = $sims[$p].CertificateHash }
    $secrets = @{
        Mfa      = 'demo-password'
        Duo      = 'demo-duo-secret-key-for-mfa-sim-only-0000'
        Okta     = '00demo-okta-api-token-for-mfa-sim-only-0000000'
        Radius   = 'demo-radius-shared-secret-for-mfa-sim-only'
        Pi       = 'demo-password'
    }
    # What the engine was given (Connection.ConfigJson is internal: no secret, but not for show).
    function Get-SentConfig($Connection) {
        $json = [MfaApproval.Connection].GetProperty('ConfigJson', [System.Reflection.BindingFlags]'NonPublic,Instance').GetValue($Connection)
        ConvertTo-Hashtable ($json | ConvertFrom-Json)
    }
    # A parsed JSON object as a hashtable (Windows PowerShell 5.1 has no -AsHashtable).
    function ConvertTo-Hashtable($Object) {
        $table = @{}
        foreach ($p in $Object.PSObject.Properties) { $table[$p.Name] = $p.Value }
        $table
    }
    function New-Case([string]$Provider) {
        $sim = $sims[$Provider]
        $port = ([uri]$sim.Uri).Port
        switch ($Provider) {
            'MfaServer' {
                @{ Params = @{ Uri = $sim.Uri; Credential = [pscredential]::new('demo-admin', (New-TestSecureString $secrets.Mfa)); ServerCertificateHash = $hash.MfaServer }
                    Sent = @{ provider = 'mfaserver'; uri = [string]$sim.Uri; userName = 'demo-admin'; basicMode = 'preemptive'; initiatingAuthenticationType = 'pfsdk'; applicationName = 'MfaApproval'; httpTimeoutSeconds = 100; serverCertificateSha256 = @($hash.MfaServer) }
                    Authentication = 'Basic'; Uri = [string]$sim.Uri; Secret = $secrets.Mfa }
            }
            'Duo' {
                @{ Params = @{ Provider = 'Duo'; ApiHost = "127.0.0.1:$port"; IntegrationKey = 'DIDEMOINTEGRATION001'; SecretKey = (New-TestSecureString $secrets.Duo); ServerCertificateHash = $hash.Duo }
                    Sent = @{ provider = 'duo'; apiHost = "127.0.0.1:$port"; integrationKey = 'DIDEMOINTEGRATION001'; signatureVersion = 5; applicationName = 'MfaApproval'; httpTimeoutSeconds = 100; serverCertificateSha256 = @($hash.Duo) }
                    Absent = @('uri'); Authentication = 'DuoSignature'; Uri = "https://127.0.0.1:$port/"; Secret = $secrets.Duo }
            }
            'Okta' {
                @{ Params = @{ Provider = 'Okta'; OrgUrl = $sim.Uri; ApiToken = (New-TestSecureString $secrets.Okta); ServerCertificateHash = $hash.Okta }
                    Sent = @{ provider = 'okta'; uri = ([uri]$sim.Uri).OriginalString; applicationName = 'MfaApproval'; httpTimeoutSeconds = 100; serverCertificateSha256 = @($hash.Okta) }
                    Absent = @('clientId', 'numberChallenge'); Authentication = 'OktaApiToken'; Uri = [string]$sim.Uri; Secret = $secrets.Okta }
            }
            'Radius' {
                $server = $sim.Connection.Servers[0]
                @{ Params = @{ Provider = 'Radius'; Server = $server; SharedSecret = (New-TestSecureString $secrets.Radius) }
                    Sent = @{ provider = 'radius'; servers = @($server); nasIdentifier = 'MfaApproval'; passwordMode = 'none' }
                    Absent = @('uri', 'applicationName', 'httpTimeoutSeconds'); Authentication = 'SharedSecret'; Uri = "radius://$server"; Secret = $secrets.Radius }
            }
            'PrivacyIdea' {
                @{ Params = @{ Provider = 'PrivacyIdea'; Uri = "https://127.0.0.1:$port"; Realm = 'contoso'; Credential = [pscredential]::new('demo-admin', (New-TestSecureString $secrets.Pi)); ServerCertificateHash = $hash.PrivacyIdea }
                    Sent = @{ provider = 'privacyidea'; uri = "https://127.0.0.1:$port"; realm = 'contoso'; userName = 'demo-admin'; httpTimeoutSeconds = 100; serverCertificateSha256 = @($hash.PrivacyIdea) }
                    Absent = @('applicationName'); Authentication = 'ServiceAccount'; Uri = "https://127.0.0.1:$port"; Secret = $secrets.Pi }
            }
        }
    }
}
AfterAll {
    foreach ($s in $sims.Values) { $s | Stop-MfaSimulator -ErrorAction SilentlyContinue }
    Remove-Module MfaApproval -ErrorAction SilentlyContinue
}

Describe 'New-MfaConnection from the registry, per provider' {
    It '<_>: sends the configuration the hand-built code sent, and the simulator approves through it' -ForEach 'MfaServer', 'Duo', 'Okta', 'Radius', 'PrivacyIdea' {
        $case = New-Case $_
        $p = $case.Params
        $c = New-MfaConnection @p
        $sent = Get-SentConfig $c
        foreach ($k in $case.Sent.Keys) {
            $sent.Contains($k) | Should -BeTrue -Because "$_ sends $k"
            @($sent[$k]) | Should -Be @($case.Sent[$k]) -Because "$_ sends $k"
        }
        foreach ($k in @($case.Absent)) { if ($k) { $sent.Contains($k) | Should -BeFalse -Because "$_ does not send $k" } }
        # Nothing else: every key sent is one the case names (a false switch is not sent).
        @($sent.Keys | Where-Object { -not $case.Sent.Contains($_) }) | Should -BeNullOrEmpty
        ($sent | ConvertTo-Json -Compress) | Should -Not -Match ([regex]::Escape($case.Secret))
        $c.Provider | Should -Be $_
        $c.Authentication | Should -Be $case.Authentication
        [string]$c.Uri | Should -Be ([string][uri]$case.Uri)
        $r = Invoke-MfaApproval -Connection $c -UserName alice@contoso.com -Timeout 30
        $r.Status | Should -Be 'Approved'
    }

    It '<_>: -Verbose says which provider the client is for, with no article to get wrong' -ForEach 'MfaServer', 'Duo', 'Okta', 'Radius', 'PrivacyIdea' {
        $p = (New-Case $_).Params
        $verbose = New-MfaConnection @p -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | Out-String
        $display = ([MfaApproval.Providers]::Find($_)).Display
        $verbose | Should -Match ('Creating a client for ' + [regex]::Escape($display) + ' at ')
        $verbose | Should -Not -Match '\ba (MFA|Okta)\b'
    }

    It 'shows the parameters it was made with on the Connection' {
        $duo = New-Case 'Duo'
        $p = $duo.Params
        $c = New-MfaConnection @p -AllowBypass -WarningAction SilentlyContinue
        $c.IntegrationKey | Should -Be 'DIDEMOINTEGRATION001'
        $c.AllowBypass | Should -BeTrue
        $c.ApplicationName | Should -Be 'MfaApproval'
        (Get-SentConfig $c).allowBypass | Should -BeTrue
        $mfa = New-Case 'MfaServer'
        $p = $mfa.Params
        $c = New-MfaConnection @p -AllowUnknownUser -InitiatingAuthenticationType adfs -WarningAction SilentlyContinue
        $c.UserName | Should -Be 'demo-admin'
        $c.AllowUnknownUser | Should -BeTrue
        $c.InitiatingAuthenticationType | Should -Be 'adfs'
        (Get-SentConfig $c).requireUserMatch | Should -BeFalse
        (Get-SentConfig $c).initiatingAuthenticationType | Should -Be 'adfs'
    }

    It 'RADIUS: -Password alone sends passwordMode fixed, and the password only as a secret' {
        $case = New-Case 'Radius'
        $p = $case.Params
        $c = New-MfaConnection @p -Password (New-TestSecureString 'Pap-Pass-77')
        $sent = Get-SentConfig $c
        $sent.passwordMode | Should -Be 'fixed'
        $c.PasswordMode | Should -Be 'Fixed'
        ($sent | ConvertTo-Json -Compress) | Should -Not -Match 'Pap-Pass-77'
    }

    # A parameter a provider does not take is in none of its parameter sets (Get-Command
    # New-MfaConnection -Syntax shows only what works), so PowerShell refuses it while binding.
    It '<Case> is refused while binding: no parameter set of -Provider <Provider> offers it' -ForEach @(
        @{ Case = 'a Duo connection with -Credential'; Provider = 'Duo'; Extra = @{ Credential = [pscredential]::new('x', (New-Object System.Security.SecureString)) } }
        @{ Case = 'a RADIUS connection with -HttpTimeout'; Provider = 'Radius'; Extra = @{ HttpTimeout = 5 } }
        @{ Case = 'a RADIUS connection with -UseSystemProxy'; Provider = 'Radius'; Extra = @{ UseSystemProxy = $true } }
        @{ Case = 'a privacyIDEA connection with -ApplicationName'; Provider = 'PrivacyIdea'; Extra = @{ ApplicationName = 'HR' } }
    ) {
        $p = (New-Case $Provider).Params
        foreach ($k in $Extra.Keys) { $p[$k] = $Extra[$k] }
        $err = $null
        try { New-MfaConnection @p } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'AmbiguousParameterSet,*'
        $spec = [MfaApproval.Providers]::Find($Provider)
        foreach ($set in $spec.ParameterSets) {
            (Get-Command New-MfaConnection).ParameterSets | Where-Object Name -EQ $set | ForEach-Object { @($_.Parameters.Name) } | Should -Not -Contain @($Extra.Keys)[0]
        }
    }

    It '-Provider <Asked> with the parameters of <Given> is refused, naming what <Asked> takes' -ForEach @(
        @{ Asked = 'Okta'; Given = 'MfaServer'; Pattern = '-Provider Okta takes -OrgUrl.*the parameters given are for -Provider MfaServer' }
        @{ Asked = 'MfaServer'; Given = 'Duo'; Pattern = '-Provider MfaServer takes -Uri.*the parameters given are for -Provider Duo' }
        @{ Asked = 'Radius'; Given = 'PrivacyIdea'; Pattern = '-Provider Radius takes -Server.*the parameters given are for -Provider PrivacyIdea' }
        @{ Asked = 'PrivacyIdea'; Given = 'Okta'; Pattern = '-Provider PrivacyIdea takes -Uri.*the parameters given are for -Provider Okta' }
    ) {
        $p = (New-Case $Given).Params
        $p['Provider'] = $Asked
        $err = $null
        try { New-MfaConnection @p } catch { $err = $_ }
        $err.FullyQualifiedErrorId | Should -BeLike 'MfaApproval.InvalidConnectionSettings,*'
        $err.Exception.Message | Should -Match $Pattern
    }
}

Describe 'The reason as the push text, from the registry' {
    It '<_>: -Reason is sent as applicationName unless the registry says it is the push text' -ForEach 'MfaServer', 'Duo', 'Okta', 'PrivacyIdea' {
        $spec = [MfaApproval.Providers]::Find($_)
        $case = New-Case $_
        $p = $case.Params
        $audit = Join-Path $TestDrive "$_.audit.jsonl"
        $c = New-MfaConnection @p -AuditPath $audit
        $r = Invoke-MfaApproval -Connection $c -UserName alice@contoso.com -Reason 'Payroll change 42' -Timeout 30
        $r.Status | Should -Be 'Approved'
        $record = @(Get-Content $audit | Where-Object { $_ -match '\S' })[-1] | ConvertFrom-Json
        $record.reason | Should -Be 'Payroll change 42'
        if ($spec.ReasonIsPushText) { $record.applicationName | Should -BeNullOrEmpty } else { $record.applicationName | Should -Be 'Payroll change 42' }
    }
}
