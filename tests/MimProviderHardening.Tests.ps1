# The MIM provider against a host that tries what MIM might, or an attacker could (issues 24,
# 25 and 28): what the provider loads is pinned (a changed or missing MfaApproval.dll or
# native library makes every call Failed, naming the file; a fixed file is picked up without
# a restart), call ids are the request id's Guid compared by value (a malformed one is
# Failed with a message), one request id initiated twice at once from two threads never
# starts two pushes nor lets one number's answer count for another, and the adapter exports
# one public type. Same fixture as MimProvider.Tests.ps1; about 40 s, most of it the
# simulator's answers and four harness processes.
BeforeDiscovery {
    . $PSScriptRoot/TestHelpers.ps1
    $skipAll = -not $HasCSharp5
}
BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    Import-Module $ModulePath -Force
    . $PSScriptRoot/data/mim/MimServiceFixture.ps1
    $rid = [MfaApproval.Interop.Loader]::RuntimeIdentifier
    $nativeRelative = "runtimes/$rid/native/$([MfaApproval.Interop.Loader]::LibraryFileName($rid))"
}
AfterAll {
    $sim | Stop-MfaSimulator -ErrorAction SilentlyContinue
    Remove-Module MfaApproval -ErrorAction SilentlyContinue
}

Describe 'What the provider loads is pinned' -Skip:$skipAll {
    It 'copies MfaApproval.dll and the native library beside the adapter and records their SHA-256' {
        $r = Install-Test $sim.Connection
        $r.ModuleFolder | Should -Be $moduleFolder
        [xml]$x = Get-Content -Raw $r.SettingsPath
        $x.MfaApprovalMimProvider.version | Should -Be '2'
        $x.MfaApprovalMimProvider.ModuleRoot | Should -Be $moduleFolder
        $files = @($x.MfaApprovalMimProvider.ModuleFile)
        @($files | ForEach-Object { $_.'#text' }) | Should -Be @('MfaApproval.dll', $nativeRelative)
        foreach ($f in $files) {
            $copy = Join-Path $moduleFolder $f.'#text'
            $f.sha256 | Should -BeExactly (Get-FileHash -LiteralPath $copy -Algorithm SHA256).Hash.ToLowerInvariant()
            $f.sha256 | Should -BeExactly (Get-FileHash -LiteralPath (Join-Path $ModulePath $f.'#text') -Algorithm SHA256).Hash.ToLowerInvariant() -Because 'the copy is the module''s file'
        }
    }

    It 'fails every call, naming the file, when <What>' -ForEach @(
        @{ What = 'the copied native library was changed'; File = 'native'; Change = 'tamper'; Says = 'has changed since Install-MfaMimProvider recorded it' }
        @{ What = 'the copied MfaApproval.dll was changed'; File = 'managed'; Change = 'tamper'; Says = 'has changed since Install-MfaMimProvider recorded it' }
        @{ What = 'the copied native library is missing'; File = 'native'; Change = 'delete'; Says = 'is missing' }
        @{ What = 'the copied MfaApproval.dll is missing'; File = 'managed'; Change = 'delete'; Says = 'is missing' }
    ) {
        # The installation of the first test; both files are put back from the module first.
        foreach ($f in $nativeRelative, 'MfaApproval.dll') { Copy-Item -LiteralPath (Join-Path $ModulePath $f) -Destination (Join-Path $moduleFolder $f) -Force }
        $relative = if ($File -eq 'native') { $nativeRelative } else { 'MfaApproval.dll' }
        $target = [System.IO.Path]::GetFullPath((Join-Path $moduleFolder $relative))
        if ($Change -eq 'tamper') {
            # One byte near the end (a section a loader would still map): the hash must catch it.
            $bytes = [System.IO.File]::ReadAllBytes($target)
            $bytes[$bytes.Length - 10] = $bytes[$bytes.Length - 10] -bxor 0x5A
            [System.IO.File]::WriteAllBytes($target, $bytes)
        }
        else { Remove-Item -LiteralPath $target }
        $run = Invoke-Harness @($alice, $bob, $alice)
        $run.StartFailure | Should -BeLike "*could not start*'$target' $Says*"
        @($run.Loaded) | Should -BeNullOrEmpty -Because 'nothing is loaded from a module copy that does not verify'
        foreach ($c in @($run.Calls)) {
            $c.Initiated | Should -Be 'Failed'
            $c.Final | Should -Be 'Failed'
            $c.Escaped | Should -BeNullOrEmpty
            $c.Message | Should -BeLike "*'$target' $Says*"
        }
    }

    It 'starts once the file is put back, without a restart (the next try after the interval)' {
        $null = Install-Test $sim.Connection
        $target = [System.IO.Path]::GetFullPath((Join-Path $moduleFolder $nativeRelative))
        $good = Join-Path $TestDrive 'good-native'
        Copy-Item -LiteralPath $target -Destination $good
        Remove-Item -LiteralPath $target
        $r = Invoke-Harness @($alice) -RestoreFrom $good -RestoreTo $target -Deadline 30
        $r.FirstInitiated | Should -Be 'Failed'
        $r.FirstMessage | Should -BeLike "*'$target' is missing*tries again*no restart needed*"
        $r.StartFailure | Should -BeNullOrEmpty
        $r.SecondInitiated | Should -Be 'Pending'
        $r.SecondFinal | Should -Be 'Success'
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
        $t.UnknownMessage | Should -BeLike '*no call with id*never started here*'
        $t.NullStatus | Should -Be 'Failed'
        $t.NullMessage | Should -BeLike '*without a call id*'
    }

    It 'reads a call id as a Guid, compared by value: upper case, braces and no dashes are the same call' {
        $t.ZFinal | Should -Be 'Success'
        $t.UpperStatus | Should -Be 'Success'
        $t.BracedStatus | Should -Be 'Success'
        $t.NoDashStatus | Should -Be 'Success'
    }

    It 'answers Failed, with a message and no injected line, for a call id that is not a Guid' {
        $t.MalformedStatus | Should -Be 'Failed'
        $t.NearMissStatus | Should -Be 'Failed'
        $t.EmptyStatus | Should -Be 'Failed'
        $t.MalformedMessage | Should -BeLike "*'not-a-guid\u000d\u000aInjected: line' is not a call id of this provider*GUID*"
        $t.MalformedMessage | Should -Not -Match "`n"
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

Describe 'One MIM request id initiated twice at once, from two threads' -Skip:$skipAll {
    BeforeAll {
        $concurrentAudit = Join-Path $TestDrive 'concurrent-audit.jsonl'
        $null = Install-Test $sim.Connection @{ AuditPath = $concurrentAudit }
        $c = Invoke-Harness @($alice, $carol) -Concurrent -Deadline 30
        $lines = @(Get-Content $concurrentAudit | ForEach-Object { $_ | ConvertFrom-Json })
    }

    It 'with the same number: one call, one push (one audit line per request id), alice''s Success' {
        $c.StartFailure | Should -BeNullOrEmpty
        foreach ($a in @($c.SameAnswers)) { $a | Should -Be 'Pending,Pending' }
        $c.OpenAfterSame | Should -BeLessOrEqual 10 -Because 'ten request ids, not twenty approvals'
        @($c.SameFinal) | Should -Be (@('Success') * 10)
        foreach ($id in @($c.SameIds)) {
            @($lines | Where-Object { $_.context.'MIM request' -eq $id }).Count | Should -Be 1 -Because "request $id started one approval"
        }
    }

    It 'with two numbers: never a Success, nothing escapes, and the message says why' {
        foreach ($a in @($c.MixedAnswers)) {
            $a | Should -Not -Match 'Escaped|Success'
            $a | Should -Match 'Failed' -Because 'the second of the two is refused at once'
        }
        @($c.MixedFinal) | Should -Be (@('Failed') * 10)
        foreach ($m in @($c.MixedMessages)) { $m | Should -BeLike '*another phone number*neither counts*' }
        foreach ($id in @($c.MixedIds)) {
            @($lines | Where-Object { $_.context.'MIM request' -eq $id -and $_.approved }) | Should -BeNullOrEmpty
        }
    }
}
