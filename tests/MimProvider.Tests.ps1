# The MIM Service's custom MFA provider (Install-MfaMimProvider, mim/provider/*.cs) with no
# MIM: a stand-in interface assembly of the same names (tests/data/mim/PhoneServiceProvider.cs)
# compiled under an unrelated file name into a fake Service folder with an MfaSettings.xml,
# the real installer compiling the adapter with this machine's C# 5 compiler, and a harness
# (tests/data/mim/MimHarness.cs) that plays MIM in a process of its own: loads the adapter by
# reflection, InitiateCall on one thread, GetCallStatus and GetFailureMessage on others, 200
# calls at once against the simulator (MFA Server SDK, Duo, RADIUS, Okta). The setup is
# tests/data/mim/MimServiceFixture.ps1; MimProviderHardening.Tests.ps1 has the pinned module
# files, call ids and concurrent calls.
BeforeDiscovery {
    . $PSScriptRoot/TestHelpers.ps1
    $skipAll = -not $HasCSharp5
}
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModulePath -Force
    . $PSScriptRoot/data/mim/MimServiceFixture.ps1
}
AfterAll {
    $sim | Stop-MfaSimulator -ErrorAction SilentlyContinue
    Remove-Module MfaApproval -ErrorAction SilentlyContinue
}

Describe 'The provider''s sources and MIM''s interface' -Skip:$skipAll {
    It 'ships provider sources that compile with warnings as errors, with and without the directory lookup' {
        $sources = @(Get-ChildItem (Join-Path $ModulePath 'mim/provider') -Filter *.cs | ForEach-Object { $_.FullName })
        # Off Windows the lookup is type-checked against a compile-only stand-in of System.DirectoryServices.
        $directoryServices = 'System.DirectoryServices.dll'
        if (-not $onWindows) {
            $directoryServices = Join-Path $TestDrive 'stub/System.DirectoryServices.dll'
            $null = New-Item -ItemType Directory -Force -Path (Split-Path $directoryServices)
            Invoke-MimCompiler $directoryServices @((Join-Path $RepoRoot 'tests/data/mim/DirectoryServicesStub.cs')) @()
        }
        foreach ($directory in $false, $true) {
            $out = Join-Path $TestDrive "WarningsCheck-$directory.dll"
            $arguments = @('-noconfig', '-nologo', '-langversion:5', '-target:library', '-warnaserror', "-out:$out", '-r:System.dll', '-r:System.Core.dll', '-r:System.Xml.dll', "-r:$interface", "-r:$(Join-Path $ModulePath 'MfaApproval.dll')")
            if ($directory) { $arguments += @("-r:$directoryServices", '-define:MFA_DIRECTORY') }
            $r = & $InvokeNative -FilePath $compiler -ArgumentList @($arguments + $sources)
            $r.ExitCode | Should -Be 0 -Because (@($r.Output) + @($r.Error) -join "`n")
        }
    }

    It 'reads 300 damaged copies of the interface assembly without an exception' {
        $damaged = Join-Path $TestDrive 'Damaged'
        $null = New-Item -ItemType Directory -Force -Path $damaged
        $bytes = [System.IO.File]::ReadAllBytes($interface)
        $random = New-Object System.Random 20
        for ($i = 0; $i -lt 300; $i++) {
            $copy = [byte[]]$bytes.Clone()
            for ($k = 0; $k -lt 1 + $i % 8; $k++) { $copy[$random.Next(0, $copy.Length)] = [byte]$random.Next(0, 256) }
            if ($i % 10 -eq 0) { $copy = $copy[0..($random.Next(64, $copy.Length - 1))] }
            [System.IO.File]::WriteAllBytes((Join-Path $damaged "d$i.dll"), $copy)
        }
        { [MfaApproval.Hosting.MetadataTypeFinder]::FindInterface($damaged, 'Microsoft.IdentityManagement.PhoneServiceProvider', 'IPhoneServiceProvider') } | Should -Not -Throw
    }

    It 'finds the interface by metadata in a DLL of any name, and only there' {
        [MfaApproval.Hosting.MetadataTypeFinder]::FindInterface($service, 'Microsoft.IdentityManagement.PhoneServiceProvider', 'IPhoneServiceProvider') | Should -Be @((Resolve-Path $interface).ProviderPath)
        [MfaApproval.Hosting.MetadataTypeFinder]::FindInterface($service, 'Microsoft.IdentityManagement.PhoneServiceProvider', 'PhoneCallStatus') | Should -BeNullOrEmpty -Because 'an enum is not an interface'
        [MfaApproval.Hosting.MetadataTypeFinder]::FindInterface($service, 'Other.Namespace', 'IPhoneServiceProvider') | Should -BeNullOrEmpty
    }
}

