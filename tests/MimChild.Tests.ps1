# The MIM wrapper's child process and settings file, as Windows and MIMWAL meet them: a byte
# order mark on the child's stdin, a failed bootstrap, CLIXML on stderr, MIMWAL's own way of
# running a script (AddScript + AddParameter in a fresh runspace), and the one mapping from
# settings keys to New-MfaConnection parameters.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModulePath -Force
    $mim = Join-Path $ModulePath 'mim'
    . (Join-Path $mim 'ChildProcess.ps1')
    . (Join-Path $mim 'Settings.ps1')
    $wrapper = Join-Path $mim 'Invoke-MfaApprovalOutOfProcess.ps1'
    $onWindows = ($PSVersionTable.PSEdition -eq 'Desktop') -or ((Test-Path variable:IsWindows) -and $IsWindows)
    $sim = Start-MfaSimulator -NoResponseAfter 2
    $credentialPath = Join-Path $TestDrive 'svc.credential.xml'
    New-Object System.Management.Automation.PSCredential('demo-admin', (New-TestSecureString 'demo-password')) | Export-Clixml -Path $credentialPath
    $utf8 = New-Object System.Text.UTF8Encoding($false)
    function New-Settings([string]$Name, [string]$Body, [switch]$Bom) {
        $path = Join-Path $TestDrive $Name
        [System.IO.File]::WriteAllText($path, "@{`n$Body`n    ModulePath = '$ModulePath'`n}`n", (New-Object System.Text.UTF8Encoding([bool]$Bom)))
        $path
    }
    $settings = New-Settings 'mfa-settings.psd1' @"
    Uri                   = '$($sim.Uri)'
    CredentialPath        = '$credentialPath'
    ServerCertificateHash = '$($sim.CertificateHash)'
"@
    # Starts the child exactly as the wrapper does, writes $Prefix (raw bytes) and then the
    # wrapper's own stdin bytes, and returns the exit code, stdout and stderr.
    function Invoke-Child([byte[]]$Prefix = @(), [hashtable]$Request, [byte[]]$Raw) {
        $info = New-MfaChildStartInfo -PowerShellPath $Pwsh -OnWindows $onWindows
        $p = [System.Diagnostics.Process]::Start($info)
        $out = $p.StandardOutput.ReadToEndAsync()
        $err = $p.StandardError.ReadToEndAsync()
        $bytes = if ($Raw) { $Raw } else { [byte[]]($Prefix + (ConvertTo-MfaChildInput -Request $Request)) }
        $p.StandardInput.BaseStream.Write($bytes, 0, $bytes.Length)
        $p.StandardInput.Close()
        if (-not $p.WaitForExit(60000)) { $p.Kill(); throw 'the child did not finish in 60 s' }
        $p.WaitForExit()
        @{ ExitCode = $p.ExitCode; Output = $out.Result; Error = $err.Result }
    }
    function New-ChildRequest([string]$UserName) {
        # What the wrapper names: the build of the module it sits in.
        $dll = Join-Path (Split-Path -Parent $mim) 'MfaApproval.dll'
        @{ ChildPath = (Join-Path $mim 'MfaApprovalChild.ps1'); UserName = @($UserName); SettingsPath = $settings; TimeoutSeconds = 20; MimRequestId = 'req-bom'
            ExpectedAssembly = [System.Reflection.AssemblyName]::GetAssemblyName($dll).FullName; ExpectedAssemblyHash = (Get-FileHash -LiteralPath $dll -Algorithm SHA256).Hash }
    }
}
AfterAll {
    $sim | Stop-MfaSimulator
    Remove-Module MfaApproval -ErrorAction SilentlyContinue
}

