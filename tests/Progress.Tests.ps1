# What a person waiting sees (issue 29): the progress records of a -Require All request count
# approvers, not requests ("1 of 2 answered; waiting for carol" once alice approved, never
# "0 of 1"), with each person's code in the progress display as well as on the host line. The
# records are read from a runspace's Progress stream after the request ended; their order is
# the evidence (carol is scripted to approve 3 s after alice, so the simulator's answers, not
# sleeps, make the window). Also: scripted answers per test (-User) on every provider, the
# RADIUS simulator's Uri, Test-MfaConnection's stage on RADIUS and Get-MfaApproval listing
# the open requests.
BeforeDiscovery {
    $cases = @(
        @{ Provider = 'MfaServer'; First = 'alice@contoso.com'; Code = $null }
        @{ Provider = 'Radius'; First = 'alice@contoso.com'; Code = $null }
        # victor: Duo Verified Push, code 376, approves after 1.5 s.
        @{ Provider = 'Duo'; First = 'victor@contoso.com'; Code = 'victor@contoso.com: enter verification code 376 in Duo Mobile to approve.' }
    )
    $answers = @(
        @{ Provider = 'MfaServer' }, @{ Provider = 'Duo' }, @{ Provider = 'Okta' }, @{ Provider = 'Radius' }
    )
}
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModulePath -Force
    $slowCarol = @{ 'carol@contoso.com' = @{ Answer = 'Approve'; DelaySeconds = 4 } }

    # Runs Invoke-MfaApproval in a runspace of its own and returns its result, its progress
    # records and its information records (the host lines).
    function Invoke-Recorded([object]$Connection, [string[]]$UserName) {
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddCommand('Import-Module').AddParameter('Name', $ModulePath).AddStatement()
            $null = $ps.AddCommand('Invoke-MfaApproval').AddParameter('Connection', $Connection).AddParameter('UserName', $UserName).AddParameter('Require', 'All').AddParameter('Timeout', 30)
            $result = $ps.Invoke()
            [pscustomobject]@{
                Result      = $result | Select-Object -Last 1
                Progress    = @($ps.Streams.Progress | Where-Object { $_.RecordType -ne 'Completed' })
                Information = @($ps.Streams.Information | ForEach-Object { "$($_.MessageData)" })
                Errors      = @($ps.Streams.Error)
            }
        }
        finally { $ps.Dispose() }
    }
}

Describe 'Progress of a -Require All request' {
    It '<Provider>: says 1 of 2 answered, waiting for carol, once <First> approved' -TestCases $cases {
        param($Provider, $First, $Code)
        $sim = Start-MfaSimulator -Provider $Provider -User $slowCarol
        try {
            $connection = $sim.Connection
            if ($Provider -eq 'Radius') {
                # RADIUS cannot say who a name is: two approvers only by names alone.
                $connection = New-MfaConnection -Provider Radius -Server $connection.Servers -SharedSecret (New-TestSecureString 'demo-radius-shared-secret-for-mfa-sim-only') -AllowNameOnlyIdentity -WarningAction SilentlyContinue
            }
            $run = Invoke-Recorded $connection 'carol@contoso.com', $First
        }
        finally { $sim | Stop-MfaSimulator }
        $run.Errors | Should -BeNullOrEmpty
        $run.Result.Status | Should -Be 'Approved'
        $lines = @($run.Progress | ForEach-Object { $_.StatusDescription })
        $lines[0] | Should -BeLike '0 of 2 answered; waiting for carol@contoso.com*'
        $after = @($lines | Where-Object { $_ -like '1 of 2 answered*' })
        $after | Should -Not -BeNullOrEmpty -Because "the records were: $($lines | Select-Object -Unique)"
        $after | Should -Not -Match ([regex]::Escape($First))
        $after[0] | Should -Be '1 of 2 answered; waiting for carol@contoso.com'
        # The count only goes up: no record says 0 after one said 1.
        $firstOne = [array]::IndexOf($lines, $after[0])
        @($lines | Select-Object -Skip $firstOne | Where-Object { $_ -like '0 of *' }) | Should -BeNullOrEmpty
        $lines | Should -Not -Match ' of 1 answered'
        $run.Progress[0].Activity | Should -Be "Waiting for carol@contoso.com, $First to approve"
        if ($Code) {
            $run.Information | Should -Contain $Code
            @($run.Progress | Where-Object { $_.CurrentOperation -eq $Code }) | Should -Not -BeNullOrEmpty
            @($lines | Where-Object { $_ -like "0 of 2 answered; waiting for carol@contoso.com, $First (code 376)" }) | Should -Not -BeNullOrEmpty
        }
    }
}

