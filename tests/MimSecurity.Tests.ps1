# What the MIM provider trusts, tested without Windows where the rule is pure: who may change
# the module folder it is built and loaded from (the ACL rule over described ACLs: Windows'
# defaults and the ways they go wrong), the pinned module files in its settings (strict
# reader), and the secret file Protect-MfaSecret writes for service accounts that cannot log
# on (its format, the ACL as SDDL, every refusal before the Windows part). On Windows the
# real round trip runs too. About 5 s.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    . $PSScriptRoot/data/mim/MimFixture.ps1
    Import-Module $ModulePath -Force

    function New-Ace([string]$Sid, [int]$Rights, [switch]$Deny, [switch]$InheritOnly) {
        New-Object MfaApproval.Hosting.AccessEntry($Sid, (-not $Deny), $Rights, [bool]$InheritOnly)
    }
    function Get-AclProblem([string]$Owner, [object[]]$Entries, [switch]$Ancestor) {
        $list = New-Object 'System.Collections.Generic.List[MfaApproval.Hosting.AccessEntry]'
        foreach ($e in $Entries) { $list.Add($e) }
        [MfaApproval.Hosting.WriteAccess]::Problem($Owner, $list, [bool]$Ancestor, $null)
    }
    # Well-known SIDs and FileSystemRights masks.
    $system = 'S-1-5-18'; $admins = 'S-1-5-32-544'; $users = 'S-1-5-32-545'; $authenticated = 'S-1-5-11'; $everyone = 'S-1-1-0'
    $trustedInstaller = 'S-1-5-80-956008885-3425037156-3617178237-876020869-2393337193'
    $creatorOwner = 'S-1-3-0'; $ownerRights = 'S-1-3-4'; $appPackages = 'S-1-15-2-1'
    $someone = 'S-1-5-21-1004336348-1177238915-682003330-1105'; $domainAdmins = 'S-1-5-21-1004336348-1177238915-682003330-512'
    $full = 0x1F01FF; $modify = 0x1301BF; $readExecute = 0x1200A9; $write = 0x116
    # C:\Program Files\...\MfaApproval\<version> as an elevated admin leaves it (inherited).
    $programFiles = @(
        (New-Ace $trustedInstaller $full), (New-Ace $system $modify), (New-Ace $admins $modify), (New-Ace $users $readExecute),
        (New-Ace $creatorOwner 0x10000000 -InheritOnly), (New-Ace $appPackages $readExecute), (New-Ace $system 0x10000000 -InheritOnly))
}
AfterAll {
    Remove-Module MfaApproval -ErrorAction SilentlyContinue
}

