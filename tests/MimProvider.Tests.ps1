# The MIM Service's custom MFA provider (Install-MfaMimProvider, mim/provider/*.cs) with no
# MIM: a stand-in interface assembly of the same names (tests/data/mim/PhoneServiceProvider.cs)
# compiled under an unrelated file name into a fake Service folder with an MfaSettings.xml,
# the real installer compiling the adapter with this machine's C# 5 compiler, and a harness
# (tests/data/mim/MimHarness.cs) that plays MIM in a process of its own: loads the adapter by
# reflection, InitiateCall on one thread, GetCallStatus and GetFailureMessage on others, 200
# calls at once against the simulator (MFA Server SDK and Duo).
BeforeDiscovery {
    . $PSScriptRoot/TestHelpers.ps1
    $skipAll = -not $HasCSharp5
}
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModulePath -Force
    $onWindows = [System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT
    $compiler = if ($onWindows) { Join-Path $env:WINDIR 'Microsoft.NET/Framework64/v4.0.30319/csc.exe' } else { (Get-Command mcs -CommandType Application | Select-Object -First 1).Source }
    $demoPassword = 'demo-password'
    $demoDuoSecret = 'demo-duo-secret-key-for-mfa-sim-only-0000'

    function Invoke-Compiler([string]$Out, [string[]]$Sources, [string[]]$References) {
        $arguments = @('-noconfig', '-nologo', '-langversion:5', '-target:library', "-out:$Out", '-r:System.dll', '-r:System.Core.dll') + @($References | ForEach-Object { "-r:$_" }) + $Sources
        $output = & $compiler @arguments 2>&1
        if ($LASTEXITCODE -ne 0) { throw "compiling $Out failed: $output" }
    }

    # A Service folder with a space in its path, the interface under an unrelated name, and
    # DLLs that are not .NET (a native library, random bytes, a stub) for the metadata reader.
    $service = Join-Path $TestDrive 'Microsoft Forefront Identity Manager/2010/Service'
    $null = New-Item -ItemType Directory -Force -Path $service
    $interface = Join-Path $service 'Contoso.Mim.Hooks.dll'
    Invoke-Compiler $interface @((Join-Path $RepoRoot 'tests/data/mim/PhoneServiceProvider.cs')) @()
    $native = Get-ChildItem (Join-Path $ModulePath 'runtimes') -Recurse -File | Where-Object { $_.Name -match 'mfa_approval' } | Select-Object -First 1
    Copy-Item $native.FullName (Join-Path $service 'Native.Helper.dll')
    $junk = New-Object byte[] 4096
    (New-Object System.Random 7).NextBytes($junk)
    [System.IO.File]::WriteAllBytes((Join-Path $service 'junk.dll'), $junk)
    [System.IO.File]::WriteAllBytes((Join-Path $service 'stub.dll'), [byte[]](0x4D, 0x5A, 0, 0))
    Copy-Item (Join-Path $ModulePath 'MfaApproval.dll') (Join-Path $service 'Unrelated.Managed.dll')
    $mfaSettings = Join-Path $service 'MfaSettings.xml'
    $originalSettings = "<?xml version=`"1.0`" encoding=`"utf-8`"?>`r`n<MfaServiceSettings>`r`n  <CustomPhoneProvider>C:\Vendor\OtherPhoneGate.dll</CustomPhoneProvider>`r`n  <Username>azure-mfa-sdk-user</Username>`r`n  <Password>old-sdk-password</Password>`r`n  <LicenseKey>ABC123</LicenseKey>`r`n  <GroupKey>g</GroupKey>`r`n  <CertFilePath>C:\mfa\cert.pfx</CertFilePath>`r`n</MfaServiceSettings>`r`n"
    [System.IO.File]::WriteAllText($mfaSettings, $originalSettings)

    # The phone map: each demo user's number written a different way; one number listed for
    # two people (ambiguous); the same person twice (not ambiguous).
    $phoneMap = Join-Path $TestDrive 'phones.csv'
    Set-Content -Path $phoneMap -Encoding utf8 -Value @(
        'PhoneNumber,UserName'
        '+1 (555) 010-0001,alice@contoso.com'
        '+15550100002,bob@contoso.com'
        '"+1 555 010 0003",mallory@contoso.com'
        '+1.555.010.0004,carol@contoso.com'
        '+15550100099,alice@contoso.com'
        '+1 555 010 0099,bob@contoso.com'
        '+15550100005,alice@contoso.com'
        '+1 555 010 0005,ALICE@contoso.com'
        '+15550100006,nobody@contoso.com'
    )
    $alice = '+1 555 010 0001'; $bob = '+1-555-010-0002'; $mallory = '15550100003'; $carol = '+1 555 010 0004'
    $ambiguous = '+15550100099'; $unknown = '+1 555 999 9999'; $aliceTwice = '+15550100005'; $notANumber = '+1 555 CALL-NOW'

    # The harness sits beside the interface assembly, as MIM's own code does: the .NET Framework
    # then binds its reference to the copy already loaded (a load-from context of one folder).
    $harness = Join-Path $service 'MfaApproval.Tests.MimHarness.dll'
    Invoke-Compiler $harness @((Join-Path $RepoRoot 'tests/data/mim/MimHarness.cs')) @($interface)

    $sim = Start-MfaSimulator -NoResponseAfter 60
    $cred = New-Object System.Management.Automation.PSCredential('demo-admin', (New-TestSecureString $demoPassword))
    $audit = Join-Path $TestDrive 'mim-audit.jsonl'

    # MIM in a process of its own (no module imported there), as the MIM Service.
    function Invoke-Harness([string[]]$Phones, [switch]$Abandon, [switch]$Tricks, [double]$Deadline = 60) {
        $phonesFile = Join-Path $TestDrive "phones-$([guid]::NewGuid().ToString('N')).json"
        $outFile = "$phonesFile.out"
        [System.IO.File]::WriteAllText($phonesFile, (ConvertTo-Json -InputObject @($Phones) -Compress))
        $arguments = @('-NoProfile', '-NonInteractive', '-File', (Join-Path $RepoRoot 'tests/data/mim/Invoke-MimHarness.ps1'),
            '-ServicePath', $service, '-InterfacePath', $interface, '-HarnessPath', $harness, '-PhonesFile', $phonesFile, '-OutFile', $outFile, '-DeadlineSeconds', $Deadline)
        if ($Abandon) { $arguments += '-Abandon' }
        if ($Tricks) { $arguments += '-Tricks' }
        $stderr = & $Pwsh @arguments 2>&1
        if ($LASTEXITCODE -ne 0 -or -not (Test-Path $outFile)) { throw "the harness failed (exit code $LASTEXITCODE): $stderr" }
        Get-Content -Raw $outFile | ConvertFrom-Json
    }

    function Install-Test([object]$Connection, [hashtable]$Extra = @{}) {
        $p = @{ ServicePath = $service; Connection = $Connection; PhoneMap = $phoneMap; CompilerPath = $compiler; Credential = $cred; AllowPlainTextSecret = $true; Timeout = 4; AuditPath = $audit }
        foreach ($k in $Extra.Keys) { $p[$k] = $Extra[$k] }
        Install-MfaMimProvider @p -WarningAction SilentlyContinue -InformationAction Ignore
    }
}
AfterAll {
    $sim | Stop-MfaSimulator -ErrorAction SilentlyContinue
    Remove-Module MfaApproval -ErrorAction SilentlyContinue
}