Describe 'Start-MfaSimulator -User' {
    It '<Provider>: scripted answers without a directory file' -TestCases $answers {
        param($Provider)
        # RADIUS has no "no response" answer: silence until the request's deadline (-Timeout 3).
        $sim = Start-MfaSimulator -Provider $Provider -NoResponseAfter 2 -User @{
            'alice@contoso.com' = 'Deny'
            'zed@contoso.com'   = @{ Answer = 'approve'; DelaySeconds = 0 }
            'nina@contoso.com'  = 'NoResponse'
        }
        try {
            $results = 'alice@contoso.com', 'zed@contoso.com', 'nina@contoso.com' |
                Start-MfaApproval -Connection $sim.Connection -Timeout 3 | Wait-MfaApproval
        }
        finally { $sim | Stop-MfaSimulator }
        ($results | Where-Object UserName -EQ 'alice@contoso.com').Status | Should -Be 'Denied'
        ($results | Where-Object UserName -EQ 'zed@contoso.com').Status | Should -Be 'Approved'
        ($results | Where-Object UserName -EQ 'nina@contoso.com').Status | Should -Not -Be 'Approved'
    }

    It 'refuses an answer it does not know, naming the user and the answers it takes' {
        { Start-MfaSimulator -User @{ 'alice@contoso.com' = 'Maybe' } } |
            Should -Throw -ErrorId 'MfaApproval.InvalidArgument,*' -ExpectedMessage "*'alice@contoso.com'*Approve, Deny, Fraud, NoResponse*"
        { Start-MfaSimulator -User @{ 'alice@contoso.com' = @{ Answer = 'Approve'; DelaySeconds = -1 } } } |
            Should -Throw -ExpectedMessage '*DelaySeconds must be a number of seconds from 0 to 3600*'
        { Start-MfaSimulator -User @{ 'alice@contoso.com' = @{ Answer = 'Approve'; Delay = 1 } } } |
            Should -Throw -ExpectedMessage "*'Delay' is not a setting*"
    }
}

Describe 'The smaller things a console admin meets' {
    It 'a RADIUS simulator''s Uri is its RADIUS server, and Test-MfaConnection says RADIUS cannot test (stage Provider, nothing sent)' {
        $sim = Start-MfaSimulator -Provider Radius
        try {
            $sim.Uri.Scheme | Should -Be 'radius'
            $sim.Uri | Should -Be $sim.Connection.Uri
            $t = Test-MfaConnection -Connection $sim.Connection
        }
        finally { $sim | Stop-MfaSimulator }
        $t.Success | Should -BeFalse
        $t.Stage | Should -Be 'Provider'
        $t.Message | Should -BeLike '*answers approvals only*nothing was sent*'
        # It lists the providers that answer the query, from the registry (privacyIDEA too).
        $answering = @([MfaApproval.Providers]::All | Where-Object { $_.Queries -contains 'testSecurity' } | ForEach-Object Display)
        $answering | Should -Contain 'privacyIDEA'
        $t.Message | Should -BeLike "*HTTP providers ($($answering -join ', '))*"
    }

    It 'Get-MfaApproval with no arguments lists the open requests, oldest first, and never prompts' {
        $sim = Start-MfaSimulator -NoResponseAfter 30
        try {
            $a = Start-MfaApproval -Connection $sim.Connection -UserName carol@contoso.com
            $b = Start-MfaApproval -Connection $sim.Connection -UserName alice@contoso.com
            # Other files of the run may have left requests open in this session: ours are
            # there, in order, and the list is sorted oldest first.
            $open = @(Get-MfaApproval)
            @($open.Id | Where-Object { $_ -in $a.Id, $b.Id }) | Should -Be @($a.Id, $b.Id)
            ($open.Id -join ',') | Should -Be ((@($open.Id) | Sort-Object) -join ',')
            $open | Where-Object Id -EQ $a.Id | ForEach-Object State | Should -Be 'Pending'
            $a, $b | Stop-MfaApproval
            $null = $a, $b | Wait-MfaApproval
            @(Get-MfaApproval | Where-Object { $_.Id -in $a.Id, $b.Id }) | Should -BeNullOrEmpty
        }
        finally { $sim | Stop-MfaSimulator }
    }
}