Describe 'Who may change the module folder (the rule over a described ACL)' {
    It 'accepts what Program Files gives a module folder' {
        Get-AclProblem $admins $programFiles | Should -BeNullOrEmpty
        Get-AclProblem $trustedInstaller $programFiles | Should -BeNullOrEmpty
    }

    It 'refuses <Who>' -ForEach @(
        @{ Who = 'Users with Modify (a folder made writable for convenience)'; Owner = 'S-1-5-32-544'; Extra = @{ Sid = 'S-1-5-32-545'; Rights = 0x1301BF }; Says = 'S-1-5-32-545: write data or add files, append data or add folders, delete' }
        @{ Who = 'Authenticated Users with Write'; Owner = 'S-1-5-32-544'; Extra = @{ Sid = 'S-1-5-11'; Rights = 0x116 }; Says = 'S-1-5-11: write data or add files, append data or add folders' }
        @{ Who = 'Everyone with generic write'; Owner = 'S-1-5-32-544'; Extra = @{ Sid = 'S-1-1-0'; Rights = 0x40000000 }; Says = 'S-1-1-0: write' }
        @{ Who = 'a user with full control (a Downloads folder)'; Owner = 'S-1-5-32-544'; Extra = @{ Sid = 'S-1-5-21-1004336348-1177238915-682003330-1105'; Rights = 0x1F01FF }; Says = '*-1105: write data or add files, append data or add folders, delete what is inside, delete, change permissions, take ownership' }
        @{ Who = 'a user who may only change the permissions'; Owner = 'S-1-5-32-544'; Extra = @{ Sid = 'S-1-5-21-1004336348-1177238915-682003330-1105'; Rights = 0x40000 }; Says = '*-1105: change permissions' }
        @{ Who = 'a user who owns the file'; Owner = 'S-1-5-21-1004336348-1177238915-682003330-1105'; Extra = $null; Says = '*-1105: owner (may change the permissions)' }
        @{ Who = 'the MIM Service account itself with Modify'; Owner = 'S-1-5-32-544'; Extra = @{ Sid = 'S-1-5-21-1004336348-1177238915-682003330-2201'; Rights = 0x1301BF }; Says = '*-2201: *' }
    ) {
        $entries = @($programFiles)
        if ($Extra) { $entries += New-Ace $Extra.Sid $Extra.Rights }
        $problem = Get-AclProblem $Owner $entries
        $problem | Should -BeLike "*$Says*"
    }

    It 'counts OWNER RIGHTS as the owner''s rights, in place of the implicit ones' {
        $entries = @($programFiles) + (New-Ace $ownerRights $readExecute)
        Get-AclProblem $someone $entries | Should -BeNullOrEmpty -Because 'OWNER RIGHTS read-only takes away the owner''s implicit change permissions'
        $entries = @($programFiles) + (New-Ace $ownerRights $modify)
        Get-AclProblem $someone $entries | Should -BeLike "*$someone*write data*"
    }

    It 'skips inherit-only entries, CREATOR OWNER and administrators (Domain Admins included)' {
        $entries = @($programFiles) + (New-Ace $users $modify -InheritOnly) + (New-Ace $creatorOwner $full) + (New-Ace $domainAdmins $full)
        Get-AclProblem $admins $entries | Should -BeNullOrEmpty
    }

    It 'does not let a deny entry excuse an allow (it errs on the side of refusing)' {
        $entries = @($programFiles) + (New-Ace $users $modify) + (New-Ace $users $modify -Deny)
        Get-AclProblem $admins $entries | Should -Not -BeNullOrEmpty
    }

    It 'lets Users create folders in C:\ above the module, but not delete what is there' {
        # C:\ on Windows Server: Users may add folders (this folder only); the rest is inherit-only.
        $root = @((New-Ace $admins $full), (New-Ace $system $full), (New-Ace $users $readExecute), (New-Ace $users 0x4),
            (New-Ace $authenticated $modify -InheritOnly), (New-Ace $creatorOwner 0x10000000 -InheritOnly))
        Get-AclProblem $trustedInstaller $root -Ancestor | Should -BeNullOrEmpty
        Get-AclProblem $trustedInstaller $root | Should -BeLike '*S-1-5-32-545: append data or add folders*' -Because 'the same ACL on the module folder itself would let Users add files'
        Get-AclProblem $trustedInstaller ($root + (New-Ace $authenticated $modify)) -Ancestor | Should -BeLike '*S-1-5-11: delete*' -Because 'whoever may delete a folder above may swap the module'
        Get-AclProblem $trustedInstaller ($root + (New-Ace $users 0x40)) -Ancestor | Should -BeLike '*S-1-5-32-545: delete what is inside*'
    }

    It 'checks the module folder, what the provider loads and is built from, and the folders between' {
        [MfaApproval.Hosting.WriteAccess]::UsedPaths('win-x64', [string[]]@('A.cs', 'B.cs')) | Should -Be @(
            '', 'MfaApproval.dll', 'runtimes/', 'runtimes/win-x64/', 'runtimes/win-x64/native/', 'runtimes/win-x64/native/mfa_approval.dll',
            'mim/', 'mim/provider/', 'mim/provider/A.cs', 'mim/provider/B.cs')
    }

    It 'treats only administrators'' SIDs as administrators' {
        foreach ($sid in $system, $admins, $trustedInstaller, $domainAdmins, 'S-1-5-21-1-2-3-519', 'S-1-5-21-1-2-3-500') { [MfaApproval.Hosting.WriteAccess]::IsAdministrative($sid) | Should -BeTrue -Because $sid }
        foreach ($sid in $users, $authenticated, $everyone, $someone, 'S-1-5-32-549', 'S-1-5-32-551', 'S-1-5-21-1-2-3-5120', 'S-1-5-21-1-2-3-512-1', $null) { [MfaApproval.Hosting.WriteAccess]::IsAdministrative($sid) | Should -BeFalse -Because "$sid" }
    }
}