Describe 'Install-MfaMimProvider refuses' -Skip:$skipAll {
    BeforeAll {
        $before = [System.IO.File]::ReadAllText($mfaSettings)
    }
    AfterEach {
        # Nothing refused may change the Service folder.
        [System.IO.File]::ReadAllText($mfaSettings) | Should -BeExactly $before
        Test-Path (Join-Path $service 'MfaSettings.xml.MfaApproval-backup') | Should -BeFalse
        Test-Path (Join-Path $service 'MfaApproval.MimProvider.dll') | Should -BeFalse
        Test-Path $moduleFolder | Should -BeFalse
    }

    It 'nothing with -WhatIf, and says no secret with -Verbose' {
        $said = Install-MfaMimProvider -ServicePath $service -Connection $sim.Connection -PhoneMap $phoneMap -Credential $cred -AllowPlainTextSecret -CompilerPath $compiler -WhatIf -Verbose *>&1 | Out-String
        $said | Should -Match 'Phone map .*: 6 numbers of one user each, 1 listed for more than one user' -Because '-Verbose traced the checks (the What-if line goes to the host; AfterEach shows nothing was written)'
        $said | Should -Not -Match $demoPassword
    }

    It 'a secret in plain text without -AllowPlainTextSecret' {
        { Install-MfaMimProvider -ServicePath $service -Connection $sim.Connection -PhoneMap $phoneMap -Credential $cred -CompilerPath $compiler } |
            Should -Throw -ErrorId 'MfaApproval.PlainTextSecret,MfaApproval.Cmdlets.InstallMfaMimProviderCommand'
    }

    It 'a connection that needs a password when none is given' {
        { Install-MfaMimProvider -ServicePath $service -Connection $sim.Connection -PhoneMap $phoneMap -CompilerPath $compiler } |
            Should -Throw '*-CredentialPath: this connection needs the password of demo-admin*'
    }

    It 'a credential for another user' {
        $other = New-Object System.Management.Automation.PSCredential('someone-else', (New-TestSecureString 'x'))
        { Install-MfaMimProvider -ServicePath $service -Connection $sim.Connection -PhoneMap $phoneMap -Credential $other -AllowPlainTextSecret -CompilerPath $compiler -WarningAction SilentlyContinue } |
            Should -Throw "*the credential is for 'someone-else'*"
    }

    It 'a folder without the interface' {
        $empty = Join-Path $TestDrive 'NoInterface'
        $null = New-Item -ItemType Directory -Force -Path $empty
        Copy-Item $mfaSettings $empty
        { Install-MfaMimProvider -ServicePath $empty -Connection $sim.Connection -PhoneMap $phoneMap -Credential $cred -AllowPlainTextSecret -CompilerPath $compiler -WarningAction SilentlyContinue } |
            Should -Throw -ErrorId 'MfaApproval.MimInterfaceNotFound,MfaApproval.Cmdlets.InstallMfaMimProviderCommand'
    }

    It 'a folder without MfaSettings.xml' {
        { Install-MfaMimProvider -ServicePath $TestDrive -Connection $sim.Connection -PhoneMap $phoneMap -Credential $cred -AllowPlainTextSecret -CompilerPath $compiler } |
            Should -Throw '*has no MfaSettings.xml*'
    }

    It 'a malformed phone map, naming the line' {
        $bad = Join-Path $TestDrive 'bad.csv'
        Set-Content -Path $bad -Value "PhoneNumber,UserName`n+15550100001,alice@contoso.com`nnot-a-phone,bob@contoso.com"
        { Install-MfaMimProvider -ServicePath $service -Connection $sim.Connection -PhoneMap $bad -Credential $cred -AllowPlainTextSecret -CompilerPath $compiler -WarningAction SilentlyContinue } |
            Should -Throw '*-PhoneMap:*line 3*not-a-phone*'
    }

    It 'an LDAP attribute that is not a name, on every platform' {
        { Install-MfaMimProvider -ServicePath $service -Connection $sim.Connection -DirectoryAttribute 'mobile)(cn=*' -Credential $cred -AllowPlainTextSecret -CompilerPath $compiler -WarningAction SilentlyContinue } |
            Should -Throw '*not an LDAP attribute name*'
    }

    It 'an attribute users write themselves (mobile), before the platform check' {
        { Install-MfaMimProvider -ServicePath $service -Connection $sim.Connection -DirectoryAttribute mobile -Credential $cred -AllowPlainTextSecret -CompilerPath $compiler -WarningAction SilentlyContinue } |
            Should -Throw '*Personal-Information property set, which every user may write*'
    }

    It 'the directory lookup outside Windows' -Skip:$onWindows {
        { Install-MfaMimProvider -ServicePath $service -Connection $sim.Connection -DirectoryAttribute extensionAttribute7 -Credential $cred -AllowPlainTextSecret -CompilerPath $compiler -WarningAction SilentlyContinue } |
            Should -Throw '*-DirectoryAttribute: the Active Directory lookup needs Windows*'
    }
}

