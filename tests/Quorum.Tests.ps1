# Multi-approver requests (-Require Any|All|N) on both providers: the quorum decides, fail
# closed, and whoever is still pending when it is decided is cancelled at once.
BeforeDiscovery {
    $providers = @(@{ Provider = 'MfaServer' }, @{ Provider = 'Duo' })
}
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModulePath -Force
    $directory = Join-Path $TestDrive 'users.json'
    Set-Content -Path $directory -Value '{"users":[{"userName":"late-deny@contoso.com","answer":"deny","delaySeconds":3}]}'
    $sims = @{
        MfaServer = Start-MfaSimulator -NoResponseAfter 3 -DirectoryFile $directory
        Duo       = Start-MfaSimulator -Provider Duo -NoResponseAfter 3
    }
}
AfterAll {
    $sims.Values | Stop-MfaSimulator -ErrorAction SilentlyContinue
    Remove-Module MfaApproval -ErrorAction SilentlyContinue
}

Describe 'Quorum on <Provider>' -ForEach $providers {
    BeforeAll { $conn = $sims[$Provider].Connection }

    It 'Any: the first approval wins and the approver still pending is cancelled' {
        $r = Invoke-MfaApproval -Connection $conn -UserName alice@contoso.com, carol@contoso.com -Require Any -Timeout 30
        $r.Status | Should -Be 'Approved'
        $r.Approved | Should -BeTrue
        $r.DecidedBy | Should -Be 'alice@contoso.com'
        $r.Require | Should -Be 'Any'
        ($r.Approvers | Where-Object UserName -EQ 'carol@contoso.com').Status | Should -Be 'Cancelled'
        $r.Duration.TotalSeconds | Should -BeLessThan 3   # carol was not waited for
    }

    It 'All: one denial makes it impossible: Denied' {
        $r = Invoke-MfaApproval -Connection $conn -UserName alice@contoso.com, bob@contoso.com -Require All -Timeout 30
        $r.Status | Should -Be 'Denied'
        $r.Approved | Should -BeFalse
        $r.DecidedBy | Should -Be 'bob@contoso.com'
        @($r.Approvers).Count | Should -Be 2
    }

    It 'a fraud report from anyone ends it as FraudReported and cancels the rest' {
        $r = Invoke-MfaApproval -Connection $conn -UserName carol@contoso.com, mallory@contoso.com -Require Any -Timeout 30
        $r.Status | Should -Be 'FraudReported'
        $r.DecidedBy | Should -Be 'mallory@contoso.com'
        ($r.Approvers | Where-Object UserName -EQ 'carol@contoso.com').Status | Should -Be 'Cancelled'
    }

    It 'N=2 with a silent approver ends as TimedOut' {
        $r = Invoke-MfaApproval -Connection $conn -UserName carol@contoso.com, alice@contoso.com -Require 2 -Timeout 30
        $r.Status | Should -Be 'TimedOut'
        $r.DecidedBy | Should -Be 'carol@contoso.com'
        ($r.Approvers | Where-Object UserName -EQ 'alice@contoso.com').Status | Should -Be 'Approved'
    }

    It '-Assert throws the deciding status; -Require takes the names from the pipeline too' {
        { 'alice@contoso.com', 'bob@contoso.com' | Invoke-MfaApproval -Connection $conn -Require All -Assert } | Should -Throw -ErrorId 'MfaApproval.Denied,*'
        ('alice@contoso.com', 'carol@contoso.com' | Invoke-MfaApproval -Connection $conn -Require 1).Status | Should -Be 'Approved'
    }
}

Describe 'Quorum rules' {
    It 'Any with a late denial still approves when another approves first (MFA Server)' {
        $r = Invoke-MfaApproval -Connection $sims.MfaServer.Connection -UserName late-deny@contoso.com, alice@contoso.com -Require Any -Timeout 30
        $r.Status | Should -Be 'Approved'
        ($r.Approvers | Where-Object UserName -EQ 'late-deny@contoso.com').Status | Should -Be 'Cancelled'
    }

    It 'rejects -Require <Require> for two approvers' -ForEach @(@{ Require = '3' }, @{ Require = '0' }, @{ Require = 'Most' }, @{ Require = '-1' }) {
        { Invoke-MfaApproval -Connection $sims.MfaServer.Connection -UserName alice@contoso.com, bob@contoso.com -Require $Require } | Should -Throw -ErrorId 'MfaApproval.InvalidRequire,*'
    }

    It 'decides by the rules, whatever the order (pure logic)' {
        $q = [MfaApproval.Quorum]::new('2', 3)
        $q.Add('a', 'Denied', $false) | Should -BeFalse
        $q.Add('b', 'Approved', $true) | Should -BeFalse
        $q.Add('c', 'Approved', $true) | Should -BeTrue
        $q.Status | Should -Be 'Approved'
        $q = [MfaApproval.Quorum]::new('All', 2)
        $q.Add('a', 'Approved', $false) | Should -BeTrue -Because 'an Approved status without approved=true is not an approval'
        $q.Status | Should -Be 'Failed'
        $q = [MfaApproval.Quorum]::new('Any', 3)
        $q.Add('a', 'TimedOut', $false) | Should -BeFalse
        $q.Add('b', 'FraudReported', $false) | Should -BeTrue
        $q.Status | Should -Be 'FraudReported'
    }
}
