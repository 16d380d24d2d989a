# Runs the Pester suite under one Pester version and writes the counts to -ResultFile.
# build.ps1 Test calls it once per Pester version (the whole suite under 6.2.0, the files of
# tests/Pester5.txt under 5.7.1).
#
# The files run in -Workers background PowerShell processes (Start-Job) at once: most of a test
# file's time is spent waiting (for a simulated phone's answer, a deadline, a child process),
# so on two cores three files at a time take about a third of the time one at a time does.
# Each worker takes the next file from a shared queue (a directory: a file is claimed by
# creating its claim file, which only one process can), longest first as the last run measured
# them (out/logs/pester-durations.json; by file size on a first run), and runs it in its own
# Invoke-Pester. This process prints one line per file as it finishes (and, for a file that
# failed, each failed test and its message); each worker's whole Pester output is in
# out/logs/pester-<version>-<n>.log.
#
# With -Queue it is one of those workers (build.ps1 never passes it).
param(
    [Parameter(Mandatory)][string]$PesterVersion,
    [Parameter(Mandatory)][string]$ModulePath,
    [string]$ResultFile,
    # A file naming the test files to run, one per line (relative to tests/, or full paths; # comments),
    # such as tests/Pester5.txt; without it, every file in tests/.
    [string]$ListFile,
    # How many test files run at once (1: one after another, still in a worker process).
    [ValidateRange(1, 16)][int]$Workers = 3,
    # Where the worker logs and the measured durations go (default out/logs).
    [string]$LogDirectory,
    # Worker mode: the queue directory (files.json names the files in order).
    [string]$Queue
)
$ErrorActionPreference = 'Stop'

if ($Queue) {
    # A worker: claim a file, run it, write its result beside the claim; until none is left.
    Import-Module Pester -RequiredVersion $PesterVersion
    $env:MFA_MODULE_PATH = $ModulePath
    $files = @(Get-Content -Raw -LiteralPath (Join-Path $Queue 'files.json') | ConvertFrom-Json)
    for ($i = 0; $i -lt $files.Count; $i++) {
        try { [System.IO.File]::Open((Join-Path $Queue "$i.claim"), 'CreateNew').Dispose() }
        catch [System.IO.IOException] { continue }
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        $config = New-PesterConfiguration
        $config.Run.Path = @($files[$i])
        $config.Run.PassThru = $true
        $config.Output.Verbosity = 'Normal'
        $result = Invoke-Pester -Configuration $config
        function Get-FirstMessage($Item) {
            $e = @($Item.ErrorRecord) | Select-Object -First 1
            if ($e) { $e.Exception.Message } else { '' }
        }
        $failures = @($result.Failed | ForEach-Object { @{ Name = $_.ExpandedPath; Message = (Get-FirstMessage $_) } })
        # A Describe/Context whose BeforeAll or AfterAll failed, and a file that failed outside
        # any block (discovery, a top-level BeforeAll/AfterAll): with their messages.
        foreach ($b in @($result.FailedBlocks)) { $failures += @{ Name = "$($b.ExpandedPath) (BeforeAll/AfterAll)"; Message = (Get-FirstMessage $b) } }
        $broken = @($result.Containers | Where-Object { $_.Result -eq 'Failed' -and $_.FailedCount -eq 0 })
        foreach ($c in $broken) {
            $message = Get-FirstMessage $c
            if (-not $message -and @($result.FailedBlocks).Count -gt 0) { continue }
            if (-not $message) { $message = 'the file failed outside its tests (see the worker log)' }
            $failures += @{ Name = '(the file: discovery, or its top-level BeforeAll/AfterAll)'; Message = $message }
        }
        $r = @{
            File     = $files[$i]
            Passed   = $result.PassedCount
            Failed   = $result.FailedCount
            Skipped  = $result.SkippedCount
            NotRun   = $result.NotRunCount
            Errors   = $broken.Count
            Seconds  = [math]::Round($clock.Elapsed.TotalSeconds, 1)
            Failures = $failures
        }
        # Written whole, then renamed: the parent never reads half a result.
        $part = Join-Path $Queue "$i.part"
        $r | ConvertTo-Json -Depth 4 | Set-Content -LiteralPath $part
        Move-Item -LiteralPath $part -Destination (Join-Path $Queue "$i.result")
    }
    return
}

if (-not $ResultFile) { throw '-ResultFile: required (where the counts are written)' }
$paths = if ($ListFile) {
    @(Get-Content -LiteralPath $ListFile | Where-Object { $_ -match '\S' -and $_ -notmatch '^\s*#' } | ForEach-Object {
            $line = $_.Trim()
            if ([System.IO.Path]::IsPathRooted($line)) { $line } else { Join-Path $PSScriptRoot $line }
        })
}
else { @(Get-ChildItem -LiteralPath $PSScriptRoot -Filter '*.Tests.ps1' -File | ForEach-Object { $_.FullName }) }
foreach ($p in $paths) { if (-not (Test-Path -LiteralPath $p -PathType Leaf)) { throw "-ListFile: $p does not exist" } }
# A file named twice runs once.
$paths = @($paths | ForEach-Object { (Resolve-Path -LiteralPath $_).ProviderPath } | Select-Object -Unique)