Describe 'The adapter, driven as MIM drives it (MFA Server simulator)' -Skip:$skipAll {
    BeforeAll {
        $installed = Install-MfaMimProvider -ServicePath $service -Connection $sim.Connection -PhoneMap $phoneMap -CompilerPath $compiler -Credential $cred -AllowPlainTextSecret -Timeout 4 -AuditPath $audit -WarningVariable installWarnings -WarningAction SilentlyContinue -InformationAction Ignore
        $phones = @()
        for ($i = 0; $i -lt 200; $i++) {
            $phones += switch ($i % 10) {
                { $_ -in 0, 1, 2 } { $alice } 3 { $bob } 4 { $mallory } 5 { $carol } 6 { $unknown } 7 { $ambiguous } 8 { $aliceTwice } 9 { $notANumber }
            }
        }
        $run = Invoke-Harness $phones
        $calls = @($run.Calls)
    }

    It 'warned that it replaced another custom provider' {
        @($installWarnings | Where-Object { "$_" -like "*named another custom provider ('C:\Vendor\OtherPhoneGate.dll')*" }).Count | Should -Be 1
    }

    It 'installed the adapter, its settings and the MfaSettings.xml entry, keeping a backup' {
        $installed.InterfaceAssembly | Should -Be (Resolve-Path $interface).ProviderPath
        Test-Path $installed.AdapterPath | Should -BeTrue
        [System.IO.File]::ReadAllText($installed.BackupPath) | Should -BeExactly $originalSettings
        [xml]$x = Get-Content -Raw $mfaSettings
        $x.MfaServiceSettings.CustomPhoneProvider | Should -Be $installed.AdapterPath
        $x.MfaServiceSettings.Username | Should -BeNullOrEmpty -Because 'the other provider entries are cleared'
        $x.MfaServiceSettings.Password | Should -BeNullOrEmpty
        $installed.NextStep | Should -Match 'Restart-Service'
    }

    It 'loaded MfaApproval.dll from the copy beside the adapter, in a process without the module' {
        $run.StartFailure | Should -BeNullOrEmpty
        @($run.Loaded) | Should -Be @((Join-Path $moduleFolder 'MfaApproval.dll'))
    }

    It 'exports one public type from the adapter: the provider' {
        @($run.Exported) | Should -Be @('MfaApproval.MimProvider.MfaApprovalPhoneProvider')
    }

    It 'answered all 200 calls, with no exception escaping and nothing left open' {
        $calls.Count | Should -Be 200
        @($calls | Where-Object { $_.Escaped }) | Should -BeNullOrEmpty
        @($calls | Where-Object { $_.Final -eq 'Pending' -or -not $_.Final }) | Should -BeNullOrEmpty
        $run.OpenAtEnd | Should -Be 0
    }

    It 'asked from other threads than the one that initiated' {
        $polled = @($calls | Where-Object { $_.Initiated -eq 'Pending' })
        $polled.Count | Should -BeGreaterThan 100
        @($polled | Where-Object { $_.StatusThread -eq $_.InitiateThread }) | Should -BeNullOrEmpty
        @($calls | Where-Object { $_.Final -eq 'Failed' -and $_.MessageThread -eq $_.InitiateThread }) | Should -BeNullOrEmpty
    }

    It 'Success only for alice (<Count> calls from her numbers)' -ForEach @(@{ Count = 80 }) {
        $aliceCalls = @($calls | Where-Object { $_.Phone -eq $alice -or $_.Phone -eq $aliceTwice })
        $aliceCalls.Count | Should -Be $Count
        @($aliceCalls | Where-Object { $_.Final -ne 'Success' }) | Should -BeNullOrEmpty
        @($calls | Where-Object { $_.Final -eq 'Success' }).Count | Should -Be $Count
    }

    It '<Who> ends Failed, and GetFailureMessage says <Says>' -ForEach @(
        @{ Who = 'bob (denies)'; Phone = '+1-555-010-0002'; Says = '*Denied for bob@contoso.com (phone +*******0002, MIM request *' }
        @{ Who = 'mallory (fraud)'; Phone = '15550100003'; Says = '*for mallory@contoso.com*' }
        @{ Who = 'carol (no answer within -Timeout 4)'; Phone = '+1 555 010 0004'; Says = '*TimedOut for carol@contoso.com*' }
        @{ Who = 'an unknown number'; Phone = '+1 555 999 9999'; Says = '*no approver for phone +*******9999: the number is not in the phone map*' }
        @{ Who = 'an ambiguous number'; Phone = '+15550100099'; Says = '*no approver for phone +*******0099*ambiguous*' }
        @{ Who = 'not a phone number'; Phone = '+1 555 CALL-NOW'; Says = '*is not a phone number*' }
    ) {
        $mine = @($calls | Where-Object { $_.Phone -eq $Phone })
        $mine.Count | Should -Be 20
        foreach ($c in $mine) {
            $c.Final | Should -Be 'Failed'
            $c.Message | Should -BeLike $Says
            $c.Message | Should -BeLike "*$($c.RequestId)*"
        }
    }

    It 'mallory is FraudReported or blocked, never approved' {
        foreach ($c in @($calls | Where-Object { $_.Phone -eq $mallory })) { $c.Message | Should -Match 'FraudReported|Denied|Failed' }
    }

    It 'says no secret and no full phone number in any message' {
        foreach ($c in $calls) {
            $c.Message | Should -Not -BeLike "*$demoPassword*"
            $c.Message | Should -Not -Match '5550100|555 010|555-010'
        }
    }

    It 'wrote an audit line per started approval with the MIM request id and the masked phone' {
        $lines = @(Get-Content $audit | ForEach-Object { $_ | ConvertFrom-Json } | Where-Object { $_.type -ne 'header' })
        $started = @($calls | Where-Object { $_.Initiated -eq 'Pending' })
        $lines.Count | Should -Be $started.Count
        $byRequest = @{}
        foreach ($l in $lines) { $byRequest[$l.context.'MIM request'] = $l }
        foreach ($c in $started) {
            $line = $byRequest[$c.RequestId]
            $line | Should -Not -BeNullOrEmpty
            $line.context.phone | Should -Match '^\+\*+\d{4}$'
        }
        Get-Content -Raw $audit | Should -Not -Match '5550100|demo-password'
    }
}