Describe 'The child reads its request whatever precedes it on stdin' {
    It 'approves alice after <What>' -ForEach @(
        @{ What = 'nothing'; Prefix = [byte[]]@() }
        @{ What = 'a UTF-8 byte order mark (.NET Framework Process under chcp 65001)'; Prefix = [byte[]](0xEF, 0xBB, 0xBF) }
        @{ What = 'the mark as code page 437 shows it (three characters)'; Prefix = [byte[]][System.Text.Encoding]::UTF8.GetBytes(([string][char]0x2229 + [char]0x2557 + [char]0x2510)) }
        @{ What = 'a mark and a CR LF'; Prefix = [byte[]](0xEF, 0xBB, 0xBF, 13, 10) }
    ) {
        $run = Invoke-Child -Prefix $Prefix -Request (New-ChildRequest 'alice@contoso.com')
        $run.ExitCode | Should -Be 0 -Because $run.Error
        $r = ($run.Output -split "`n" | Where-Object { $_ -like '{*' } | Select-Object -Last 1) | ConvertFrom-Json
        $r.Status | Should -Be 'Approved'
        $r.UserName | Should -Be 'alice@contoso.com'
    }

    It 'refuses to run without the build to compare (a request that names none)' {
        $request = New-ChildRequest 'alice@contoso.com'
        $request.Remove('ExpectedAssembly'); $request.Remove('ExpectedAssemblyHash')
        $run = Invoke-Child -Request $request
        $run.ExitCode | Should -Be 2
        $r = ($run.Output -split "`n" | Where-Object { $_ -like '{*' } | Select-Object -Last 1) | ConvertFrom-Json
        $r.Approved | Should -BeFalse
        $r.Message | Should -Match 'cannot be checked'
    }

    It 'a mark cannot turn a denial into anything else' {
        $run = Invoke-Child -Prefix ([byte[]](0xEF, 0xBB, 0xBF)) -Request (New-ChildRequest 'bob@contoso.com')
        $run.ExitCode | Should -Be 1
        (($run.Output -split "`n" | Where-Object { $_ -like '{*' } | Select-Object -Last 1) | ConvertFrom-Json).Status | Should -Be 'Denied'
    }
}

Describe 'A failed bootstrap' {
    It 'exits 3 (not 1, "not approved") when stdin holds no request' {
        $run = Invoke-Child -Raw ([System.Text.Encoding]::ASCII.GetBytes("not-a-request`n"))
        $run.ExitCode | Should -Be $MfaChildBootstrapFailed
        $run.ExitCode | Should -Be 3
        $run.Output | Should -Not -Match '\{'
        (ConvertFrom-MfaChildError $run.Error) | Should -Match 'MfaApproval child bootstrap failed'
    }

    It 'exits 3 when the child script cannot be started' {
        $request = New-ChildRequest 'alice@contoso.com'
        $request.ChildPath = Join-Path $TestDrive 'missing/MfaApprovalChild.ps1'
        $run = Invoke-Child -Request $request
        $run.ExitCode | Should -Be 3
        (ConvertFrom-MfaChildError $run.Error) | Should -Match 'bootstrap failed'
    }

    It 'reaches the wrapper as Failed with exit code 3 and a readable message decoded from CLIXML' -Skip:$onWindows {
        # A stand-in for Windows PowerShell 5.1 that fails the way it does: CLIXML on stderr.
        $fake = Join-Path $TestDrive 'fake-powershell'
        $clixml = '#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><Obj S="progress" RefId="0"><TN RefId="0"><T>System.Management.Automation.PSCustomObject</T></TN><MS><I64 N="SourceId">1</I64></MS></Obj><S S="Error">MfaApproval child bootstrap failed: Exception calling &quot;FromBase64String&quot;_x000D__x000A_</S><S S="Error">with &lt;1&gt; argument_x000D__x000A_</S></Objs>'
        [System.IO.File]::WriteAllText($fake, "#!/bin/sh`ncat >/dev/null`nprintf '$clixml' >&2`nexit 3`n", $utf8)
        & chmod +x $fake
        $r = & $wrapper -UserName 'alice@contoso.com' -SettingsPath $settings -TimeoutSeconds 10 -PowerShellPath $fake
        $r.Approved | Should -BeFalse
        $r.Status | Should -Be 'Failed'
        $r.ExitCode | Should -Be 3
        $r.Message | Should -Match 'could not start its script'
        $r.Message | Should -Match 'Exception calling "FromBase64String" with <1> argument'
        $r.Message | Should -Not -Match 'CLIXML|_x000D_|&quot;|<S '
        @($r.Keys | Sort-Object) | Should -Be @(Get-MfaWrapperResultKeys | Sort-Object)
    }
}

