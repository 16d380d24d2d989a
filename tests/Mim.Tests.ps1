# The MIM wrapper run as a child process, the way MIMWAL runs it, against the simulator.
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModulePath -Force
    $sim = Start-MfaSimulator -NoResponseAfter 2
    $pwsh = $Pwsh
    $credentialPath = Join-Path $TestDrive 'svc.credential.xml'
    New-Object System.Management.Automation.PSCredential('demo-admin', (New-TestSecureString 'demo-password')) | Export-Clixml -Path $credentialPath
    $settings = Join-Path $TestDrive 'mfa-settings.psd1'
    Set-Content -Path $settings -Value @"
@{
    Uri                   = '$($sim.Uri)'
    CredentialPath        = '$credentialPath'
    ServerCertificateHash = '$($sim.CertificateHash)'
    ModulePath            = '$ModulePath'
}
"@
    $wrapper = Join-Path $ModulePath 'mim/Invoke-MfaApprovalOutOfProcess.ps1'
    function Invoke-Wrapper([string]$UserName, [string]$Extra = '') {
        $script = "`$r = & '$wrapper' -UserName '$UserName' -SettingsPath '$settings' -TimeoutSeconds 20 -MimRequestId 'req-42' $Extra; `$r | ConvertTo-Json -Compress"
        $stdout = & $pwsh -NoProfile -NonInteractive -Command $script 2> (Join-Path $TestDrive 'stderr.txt')
        @{ ExitCode = $LASTEXITCODE; Output = $stdout; Error = (Get-Content -Raw (Join-Path $TestDrive 'stderr.txt')) }
    }
}
AfterAll {
    $sim | Stop-MfaSimulator
    Remove-Module MfaApproval -ErrorAction SilentlyContinue
}

Describe 'Invoke-MfaApprovalOutOfProcess.ps1' {
    It 'returns Approved in a hashtable and writes nothing to the error stream' {
        $run = Invoke-Wrapper 'alice@contoso.com'
        $run.ExitCode | Should -Be 0
        [string]::IsNullOrWhiteSpace($run.Error) | Should -BeTrue -Because $run.Error
        $r = ($run.Output | Select-Object -Last 1) | ConvertFrom-Json
        $r.Approved | Should -BeTrue
        $r.Status | Should -Be 'Approved'
        $r.CallResult | Should -Be 21
        $r.MimRequestId | Should -Be 'req-42'
    }

    It 'returns Approved = false for a denial' {
        $r = ((Invoke-Wrapper 'bob@contoso.com').Output | Select-Object -Last 1) | ConvertFrom-Json
        $r.Approved | Should -BeFalse
        $r.Status | Should -Be 'Denied'
    }

    It 'with -Assert a denial is a terminating error with MfaApproval.Denied' {
        $script = "try { & '$wrapper' -UserName 'bob@contoso.com' -SettingsPath '$settings' -TimeoutSeconds 20 -Assert; 'no error' } catch { `$_.FullyQualifiedErrorId }"
        (& $pwsh -NoProfile -NonInteractive -Command $script) | Should -Match '^MfaApproval.Denied'
    }

    It 'reports bad settings as Failed without throwing' {
        $bad = Join-Path $TestDrive 'bad.psd1'
        Set-Content -Path $bad -Value "@{ Uri = 'ftp://nowhere'; ModulePath = '$ModulePath' }"
        $stdout = & $pwsh -NoProfile -NonInteractive -Command "& '$wrapper' -UserName 'alice@contoso.com' -SettingsPath '$bad' | ConvertTo-Json -Compress"
        $r = ($stdout | Select-Object -Last 1) | ConvertFrom-Json
        $r.Approved | Should -BeFalse
        $r.Status | Should -Be 'Failed'
        $r.Message | Should -Match 'Uri'
    }
}