Describe 'The adapter bounds what MIM leaves behind' -Skip:$skipAll {
    It 'cancels and frees approvals MIM stops asking about' {
        $null = Install-Test $sim.Connection @{ AbandonAfter = 2; Timeout = 60 }
        $run = Invoke-Harness @($carol, $carol, $carol) -Abandon -Deadline 30
        $run.StartFailure | Should -BeNullOrEmpty
        $run.OpenAfterStart | Should -Be 3
        $run.OpenAtEnd | Should -Be 0
        $run.Seconds | Should -BeLessThan 15
        foreach ($c in @($run.Calls)) {
            $c.Initiated | Should -Be 'Pending'
            $c.Final | Should -Be 'Failed'
            $c.Message | Should -BeLike '*MIM stopped asking about the approval for carol@contoso.com*cancelled*'
        }
    }

    It 'fails calls past MaxOpenRequests at once' {
        $null = Install-Test $sim.Connection @{ MaxOpenRequests = 3; Timeout = 60; AbandonAfter = 2 }
        $run = Invoke-Harness @($carol, $carol, $carol, $alice, $carol) -Abandon -Deadline 30
        $c = @($run.Calls)
        @($c[0..2] | ForEach-Object { $_.Initiated }) | Should -Be @('Pending', 'Pending', 'Pending')
        $c[3].Initiated | Should -Be 'Failed'
        $c[3].Message | Should -BeLike '*3 approvals are already pending*MaxOpenRequests*'
        $c[4].Initiated | Should -Be 'Failed'
        $run.OpenAtEnd | Should -Be 0
    }
}