Describe 'The pinned module files in the provider''s settings (a strict reader)' {
    BeforeAll {
        $hash = 'ab' * 32
        function Write-Settings([string]$Name, [string]$Files, [string]$Version = '2') {
            $file = Join-Path $TestDrive $Name
            Set-Content -Path $file -Value "<MfaApprovalMimProvider version=`"$Version`"><ModuleRoot>/x</ModuleRoot>$Files<Connection>{}</Connection><PhoneMap>/m.csv</PhoneMap></MfaApprovalMimProvider>"
            $file
        }
    }

    It 'writes and reads them back in order' {
        $s = New-Object MfaApproval.Hosting.ProviderSettings
        $s.ModuleRoot = '/x'; $s.ConnectionJson = '{}'; $s.PhoneMap = '/m.csv'
        $s.ModuleFiles.Add((New-Object MfaApproval.Hosting.ModuleFile('MfaApproval.dll', $hash)))
        $s.ModuleFiles.Add((New-Object MfaApproval.Hosting.ModuleFile('runtimes/linux-x64/native/libmfa_approval.so', ('cd' * 32))))
        $file = Join-Path $TestDrive 'round.xml'
        $s.Save($file)
        $back = [MfaApproval.Hosting.ProviderSettings]::Load($file)
        @($back.ModuleFiles | ForEach-Object { "$($_.RelativePath)=$($_.Sha256)" }) | Should -Be @("MfaApproval.dll=$hash", "runtimes/linux-x64/native/libmfa_approval.so=$('cd' * 32)")
    }

    It 'refuses <Why>' -ForEach @(
        @{ Why = 'settings of the earlier version'; Version = '1'; Files = "<ModuleFile sha256=`"$('ab' * 32)`">MfaApproval.dll</ModuleFile>"; Says = '*earlier Install-MfaMimProvider*run Install-MfaMimProvider again*' }
        @{ Why = 'no module files'; Files = ''; Says = '*no <ModuleFile> records MfaApproval.dll*' }
        @{ Why = 'a file listed twice (in another letter case)'; Files = "<ModuleFile sha256=`"$('ab' * 32)`">MfaApproval.dll</ModuleFile><ModuleFile sha256=`"$('cd' * 32)`">mfaapproval.DLL</ModuleFile>"; Says = '*<ModuleFile>mfaapproval.DLL</ModuleFile> appears more than once*' }
        @{ Why = 'a path out of the folder'; Files = "<ModuleFile sha256=`"$('ab' * 32)`">../MfaApproval.dll</ModuleFile>"; Says = "*'..' segment*" }
        @{ Why = 'a rooted path'; Files = "<ModuleFile sha256=`"$('ab' * 32)`">C:\x\MfaApproval.dll</ModuleFile>"; Says = '*character other than*' }
        @{ Why = 'an upper-case hash'; Files = "<ModuleFile sha256=`"$('AB' * 32)`">MfaApproval.dll</ModuleFile>"; Says = '*64 lowercase hexadecimal*' }
        @{ Why = 'a short hash'; Files = "<ModuleFile sha256=`"abcd`">MfaApproval.dll</ModuleFile>"; Says = '*64 hexadecimal digits*' }
        @{ Why = 'no hash'; Files = "<ModuleFile>MfaApproval.dll</ModuleFile>"; Says = '*64 hexadecimal digits*' }
    ) {
        $v = if ($Version) { $Version } else { '2' }
        $file = Write-Settings "bad-$([guid]::NewGuid().ToString('N')).xml" $Files $v
        { [MfaApproval.Hosting.ProviderSettings]::Load($file) } | Should -Throw $Says
    }
}

Describe 'The secret file for service accounts that cannot log on (format and ACL)' {
    It 'round-trips its format, and tells it from an Export-Clixml file' {
        $blob = [byte[]](1..200 | ForEach-Object { [byte]($_ % 256) })
        $bytes = [MfaApproval.Hosting.SecretFile]::Format('duo', 'S-1-5-21-1-2-3-1105', 'CONTOSO\svc-mim', $blob)
        [MfaApproval.Hosting.SecretFile]::IsSecretFile($bytes) | Should -BeTrue
        $c = [MfaApproval.Hosting.SecretFile]::Parse($bytes, 'f.xml')
        $c.UserName | Should -Be 'duo'
        $c.AccountSid | Should -Be 'S-1-5-21-1-2-3-1105'
        $c.AccountName | Should -Be 'CONTOSO\svc-mim'
        [Convert]::ToBase64String($c.Blob) | Should -Be ([Convert]::ToBase64String($blob))
        $clixml = Join-Path $TestDrive 'c.xml'
        New-Object System.Management.Automation.PSCredential('duo', (New-TestSecureString 'x')) | Export-Clixml -Path $clixml
        [MfaApproval.Hosting.SecretFile]::IsSecretFile([System.IO.File]::ReadAllBytes($clixml)) | Should -BeFalse
        [MfaApproval.Hosting.SecretFile]::IsSecretFile([byte[]](1, 2, 3)) | Should -BeFalse
    }

    It 'refuses <Why>' -ForEach @(
        @{ Why = 'an unknown attribute'; Xml = '<MfaApprovalSecret version="1" protection="DpapiLocalMachine" account="S-1-5-18" entropy="x">0102</MfaApprovalSecret>'; Says = "*unknown attribute 'entropy'*" }
        @{ Why = 'another version'; Xml = '<MfaApprovalSecret version="2" protection="DpapiLocalMachine">0102</MfaApprovalSecret>'; Says = '*not version 1*' }
        @{ Why = 'another protection'; Xml = '<MfaApprovalSecret version="1" protection="None">0102</MfaApprovalSecret>'; Says = '*unknown protection*' }
        @{ Why = 'a secret that is not hexadecimal'; Xml = '<MfaApprovalSecret version="1" protection="DpapiLocalMachine">zz</MfaApprovalSecret>'; Says = '*no hexadecimal secret*' }
        @{ Why = 'no secret'; Xml = '<MfaApprovalSecret version="1" protection="DpapiLocalMachine"></MfaApprovalSecret>'; Says = '*holds no secret*' }
        @{ Why = 'a DTD'; Xml = '<!DOCTYPE MfaApprovalSecret [<!ENTITY e "0102">]><MfaApprovalSecret version="1" protection="DpapiLocalMachine">&e;</MfaApprovalSecret>'; Says = '*not well-formed XML*' }
        @{ Why = 'a second document'; Xml = '<MfaApprovalSecret version="1" protection="DpapiLocalMachine">0102</MfaApprovalSecret><MfaApprovalSecret version="1" protection="DpapiLocalMachine">0304</MfaApprovalSecret>'; Says = '*not well-formed XML*' }
    ) {
        { [MfaApproval.Hosting.SecretFile]::Parse([System.Text.Encoding]::UTF8.GetBytes($Xml), 'f.xml') } | Should -Throw $Says
    }

    It 'gives the file an ACL only the account (and administrators) can use, built from a parsed SID' {
        [MfaApproval.Hosting.SecretFile]::Sddl('S-1-5-21-1004336348-1177238915-682003330-1105') | Should -BeExactly 'D:P(A;;FA;;;SY)(A;;FA;;;BA)(A;;FR;;;S-1-5-21-1004336348-1177238915-682003330-1105)'
        [MfaApproval.Hosting.SecretFile]::Sddl('s-1-5-80-0') | Should -BeExactly 'D:P(A;;FA;;;SY)(A;;FA;;;BA)(A;;FR;;;S-1-5-80-0)'
        { [MfaApproval.Hosting.SecretFile]::Sddl('S-1-5-18)(A;;FA;;;WD') } | Should -Throw '*is not a SID*'
    }

    It 'reads <In> as the SID <Out>' -ForEach @(
        @{ In = 'S-1-5-18'; Out = 'S-1-5-18' }
        @{ In = 's-1-5-32-544'; Out = 'S-1-5-32-544' }
        @{ In = 'S-1-5-21-0001-2-3-1105'; Out = 'S-1-5-21-1-2-3-1105' }
        @{ In = 'S-1-5'; Out = $null }
        @{ In = 'S-2-5-18'; Out = $null }
        @{ In = 'S-1-5-21-x'; Out = $null }
        @{ In = 'S-1-5-21-4294967296'; Out = $null }
        @{ In = 'S-1-5--18'; Out = $null }
        @{ In = 'S-1-5-18 '; Out = $null }
        @{ In = 'CONTOSO\svc-mim'; Out = $null }
    ) {
        [MfaApproval.Hosting.SecretFile]::CanonicalSid($In) | Should -Be $Out
    }

    It 'checks a service name before it is looked up' {
        [MfaApproval.Hosting.SecretFile]::ServiceNameProblem('FIMService') | Should -BeNullOrEmpty
        foreach ($bad in '', '..\..\Software', 'a/b', "FIM`nService") { [MfaApproval.Hosting.SecretFile]::ServiceNameProblem($bad) | Should -Not -BeNullOrEmpty -Because "'$bad'" }
    }

    It 'is read by the provider''s secret reader, which says it needs Windows here and never shows the blob' -Skip:$OnWindows {
        $file = Join-Path $TestDrive 'protected.xml'
        [System.IO.File]::WriteAllBytes($file, [MfaApproval.Hosting.SecretFile]::Format('demo-admin', 'S-1-5-18', 'LocalSystem', [byte[]](0xDE, 0xAD, 0xBE, 0xEF)))
        [MfaApproval.Hosting.StoredSecret]::CredentialUserName($file) | Should -Be 'demo-admin'
        $e = { [MfaApproval.Hosting.StoredSecret]::FromCredentialFile($file) } | Should -Throw '*protected with Windows DPAPI for the machine that made it*' -PassThru
        $e.Exception.Message | Should -Not -Match 'deadbeef'
        . (Join-Path $ModulePath 'mim/Settings.ps1')
        { Import-MfaSettingsSecret -Path 'mfa-settings.psd1' -Key 'SecretKeyPath' -File $file } | Should -Throw "*SecretKeyPath '$file' cannot be read by this account*Windows DPAPI*"
    }
}

Describe 'Install-MfaMimProvider and a secret file off Windows' -Skip:$OnWindows {
    It 'refuses it, saying only the Windows computer that made it can decrypt it' {
        $svc = Join-Path $TestDrive 'svc'
        $null = New-Item -ItemType Directory -Force -Path $svc
        Set-Content -Path (Join-Path $svc 'MfaSettings.xml') -Value '<MfaServiceSettings />'
        $map = Join-Path $TestDrive 'one.csv'
        Set-Content -Path $map -Value "PhoneNumber,UserName`n+15550100001,alice@contoso.com"
        $file = Join-Path $TestDrive 'duo-protected.xml'
        [System.IO.File]::WriteAllBytes($file, [MfaApproval.Hosting.SecretFile]::Format('duo', 'S-1-5-18', 'LocalSystem', [byte[]](1, 2, 3)))
        $duo = Start-MfaSimulator -Provider Duo
        try {
            { Install-MfaMimProvider -ServicePath $svc -Connection $duo.Connection -PhoneMap $map -CredentialPath $file -AllowPlainTextSecret -WarningAction SilentlyContinue } |
                Should -Throw -ErrorId 'MfaApproval.InvalidCredentialFile,MfaApproval.Cmdlets.InstallMfaMimProviderCommand'
            Test-Path (Join-Path $svc 'MfaApproval.MimProvider.settings.xml') | Should -BeFalse
        }
        finally { $duo | Stop-MfaSimulator }
    }
}

Describe 'Protect-MfaSecret refuses before it writes anything' {
    BeforeAll {
        $secret = New-Object System.Management.Automation.PSCredential('duo', (New-TestSecureString 'demo-duo-secret-key-for-mfa-sim-only-0000'))
    }

    It 'refuses <Why>' -ForEach @(
        @{ Why = 'a folder that does not exist'; Path = 'no/such/folder/s.xml'; Extra = @{}; Id = 'MfaApproval.FileNotFound' }
        @{ Why = 'a folder as the file'; Path = '.'; Extra = @{}; Id = 'MfaApproval.InvalidArgument' }
        @{ Why = 'a service name that is a registry path'; Path = 'svc.xml'; Extra = @{ ServiceName = '..\..\SAM' }; Id = 'MfaApproval.InvalidArgument' }
    ) {
        $target = Join-Path $TestDrive $Path
        { Protect-MfaSecret -Path $target -Credential $secret @Extra } | Should -Throw -ErrorId "$Id,MfaApproval.Cmdlets.ProtectMfaSecretCommand"
        Test-Path (Join-Path $TestDrive 'svc.xml') | Should -BeFalse
    }

    It 'refuses an existing file without -Force, and leaves it' {
        $target = Join-Path $TestDrive 'exists.xml'
        Set-Content -Path $target -Value 'keep'
        { Protect-MfaSecret -Path $target -Credential $secret } | Should -Throw -ErrorId 'MfaApproval.FileExists,MfaApproval.Cmdlets.ProtectMfaSecretCommand'
        Get-Content -Raw $target | Should -Match 'keep'
    }

    It 'refuses an empty secret' {
        $empty = New-Object System.Management.Automation.PSCredential('duo', (New-Object System.Security.SecureString))
        { Protect-MfaSecret -Path (Join-Path $TestDrive 'e.xml') -Credential $empty } | Should -Throw -ErrorId 'MfaApproval.InvalidArgument,MfaApproval.Cmdlets.ProtectMfaSecretCommand'
    }

    It 'takes -ServiceName or -Account, not both' {
        { Protect-MfaSecret -Path (Join-Path $TestDrive 'b.xml') -Credential $secret -ServiceName FIMService -Account 'CONTOSO\svc' } | Should -Throw -ErrorId 'AmbiguousParameterSet,MfaApproval.Cmdlets.ProtectMfaSecretCommand'
    }

    It 'says it needs Windows (after every argument check), writing nothing' -Skip:$OnWindows {
        $target = Join-Path $TestDrive 'linux.xml'
        { Protect-MfaSecret -Path $target -Credential $secret -Account 'CONTOSO\gmsa-mim$' } | Should -Throw -ErrorId 'MfaApproval.NotSupported,MfaApproval.Cmdlets.ProtectMfaSecretCommand'
        Test-Path $target | Should -BeFalse
    }
}

# Windows only: the real ACL reader refuses a module folder its user owns (a copy in the
# user's temporary folder), naming who could change it.
Describe 'The module folder check on Windows' -Skip:(-not $OnWindows) {
    It 'refuses a module copy in the user''s own folder, naming the user' {
        $copy = Join-Path $TestDrive 'module'
        $rid = [MfaApproval.Interop.Loader]::RuntimeIdentifier
        foreach ($f in [MfaApproval.Hosting.ModuleCopy]::FilesToCopy($rid)) {
            $target = Join-Path $copy $f
            $null = New-Item -ItemType Directory -Force -Path (Split-Path $target)
            Copy-Item (Join-Path $ModulePath $f) $target
        }
        $null = New-Item -ItemType Directory -Force -Path (Join-Path $copy 'mim/provider')
        Copy-Item (Join-Path $ModulePath 'mim/provider/*.cs') (Join-Path $copy 'mim/provider')
        $me = [System.Security.Principal.WindowsIdentity]::GetCurrent()
        $problem = [MfaApproval.Hosting.WriteAccess]::CheckModuleFolder($copy, $rid, [string[]]@(Get-ChildItem (Join-Path $copy 'mim/provider') | ForEach-Object Name))
        $problem | Should -Not -BeNullOrEmpty
        $problem | Should -Match ([regex]::Escape($me.User.Value))
        $problem | Should -Match 'who is not an administrator'
    }
}

# Windows only: the real DPAPI and ACL round trip, for the account running the tests (it
# stands for the service account).
Describe 'Protect-MfaSecret on Windows' -Skip:(-not $OnWindows) {
    It 'writes a file only the account and administrators can open, which the provider''s reader decrypts' {
        $me = [System.Security.Principal.WindowsIdentity]::GetCurrent().User.Value
        $target = Join-Path $TestDrive 'duo-secret.xml'
        $secret = New-Object System.Management.Automation.PSCredential('duo', (New-TestSecureString 'demo-duo-secret-key-for-mfa-sim-only-0000'))
        $r = Protect-MfaSecret -Path $target -Credential $secret -Account $me
        $r.AccountSid | Should -Be $me
        (Get-Content -Raw $target) | Should -Not -Match 'demo-duo-secret'
        $acl = Get-Acl $target
        $acl.AreAccessRulesProtected | Should -BeTrue
        @($acl.Access | ForEach-Object { $_.IdentityReference.Translate([System.Security.Principal.SecurityIdentifier]).Value } | Sort-Object) | Should -Be @(@($me, 'S-1-5-18', 'S-1-5-32-544') | Sort-Object)
        $read = [MfaApproval.Hosting.StoredSecret]::FromCredentialFile($target)
        [System.Net.NetworkCredential]::new('', $read).Password | Should -BeExactly 'demo-duo-secret-key-for-mfa-sim-only-0000'
        [MfaApproval.Hosting.StoredSecret]::CredentialUserName($target) | Should -Be 'duo'
        { Protect-MfaSecret -Path $target -Credential $secret -Account $me } | Should -Throw -ErrorId 'MfaApproval.FileExists,*'
        $null = Protect-MfaSecret -Path $target -Credential $secret -Account $me -Force
    }
}