Describe 'ConvertFrom-MfaChildError' {
    It 'passes plain text through, first three lines, bounded' {
        ConvertFrom-MfaChildError "one`r`n`r`ntwo`nthree`nfour" | Should -Be 'one two three'
        (ConvertFrom-MfaChildError ('x' * 1000)).Length | Should -Be 303
        ConvertFrom-MfaChildError $null | Should -Be ''
    }
}

Describe 'The wrapper hashtable (MIMWAL "Table of Values")' {
    It 'has the same keys on approval, denial and a settings failure' {
        $bad = New-Settings 'bad-keys.psd1' "    Uri = 'ftp://nowhere'"
        foreach ($case in @(@{ User = 'alice@contoso.com'; Settings = $settings }, @{ User = 'bob@contoso.com'; Settings = $settings }, @{ User = 'alice@contoso.com'; Settings = $bad })) {
            $r = & $wrapper -UserName $case.User -SettingsPath $case.Settings -TimeoutSeconds 20
            $r | Should -BeOfType [hashtable]
            @($r.Keys | Sort-Object) | Should -Be @(Get-MfaWrapperResultKeys | Sort-Object) -Because "$($case.User): $($r.Status)"
        }
    }
}

Describe 'MIMWAL runs the activity script the way its source does' {
    BeforeAll {
        # docs/mim.md's activity script, with this machine's paths: MIMWAL's RunPowerShellScript
        # adds the script text with AddScript, each Named Parameter with AddParameter, and defines
        # $AECRequestId, $AECActorId, $AECTargetId, $AECWorkflowInstanceId,
        # $AECWorkflowDefinitionId and $Credential in a fresh runspace.
        $doc = Get-Content -Raw (Join-Path $RepoRoot 'docs/mim.md')
        $m = [regex]::Match($doc, '(?s)<!-- activity-script -->\s*```powershell\r?\n(.*?)```')
        $m.Success | Should -BeTrue -Because 'docs/mim.md marks the activity script'
        $activity = $m.Groups[1].Value.Replace("C:\Program Files\WindowsPowerShell\Modules\MfaApproval\0.2.0\mim\Invoke-MfaApprovalOutOfProcess.ps1", $wrapper).Replace('C:\MfaApproval\mfa-settings.psd1', $settings)
        function Invoke-LikeMimwal([hashtable]$Parameters, [string]$Script = $activity) {
            $iss = [System.Management.Automation.Runspaces.InitialSessionState]::CreateDefault()
            foreach ($v in @(@('AECRequestId', 'req-mimwal'), @('AECActorId', 'actor-7'), @('AECTargetId', 'target-9'), @('AECWorkflowInstanceId', 'wf-1'), @('AECWorkflowDefinitionId', 'wd-1'))) {
                $iss.Variables.Add((New-Object System.Management.Automation.Runspaces.SessionStateVariableEntry($v[0], $v[1], '')))
            }
            $iss.Variables.Add((New-Object System.Management.Automation.Runspaces.SessionStateVariableEntry('Credential', $null, $null)))
            $runspace = [System.Management.Automation.Runspaces.RunspaceFactory]::CreateRunspace($iss)
            $runspace.Open()
            $shell = [System.Management.Automation.PowerShell]::Create()
            $shell.Runspace = $runspace
            try {
                $null = $shell.AddScript($Script)
                foreach ($k in $Parameters.Keys) { $null = $shell.AddParameter($k, $Parameters[$k]) }
                $results = $shell.Invoke()
                # MIMWAL publishes results[0].BaseObject (lines 945-947).
                , @(foreach ($r in $results) { $r.PSObject.BaseObject })
            }
            finally { $shell.Dispose(); $runspace.Dispose() }
        }
    }
    It 'publishes one Hashtable with Approved for alice, and the AEC ids' {
        $results = Invoke-LikeMimwal @{ UserName = 'alice@contoso.com'; Reason = 'Add jane to Domain Admins' }
        $results.Count | Should -Be 1 -Because 'one object: MIMWAL publishes results[0] when there is exactly one'
        $results[0].GetType() | Should -Be ([hashtable]) -Because 'Table of Values needs result.GetType() == typeof(Hashtable)'
        $results[0].Approved | Should -BeTrue -Because $results[0].Message
        $results[0].MimRequestId | Should -Be 'req-mimwal'
        $results[0].MimTargetId | Should -Be 'target-9'
    }
    It 'fails the activity (Invoke throws) for a denial, with MfaApproval.Denied, <How>' -ForEach @(
        @{ How = 'as docs/mim.md writes the script'; Strip = $false }
        @{ How = 'even without the script''s $ErrorActionPreference = ''Stop'''; Strip = $true }
    ) {
        # MIMWAL fails the activity only when Invoke throws; an error that ends only the
        # wrapper's statement would let the activity script finish, and the activity succeed.
        $script = if ($Strip) { $activity -replace '(?m)^\$ErrorActionPreference = .Stop.\s*$', '' } else { $activity }
        if ($Strip) { $script | Should -Not -Match 'ErrorActionPreference' }
        $thrown = $null
        try { $null = Invoke-LikeMimwal @{ UserName = 'bob@contoso.com'; Reason = 'Add jane to Domain Admins' } $script }
        catch { $thrown = $_.Exception }
        $thrown | Should -Not -BeNullOrEmpty
        $inner = $thrown
        while ($inner.InnerException -and -not ($inner -is [System.Management.Automation.IContainsErrorRecord])) { $inner = $inner.InnerException }
        "$($inner.ErrorRecord.FullyQualifiedErrorId) $($thrown.Message)" | Should -Match 'MfaApproval.Denied|not granted'
    }
    It 'the in-process example fails the activity for a denial and publishes a Hashtable for an approval' {
        # mim/Example-InProcess.ps1 with this machine's module, credential and simulator.
        $example = (Get-Content -Raw (Join-Path $mim 'Example-InProcess.ps1')).
            Replace('Import-Module MfaApproval -RequiredVersion 0.2.0', "Import-Module '$ModulePath'").
            Replace('C:\MfaApproval\svc-mfa.credential.xml', $credentialPath).
            Replace('https://mfa01.contoso.com/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx', $sim.Uri).
            Replace('-Credential $credential', "-Credential `$credential -ServerCertificateHash '$($sim.CertificateHash)'")
        $example | Should -Match ([regex]::Escape($sim.CertificateHash))
        $results = Invoke-LikeMimwal @{ UserName = 'alice@contoso.com' } $example
        $results.Count | Should -Be 1
        $results[0].GetType() | Should -Be ([hashtable])
        $results[0].Approved | Should -BeTrue
        { Invoke-LikeMimwal @{ UserName = 'bob@contoso.com' } $example } | Should -Throw
    }

    It 'the wrapper run as script text ("Read from File") refuses, saying to run it by path' {
        $shell = [System.Management.Automation.PowerShell]::Create()
        try {
            $null = $shell.AddScript((Get-Content -Raw $wrapper)).AddParameter('UserName', 'alice@contoso.com').AddParameter('SettingsPath', $settings)
            { $shell.Invoke() } | Should -Throw -ExpectedMessage '*must be run by its path*'
        }
        finally { $shell.Dispose() }
    }
}