Describe 'The adapter when it cannot work' -Skip:$skipAll {
    It 'fails every call with a useful message when the simulator is stopped' {
        $stopped = Start-MfaSimulator
        $null = Install-Test $stopped.Connection
        $stopped | Stop-MfaSimulator
        $run = Invoke-Harness @($alice, $alice, $bob)
        foreach ($c in @($run.Calls)) {
            $c.Final | Should -Be 'Failed'
            $c.Escaped | Should -BeNullOrEmpty
            $c.Message | Should -BeLike '*Failed for *@contoso.com (phone *'
            $c.Message | Should -Match 'connect|refused'
            $c.Message | Should -Not -BeLike "*$demoPassword*"
        }
    }

    It 'fails every call, saying why, when the native library was not installed for this runtime' {
        # An installer run for another runtime recorded no library for this one.
        $null = Install-Test $sim.Connection
        $settingsFile = Join-Path $service 'MfaApproval.MimProvider.settings.xml'
        $text = [System.IO.File]::ReadAllText($settingsFile)
        $rid = [MfaApproval.Interop.Loader]::RuntimeIdentifier
        [System.IO.File]::WriteAllText($settingsFile, $text.Replace("runtimes/$rid/native/", 'runtimes/win-arm64/native/'))
        Move-Item (Join-Path $moduleFolder "runtimes/$rid") (Join-Path $moduleFolder 'runtimes/win-arm64')
        $run = Invoke-Harness @($alice, $bob)
        $run.StartFailure | Should -BeLike "*MIM provider could not start*recorded no runtimes/$rid/native/*"
        foreach ($c in @($run.Calls)) {
            $c.Final | Should -Be 'Failed'
            $c.Escaped | Should -BeNullOrEmpty
            $c.Message | Should -BeLike '*recorded no runtimes*tries again*'
        }
    }

    It 'fails every call when a credential file cannot be read, never showing the secret' {
        $credFile = Join-Path $TestDrive 'broken-cred.xml'
        Set-Content -Path $credFile -Value '<Objs><Obj><Props><S N="UserName">demo-admin</S><SS N="Password">zz-not-hex</SS></Props></Obj></Objs>'
        $null = Install-MfaMimProvider -ServicePath $service -Connection $sim.Connection -PhoneMap $phoneMap -CompilerPath $compiler -CredentialPath $credFile -AllowPlainTextSecret -WarningAction SilentlyContinue -InformationAction Ignore
        $run = Invoke-Harness @($alice)
        $run.StartFailure | Should -BeLike "*broken-cred.xml*not hexadecimal*"
        @($run.Calls)[0].Final | Should -Be 'Failed'
    }
}