Describe 'Phone numbers, the phone map and LDAP escaping' -Skip:$skipAll {
    It 'normalises <In> to <Out>' -ForEach @(
        @{ In = '+1 (555) 010-0001'; Out = '+15550100001' }
        @{ In = '1.555.010.0001'; Out = '+15550100001' }
        @{ In = ' +44 20 7946 0958 '; Out = '+442079460958' }
        @{ In = '0049/30/1234567'; Out = '+0049301234567' }
        @{ In = '+1 555 CALL-NOW'; Out = $null }
        @{ In = '1+555'; Out = $null }
        @{ In = '++15550100001'; Out = $null }
        @{ In = "+1555$([char]0x0661)0100"; Out = $null }
        @{ In = "+1555$([char]0xFF10)0100"; Out = $null }
        @{ In = '+12'; Out = $null }
        @{ In = '+123456789012345678901'; Out = $null }
        @{ In = ''; Out = $null }
    ) {
        [MfaApproval.Hosting.Phone]::Normalize($In) | Should -Be $Out
    }

    It 'masks all but the last digits' {
        [MfaApproval.Hosting.Phone]::Mask('+1 (555) 010-0001') | Should -Be '+*******0001'
        [MfaApproval.Hosting.Phone]::Mask('+1234567') | Should -Be '+*****67'
        [MfaApproval.Hosting.Phone]::Mask('call me') | Should -Be '(not a phone number)'
    }

    It 'escapes <In> per RFC 4515 as <Out>' -ForEach @(
        @{ In = '*'; Out = '\2a' }
        @{ In = '('; Out = '\28' }
        @{ In = ')'; Out = '\29' }
        @{ In = '\'; Out = '\5c' }
        @{ In = [string][char]0; Out = '\00' }
        @{ In = "caf$([char]0xE9)"; Out = 'caf\c3\a9' }
        @{ In = '+15550100001'; Out = '+15550100001' }
        @{ In = '*)(userPrincipalName=*'; Out = '\2a\29\28userPrincipalName=\2a' }
    ) {
        [MfaApproval.Hosting.Ldap]::Escape($In) | Should -BeExactly $Out
    }

    It 'builds a filter only for an attribute name, with the number escaped' {
        [MfaApproval.Hosting.Ldap]::PhoneFilter('mobile', '+15550100001') | Should -BeExactly '(&(objectCategory=person)(objectClass=user)(mobile=+15550100001))'
        [MfaApproval.Hosting.Ldap]::PhoneFilter('mobile', '*)(cn=*') | Should -BeExactly '(&(objectCategory=person)(objectClass=user)(mobile=\2a\29\28cn=\2a))'
        foreach ($bad in 'mobile)(cn=*', 'mobile=x', '', '-mobile', 'mo bile', '1.2..3', '1.2.') {
            [MfaApproval.Hosting.Ldap]::IsAttributeName($bad) | Should -BeFalse -Because "'$bad' is not an attribute name"
        }
        foreach ($good in 'mobile', 'telephoneNumber', 'extensionAttribute-1', '2.5.4.20') {
            [MfaApproval.Hosting.Ldap]::IsAttributeName($good) | Should -BeTrue
        }
        { [MfaApproval.Hosting.Ldap]::PhoneFilter('mobile)(cn=*', '+1555') } | Should -Throw '*not an LDAP attribute name*'
    }

    It 'reads the map strictly: ambiguous numbers are kept apart, the same person twice is not ambiguous' {
        $map = $null; $amb = $null
        [MfaApproval.Hosting.CsvPhoneMap]::Parse((Get-Content -Raw $phoneMap), 'phones.csv', [ref]$map, [ref]$amb)
        $map['+15550100001'] | Should -Be 'alice@contoso.com'
        $map['+15550100003'] | Should -Be 'mallory@contoso.com'
        @($amb) | Should -Be @('+15550100099')
        $amb.Contains('+15550100005') | Should -BeFalse
    }

    It 'sees a change of the map file without a restart, and a map that turns malformed refuses every number' {
        $file = Join-Path $TestDrive 'live.csv'
        Set-Content -Path $file -Value "PhoneNumber,UserName`n+15550100001,alice@contoso.com"
        $live = New-Object MfaApproval.Hosting.CsvPhoneMap($file)
        $live.Find('+15550100001').UserName | Should -Be 'alice@contoso.com'
        $live.Find('+15550100002').Found | Should -BeFalse
        Set-Content -Path $file -Value "PhoneNumber,UserName`n+15550100001,alice@contoso.com`n+15550100002,bob@contoso.com"
        # The file is checked at most every 10 s: ask until the change shows (bounded).
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        while (-not $live.Find('+15550100002').Found -and $clock.Elapsed.TotalSeconds -lt 20) { Start-Sleep -Milliseconds 250 }
        $live.Find('+15550100002').UserName | Should -Be 'bob@contoso.com'
        Set-Content -Path $file -Value "PhoneNumber,UserName`n+15550100001,alice@contoso.com`nbroken,bob@contoso.com"
        $clock.Restart()
        while ($live.Find('+15550100001').Found -and $clock.Elapsed.TotalSeconds -lt 20) { Start-Sleep -Milliseconds 250 }
        $r = $live.Find('+15550100001')
        $r.Found | Should -BeFalse -Because 'a malformed map answers nobody (fail closed)'
        $r.Problem | Should -BeLike '*line 3*not a phone number*'
    }

    It 'reads a map again that was moved away and put back with its old time stamp' {
        $file = Join-Path $TestDrive 'moved.csv'
        $aside = Join-Path $TestDrive 'moved.csv.aside'
        Set-Content -Path $file -Value "PhoneNumber,UserName`n+15550100001,alice@contoso.com"
        $live = New-Object MfaApproval.Hosting.CsvPhoneMap($file)
        $live.Find('+15550100001').Found | Should -BeTrue
        Move-Item $file $aside
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        while ($live.Find('+15550100001').Found -and $clock.Elapsed.TotalSeconds -lt 20) { Start-Sleep -Milliseconds 250 }
        $live.Find('+15550100001').Problem | Should -BeLike '*does not exist*'
        Move-Item $aside $file
        $clock.Restart()
        while (-not $live.Find('+15550100001').Found -and $clock.Elapsed.TotalSeconds -lt 20) { Start-Sleep -Milliseconds 250 }
        $live.Find('+15550100001').UserName | Should -Be 'alice@contoso.com'
    }

    It 'refuses a malformed map naming the line: <Why>' -ForEach @(
        @{ Why = 'no header'; Text = "+15550100001,alice@contoso.com"; Message = '*unknown column*' }
        @{ Why = 'an unknown column'; Text = "PhoneNumber,UserName,Extra`n+1555,alice"; Message = '*unknown column*' }
        @{ Why = 'a bad number'; Text = "PhoneNumber,UserName`n+15550100001,alice`nabc,bob"; Message = '*line 3*not a phone number*' }
        @{ Why = 'three fields'; Text = "PhoneNumber,UserName`n+15550100001,alice,x"; Message = '*line 2*expected 2 fields*' }
        @{ Why = 'an empty user'; Text = "PhoneNumber,UserName`n+15550100001, "; Message = '*line 2*UserName is empty*' }
        @{ Why = 'an open quote'; Text = "PhoneNumber,UserName`n`"+15550100001,alice"; Message = '*line 2*not closed*' }
        @{ Why = 'a control character'; Text = "PhoneNumber,UserName`n+15550100001,ali$([char]7)ce"; Message = '*line 2*control character*' }
        @{ Why = 'a duplicated header'; Text = "PhoneNumber,PhoneNumber"; Message = '*once each*' }
        @{ Why = 'nothing'; Text = ""; Message = '*empty*' }
    ) {
        $map = $null; $amb = $null
        { [MfaApproval.Hosting.CsvPhoneMap]::Parse($Text, 'm.csv', [ref]$map, [ref]$amb) } | Should -Throw $Message
    }

    It 'ships provider sources that compile with warnings as errors' {
        $out = Join-Path $TestDrive 'WarningsCheck.dll'
        $sources = @(Get-ChildItem (Join-Path $ModulePath 'mim/provider') -Filter *.cs | ForEach-Object { $_.FullName })
        $arguments = @('-noconfig', '-nologo', '-langversion:5', '-target:library', '-warnaserror', "-out:$out", '-r:System.dll', '-r:System.Core.dll', '-r:System.Xml.dll', "-r:$interface", "-r:$(Join-Path $ModulePath 'MfaApproval.dll')")
        if ($onWindows) { $arguments += @('-r:System.DirectoryServices.dll', '-define:MFA_DIRECTORY') }
        $log = & $compiler @($arguments + $sources) 2>&1
        $LASTEXITCODE | Should -Be 0 -Because ($log -join "`n")
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
    }

    It 'nothing with -WhatIf, and says no secret with -Verbose' {
        $said = Install-MfaMimProvider -ServicePath $service -Connection $sim.Connection -PhoneMap $phoneMap -Credential $cred -AllowPlainTextSecret -CompilerPath $compiler -WhatIf -Verbose *>&1 | Out-String
        $said | Should -Match 'Phone map .*: 7 numbers' -Because '-Verbose traced the checks (the What-if line goes to the host; AfterEach shows nothing was written)'
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

    It 'an LDAP attribute that is not a name' -Skip:(-not $onWindows) {
        { Install-MfaMimProvider -ServicePath $service -Connection $sim.Connection -DirectoryAttribute 'mobile)(cn=*' -Credential $cred -AllowPlainTextSecret -CompilerPath $compiler -WarningAction SilentlyContinue } |
            Should -Throw '*not an LDAP attribute name*'
    }

    It 'the directory lookup outside Windows' -Skip:$onWindows {
        { Install-MfaMimProvider -ServicePath $service -Connection $sim.Connection -DirectoryAttribute mobile -Credential $cred -AllowPlainTextSecret -CompilerPath $compiler -WarningAction SilentlyContinue } |
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

    It 'loaded MfaApproval.dll from the module folder the installer recorded, in a process without the module' {
        $run.StartFailure | Should -BeNullOrEmpty
        @($run.Loaded) | Should -Be @((Join-Path $ModulePath 'MfaApproval.dll'))
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

Describe 'The adapter cannot be tricked into a Success' -Skip:$skipAll {
    BeforeAll {
        $null = Install-Test $sim.Connection
        $t = Invoke-Harness @($alice, $bob, $carol) -Tricks -Deadline 30
    }

    It 'approves alice''s call (the baseline)' {
        $t.StartFailure | Should -BeNullOrEmpty
        $t.XInitiated | Should -Be 'Pending'
        $t.XFinal | Should -Be 'Success'
    }

    It 'answers Failed for a call id it never started, and for none' {
        $t.UnknownStatus | Should -Be 'Failed'
        $t.UnknownMessage | Should -BeLike '*no call with id*'
        $t.NullStatus | Should -Be 'Failed'
        $t.NullMessage | Should -BeLike '*no call with id*'
    }

    It 'matches call ids exactly (another spelling of an approved id is unknown)' {
        $t.ZFinal | Should -Be 'Success'
        $t.UpperStatus | Should -Be 'Failed'
        $t.BracedStatus | Should -Be 'Failed'
    }

    It 'starts a new approval when an approved call id is initiated again, and bob''s denial is Failed' {
        $t.AgainInitiated | Should -Be 'Pending'
        $t.AgainFinal | Should -Be 'Failed'
        $t.AgainMessage | Should -BeLike '*Denied for bob@contoso.com*'
    }

    It 'fails a pending call id initiated again with another number: one answer never counts for another phone' {
        $t.YInitiated | Should -Be 'Pending'
        $t.YSwap | Should -Be 'Failed'
        $t.YFinal | Should -Be 'Failed'
        $t.YMessage | Should -BeLike '*another phone number*neither counts*'
        $t.WInitiated | Should -Be 'Pending'
        $t.WSwap | Should -Be 'Failed'
        $t.WFinal | Should -Be 'Failed'
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

    It 'fails every call, saying why, when the native library is missing' {
        $null = Install-Test $sim.Connection
        $copy = Join-Path $TestDrive 'module-without-native'
        $null = New-Item -ItemType Directory -Force -Path $copy
        Copy-Item (Join-Path $ModulePath 'MfaApproval.dll') $copy
        $settingsFile = Join-Path $service 'MfaApproval.MimProvider.settings.xml'
        $text = [System.IO.File]::ReadAllText($settingsFile)
        [System.IO.File]::WriteAllText($settingsFile, $text.Replace("<ModuleRoot>$([System.Security.SecurityElement]::Escape($ModulePath))</ModuleRoot>", "<ModuleRoot>$([System.Security.SecurityElement]::Escape($copy))</ModuleRoot>"))
        $run = Invoke-Harness @($alice, $bob)
        $run.StartFailure | Should -BeLike '*MIM provider could not start*native library was not found*'
        foreach ($c in @($run.Calls)) {
            $c.Final | Should -Be 'Failed'
            $c.Escaped | Should -BeNullOrEmpty
            $c.Message | Should -BeLike '*native library was not found*Restart the MIM Service*'
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
        @($warnings | Where-Object { "$_" -match 'PhoneMap' -eq $false }) | Should -BeNullOrEmpty -Because 'nothing is stored in plain text'
        (Get-Content -Raw $r.SettingsPath) | Should -Not -Match $demoPassword
        $run = Invoke-Harness @($alice, $bob)
        $run.StartFailure | Should -BeNullOrEmpty
        @($run.Calls)[0].Final | Should -Be 'Success'
        @($run.Calls)[1].Final | Should -Be 'Failed'
    }

    It 'compiles the directory lookup and fails a number it cannot resolve with the reason' {
        $null = Install-Test $sim.Connection @{ DirectoryAttribute = 'mobile'; DirectorySearchRoot = 'LDAP://unreachable.invalid/DC=contoso,DC=invalid' }
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

    It 'puts MfaSettings.xml back as it was and removes the adapter and its settings' {
        $null = Install-Test $sim.Connection
        $null = Install-Test $sim.Connection   # a second install keeps the first backup (the original)
        $r = Uninstall-MfaMimProvider -ServicePath $service -InformationAction Ignore
        $r.NextStep | Should -Match 'Restart-Service'
        [System.IO.File]::ReadAllText($mfaSettings) | Should -BeExactly $originalSettings
        Test-Path (Join-Path $service 'MfaApproval.MimProvider.dll') | Should -BeFalse
        Test-Path (Join-Path $service 'MfaApproval.MimProvider.settings.xml') | Should -BeFalse
        Test-Path (Join-Path $service 'MfaSettings.xml.MfaApproval-backup') | Should -BeFalse
    }

    It 'refuses when there is nothing to restore' {
        { Uninstall-MfaMimProvider -ServicePath $service } | Should -Throw -ErrorId 'MfaApproval.NoBackup,MfaApproval.Cmdlets.UninstallMfaMimProviderCommand'
        [System.IO.File]::ReadAllText($mfaSettings) | Should -BeExactly $originalSettings
    }
}