Describe 'The settings file' {
    It 'maps every New-MfaConnection parameter, and only real ones' {
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        $parameters = @((Get-Command New-MfaConnection).Parameters.Keys | Where-Object { $common -notcontains $_ })
        $mapped = @($MfaSettingsMap.Values | ForEach-Object { $_.Parameter })
        foreach ($p in $parameters) {
            ($mapped -contains $p) -or $MfaSettingsUnmapped.ContainsKey($p) | Should -BeTrue -Because "New-MfaConnection -$p needs a settings key in mim/Settings.ps1 (or a reason in MfaSettingsUnmapped)"
        }
        foreach ($p in $mapped + @($MfaSettingsUnmapped.Keys)) { $parameters | Should -Contain $p -Because "Settings.ps1 names -$p" }
        @($mapped | Group-Object | Where-Object Count -GT 1) | Should -BeNullOrEmpty -Because 'one key per parameter'
    }

    It 'is documented key by key in docs/mim.md' {
        $doc = Get-Content -Raw (Join-Path $RepoRoot 'docs/mim.md')
        foreach ($key in @($MfaSettingsMap.Keys) + @($MfaSettingsOwnKeys.Keys)) { $doc | Should -Match ('\| `' + $key + '` \|') }
    }

    It 'turns each kind of key into its parameter' {
        $secure = Join-Path $TestDrive 'secure.xml'
        New-TestSecureString 'pfx-password' | Export-Clixml -Path $secure
        $p = ConvertFrom-MfaSettings -Path 'test.psd1' -Settings @{
            Uri = 'https://mfa.contoso.com/x.asmx'; CredentialPath = $credentialPath; ClientCertificatePasswordPath = $secure
            AllowUnknownUser = $true; UseSystemProxy = $false; ServerCertificateHash = @('AA', 'BB'); HttpTimeout = 30
            ModulePath = 'ignored here'
        }
        $p.Uri | Should -Be 'https://mfa.contoso.com/x.asmx'
        $p.Credential | Should -BeOfType [System.Management.Automation.PSCredential]
        $p.Credential.UserName | Should -Be 'demo-admin'
        $p.ClientCertificatePassword | Should -BeOfType [System.Security.SecureString]
        # A secret key from a PSCredential file (Duo's keys, with Provider Duo).
        (ConvertFrom-MfaSettings -Path 'test.psd1' -Settings @{ Provider = 'Duo'; SecretKeyPath = $credentialPath }).SecretKey | Should -BeOfType [System.Security.SecureString]
        $p.AllowUnknownUser | Should -BeOfType [System.Management.Automation.SwitchParameter]
        $p.AllowUnknownUser.IsPresent | Should -BeTrue
        $p.UseSystemProxy.IsPresent | Should -BeFalse
        $p.ServerCertificateHash | Should -Be @('AA', 'BB')
        $p.HttpTimeout | Should -Be 30
        $p.ContainsKey('ModulePath') | Should -BeFalse
    }

    It 'refuses <What>, naming the key' -ForEach @(
        @{ What = 'an unknown key'; Settings = @{ Uri = 'https://x/y'; Pinned = 'AA' }; Match = "unknown setting 'Pinned'.*Known settings: .*AuditPath" }
        @{ What = 'a switch that is not a boolean'; Settings = @{ Provider = 'Duo'; ApiHost = 'api-x.duosecurity.com'; AllowBypass = 'yes' }; Match = 'AllowBypass must be \$true or \$false' }
        @{ What = 'a key the default provider does not take'; Settings = @{ Uri = 'https://x/y'; AllowBypass = $true }; Match = 'AllowBypass is not a setting of Provider MfaServer\. Its settings: .*CredentialPath' }
        @{ What = 'a key the provider does not take'; Settings = @{ Provider = 'Radius'; Server = 'nps01'; Proxy = 'http://proxy:3128' }; Match = 'Proxy is not a setting of Provider Radius\. Its settings: .*SharedSecretPath' }
        @{ What = 'a missing credential file'; Settings = @{ Uri = 'https://x/y'; CredentialPath = '/nonexistent/cred.xml' }; Match = "CredentialPath '/nonexistent/cred.xml' does not exist" }
        @{ What = 'a credential file that holds no credential'; Settings = @{ Uri = 'https://x/y'; ProxyCredentialPath = 'SECURE' }; Match = 'ProxyCredentialPath .* holds no PSCredential' }
    ) {
        $secure = Join-Path $TestDrive 'secure-only.xml'
        New-TestSecureString 'x' | Export-Clixml -Path $secure
        $s = @{} + $Settings
        if ($s.ProxyCredentialPath -eq 'SECURE') { $s.ProxyCredentialPath = $secure }
        { ConvertFrom-MfaSettings -Path 'test.psd1' -Settings $s } | Should -Throw -ExpectedMessage "*test.psd1*"
        try { ConvertFrom-MfaSettings -Path 'test.psd1' -Settings $s } catch { $_.Exception.Message | Should -Match $Match }
    }

    It 'an unknown key reaches the wrapper as Failed, exit code 2, naming the key' {
        $typo = New-Settings 'typo.psd1' @"
    Uri                   = '$($sim.Uri)'
    CredentialPath        = '$credentialPath'
    ServerCertificateHas  = '$($sim.CertificateHash)'
"@
        $r = & $wrapper -UserName 'alice@contoso.com' -SettingsPath $typo -TimeoutSeconds 20
        $r.Approved | Should -BeFalse
        $r.ExitCode | Should -Be 2
        $r.Message | Should -Match "unknown setting 'ServerCertificateHas'"
    }

    It 'saved with a UTF-8 BOM, using Challenge authentication, AllowUnknownUser and an audit trail, approves alice' {
        $audit = Join-Path $TestDrive 'audit-settings.jsonl'
        $full = New-Settings 'full-bom.psd1' -Bom @"
    Uri                            = '$($sim.Uri)'
    CredentialPath                 = '$credentialPath'
    BasicAuthentication            = 'Challenge'
    ServerCertificateHash          = @('$($sim.CertificateHash)')
    InitiatingAuthenticationType   = 'pfsdk'
    ApplicationName                = 'MIM settings test'
    HttpTimeout                    = 30
    AllowUnknownUser               = `$true
    AllowUnencryptedAuthentication = `$false
    AuditPath                      = '$audit'
"@
        ([System.IO.File]::ReadAllBytes($full))[0] | Should -Be 0xEF
        $r = & $wrapper -UserName 'alice@contoso.com' -SettingsPath $full -TimeoutSeconds 20
        $r.Status | Should -Be 'Approved' -Because $r.Message
        $r.AuditId | Should -Match '^[0-9a-f]{32}$'
        $lines = @(Get-Content $audit | ConvertFrom-Json)
        $lines[0].type | Should -Be 'header'
        $lines[1].id | Should -Be $r.AuditId
        (Test-MfaAuditLog -Path $audit).Valid | Should -BeTrue
    }

    It 'Duo with SignatureVersion 2 and AllowBypass approves the bypass user' {
        $secretPath = Join-Path $TestDrive 'duo.secret.xml'
        New-Object System.Management.Automation.PSCredential('duo', (New-TestSecureString 'demo-duo-secret-key-for-mfa-sim-only-0000')) | Export-Clixml -Path $secretPath
        foreach ($bypass in $true, $false) {
            $duo = New-Settings "duo-bypass-$bypass.psd1" @"
    Provider              = 'Duo'
    ApiHost               = '127.0.0.1:$(([uri]$sim.Uri).Port)'
    IntegrationKey        = 'DIDEMOINTEGRATION001'
    SecretKeyPath         = '$secretPath'
    SignatureVersion      = 2
    AllowBypass           = `$$bypass
    ServerCertificateHash = '$($sim.CertificateHash)'
"@
            $r = & $wrapper -UserName 'bypass@contoso.com' -SettingsPath $duo -TimeoutSeconds 20
            $r.Approved | Should -Be $bypass -Because "AllowBypass = $bypass`: $($r.Status) $($r.Message)"
        }
    }
}