Describe 'The adapter over RADIUS and Okta (their secret stored like Duo''s)' -Skip:$skipAll {
    It 'approves alice and refuses bob over <Provider>' -ForEach @(
        @{ Provider = 'Radius'; Secret = 'demo-radius-shared-secret-for-mfa-sim-only' }
        @{ Provider = 'Okta'; Secret = '00demo-okta-api-token-for-mfa-sim-only-0000000' }
    ) {
        $other = Start-MfaSimulator -Provider $Provider -NoResponseAfter 60
        try {
            $secret = New-Object System.Management.Automation.PSCredential('secret', (New-TestSecureString $Secret))
            $null = Install-MfaMimProvider -ServicePath $service -Connection $other.Connection -PhoneMap $phoneMap -CompilerPath $compiler -Credential $secret -AllowPlainTextSecret -Timeout 4 -WarningAction SilentlyContinue -InformationAction Ignore
            $run = Invoke-Harness @($alice, $bob)
            $calls = @($run.Calls)
            $run.StartFailure | Should -BeNullOrEmpty
            @($calls | Where-Object { $_.Phone -eq $alice })[0].Final | Should -Be 'Success'
            @($calls | Where-Object { $_.Phone -eq $bob })[0].Final | Should -Be 'Failed'
            foreach ($c in $calls) { $c.Message | Should -Not -BeLike "*$Secret*" }
        }
        finally { $other | Stop-MfaSimulator -ErrorAction SilentlyContinue }
    }

    It 'approves alice and refuses bob over privacyIDEA (its service account stored like the MFA Server caller, from the registry)' {
        $other = Start-MfaSimulator -Provider PrivacyIdea -NoResponseAfter 60
        try {
            $account = New-Object System.Management.Automation.PSCredential('demo-admin', (New-TestSecureString 'demo-password'))
            $null = Install-MfaMimProvider -ServicePath $service -Connection $other.Connection -PhoneMap $phoneMap -CompilerPath $compiler -Credential $account -AllowPlainTextSecret -Timeout 4 -WarningAction SilentlyContinue -InformationAction Ignore
            $run = Invoke-Harness @($alice, $bob)
            $calls = @($run.Calls)
            $run.StartFailure | Should -BeNullOrEmpty
            @($calls | Where-Object { $_.Phone -eq $alice })[0].Final | Should -Be 'Success'
            @($calls | Where-Object { $_.Phone -eq $bob })[0].Final | Should -Be 'Failed'
            foreach ($c in $calls) { $c.Message | Should -Not -BeLike '*demo-password*' }
            $wrongUser = New-Object System.Management.Automation.PSCredential('someone-else', (New-TestSecureString 'demo-password'))
            { Install-MfaMimProvider -ServicePath $service -Connection $other.Connection -PhoneMap $phoneMap -CompilerPath $compiler -Credential $wrongUser -AllowPlainTextSecret -WarningAction SilentlyContinue -InformationAction Ignore } |
                Should -Throw -ExpectedMessage "*the credential is for 'someone-else'*"
        }
        finally { $other | Stop-MfaSimulator -ErrorAction SilentlyContinue }
    }

    It 'refuses what it cannot store: a RADIUS fixed password' {
        $radius = Start-MfaSimulator -Provider Radius
        try {
            $fixed = New-MfaConnection -Provider Radius -Server $radius.Connection.Servers -SharedSecret (New-TestSecureString 'demo-radius-shared-secret-for-mfa-sim-only') -Password (New-TestSecureString 'demo-radius-password')
            { Install-MfaMimProvider -ServicePath $service -Connection $fixed -PhoneMap $phoneMap -CompilerPath $compiler -Credential $cred -AllowPlainTextSecret -WarningAction SilentlyContinue -InformationAction Ignore } |
                Should -Throw -ErrorId 'MfaApproval.UnsupportedConnection,*'
        }
        finally { $radius | Stop-MfaSimulator -ErrorAction SilentlyContinue }
    }
}

Describe 'The adapter over Duo (the simulator''s Duo Auth API)' -Skip:$skipAll {
    BeforeAll {
        $duoSim = Start-MfaSimulator -Provider Duo -NoResponseAfter 60
        # The secret key from an Export-Clixml'd credential (plain outside Windows, hence the switch).
        $credFile = Join-Path $TestDrive 'duo-cred.xml'
        New-Object System.Management.Automation.PSCredential('duo', (New-TestSecureString $demoDuoSecret)) | Export-Clixml -Path $credFile
        $null = Install-MfaMimProvider -ServicePath $service -Connection $duoSim.Connection -PhoneMap $phoneMap -CompilerPath $compiler -CredentialPath $credFile -AllowPlainTextSecret -Timeout 4 -WarningAction SilentlyContinue -InformationAction Ignore
        $phones = @()
        for ($i = 0; $i -lt 40; $i++) { $phones += @($alice, $bob, $carol, $unknown)[$i % 4] }
        $run = Invoke-Harness $phones
        $calls = @($run.Calls)
    }
    AfterAll {
        $duoSim | Stop-MfaSimulator -ErrorAction SilentlyContinue
    }

    It 'approves alice only; bob, carol and an unknown number fail with a reason' {
        $run.StartFailure | Should -BeNullOrEmpty
        @($calls | Where-Object { $_.Escaped }) | Should -BeNullOrEmpty
        foreach ($c in $calls) {
            if ($c.Phone -eq $alice) { $c.Final | Should -Be 'Success' }
            else { $c.Final | Should -Be 'Failed' }
        }
        @($calls | Where-Object { $_.Phone -eq $bob })[0].Message | Should -BeLike '*Denied for bob@contoso.com*'
        @($calls | Where-Object { $_.Phone -eq $carol })[0].Message | Should -BeLike '*TimedOut for carol@contoso.com*'
        @($calls | Where-Object { $_.Phone -eq $unknown })[0].Message | Should -BeLike '*not in the phone map*'
        foreach ($c in $calls) { $c.Message | Should -Not -BeLike "*$demoDuoSecret*" }
        $run.OpenAtEnd | Should -Be 0
    }
}