# Longest first, as the last run measured (a new file counts as long); by size on a first run.
$logs = if ($LogDirectory) { $LogDirectory } else { Join-Path (Split-Path -Parent $PSScriptRoot) 'out/logs' }
$null = New-Item -ItemType Directory -Force -Path $logs
$durationsFile = Join-Path $logs 'pester-durations.json'
$known = @{}
if (Test-Path -LiteralPath $durationsFile) {
    try { (Get-Content -Raw -LiteralPath $durationsFile | ConvertFrom-Json).PSObject.Properties | ForEach-Object { $known[$_.Name] = [double]$_.Value } }
    catch { $known = @{} }
}
$order = @($paths | Sort-Object -Descending -Property @(
        @{ Expression = { $n = Split-Path -Leaf $_; if ($known.Count -eq 0) { 0 } elseif ($known.ContainsKey($n)) { $known[$n] } else { [double]::MaxValue } } },
        @{ Expression = { (Get-Item -LiteralPath $_).Length } }))

# A new folder each run (a GUID; New-Item without -Force fails on one that exists): results an
# earlier run left behind can never be read as this run's.
$queue = Join-Path ([System.IO.Path]::GetTempPath()) "mfa-pester-$PesterVersion-$([guid]::NewGuid().ToString('N'))"
$null = New-Item -ItemType Directory -Path $queue
ConvertTo-Json -InputObject $order | Set-Content -LiteralPath (Join-Path $queue 'files.json')
$count = [math]::Min($Workers, $order.Count)
$jobs = @(for ($w = 1; $w -le $count; $w++) {
        Start-Job -Name "pester-$w" -ArgumentList $PSCommandPath, $PesterVersion, $ModulePath, $queue -ScriptBlock {
            param($runner, $version, $module, $queue)
            & $runner -PesterVersion $version -ModulePath $module -Queue $queue
        }
    })

$totals = @{ Passed = 0; Failed = 0; Skipped = 0; Errors = 0 }
$durations = @{}
$shown = @{}
function Show-Finished {
    for ($i = 0; $i -lt $order.Count; $i++) {
        if ($shown.ContainsKey($i)) { continue }
        $file = Join-Path $queue "$i.result"
        if (-not (Test-Path -LiteralPath $file)) { continue }
        $r = Get-Content -Raw -LiteralPath $file | ConvertFrom-Json
        $shown[$i] = $true
        $name = Split-Path -Leaf $r.File
        $durations[$name] = $r.Seconds
        foreach ($k in @('Passed', 'Failed', 'Skipped', 'Errors')) { $totals[$k] += [int]$r.$k }
        $bad = [int]$r.Failed + [int]$r.Errors
        $line = '{0} {1,-34} {2,6:N1} s  {3} passed{4}{5}{6}' -f $(if ($bad) { '[-]' } else { '[+]' }), $name, [double]$r.Seconds, $r.Passed,
        $(if ($r.Skipped) { ", $($r.Skipped) skipped" } else { '' }), $(if ($r.NotRun) { ", $($r.NotRun) not run" } else { '' }),
        $(if ($bad) { ", $($r.Failed) failed" + $(if ($r.Errors) { ", the file failed" } else { '' }) } else { '' })
        Write-Host $line -ForegroundColor $(if ($bad) { 'Red' } else { 'DarkGray' })
        foreach ($f in @($r.Failures)) { Write-Host "    $($f.Name): $($f.Message)" -ForegroundColor Red }
    }
}
try {
    while ($true) {
        Show-Finished
        $running = @($jobs | Where-Object { $_.State -eq 'Running' -or $_.State -eq 'NotStarted' })
        if ($running.Count -eq 0) { break }
        $null = Wait-Job -Job $running -Any -Timeout 1
    }
    Show-Finished
}
finally {
    # Each worker's whole output (Pester's lines: Write-Host) into its log.
    $w = 0
    foreach ($job in $jobs) {
        $w++
        $log = Join-Path $logs "pester-$PesterVersion-$w.log"
        $child = $job.ChildJobs | Select-Object -First 1
        # Pester's lines (Write-Host), then what else the tests wrote: warnings and errors that
        # ended no test (their order against Pester's lines is not kept).
        $lines = @($child.Information | ForEach-Object { "$($_.MessageData)" }) + @($child.Warning | ForEach-Object { "WARNING: $_" }) + @($child.Error | ForEach-Object { "ERROR: $_" })
        $lines | Set-Content -LiteralPath $log
        if ($job.State -eq 'Failed') {
            $why = if ($child.JobStateInfo.Reason) { $child.JobStateInfo.Reason.Message } else { @($child.Error | Select-Object -Last 1) }
            Write-Host "Pester worker $w stopped: $why (its output: $log)" -ForegroundColor Red
            $totals.Errors++
        }
        Remove-Job -Job $job -Force
    }
}
# A file no worker finished (a worker that died) is an error, never a pass.
for ($i = 0; $i -lt $order.Count; $i++) {
    if (-not $shown.ContainsKey($i)) {
        Write-Host "[-] $(Split-Path -Leaf $order[$i]): did not finish (see $(Join-Path $logs "pester-$PesterVersion-*.log"))" -ForegroundColor Red
        $totals.Errors++
    }
}
Remove-Item -LiteralPath $queue -Recurse -Force
if ($shown.Count -eq $order.Count) {
    foreach ($k in @($known.Keys)) { if (-not $durations.ContainsKey($k)) { $durations[$k] = $known[$k] } }
    $durations | ConvertTo-Json | Set-Content -LiteralPath $durationsFile
}
@{
    Passed  = $totals.Passed
    Failed  = $totals.Failed
    Skipped = $totals.Skipped
    Files   = $shown.Count
    Errors  = $totals.Errors
} | ConvertTo-Json | Set-Content -Path $ResultFile
if ($totals.Failed + $totals.Errors -gt 0) { exit 1 }
