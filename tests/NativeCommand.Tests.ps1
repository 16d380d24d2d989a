# tools/Invoke-NativeCommand.ps1, the one way the build, the tools and the tests start a child
# whose standard error they read, and the check that nothing else does: Windows PowerShell 5.1
# turns each line a redirected native command writes to standard error (`& exe 2>&1`,
# `2>$null`, `2>file`) into an error record, which $ErrorActionPreference = 'Stop' makes a
# terminating NativeCommandError (PowerShell/PowerShell#3996, #14273), and a powershell.exe
# child writes its progress records there as CLIXML. These tests run with 'Stop', as
# tests/Invoke-PesterRun.ps1 (and so build.ps1 Test) runs every test file.
BeforeDiscovery {
    $onWindows = [System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT
}

BeforeAll {
    . $PSScriptRoot/TestHelpers.ps1
    $ErrorActionPreference = 'Stop'

    # A PowerShell child that writes $StandardError verbatim to its standard error, the lines
    # 'first', '' and 'last' to its standard output, and exits with $Code.
    function Invoke-Writer([string]$StandardError, [int]$Code) {
        $script = '[Console]::Error.Write($env:MFA_TEST_STDERR); [Console]::Out.Write("first`n`nlast`n"); exit ' + $Code
        & $InvokeNative -FilePath $Pwsh -ArgumentList @('-NoProfile', '-NonInteractive', '-Command', $script) -Environment @{ MFA_TEST_STDERR = $StandardError }
    }

    # Real CLIXML from this PowerShell's own serializer (what `powershell.exe` children write
    # when their output is redirected): a progress record, a warning, a two-line error.
    $serialized = (& $InvokeNative -FilePath $Pwsh -ArgumentList @('-NoProfile', '-NonInteractive', '-OutputFormat', 'xml', '-Command',
            '$ProgressPreference = ''Continue''; Write-Progress -Activity ''Preparing modules for first use.'' -Status ''0 of 1''; Write-Warning ''disk nearly full''; Write-Error "first line`nsecond line"')).RawError
    # Windows PowerShell 5.1's own form of an error: <S S="Error"> pieces with escaped line ends.
    $fromWindowsPowerShell = "#< CLIXML`r`n" + '<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><Obj S="progress" RefId="0"><TN RefId="0"><T>System.Management.Automation.PSCustomObject</T><T>System.Object</T></TN><MS><I64 N="SourceId">1</I64><PR N="Record"><AV>Preparing modules for first use.</AV><AI>0</AI><Nil /><PI>-1</PI><PC>-1</PC><T>Completed</T><SR>-1</SR><SD> </SD></PR></MS></Obj><S S="Error">Import-Module : The specified module &apos;Nope&apos; was not loaded_x000D__x000A_</S><S S="Error">    + FullyQualifiedErrorId : Modules_ModuleNotFound_x000D__x000A_</S></Objs>'
}

Describe 'tools/Invoke-NativeCommand.ps1' {
    It 'survives a child that writes CLIXML progress, warnings and errors and plain text to standard error, and reports each readably' {
        $serialized | Should -Match '#< CLIXML'
        $serialized | Should -Match 'S="progress"'
        $stderr = $serialized + "plain text from the child`n" + $fromWindowsPowerShell + "`nmore plain text"
        $r = Invoke-Writer $stderr 3
        $r.ExitCode | Should -Be 3
        $r.TimedOut | Should -BeFalse
        $r.Output | Should -Be @('first', '', 'last')
        # The serializer's part (this edition's own CLIXML: under Windows PowerShell 5.1 its own
        # form) first, then the rest in order.
        $r.Error | Should -Contain 'WARNING: disk nearly full'
        @($r.Error | Where-Object { $_ -match 'first line' }).Count | Should -BeGreaterOrEqual 1
        @($r.Error | Where-Object { $_ -match 'second line' }).Count | Should -BeGreaterOrEqual 1
        $r.Error[-4..-1] | Should -Be @(
            'plain text from the child',
            "Import-Module : The specified module 'Nope' was not loaded", '    + FullyQualifiedErrorId : Modules_ModuleNotFound',
            'more plain text')
        ($r.Error -join "`n") | Should -Not -Match '<Objs|CLIXML|_x000'
        $r.Progress | Should -BeGreaterOrEqual 2
        $r.RawError | Should -Be $stderr
    }

    It 'keeps text that only looks like CLIXML as it was written' {
        $stderr = "#< CLIXML`n<Objs>not closed`n#< CLIXML`n<Objs><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>&e;</Objs>`n"
        $r = Invoke-Writer $stderr 0
        $r.ExitCode | Should -Be 0
        $r.Error | Should -Be @('#< CLIXML', '<Objs>not closed', '#< CLIXML', "<Objs><!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>&e;</Objs>")
        $r.Progress | Should -Be 0
    }

    It 'passes every argument exactly, as a list (PowerShell 7) and as a quoted command line (Windows PowerShell 5.1)' -Skip:$onWindows {
        # /bin/sh prints each argument it got on a line of its own; .NET on Linux parses a
        # command line by the same rules as CommandLineToArgvW, which the quoting targets.
        $values = @(Get-HostileUserName) + @('', ' ', 'a b', 'end\', 'two\\', '\\server\share\', 'q"', '\"', 'tab	inside', '-NoProfile')
        foreach ($mode in @($false, $true)) {
            $r = & $InvokeNative -FilePath '/bin/sh' -ArgumentList (@('-c', 'for a in "$@"; do printf "<%s>\n" "$a"; done', 'sh') + $values) -CommandLine:$mode
            $r.ExitCode | Should -Be 0 -Because ($r.Error -join "`n")
            $r.Output | Should -Be @($values | ForEach-Object { "<$_>" }) -Because "CommandLine: $mode"
        }
    }

    It 'gives the child its own environment variables without changing this process''s' {
        $env:MFA_TEST_REMOVED = 'visible here'
        try {
            $r = & $InvokeNative -FilePath $Pwsh -ArgumentList @('-NoProfile', '-NonInteractive', '-Command', '"[$env:MFA_TEST_SET]"; "[$env:MFA_TEST_REMOVED]"') -Environment @{ MFA_TEST_SET = 'for the child'; MFA_TEST_REMOVED = $null }
            $r.Output | Should -Be @('[for the child]', '[]')
            $env:MFA_TEST_SET | Should -BeNullOrEmpty
            $env:MFA_TEST_REMOVED | Should -Be 'visible here'
        }
        finally { Remove-Item env:MFA_TEST_REMOVED -ErrorAction SilentlyContinue }
    }

    It 'reads a megabyte on each stream at once without a deadlock' {
        $script = '$line = "x" * 1023; for ($i = 0; $i -lt 1024; $i++) { [Console]::Out.WriteLine($line); [Console]::Error.WriteLine($line) }'
        $r = & $InvokeNative -FilePath $Pwsh -ArgumentList @('-NoProfile', '-NonInteractive', '-Command', $script) -TimeoutSeconds 120
        $r.TimedOut | Should -BeFalse
        $r.Output.Count | Should -Be 1024
        $r.Error.Count | Should -Be 1024
        ($r.Output | Where-Object { $_.Length -ne 1023 }) | Should -BeNullOrEmpty
    }

    It 'kills a child that runs over -TimeoutSeconds and says so' {
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        $r = & $InvokeNative -FilePath $Pwsh -ArgumentList @('-NoProfile', '-NonInteractive', '-Command', 'Start-Sleep -Seconds 120') -TimeoutSeconds 3
        # It waited for the limit, not for the child's two minutes.
        $clock.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 3
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 60
        $r.TimedOut | Should -BeTrue
        $r.ExitCode | Should -Be -1
    }

    It 'reports a program that cannot be started as one error naming it' {
        $missing = Join-Path $TestDrive 'no-such-program'
        { & $InvokeNative -FilePath $missing } | Should -Throw "*no-such-program*"
    }
}

Describe 'No script redirects a native command''s standard error' {
    BeforeAll {
        # Each `program ... 2>&1` (or 2>$null, 2>file, *>) whose command is not a PowerShell
        # cmdlet, function or script block, as "line: text". A command named by a variable
        # (`& $exe`) counts as a program: it usually is one. A name of the form
        # Approved-Verb-Noun (this module's cmdlets, not imported here) is PowerShell's.
        $verbs = @(Get-Verb | ForEach-Object { $_.Verb })
        function Find-NativeStderrRedirection([string]$Text) {
            $tokens = $null; $errors = $null
            $ast = [System.Management.Automation.Language.Parser]::ParseInput($Text, [ref]$tokens, [ref]$errors)
            $functions = @($ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.FunctionDefinitionAst] }, $true) | ForEach-Object { $_.Name })
            foreach ($command in $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandAst] }, $true)) {
                $toError = @($command.Redirections | Where-Object { @('Error', 'All') -contains $_.FromStream.ToString() })
                if ($toError.Count -eq 0) { continue }
                $name = $command.GetCommandName()
                if ($name) {
                    if ($functions -contains $name) { continue }
                    if ($name -match '^([A-Za-z]+)-[A-Za-z]+$' -and $verbs -contains $Matches[1]) { continue }
                    $known = Get-Command $name -ErrorAction SilentlyContinue | Select-Object -First 1
                    if ($known -and @('Cmdlet', 'Function', 'Alias', 'Filter') -contains $known.CommandType.ToString()) { continue }
                }
                elseif ($command.CommandElements[0] -is [System.Management.Automation.Language.ScriptBlockExpressionAst]) { continue }
                "$($command.Extent.StartLineNumber): $($command.Extent.Text)"
            }
        }
    }

    It 'finds a program with its standard error redirected, and nothing else' {
        $sample = @'
function Invoke-Mine { 'x' }
& $exe -a 2>&1
git status 2>$null
& (Join-Path $root 'x.exe') *> log.txt
Get-Item . 2>$null
Invoke-Mine 2>&1
New-MfaConnection -Verbose *>&1
& { cmd /c ver } 2>&1
& $exe -a
'@
        Find-NativeStderrRedirection $sample | Should -Be @('2: & $exe -a 2>&1', '3: git status 2>$null', "4: & (Join-Path `$root 'x.exe') *> log.txt")
    }

    # Every script here: the build, the tools, the module's MIM scripts, the tests and their helpers.
    It 'finds none in <Name>' -ForEach @(
        $root = (Resolve-Path (Join-Path $PSScriptRoot '..')).ProviderPath
        @(Get-Item (Join-Path $root 'build.ps1')) + @(Get-ChildItem (Join-Path $root 'tools'), (Join-Path $root 'powershell'), (Join-Path $root 'tests') -Recurse -File -Include *.ps1, *.psm1) |
            ForEach-Object { @{ Name = $_.FullName.Substring($root.Length + 1); Path = $_.FullName } }
    ) {
        Find-NativeStderrRedirection ([System.IO.File]::ReadAllText($Path)) | Should -BeNullOrEmpty -Because 'start the program with tools/Invoke-NativeCommand.ps1 (Windows PowerShell 5.1 makes its first stderr line a terminating error under $ErrorActionPreference = Stop)'
    }
}