Describe 'The adapter with a keyed audit trail' -Skip:$skipAll {
    BeforeAll {
        $keyedSim = Start-MfaSimulator -Provider Duo -NoResponseAfter 60
        $auditKey = 'mim-provider-audit-key-0001'
        $keyedAudit = Join-Path $TestDrive 'mim-keyed-audit.jsonl'
        $keyed = New-MfaConnection -Provider Duo -ApiHost ('127.0.0.1:{0}' -f ([uri]$keyedSim.Uri).Port) -IntegrationKey DIDEMOINTEGRATION001 `
            -SecretKey (New-TestSecureString $demoDuoSecret) -ServerCertificateHash $keyedSim.CertificateHash -AuditPath $keyedAudit -AuditKey (New-TestSecureString $auditKey)
        $duoCred = Join-Path $TestDrive 'keyed-duo-cred.xml'
        New-Object System.Management.Automation.PSCredential('duo', (New-TestSecureString $demoDuoSecret)) | Export-Clixml -Path $duoCred
        $keyFile = Join-Path $TestDrive 'audit-key.xml'
        New-Object System.Management.Automation.PSCredential('audit', (New-TestSecureString $auditKey)) | Export-Clixml -Path $keyFile
    }
    AfterAll {
        $keyedSim | Stop-MfaSimulator -ErrorAction SilentlyContinue
    }

    It 'refuses a connection that signs its records without -AuditKeyPath' {
        $e = { Install-MfaMimProvider -ServicePath $service -Connection $keyed -PhoneMap $phoneMap -CompilerPath $compiler -CredentialPath $duoCred -AllowPlainTextSecret -AuditPath $keyedAudit -WarningAction SilentlyContinue -InformationAction Ignore } |
            Should -Throw -ErrorId 'MfaApproval.InvalidArgument,*' -PassThru
        $e.Exception.Message | Should -Match '-AuditKeyPath'
    }

    It 'stores the key as a credential file and writes a keyed chain from the MIM Service' {
        $null = Install-MfaMimProvider -ServicePath $service -Connection $keyed -PhoneMap $phoneMap -CompilerPath $compiler -CredentialPath $duoCred -AuditKeyPath $keyFile -AllowPlainTextSecret -Timeout 4 -AuditPath $keyedAudit -WarningAction SilentlyContinue -InformationAction Ignore
        $settingsText = Get-Content -Raw (Join-Path $service 'MfaApproval.MimProvider.settings.xml')
        $settingsText | Should -Match '<Secret kind="AuditKey" source="CredentialFile">'
        $settingsText | Should -Not -Match $auditKey
        $run = Invoke-Harness @($alice, $bob)
        $run.StartFailure | Should -BeNullOrEmpty
        $r = Test-MfaAuditLog -Path $keyedAudit -AuditKey (New-TestSecureString $auditKey)
        $r.Valid | Should -BeTrue -Because $r.Message
        $r.Records | Should -Be 2
        (Test-MfaAuditLog -Path $keyedAudit -AuditKey (New-TestSecureString 'not-the-key-of-the-mim-node')).Reason | Should -Be 'badMac'
        Get-Content -Raw $keyedAudit | Should -Not -Match $auditKey
    }
}

# What only Windows can show: DPAPI credential files read by the provider as the account that
# made them (here the test's own account stands for the MIM Service account), and the
# Active Directory lookup compiled in with csc.exe (on a runner outside a domain the lookup
# itself fails, which must be a Failed call with the reason, not an exception).
Describe 'The adapter on Windows' -Skip:($skipAll -or -not $onWindows) {
    It 'reads a DPAPI-protected credential file made by the service account, without -AllowPlainTextSecret' {
        $credFile = Join-Path $TestDrive 'svc-mfa.xml'
        $cred | Export-Clixml -Path $credFile
        (Get-Content -Raw $credFile) | Should -Not -Match ([regex]::Escape(-join ([System.Text.Encoding]::Unicode.GetBytes($demoPassword) | ForEach-Object { $_.ToString('x2') })))
        $r = Install-MfaMimProvider -ServicePath $service -Connection $sim.Connection -PhoneMap $phoneMap -CompilerPath $compiler -CredentialPath $credFile -WarningVariable warnings -InformationAction Ignore
        @($warnings | Where-Object { "$_" -notmatch 'PhoneMap|AllowUnprotectedModuleFolder' }) | Should -BeNullOrEmpty -Because 'nothing is stored in plain text'
        (Get-Content -Raw $r.SettingsPath) | Should -Not -Match $demoPassword
        $run = Invoke-Harness @($alice, $bob)
        $run.StartFailure | Should -BeNullOrEmpty
        @($run.Calls)[0].Final | Should -Be 'Success'
        @($run.Calls)[1].Final | Should -Be 'Failed'
    }

    It 'compiles the directory lookup and fails a number it cannot resolve with the reason' {
        $null = Install-Test $sim.Connection @{ DirectoryAttribute = 'extensionAttribute7'; DirectorySearchRoot = 'LDAP://unreachable.invalid/DC=contoso,DC=invalid' }
        $run = Invoke-Harness @($alice, $unknown) -Deadline 60
        $run.StartFailure | Should -BeNullOrEmpty
        $c = @($run.Calls)
        $c[0].Final | Should -Be 'Success' -Because 'the phone map answers first'
        $c[1].Initiated | Should -Be 'Pending' -Because 'the directory is asked on a worker thread'
        $c[1].Final | Should -Be 'Failed'
        $c[1].Message | Should -BeLike '*Active Directory lookup failed*'
        $c[1].Escaped | Should -BeNullOrEmpty
    }
}

Describe 'Uninstall-MfaMimProvider' -Skip:$skipAll {
    BeforeAll {
        # Pester removes what a Describe added to TestDrive (an earlier backup among it), so
        # start again from the original file.
        Remove-Item (Join-Path $service 'MfaSettings.xml.MfaApproval-backup') -ErrorAction SilentlyContinue
        [System.IO.File]::WriteAllText($mfaSettings, $originalSettings)
    }

    It 'puts MfaSettings.xml back as it was and removes the adapter, its settings and the module copy' {
        $null = Install-Test $sim.Connection
        $null = Install-Test $sim.Connection   # a second install keeps the first backup (the original)
        $r = Uninstall-MfaMimProvider -ServicePath $service -InformationAction Ignore
        $r.NextStep | Should -Match 'Restart-Service'
        [System.IO.File]::ReadAllText($mfaSettings) | Should -BeExactly $originalSettings
        Test-Path (Join-Path $service 'MfaApproval.MimProvider.dll') | Should -BeFalse
        Test-Path (Join-Path $service 'MfaApproval.MimProvider.settings.xml') | Should -BeFalse
        Test-Path (Join-Path $service 'MfaSettings.xml.MfaApproval-backup') | Should -BeFalse
        Test-Path $moduleFolder | Should -BeFalse
        Test-Path $phoneMap | Should -BeTrue -Because 'the phone map is the admin''s'
    }

    It 'refuses when there is nothing to restore' {
        { Uninstall-MfaMimProvider -ServicePath $service } | Should -Throw -ErrorId 'MfaApproval.NoBackup,MfaApproval.Cmdlets.UninstallMfaMimProviderCommand'
        [System.IO.File]::ReadAllText($mfaSettings) | Should -BeExactly $originalSettings
    }
}
