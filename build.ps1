<#
.SYNOPSIS
The one entry point for building, testing, demonstrating and benchmarking MfaApproval.

.DESCRIPTION
Tasks:
  Build  Builds the Rust workspace (release; on Windows for an explicit target with the
         static C runtime), compiles the C# 5 cmdlet assembly, builds the MAML help from
         docs/commands and stages a self-contained module at out/MfaApproval.
  Test   First makes sure Pester 5.7.1 and 6.2.0 are installed (tools/Install-Pester.ps1
         installs the missing ones for the current user from the configured repositories,
         or says in one line how). Starts with cargo fmt --check; then clippy (Lint) and a
         fuzz smoke of every cargo-fuzz target (nightly; 10 s each, seeded) start in the
         background at low priority (their results come after the tests'). Build, then the
         test venv under out/ (tests/python/requirements.txt: the third-party clients and, on
         Linux, a real privacyIDEA), the Rust tests (every test binary built once, then run
         in two groups at once: the engine's integration binary beside the rest; valgrind over
         the C program included; the privacyIDEA tests start their server from that venv), the
         ABI tests under valgrind, the third-party client (zeep) tests from the venv, and the
         Pester tests on the staged module, three test files at a time: the whole suite under
         Pester 6.2.0, and under 5.7.1 the files that prove what users copy works on Pester 5
         (tests/Pester5.txt lists them), in this PowerShell's edition (powershell.exe under
         5.1). Long outputs go to out/logs/; each phase prints a summary line (failures in
         full) and each Pester file one line; the closing lines give each phase's time.
         Each optional tool that is missing is one line saying so; under CI=true only a
         missing nightly toolchain may be skipped. Ends with "Tests: N passed, N failed".
  Fuzz   Long fuzzing: each cargo-fuzz target (or -FuzzTarget) for -FuzzSeconds (600), its
         corpus kept in fuzz/corpus/<target>; one line per target, the full output in
         out/logs/fuzz-<target>.log.
  Lint   cargo fmt --all --check, then cargo clippy --workspace --all-targets with warnings
         as errors (incompatible_msrv included: Cargo.toml), for this machine's target and,
         on Linux, for x86_64-pc-windows-gnu (every cfg(windows) line and every test built
         for Windows) where that target's standard library and MinGW's gcc are installed; one
         line per target, its output in out/logs/clippy-<target>.log (the diagnostics shown
         when it fails).
  Package  Build, then publish the staged module to a local folder repository: writes
         out/packages/MfaApproval.<version>.nupkg (what Publish-PSResource sends to a
         gallery; Install-PSResource/Save-PSResource install it).
  Assemble  One multi-platform release from natives built elsewhere (the release workflow,
         .github/workflows/release.yml): -NativeRoot holds runtimes/<rid>/native/<library>
         and bin/<rid>/mfa-sim[.exe] per runtime (-Rid names the ones required; each file's
         header must match its folder). Compiles the runtime-independent part here and writes
         MfaApproval.<version>.nupkg and MfaApproval-<version>.zip (MfaApproval/<version>/...)
         to -OutputPath (default out/release). No cargo.
  Demo   Build, start the simulator, ask each demo user and show the outcomes, through
         the MFA Server SDK (with one person under two names refused), then through Duo's
         Auth API, over RADIUS and through Okta's API.
  Bench  Build, then print the time and memory to read hostile 4 MiB answers of every
         shape, the cost of signing a Duo request, a RADIUS round trip, the audit trail's cost
         per record and per approval (hash chain and MAC beside the plain line), the speed
         of verifying a million records (a temporary file of about 850 MiB), what resolving
         identities adds to an approval per provider, a privacyIDEA approval beside Duo and
         Okta (engine level) with its signature check, the cost of redacting one message beside
         the previous redactor, and (tools/Measure-MfaApproval.ps1,
         pwsh 7) import cost, per-approval cost of the cmdlet, the C ABI alone, a
         hand-written Invoke-WebRequest SOAP call and Duo and Okta beside SOAP, Ctrl+C-to-cancelled
         latency and 1,000 approvals from one session.
  Clean  Remove out/ and the cargo target folder.

.EXAMPLE
pwsh ./build.ps1 Demo

.EXAMPLE
pwsh ./build.ps1 Test
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Build', 'Test', 'Fuzz', 'Lint', 'Package', 'Assemble', 'Demo', 'Bench', 'Clean')]
    [string]$Task = 'Build',
    # Assemble: the folder holding runtimes/<rid>/native/<library> and bin/<rid>/mfa-sim[.exe].
    [string]$NativeRoot,
    # Assemble: the runtimes the package must hold (default: every one under -NativeRoot).
    [string[]]$Rid,
    # Assemble: where the .nupkg and the .zip are written (default out/release).
    [string]$OutputPath,
    # Fuzz: seconds per target (Test's smoke runs each for 10 s).
    [ValidateRange(1, 86400)]
    [int]$FuzzSeconds = 600,
    # Fuzz: the targets to run (default all).
    [string[]]$FuzzTarget
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 2.0
$Root = $PSScriptRoot
$Out = Join-Path $Root 'out/MfaApproval'

function Invoke-Native {
    param([Parameter(Mandatory)][string]$File, [string[]]$Arguments = @(), [string]$What)
    $shown = if ($Arguments.Count -gt 12) { "$(($Arguments | Select-Object -First 12) -join ' ') ... ($($Arguments.Count - 12) more)" } else { $Arguments -join ' ' }
    Write-Host ">> $File $shown" -ForegroundColor DarkGray
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$What failed (exit code $LASTEXITCODE)" }
}

# A native command's standard output as lines; when it fails, an error with the end of its
# standard error. Started by tools/Invoke-NativeCommand.ps1 (System.Diagnostics.Process, both
# streams read): Windows PowerShell 5.1 turns each stderr line of a redirected native command
# (`2>&1`, `2>$null`) into an error record, which $ErrorActionPreference = 'Stop' makes
# terminating (a rustup "info:" line would end the build); here the exit code decides.
function Invoke-NativeOutput {
    param([Parameter(Mandatory)][string]$File, [string[]]$Arguments = @(), [Parameter(Mandatory)][string]$What)
    $r = & (Join-Path $Root 'tools/Invoke-NativeCommand.ps1') -FilePath $File -ArgumentList $Arguments
    if ($r.ExitCode -ne 0) { throw "$What failed (exit code $($r.ExitCode)): $(@($r.Error | Select-Object -Last 20) -join [Environment]::NewLine)" }
    $r.Output
}

# A native command with its output in a log file instead of on the console; returns the exit
# code. For the long outputs of Test (cargo test, the fuzz smoke), which are summarised in a
# line or two and shown in full only where something failed. Started by
# tools/Invoke-NativeCommand.ps1, like every child whose standard error is read (no `2>&1`:
# Windows PowerShell 5.1 would make cargo's first stderr line a terminating error); the two
# streams are read apart, so the log holds standard output (cargo's test results) and then
# standard error (cargo's progress and its closing list of failed test binaries; libFuzzer's
# whole report), each in order, and is written when the program ends.
function Invoke-Logged {
    param([Parameter(Mandatory)][string]$File, [string[]]$Arguments = @(), [Parameter(Mandatory)][string]$Log)
    $null = New-Item -ItemType Directory -Force -Path (Split-Path -Parent $Log)
    $shown = if ($Arguments.Count -gt 12) { "$(($Arguments | Select-Object -First 12) -join ' ') ... ($($Arguments.Count - 12) more)" } else { $Arguments -join ' ' }
    Write-Host ">> $File $shown  > $(Get-RelativePath $Log)" -ForegroundColor DarkGray
    $r = & (Join-Path $Root 'tools/Invoke-NativeCommand.ps1') -FilePath $File -ArgumentList $Arguments
    @(@($r.Output) + @($r.Error)) | Out-File -FilePath $Log -Encoding utf8
    $r.ExitCode
}

function Get-RelativePath([string]$Path) {
    if ($Path.StartsWith($Root)) { $Path.Substring($Root.Length).TrimStart('/', '\') } else { $Path }
}

# Test's phases and their times, for the closing lines.
$script:Phases = New-Object System.Collections.Generic.List[object]
function Measure-Phase {
    param([Parameter(Mandatory)][string]$Name, [Parameter(Mandatory)][scriptblock]$Script)
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    try { & $Script }
    finally { $script:Phases.Add([pscustomobject]@{ Phase = $Name; Seconds = [math]::Round($clock.Elapsed.TotalSeconds) }) }
}

# Windows PowerShell 5.1 has no $IsWindows (and strict mode makes reading it an error).
$OnWindows = [System.Environment]::OSVersion.Platform -eq [System.PlatformID]::Win32NT
$OnMac = (-not $OnWindows) -and (Test-Path variable:IsMacOS) -and $IsMacOS
$Exe = if ($OnWindows) { '.exe' } else { '' }

function Get-Rid {
    $os = if ($OnWindows) { 'win' } elseif ($OnMac) { 'osx' } else { 'linux' }
    $arch = if ([System.Environment]::Is64BitProcess) { 'x64' } else { 'x86' }
    $info = 'System.Runtime.InteropServices.RuntimeInformation' -as [type]
    if ($info -and $info.GetProperty('ProcessArchitecture')) { $arch = $info::ProcessArchitecture.ToString().ToLowerInvariant() }
    elseif ($env:PROCESSOR_ARCHITECTURE -eq 'ARM64') { $arch = 'arm64' }
    "$os-$arch"
}

function Get-RustTarget {
    # Windows builds name their target triple (static CRT from .cargo/config.toml; build
    # scripts and proc-macros keep the host's flags); elsewhere the host's default.
    param([string]$Rid)
    switch ($Rid) {
        'win-x64' { 'x86_64-pc-windows-msvc' }
        'win-arm64' { 'aarch64-pc-windows-msvc' }
        default { $null }
    }
}

function Get-Pwsh {
    # The pwsh on PATH (a wrapper may set DOTNET_ROOT), else the one running this script.
    $cmd = Get-Command pwsh -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($cmd) { $cmd.Source } else { Join-Path $PSHOME "pwsh$Exe" }
}

function Get-ModuleVersion {
    (Import-PowerShellDataFile (Join-Path $Root 'module.psd1')).ModuleVersion
}

# The .NET Framework 4.5.2 reference assemblies named by MFA_NETFX_REFERENCE (every workflow
# that compiles the cmdlets sets it: tools/Get-NetFx452ReferenceAssemblies.ps1), checked, or
# $null when it is not set.
function Get-NetFxReference {
    if (-not $env:MFA_NETFX_REFERENCE) { return $null }
    $netfx = $env:MFA_NETFX_REFERENCE
    foreach ($name in 'mscorlib.dll', 'System.dll', 'System.Core.dll', 'System.Xml.dll') {
        if (-not (Test-Path -LiteralPath (Join-Path $netfx $name) -PathType Leaf)) {
            throw "MFA_NETFX_REFERENCE is '$netfx', but $name is not there. Point it at the .NET Framework 4.5.2 reference assemblies: tools/Get-NetFx452ReferenceAssemblies.ps1 fetches them (the NuGet package Microsoft.NETFramework.ReferenceAssemblies.net452) and prints the folder."
        }
    }
    $netfx
}

function Build-Assembly {
    # The cmdlets: C# 5 against the .NET Framework 4.5 profile and the committed
    # PowerShell 5.1 reference assembly (PowerShellStandard.Library 5.1.1), strong-named,
    # so the one assembly loads in Windows PowerShell 5.1 and PowerShell 7.
    param([Parameter(Mandatory)][string]$Destination)
    $version = Get-ModuleVersion
    $info = Join-Path ([System.IO.Path]::GetTempPath()) "MfaApproval.AssemblyInfo.$PID.cs"
    (Get-Content -Raw (Join-Path $Root 'powershell/src/AssemblyInfo.cs.in')).Replace('@VERSION@', $version) | Set-Content -Path $info -Encoding UTF8
    $sources = @($info) + @(Get-ChildItem (Join-Path $Root 'powershell/src') -Recurse -Filter *.cs | Sort-Object FullName | ForEach-Object { $_.FullName })
    $sma = Join-Path $Root 'powershell/ref/System.Management.Automation.dll'
    $key = Join-Path $Root 'powershell/MfaApproval.snk'
    $mcs = Get-Command mcs -ErrorAction SilentlyContinue
    $framework = if ($env:WINDIR) { Join-Path $env:WINDIR 'Microsoft.NET/Framework64/v4.0.30319' } else { $null }
    $csc = if ($framework) { Join-Path $framework 'csc.exe' } else { $null }
    try {
        $netfx = Get-NetFxReference
        if ($mcs) {
            # Mono's own 4.5 profile, or with MFA_NETFX_REFERENCE exactly the 4.5.2 API.
            $refs = @('-r:System.dll', '-r:System.Core.dll', '-r:System.Xml.dll', "-r:$sma")
            if ($netfx) { $refs = @('-nostdlib') + @('mscorlib.dll', 'System.dll', 'System.Core.dll', 'System.Xml.dll' | ForEach-Object { "-r:$(Join-Path $netfx $_)" }) + @("-r:$sma") }
            Invoke-Native $mcs.Source (@('-noconfig', '-langversion:5', '-target:library', '-unsafe', '-warnaserror', '-nologo', '-optimize+',
                    "-keyfile:$key", "-out:$Destination") + $refs + $sources) -What 'mcs (C# 5 cmdlets)'
        }
        elseif ($csc -and (Test-Path $csc)) {
            # The .NET Framework 4.x compiler; with MFA_NETFX_REFERENCE (the 4.5.2 reference
            # assemblies, set by every workflow) it compiles against exactly that API level.
            $refs = @('/r:System.dll', '/r:System.Core.dll', '/r:System.Xml.dll', "/r:$sma")
            if ($netfx) {
                $refs = @('/nostdlib+', "/r:$(Join-Path $netfx 'mscorlib.dll')", "/r:$(Join-Path $netfx 'System.dll')", "/r:$(Join-Path $netfx 'System.Core.dll')", "/r:$(Join-Path $netfx 'System.Xml.dll')", "/r:$sma")
            }
            else {
                Write-Host 'csc compiles against this machine''s .NET Framework 4.x API, not 4.5.2 (the MIM servers'' floor): set MFA_NETFX_REFERENCE with tools/Get-NetFx452ReferenceAssemblies.ps1 (docs/mim.md, 1b).' -ForegroundColor Yellow
            }
            # /nowarn:1668: a LIB folder that does not exist (Developer Command Prompt, msvc-dev-cmd)
            # is a warning, which /warnaserror would make fatal; every reference here is a full path.
            Invoke-Native $csc (@('/noconfig', '/langversion:5', '/target:library', '/unsafe', '/warnaserror', '/nowarn:1668', '/nologo', '/optimize+', "/keyfile:$key", "/out:$Destination") + $refs + $sources) -What 'csc (C# 5 cmdlets)'
        }
        else {
            if ($env:CI -eq 'true') { throw 'No C# 5 compiler (mcs or the .NET Framework csc.exe) under CI=true (.ci/run installs mono-mcs)' }
            Write-Host 'C# 5 compiler skipped: neither mcs nor csc.exe is installed; building a pwsh-only, unsigned assembly with Add-Type (it will not load in Windows PowerShell 5.1).' -ForegroundColor Yellow
            Add-Type -Path $sources -OutputAssembly $Destination -OutputType Library -CompilerOptions '/unsafe'
        }
    }
    finally { Remove-Item $info -ErrorAction SilentlyContinue }
}

function Copy-ModuleFiles {
    # The part of the module that is the same for every runtime: the cmdlet assembly, the
    # manifest, the format file, the MIM kit, the licence and the help (MAML and about_).
    param([Parameter(Mandatory)][string]$Destination)
    $null = New-Item -ItemType Directory -Force -Path (Join-Path $Destination 'mim'), (Join-Path $Destination 'en-US')
    Build-Assembly -Destination (Join-Path $Destination 'MfaApproval.dll')
    Copy-Item (Join-Path $Root 'module.psd1') (Join-Path $Destination 'MfaApproval.psd1')
    Copy-Item (Join-Path $Root 'powershell/MfaApproval.format.ps1xml') $Destination
    Copy-Item (Join-Path $Root 'powershell/mim/*.ps1') (Join-Path $Destination 'mim')
    # The MIM Service provider ships as C# source: Install-MfaMimProvider compiles it against
    # the MIM Service's own interface assembly.
    $null = New-Item -ItemType Directory -Force -Path (Join-Path $Destination 'mim/provider')
    Copy-Item (Join-Path $Root 'powershell/mim/provider/*.cs') (Join-Path $Destination 'mim/provider')
    Copy-Item (Join-Path $Root 'LICENSE') $Destination
    & (Join-Path $Root 'tools/ConvertTo-MamlHelp.ps1') -Path (Join-Path $Root 'docs/commands') -Destination (Join-Path $Destination 'en-US/MfaApproval.dll-Help.xml')
    # Get-Help about_MfaApproval: the Markdown without its code fences, as plain text.
    Get-Content (Join-Path $Root 'docs/about_MfaApproval.md') | Where-Object { -not $_.StartsWith('```') } |
        Set-Content -Path (Join-Path $Destination 'en-US/about_MfaApproval.help.txt') -Encoding ASCII
}

function Invoke-Build {
    $rid = Get-Rid
    $triple = Get-RustTarget $rid
    $cargoArgs = @('build', '--release', '--workspace', '--locked')
    if ($triple) { $cargoArgs += @('--target', $triple) }
    $target = if ($triple) { Join-Path $Root "target/$triple/release" } else { Join-Path $Root 'target/release' }
    $lib = switch -Wildcard ($rid) { 'win-*' { 'mfa_approval.dll' } 'osx-*' { 'libmfa_approval.dylib' } default { 'libmfa_approval.so' } }
    # Say what the wait is for: a first build compiles every dependency (minutes), later ones
    # only what changed (seconds).
    $first = if (Test-Path (Join-Path $target $lib)) { 'what changed since the last build' } else { 'for the first time: about 250 crates, several minutes on 2 cores (later builds take seconds)' }
    Write-Host "Building the Rust engine, its C ABI library and the simulator (release, $rid), $first..." -ForegroundColor Cyan
    Invoke-Native cargo $cargoArgs -What 'cargo build'
    $sim = "mfa-sim$Exe"

    # Stage into a fresh folder, then swap it in: a session that still has the old module
    # loaded keeps its files (Windows refuses to delete a loaded DLL; then the old folder stays).
    $staging = "$Out.staging"
    if (Test-Path $staging) { Remove-Item -Recurse -Force $staging }
    $null = New-Item -ItemType Directory -Force -Path (Join-Path $staging "runtimes/$rid/native"), (Join-Path $staging "bin/$rid")
    Copy-ModuleFiles -Destination $staging
    Copy-Item (Join-Path $target $lib) (Join-Path $staging "runtimes/$rid/native/$lib")
    Copy-Item (Join-Path $target $sim) (Join-Path $staging "bin/$rid/$sim")
    if (Test-Path $Out) {
        try { Remove-Item -Recurse -Force $Out }
        catch { throw "Cannot replace $Out (a PowerShell session has the module loaded?): $($_.Exception.Message)" }
    }
    Move-Item $staging $Out
    Write-Host "Staged $Out ($rid, MfaApproval $(Get-ModuleVersion))" -ForegroundColor Green
}

function Invoke-Format {
    # The workspace as rustfmt writes it (no build: a second or two).
    Invoke-Native cargo @('fmt', '--all', '--check') -What 'cargo fmt --all --check (cargo fmt --all rewrites the files)'
}

function Invoke-ClippyFor {
    # One cargo clippy (warnings are errors), its output in out/logs/clippy-<name>.log: one line
    # when it is clean; every diagnostic (cargo's progress left out) when it is not.
    param([string[]]$Arguments, [Parameter(Mandatory)][string]$Name)
    $log = Join-Path $Root "out/logs/clippy-$Name.log"
    $code = Invoke-Logged cargo (@('clippy', '--workspace', '--all-targets', '--locked') + $Arguments + @('--', '-D', 'warnings')) -Log $log
    if ($code -ne 0) {
        Get-Content $log | Where-Object { $_ -notmatch '^\s*(Compiling|Checking|Blocking|Finished|Downloaded|Downloading) ' -and $_ -match '\S' } | ForEach-Object { Write-Host $_ }
        throw "cargo clippy for $Name failed (exit code $code): warnings are errors; the whole output is in $(Get-RelativePath $log)"
    }
    Write-Host "clippy ($Name): no warnings" -ForegroundColor Green
}

function Invoke-Clippy {
    # Warnings are errors, on every target of the workspace (tests, examples, build scripts),
    # for this machine's target (on Windows the MSVC triple the build uses); on Linux also for
    # x86_64-pc-windows-gnu, which compiles every cfg(windows) line and every test as Windows
    # does (issue 28: a Linux-only helper called from ungated tests broke the Windows build).
    # That needs the target's standard library (rustup target add; no download here) and
    # MinGW's gcc (ring's build script compiles C for the target; .ci/run installs it).
    $triple = Get-RustTarget (Get-Rid)
    if ($triple) { Invoke-ClippyFor @('--target', $triple) -Name $triple } else { Invoke-ClippyFor @() -Name 'host' }
    if ($OnWindows) { return }
    $windows = 'x86_64-pc-windows-gnu'
    $rustup = Get-Command rustup -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    $installed = $rustup -and (@(Invoke-NativeOutput $rustup.Source @('target', 'list', '--installed') -What 'rustup target list') -contains $windows)
    if (-not $installed) {
        Write-Host "clippy for $windows skipped: that target's standard library is not installed (rustup target add $windows)." -ForegroundColor Yellow
        return
    }
    if (-not (Get-Command x86_64-w64-mingw32-gcc -CommandType Application -ErrorAction SilentlyContinue)) {
        if ($env:CI -eq 'true') { throw "clippy for $windows needs MinGW's gcc (x86_64-w64-mingw32-gcc) under CI=true: .ci/run installs gcc-mingw-w64-x86-64" }
        Write-Host "clippy for $windows skipped: MinGW's gcc is not installed (Debian: apt install gcc-mingw-w64-x86-64)." -ForegroundColor Yellow
        return
    }
    Invoke-ClippyFor @('--target', $windows) -Name $windows
}

function Start-Clippy {
    # Test's clippy (build.ps1 Lint) as a background job at low priority: it checks in
    # target/debug (and target/<triple>/debug), whose build lock is not the release tests', so
    # it runs while the tests run (they mostly wait). Complete-Clippy shows its lines.
    Write-Host 'clippy: running in the background (below-normal priority); its lines follow the tests.' -ForegroundColor DarkGray
    Start-Job -ArgumentList (Join-Path $Root 'build.ps1') -ScriptBlock {
        param($build)
        # Below normal (nice 10 on Linux and macOS): the cargo and rustc it starts inherit it.
        try { [System.Diagnostics.Process]::GetCurrentProcess().PriorityClass = [System.Diagnostics.ProcessPriorityClass]::BelowNormal } catch { }
        & $build Lint
    }
}

function Complete-Clippy {
    # Waits for the background clippy; its lines are shown; returns its failure's message, or
    # $null when it is clean.
    param([Parameter(Mandatory)]$Job)
    try { Receive-Job -Job $Job -Wait -AutoRemoveJob -ErrorAction Stop; $null }
    catch { $_.Exception.Message }
}

function Invoke-Test {
    # Pester 5.7.1 and 6.2.0 first: installed for the current user when missing, or one line
    # saying how, before ten minutes of building; then formatting (seconds).
    try { & (Join-Path $Root 'tools/Install-Pester.ps1') -Version '6.2.0', '5.7.1' }
    catch {
        Write-Host $_.Exception.Message -ForegroundColor Red
        exit 1
    }
    $total = [System.Diagnostics.Stopwatch]::StartNew()
    $script:LintError = $null
    Measure-Phase 'fmt' { Invoke-Format }
    # Clippy and the fuzz smoke (minutes of CPU each, in target/debug and fuzz/target: no build
    # lock shared with the release build and tests) run in the background at low priority from
    # here on: they take the CPU the build and the tests leave idle (a build waiting on one
    # crate, tests waiting on answers, deadlines and child processes); their lines come when
    # they are waited for, after Pester.
    $clippy = Start-Clippy
    $fuzz = Start-FuzzSmoke -Seconds 10
    try { Invoke-TestPhases -Clippy $clippy -Fuzz $fuzz }
    finally {
        # A phase that threw leaves the background jobs: stop them (their lines are lost).
        foreach ($job in @($clippy, $fuzz)) { if ($job -and (Get-Job -Id $job.Id -ErrorAction SilentlyContinue)) { Remove-Job -Job $job -Force } }
    }
    Write-Host ''
    $script:Phases | ForEach-Object { Write-Host ("  {0,-22} {1,5} s" -f $_.Phase, $_.Seconds) }
    Write-Host ("  {0,-22} {1,5} s" -f 'total', [math]::Round($total.Elapsed.TotalSeconds))
    if ($script:LintError) { Write-Host "Lint failed: $script:LintError" -ForegroundColor Red }
    Write-Host "Rust: $($script:RustPassed) passed, $($script:RustFailed) failed"
    Write-Host "Pester: $script:passed passed, $script:failed failed"
    Write-Host "Tests: $($script:RustPassed + $script:passed) passed, $($script:RustFailed + $script:failed) failed"
    if ($script:failed -gt 0 -or $script:LintError) { exit 1 }
}

function Invoke-TestPhases {
    # Test's phases after fmt, beside the background clippy and fuzz smoke.
    param($Clippy, $Fuzz)
    Measure-Phase 'build' { Invoke-Build }
    # The test venv first: the Rust tests start a real privacyIDEA from it (out/venv).
    Measure-Phase 'test venv' { $script:TestPython = Initialize-PythonPeers }
    Measure-Phase 'Rust test build' { Build-CargoTests }
    Measure-Phase 'Rust tests' { Invoke-CargoTests }
    Measure-Phase 'valgrind (ABI)' { Invoke-AbiUnderValgrind }
    $env:MFA_SIM = Join-Path $Out "bin/$(Get-Rid)/mfa-sim$Exe"
    # The third-party clients' tests (pytest: zeep, duo-client, pyrad, radclient, Okta's SDK,
    # privacyIDEA's shapes against the simulator) run beside Pester; their lines come after it.
    $thirdParty = $null
    if ($script:TestPython) {
        $thirdPartyLog = Join-Path $Root 'out/logs/third-party-clients.log'
        $thirdParty = Start-Logged -Steps @(@{ File = $script:TestPython; Arguments = @('-m', 'pytest', '-q', (Join-Path $Root 'tests/python')); Log = $thirdPartyLog })
    }

    # Pester runs in this edition: powershell.exe under Windows PowerShell 5.1 (the MIM
    # host), pwsh under PowerShell 7. The whole suite under 6.2.0; under 5.7.1 the files
    # tests/Pester5.txt names (what users copy from docs/pester.md, and the module's own
    # checks): the module behaves the same under either Pester, so a second full run proved
    # only that our own test files parse under both.
    $pwsh = if ($PSVersionTable.PSEdition -eq 'Desktop') { Join-Path $PSHOME 'powershell.exe' } else { Get-Pwsh }
    $script:passed = 0; $script:failed = 0
    foreach ($run in @(@{ Version = '6.2.0'; List = @() }, @{ Version = '5.7.1'; List = @('-ListFile', (Join-Path $Root 'tests/Pester5.txt')) })) {
        $version = $run.Version
        Measure-Phase "Pester $version" {
            # A name no earlier run can have left behind (a stale file never reads as a result).
            $resultFile = Join-Path ([System.IO.Path]::GetTempPath()) "mfa-pester-$version-$([guid]::NewGuid().ToString('N')).json"
            $list = $run.List
            # Three test files at a time (tests/Invoke-PesterRun.ps1 says why): one line per file.
            & $pwsh -NoProfile -NonInteractive -File (Join-Path $Root 'tests/Invoke-PesterRun.ps1') -PesterVersion $version -ModulePath $Out -ResultFile $resultFile -Workers 3 @list
            $code = $LASTEXITCODE
            if (-not (Test-Path $resultFile)) { throw "Pester $version did not report results (exit code $code)" }
            $r = Get-Content -Raw $resultFile | ConvertFrom-Json
            Remove-Item $resultFile
            Write-Host ("Pester {0}: {1} passed, {2} failed, {3} skipped ({4} files)" -f $version, $r.Passed, $r.Failed, $r.Skipped, $r.Files)
            $script:passed += $r.Passed; $script:failed += $r.Failed + $r.Errors
            # The runner's exit code says the same; where they disagree, the run failed.
            if ($code -ne 0 -and ($r.Failed + $r.Errors) -eq 0) { $script:failed++; Write-Host "Pester $version ended with exit code $code" -ForegroundColor Red }
        }
    }
    if ($thirdParty) {
        Measure-Phase 'third-party (rest)' {
            $code = @(Wait-Logged $thirdParty) | Select-Object -First 1
            $lines = @(Get-Content $thirdPartyLog | Where-Object { $_ -match '\S' })
            $summary = $lines | Where-Object { $_ -match '\d+ (passed|failed)' } | Select-Object -Last 1
            if ($code -ne 0) {
                $lines | ForEach-Object { Write-Host $_ }
                throw "third-party client tests failed (exit code $code); the whole output is in $(Get-RelativePath $thirdPartyLog)"
            }
            Write-Host "third-party client tests: $(($summary -replace '=', '').Trim())" -ForegroundColor Green
        }
    }
    if ($Fuzz) { Measure-Phase 'fuzz smoke (rest)' { Complete-FuzzSmoke $Fuzz } }
    # Clippy's result after every test's (a new lint on a newer Rust hides no test result);
    # the summary lines stay the last lines.
    if ($Clippy) { Measure-Phase 'clippy (rest)' { $script:LintError = Complete-Clippy $Clippy } }
}

function Start-Logged {
    # Invoke-Logged in a background job, for programs that run side by side (each is mostly
    # waiting): every step of -Steps (@{ File; Arguments; Log }) in order, each one's output in
    # its log; Wait-Logged gives the exit codes.
    param([Parameter(Mandatory)][object[]]$Steps)
    foreach ($step in $Steps) {
        $null = New-Item -ItemType Directory -Force -Path (Split-Path -Parent $step.Log)
        Write-Host ">> $($step.File) $($step.Arguments -join ' ')  > $(Get-RelativePath $step.Log)" -ForegroundColor DarkGray
    }
    Start-Job -ArgumentList (Join-Path $Root 'tools/Invoke-NativeCommand.ps1'), $Root, $Steps -ScriptBlock {
        param($runner, $root, $steps)
        foreach ($step in $steps) {
            $r = & $runner -FilePath $step.File -ArgumentList ([string[]]$step.Arguments) -WorkingDirectory $root
            @(@($r.Output) + @($r.Error)) | Out-File -FilePath $step.Log -Encoding utf8
            $r.ExitCode
        }
    }
}

function Wait-Logged {
    param([Parameter(Mandatory)]$Job)
    @(Receive-Job -Job $Job -Wait -AutoRemoveJob | ForEach-Object { [int]$_ })
}

function Get-CargoTestArguments {
    $base = @('test', '--release', '--locked')
    $triple = Get-RustTarget (Get-Rid)
    if ($triple) { $base += @('--target', $triple) }
    $base
}

function Build-CargoTests {
    # Every test binary of the workspace (cargo test --no-run), output in out/logs.
    $build = Join-Path $Root 'out/logs/cargo-test-build.log'
    $code = Invoke-Logged cargo ((Get-CargoTestArguments) + @('--workspace', '--lib', '--bins', '--tests', '--no-run')) -Log $build
    if ($code -ne 0) {
        Get-Content $build | Where-Object { $_ -notmatch '^\s*(Compiling|Blocking|Finished|Downloaded|Downloading|Executable) ' -and $_ -match '\S' } | ForEach-Object { Write-Host $_ }
        throw "building the Rust tests failed (exit code $code); the whole output is in $(Get-RelativePath $build)"
    }
    Write-Host 'Rust tests built' -ForegroundColor Green
}

function Invoke-CargoTests {
    # Every test binary is built once (Build-CargoTests), then they run in two groups at
    # once, each cargo test's output in its own log under out/logs: the engine's integration
    # tests (rust/engine/tests/integration.rs: the longest run, mostly waiting on simulated
    # answers, deadlines and real servers) beside every other test binary. Cargo holds its build
    # lock only while it builds, so they (and clippy, whose lock is target/debug's) run side
    # by side. One summary line when every test passes; when one fails, every line of its log
    # but the passing tests' and cargo's progress. --no-fail-fast: every failing test binary
    # is reported, not only the first.
    $base = Get-CargoTestArguments
    $logs = Join-Path $Root 'out/logs'
    # Each group selects the whole workspace (--workspace) and picks its test targets by name:
    # selecting packages (-p, --exclude) would unify dependency features differently and
    # compile the engine again for that selection (a minute each).
    $metadata = (Invoke-NativeOutput cargo @('metadata', '--no-deps', '--format-version', '1', '--locked') -What 'cargo metadata') -join "`n" | ConvertFrom-Json
    $others = @($metadata.packages | ForEach-Object { $_.targets } | Where-Object { @($_.kind) -contains 'test' -and $_.name -ne 'integration' } | ForEach-Object { $_.name } | Sort-Object -Unique | ForEach-Object { '--test'; $_ })
    $engine = @{ File = 'cargo'; Arguments = $base + @('--workspace', '--test', 'integration', '--no-fail-fast'); Log = (Join-Path $logs 'cargo-test-engine.log') }
    $rest = @(
        @{ File = 'cargo'; Arguments = $base + @('--workspace', '--lib', '--bins') + $others + @('--no-fail-fast'); Log = (Join-Path $logs 'cargo-test-rest.log') }
        # The crates' documentation tests (rustdoc), which the target list above leaves out.
        @{ File = 'cargo'; Arguments = $base + @('--workspace', '--doc'); Log = (Join-Path $logs 'cargo-test-doc.log') }
    )
    $groups = @((Start-Logged -Steps @($engine)), (Start-Logged -Steps $rest))
    $codes = @($groups | ForEach-Object { Wait-Logged $_ })
    $steps = @($engine) + $rest
    $passed = 0; $failed = 0; $ignored = 0; $binaries = 0; $bad = @()
    for ($i = 0; $i -lt $steps.Count; $i++) {
        $lines = if (Test-Path $steps[$i].Log) { @(Get-Content $steps[$i].Log) } else { @() }
        foreach ($line in $lines) {
            if ($line -match '^test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored') {
                $binaries++; $passed += [int]$Matches[1]; $failed += [int]$Matches[2]; $ignored += [int]$Matches[3]
            }
        }
        $code = if ($i -lt $codes.Count) { $codes[$i] } else { -1 }
        if ($code -ne 0) {
            $lines | Where-Object { $_ -notmatch '^test .* \.\.\. ok$' -and $_ -notmatch '^\s*(Compiling|Running|Doc-tests|Finished|Blocking|Downloaded|Downloading) ' -and $_ -notmatch '^running \d+ tests?$' -and $_ -match '\S' } | ForEach-Object { Write-Host $_ }
            $bad += "$(Get-RelativePath $steps[$i].Log) (exit code $code)"
        }
    }
    $script:RustPassed = $passed; $script:RustFailed = $failed
    if ($bad.Count -gt 0) { throw "Rust tests failed: $passed passed, $failed failed; the whole output is in $($bad -join ', ')" }
    Write-Host ("Rust tests: {0} passed, {1} ignored, in {2} test binaries (output: out/logs/cargo-test-*.log)" -f $passed, $ignored, $binaries) -ForegroundColor Green
}

function Initialize-PythonPeers {
    # The third-party clients the simulator is tested with (tests/python/requirements.txt),
    # in a virtual environment under out/ (never the machine's own Python packages),
    # refreshed when the requirements change. Returns the venv's python, or $null with one
    # line saying why (under CI=true a missing Python is an error).
    # On Windows 'python' first: 'python3' there may be the Store's alias stub.
    $names = if ($OnWindows) { @('python', 'python3') } else { @('python3', 'python') }
    $system = $names | ForEach-Object { Get-Command $_ -CommandType Application -ErrorAction SilentlyContinue } | Select-Object -First 1
    if (-not $system) {
        if ($env:CI -eq 'true') { throw 'python3 is required under CI=true for the third-party client tests' }
        Write-Host 'Third-party client tests (zeep) skipped: python3 is not installed.' -ForegroundColor Yellow
        return $null
    }
    $venv = Join-Path $Root 'out/venv'
    $python = if ($OnWindows) { Join-Path $venv 'Scripts/python.exe' } else { Join-Path $venv 'bin/python' }
    $requirements = Join-Path $Root 'tests/python/requirements.txt'
    $stamp = Join-Path $venv 'requirements.installed'
    $wanted = Get-Content -Raw $requirements
    if ((Test-Path $python) -and (Test-Path $stamp) -and ((Get-Content -Raw $stamp) -eq $wanted)) { return $python }
    if (-not (Test-Path $python)) {
        & $system.Source -m venv $venv
        if ($LASTEXITCODE -ne 0 -or -not (Test-Path $python)) {
            if ($env:CI -eq 'true') { throw "python3 -m venv failed (exit code $LASTEXITCODE); install the venv module (Debian: python3-venv)" }
            Write-Host "Third-party client tests (zeep) skipped: python3 -m venv failed (Debian: apt install python3-venv)." -ForegroundColor Yellow
            return $null
        }
    }
    Invoke-Native $python @('-m', 'pip', 'install', '-q', '--disable-pip-version-check', '-r', $requirements) -What 'pip install (test peers into out/venv)'
    Set-Content -Path $stamp -Value $wanted -NoNewline
    $python
}

function Invoke-AbiUnderValgrind {
    # The C ABI tests (rust/ffi/tests/abi.rs) under valgrind memcheck: 0 errors, 0 bytes
    # definitely lost (the C program gets the same check inside the Rust tests). Skipped
    # with one line where valgrind is missing; under CI=true it is required.
    if ($OnWindows -or $OnMac) {
        Write-Host 'ABI tests under valgrind skipped: valgrind runs on Linux only (the Linux CI runs them).' -ForegroundColor Yellow
        return
    }
    if (-not (Get-Command valgrind -ErrorAction SilentlyContinue)) {
        if ($env:CI -eq 'true') { throw 'valgrind is required under CI=true (.ci/run installs it)' }
        Write-Host 'ABI tests under valgrind skipped: valgrind is not installed.' -ForegroundColor Yellow
        return
    }
    $messages = Invoke-NativeOutput cargo @('test', '--release', '--locked', '-p', 'mfa-approval', '--test', 'abi', '--no-run', '--message-format=json') -What 'building the ABI tests'
    $exe = $messages | ForEach-Object { try { $_ | ConvertFrom-Json } catch { $null } } |
        Where-Object { $_ -and $_.reason -eq 'compiler-artifact' -and $_.executable } |
        Select-Object -ExpandProperty executable -Last 1
    if (-not $exe) { throw 'cargo did not name the ABI test executable' }
    $report = Join-Path ([System.IO.Path]::GetTempPath()) "mfa-valgrind-abi-$PID.txt"
    # The tests' own output goes to out/logs/ (shown when something failed), valgrind's report to $report.
    $testLog = Join-Path $Root 'out/logs/valgrind-abi-tests.log'
    $code = Invoke-Logged valgrind @('--error-exitcode=99', '--leak-check=full', '--num-callers=50', '--errors-for-leak-kinds=definite', '--show-leak-kinds=definite', "--suppressions=$(Join-Path $Root 'tests/valgrind.supp')", "--log-file=$report", $exe, '--test-threads=1') -Log $testLog
    $text = Get-Content -Raw $report
    Remove-Item $report
    $summary = ($text -split "`n" | Where-Object { $_ -match 'ERROR SUMMARY|definitely lost' }) -join '; '
    if ($code -ne 0 -or $text -notmatch 'ERROR SUMMARY: 0 errors') {
        Get-Content $testLog | Where-Object { $_ -notmatch '^test .* \.\.\. ok$' } | ForEach-Object { Write-Host $_ }
        Write-Host $text
        throw "ABI tests under valgrind failed (exit code $code)"
    }
    Write-Host "ABI tests under valgrind: $summary" -ForegroundColor Green
}

function Get-FuzzReady {
    # Whether cargo fuzz can run here (nightly + cargo-fuzz); says in one line what it skipped
    # and why. Under CI=true only a missing nightly may be skipped.
    $nightly = $false
    $rustup = Get-Command rustup -ErrorAction SilentlyContinue
    if ($rustup) { $nightly = [bool](Invoke-NativeOutput $rustup.Source @('toolchain', 'list') -What 'rustup toolchain list' | Select-String -SimpleMatch 'nightly') }
    $cargoFuzz = [bool](Get-Command cargo-fuzz -ErrorAction SilentlyContinue)
    if (-not $nightly) {
        Write-Host 'Fuzz smoke skipped: no nightly Rust toolchain on this machine (cargo fuzz needs one).' -ForegroundColor Yellow
        return $false
    }
    if (-not $cargoFuzz) {
        if ($env:CI -eq 'true') { throw 'Fuzz smoke cannot run: cargo-fuzz is not installed (.ci/run installs it)' }
        Write-Host 'Fuzz smoke skipped: cargo-fuzz is not installed (cargo install cargo-fuzz).' -ForegroundColor Yellow
        return $false
    }
    $true
}

function Invoke-FuzzTargets {
    # Builds every cargo-fuzz target once, then runs each for -Seconds with a fixed seed (the
    # same inputs on the same build), its corpus in fuzz/corpus/<target>. One line per target;
    # libFuzzer's output goes to out/logs/fuzz-<target>.log, shown (its end) only on a crash.
    param([Parameter(Mandatory)][int]$Seconds, [string[]]$Only)
    $seedsOf = @{ approval_differential = 'soap_answer'; duo_differential = 'duo_auth_status'; privacyidea_differential = 'privacyidea_check' }
    $targets = 'soap_answer', 'approval_differential', 'duo_differential', 'privacyidea_differential', 'config_json', 'request_json', 'radius_answer', 'okta_differential'
    if ($Only) {
        foreach ($t in $Only) { if ($targets -notcontains $t) { throw "-FuzzTarget: '$t' is not a fuzz target; the targets are $($targets -join ', ')" } }
        $targets = $Only
    }
    Push-Location (Join-Path $Root 'fuzz')
    try {
        $log = Join-Path $Root 'out/logs/fuzz-build.log'
        $clock = [System.Diagnostics.Stopwatch]::StartNew()
        # At low priority where the OS has nice: Test runs it beside the Pester run, which must
        # keep its pace.
        $nice = if (-not $OnWindows -and (Get-Command nice -CommandType Application -ErrorAction SilentlyContinue)) { @('nice', '-n', '10') } else { @() }
        $build = $nice + @('cargo', '+nightly', 'fuzz', 'build', '-O')
        $code = Invoke-Logged $build[0] @($build | Select-Object -Skip 1) -Log $log
        if ($code -ne 0) {
            Get-Content $log | Select-Object -Last 40 | ForEach-Object { Write-Host $_ }
            throw "building the fuzz targets failed (exit code $code); the whole output is in $(Get-RelativePath $log)"
        }
        Write-Host ("Fuzz targets built in {0:N0} s" -f $clock.Elapsed.TotalSeconds)
        foreach ($target in $targets) {
            $corpus = Join-Path $Root "fuzz/corpus/$target"
            $seeds = Join-Path $Root "fuzz/seeds/$(if ($seedsOf.ContainsKey($target)) { $seedsOf[$target] } else { $target })"
            $null = New-Item -ItemType Directory -Force -Path $corpus
            $log = Join-Path $Root "out/logs/fuzz-$target.log"
            $run = $nice + @('cargo', '+nightly', 'fuzz', 'run', '-O', $target, $corpus, $seeds, '--', '-seed=1', "-max_total_time=$Seconds", '-rss_limit_mb=2048', '-print_final_stats=1')
            $code = Invoke-Logged $run[0] @($run | Select-Object -Skip 1) -Log $log
            $text = @(Get-Content $log)
            $runs = ($text | Where-Object { $_ -match '^stat::number_of_executed_units:\s*(\d+)' } | Select-Object -Last 1) -replace '\D', ''
            $edges = ($text | Where-Object { $_ -match '^#\d+\s+DONE\s+cov: (\d+)' } | Select-Object -Last 1)
            if ($edges -match 'cov: (\d+)') { $edges = $Matches[1] } else { $edges = '?' }
            if ($code -ne 0) {
                $text | Select-Object -Last 60 | ForEach-Object { Write-Host $_ }
                throw "fuzz $target failed (exit code $code): a crash or a leak; its input is under fuzz/artifacts/$target, the whole output in $(Get-RelativePath $log)"
            }
            Write-Host ("fuzz {0}: {1:N0} runs in {2} s, coverage {3} edges, no crash" -f $target, [long]("0$runs"), $Seconds, $edges) -ForegroundColor Green
        }
    }
    finally { Pop-Location }
}

function Invoke-FuzzSmoke {
    # A short run of every cargo-fuzz target (nightly + cargo-fuzz): bounded by time.
    param([int]$Seconds = 10)
    if (-not (Get-FuzzReady)) { return }
    Invoke-FuzzTargets -Seconds $Seconds
}

function Start-FuzzSmoke {
    # Test's fuzz smoke as a background job (build.ps1 Fuzz -FuzzSeconds N in its own
    # PowerShell); $null, with one line, where it cannot run here.
    param([int]$Seconds = 10)
    if (-not (Get-FuzzReady)) { return $null }
    Write-Host "Fuzz smoke: building and running the fuzz targets in the background ($Seconds s each); its lines follow the Pester run." -ForegroundColor DarkGray
    Start-Job -ScriptBlock { param($build, $seconds) & $build Fuzz -FuzzSeconds $seconds } -ArgumentList (Join-Path $Root 'build.ps1'), $Seconds
}

function Complete-FuzzSmoke {
    # Waits for the background fuzz smoke; its lines are shown, and its failure fails Test.
    param([Parameter(Mandatory)]$Job)
    Receive-Job -Job $Job -Wait -AutoRemoveJob
}

function Invoke-Fuzz {
    # build.ps1 Fuzz: the long runs (-FuzzSeconds per target, -FuzzTarget to pick).
    if (-not (Get-FuzzReady)) { throw 'build.ps1 Fuzz needs a nightly toolchain and cargo-fuzz' }
    Invoke-FuzzTargets -Seconds $FuzzSeconds -Only $FuzzTarget
}

function Invoke-Package {
    # Publish-PSResource (PSResourceGet, in pwsh 7.4+) to a temporary local repository.
    if (-not (Get-Command Publish-PSResource -ErrorAction SilentlyContinue)) { throw 'build.ps1 Package needs Publish-PSResource (PowerShell 7.4 or later, or Microsoft.PowerShell.PSResourceGet)' }
    Invoke-Build
    $packages = Join-Path $Root 'out/packages'
    $null = New-Item -ItemType Directory -Force -Path $packages
    Get-ChildItem $packages -Filter 'MfaApproval.*.nupkg' | Remove-Item
    $name = "MfaApprovalBuild$PID"
    Register-PSResourceRepository -Name $name -Uri $packages -Trusted -Force
    try { Publish-PSResource -Path $Out -Repository $name -SkipDependenciesCheck }
    finally { Unregister-PSResourceRepository -Name $name }
    $nupkg = Get-ChildItem $packages -Filter 'MfaApproval.*.nupkg' | Select-Object -First 1
    if (-not $nupkg) { throw "Publish-PSResource wrote no package to $packages" }
    Write-Host "Package: $($nupkg.FullName) ($([math]::Round($nupkg.Length / 1MB, 1)) MiB)" -ForegroundColor Green
}

function Get-NativeRid {
    # The runtime a native file was built for, read from its header (ELF e_machine, PE
    # Machine, Mach-O cputype), so a file under the wrong runtimes/<rid> folder is refused.
    param([Parameter(Mandatory)][string]$Path)
    $b = New-Object byte[] 4096
    $stream = [System.IO.File]::OpenRead($Path)
    try { $n = $stream.Read($b, 0, $b.Length) } finally { $stream.Dispose() }
    if ($n -ge 20 -and $b[0] -eq 0x7F -and $b[1] -eq 0x45 -and $b[2] -eq 0x4C -and $b[3] -eq 0x46) {
        switch ([System.BitConverter]::ToUInt16($b, 18)) { 0x3E { return 'linux-x64' } 0xB7 { return 'linux-arm64' } default { return 'linux-?' } }
    }
    if ($n -ge 0x40 -and $b[0] -eq 0x4D -and $b[1] -eq 0x5A) {
        $pe = [System.BitConverter]::ToInt32($b, 0x3C)
        if ($pe -gt 0 -and $pe + 6 -le $n -and $b[$pe] -eq 0x50 -and $b[$pe + 1] -eq 0x45 -and $b[$pe + 2] -eq 0 -and $b[$pe + 3] -eq 0) {
            switch ([System.BitConverter]::ToUInt16($b, $pe + 4)) { 0x8664 { return 'win-x64' } 0xAA64 { return 'win-arm64' } 0x14C { return 'win-x86' } default { return 'win-?' } }
        }
        return 'win-?'
    }
    if ($n -ge 8 -and [System.BitConverter]::ToUInt32($b, 0) -eq 0xFEEDFACF) {
        switch ([System.BitConverter]::ToUInt32($b, 4)) { 0x01000007 { return 'osx-x64' } 0x0100000C { return 'osx-arm64' } default { return 'osx-?' } }
    }
    'unknown'
}

function Invoke-Assemble {
    # One multi-platform module from natives built elsewhere (the release workflow builds
    # each runtime on its own runner): the runtime-independent files are built here, each
    # native goes where the loader looks (runtimes/<rid>/native/<library>, bin/<rid>/mfa-sim),
    # then MfaApproval.<version>.nupkg (Publish-PSResource) and MfaApproval-<version>.zip
    # (MfaApproval/<version>/..., to unzip into a Modules folder on an offline server).
    if (-not $NativeRoot) { throw 'build.ps1 Assemble needs -NativeRoot <folder holding runtimes/<rid>/native/<library> and bin/<rid>/mfa-sim[.exe] for each runtime>' }
    if (-not (Get-Command Publish-PSResource -ErrorAction SilentlyContinue)) { throw 'build.ps1 Assemble needs Publish-PSResource (PowerShell 7.4 or later, or Microsoft.PowerShell.PSResourceGet)' }
    $natives = (Resolve-Path -LiteralPath $NativeRoot).ProviderPath
    $found = @(Get-ChildItem -Path (Join-Path $natives 'runtimes') -Directory -ErrorAction SilentlyContinue | ForEach-Object { $_.Name } | Sort-Object)
    $wanted = if ($Rid) { @($Rid | ForEach-Object { $_ -split ',' } | ForEach-Object { $_.Trim() } | Where-Object { $_ }) } else { $found }
    if ($wanted.Count -eq 0) { throw "build.ps1 Assemble: '$natives' holds no runtimes/<rid> folder" }
    $problems = New-Object System.Collections.Generic.List[string]
    foreach ($extra in @($found | Where-Object { $wanted -notcontains $_ })) { $problems.Add("runtimes/$extra is not one of -Rid ($($wanted -join ', '))") }
    $files = @()
    foreach ($r in $wanted) {
        $lib = switch -Wildcard ($r) { 'win-*' { 'mfa_approval.dll' } 'osx-*' { 'libmfa_approval.dylib' } default { 'libmfa_approval.so' } }
        $sim = if ($r -like 'win-*') { 'mfa-sim.exe' } else { 'mfa-sim' }
        foreach ($pair in @(@("runtimes/$r/native", $lib), @("bin/$r", $sim))) {
            $folder = Join-Path $natives $pair[0]
            $path = Join-Path $folder $pair[1]
            if (-not (Test-Path -LiteralPath $path -PathType Leaf)) { $problems.Add("$($pair[0])/$($pair[1]) is missing"); continue }
            $built = Get-NativeRid $path
            if ($built -ne $r) { $problems.Add("$($pair[0])/$($pair[1]) is a $built build, not $r") }
            foreach ($stray in @(Get-ChildItem -LiteralPath $folder | Where-Object { $_.Name -ne $pair[1] })) { $problems.Add("$($pair[0])/$($stray.Name) is not part of the module") }
            $files += , @($path, "$($pair[0])/$($pair[1])")
        }
    }
    if ($problems.Count -gt 0) { throw "build.ps1 Assemble: $($problems -join '; ')" }

    $release = if ($OutputPath) { $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($OutputPath) } else { Join-Path $Root 'out/release' }
    $staging = Join-Path $release 'MfaApproval'
    if (Test-Path $staging) { Remove-Item -Recurse -Force $staging }
    $null = New-Item -ItemType Directory -Force -Path $staging
    Get-ChildItem $release -File | Where-Object { $_.Name -like 'MfaApproval.*.nupkg' -or $_.Name -like 'MfaApproval-*.zip' } | Remove-Item
    Copy-ModuleFiles -Destination $staging
    foreach ($f in $files) {
        $to = Join-Path $staging $f[1]
        $null = New-Item -ItemType Directory -Force -Path (Split-Path $to)
        Copy-Item -LiteralPath $f[0] -Destination $to
    }
    $version = Get-ModuleVersion
    $name = "MfaApprovalAssemble$PID"
    Register-PSResourceRepository -Name $name -Uri $release -Trusted -Force
    try { Publish-PSResource -Path $staging -Repository $name -SkipDependenciesCheck }
    finally { Unregister-PSResourceRepository -Name $name }
    $nupkg = Join-Path $release "MfaApproval.$version.nupkg"
    if (-not (Test-Path $nupkg)) { throw "Publish-PSResource wrote no MfaApproval.$version.nupkg to $release" }

    # The zip: entries named with '/' (Compress-Archive in 5.1 writes '\'), Unix modes kept
    # for the simulators where this .NET can say so.
    $zip = Join-Path $release "MfaApproval-$version.zip"
    Add-Type -AssemblyName System.IO.Compression, System.IO.Compression.FileSystem
    $archive = [System.IO.Compression.ZipFile]::Open($zip, [System.IO.Compression.ZipArchiveMode]::Create)
    try {
        $base = (Resolve-Path -LiteralPath $staging).ProviderPath.TrimEnd('\', '/')
        foreach ($file in @(Get-ChildItem -LiteralPath $staging -Recurse -File | Sort-Object FullName)) {
            $relative = $file.FullName.Substring($base.Length + 1).Replace('\', '/')
            $entry = [System.IO.Compression.ZipFileExtensions]::CreateEntryFromFile($archive, $file.FullName, "MfaApproval/$version/$relative")
            if ($relative -like 'bin/*' -and $entry.PSObject.Properties['ExternalAttributes']) { $entry.ExternalAttributes = 0x81ED -shl 16 }  # -rwxr-xr-x
        }
    }
    finally { $archive.Dispose() }
    foreach ($f in $nupkg, $zip) { Write-Host "Release: $f ($([math]::Round((Get-Item $f).Length / 1MB, 1)) MiB; $($wanted -join ', '))" -ForegroundColor Green }
}

function Show-Outcome {
    # The short columns as a table, then each message in full on its own line: a table cell
    # would wrap or cut it (messages end with the next step to take).
    param([Parameter(ValueFromPipeline)][object]$InputObject, [string[]]$Property)
    begin { $all = New-Object System.Collections.Generic.List[object] }
    process { $all.Add($InputObject) }
    end {
        $all | Format-Table $Property -AutoSize | Out-Host
        foreach ($o in $all) {
            $name = if ($o.PSObject.Properties['UserName']) { $o.UserName } else { $o.Uri }
            Write-Host ("  {0}: {1}" -f $name, $o.Message)
        }
        Write-Host ''
    }
}

function Invoke-Demo {
    Invoke-Build
    # Redirected to a file or a pipe: plain text, no ANSI colour codes in the tables.
    if ([Console]::IsOutputRedirected -and (Test-Path variable:PSStyle)) { $PSStyle.OutputRendering = 'PlainText' }
    Import-Module $Out -Force
    $sim = Start-MfaSimulator -NoResponseAfter 5
    try {
        Write-Host "Simulator: $($sim.Uri)  (certificate SHA-256 $($sim.CertificateHash))"
        Test-MfaConnection -Connection $sim.Connection | Show-Outcome -Property Uri, Success, Stage, TestSecurity
        $users = 'alice@contoso.com', 'bob@contoso.com', 'carol@contoso.com', 'mallory@contoso.com', 'nobody@contoso.com'
        Write-Host "Asking $($users.Count) approvals at once (carol never answers: 5 s)..."
        $users | Start-MfaApproval -Connection $sim.Connection -Timeout 30 | Wait-MfaApproval |
            Sort-Object UserName | Show-Outcome -Property UserName, Status, CallResult, FailureKind
        Write-Host 'mallory again (blocked after reporting fraud):'
        Invoke-MfaApproval -Connection $sim.Connection -UserName mallory@contoso.com | Show-Outcome -Property UserName, Status, CallResult, FailureKind
        Write-Host 'Invoke-MfaApproval -Assert for bob (denies):'
        try { Invoke-MfaApproval -Connection $sim.Connection -UserName bob@contoso.com -Assert | Out-Null }
        catch { Write-Host ("  refused: ErrorId {0}, category {1}" -f $_.FullyQualifiedErrorId.Split(',')[0], $_.CategoryInfo.Category) }
        Write-Host 'Two approvers, either one (-Require Any), with an audit trail:'
        $audit = Join-Path ([System.IO.Path]::GetTempPath()) "mfa-demo-audit-$PID.jsonl"
        $password = New-Object System.Security.SecureString
        foreach ($c in 'demo-password'.ToCharArray()) { $password.AppendChar($c) }
        $audited = New-MfaConnection -Uri $sim.Uri -Credential (New-Object System.Management.Automation.PSCredential('demo-admin', $password)) -ServerCertificateHash $sim.CertificateHash -AuditPath $audit
        $r = Invoke-MfaApproval -Connection $audited -UserName alice@contoso.com, carol@contoso.com -Require Any -Reason 'Demo: add jane to Domain Admins' -Context @{ 'MIM request' = 'demo-1' }
        Write-Host ("  {0}, decided by {1}: {2}" -f $r.Status, $r.DecidedBy, (($r.Approvers | ForEach-Object { '{0}={1} ({2})' -f $_.UserName, $_.Status, $_.Identity }) -join '; '))
        Write-Host '  audit trail:'
        Get-Content $audit | ForEach-Object { Write-Host "    $_" }
        Remove-Item $audit -ErrorAction SilentlyContinue
        Write-Host 'One person under two names (asmith@contoso.com is alice''s alias), -Require All:'
        $r = Invoke-MfaApproval -Connection $sim.Connection -UserName alice@contoso.com, asmith@contoso.com -Require All
        Write-Host ("  {0} ({1}): {2}" -f $r.Status, $r.FailureKind, $r.Message.Split([string[]]@(' Next: '), [StringSplitOptions]::None)[0])
    }
    finally {
        $sim | Stop-MfaSimulator
    }
    Write-Host ''
    Write-Host 'The same through Duo''s Auth API (the simulator serves it too):'
    $duo = Start-MfaSimulator -Provider Duo -NoResponseAfter 5
    try {
        Test-MfaConnection -Connection $duo.Connection | Show-Outcome -Property Uri, Success, Stage, ClockSkewSeconds
        $users = 'alice@contoso.com', 'bob@contoso.com', 'carol@contoso.com', 'mallory@contoso.com', 'victor@contoso.com', 'bypass@contoso.com', 'locked@contoso.com', 'enroll@contoso.com'
        Write-Host "Asking $($users.Count) approvals at once (victor gets a Verified Push code; carol never answers: 5 s)..."
        $users | Start-MfaApproval -Connection $duo.Connection -Timeout 30 -Reason 'Demo approval' -Context @{ 'MIM request' = 'demo' } | Wait-MfaApproval |
            Sort-Object UserName | Show-Outcome -Property UserName, Status, FailureKind
    }
    finally {
        $duo | Stop-MfaSimulator
    }
    Write-Host ''
    Write-Host 'The same over RADIUS (the simulator''s RADIUS server; NPS with the Entra MFA extension, a Duo Authentication Proxy or another MFA server''s RADIUS front end in real life):'
    $radius = Start-MfaSimulator -Provider Radius
    try {
        $users = 'alice@contoso.com', 'bob@contoso.com', 'challenge@contoso.com', 'unsigned@contoso.com', 'wrongsecret@contoso.com', 'carol@contoso.com'
        Write-Host "Asking $($users.Count) approvals at once (unsigned and wrongsecret answer without a valid Message-Authenticator, carol never: 5 s)..."
        $users | Start-MfaApproval -Connection $radius.Connection -Timeout 5 | Wait-MfaApproval |
            Sort-Object UserName | Show-Outcome -Property UserName, Status, FailureKind
    }
    finally {
        $radius | Stop-MfaSimulator
    }
    Write-Host 'The same through Okta''s API (an Okta Verify push; the simulator serves it too):'
    $okta = Start-MfaSimulator -Provider Okta -NoResponseAfter 5
    try {
        $users = 'alice@contoso.com', 'bob@contoso.com', 'carol@contoso.com', 'victor@contoso.com', 'dave@contoso.com', 'nobody@contoso.com'
        Write-Host "Asking $($users.Count) approvals at once (victor gets a number challenge; carol never answers: 5 s; dave has no Okta Verify)..."
        $users | Start-MfaApproval -Connection $okta.Connection -Timeout 30 | Wait-MfaApproval |
            Sort-Object UserName | Show-Outcome -Property UserName, Status, FailureKind
    }
    finally {
        $okta | Stop-MfaSimulator
    }
    Write-Host ''
    Write-Host 'The same through privacyIDEA''s API (a push to the privacyIDEA Authenticator, answers signed; the simulator serves it too):'
    $pi = Start-MfaSimulator -Provider PrivacyIdea
    try {
        Test-MfaConnection -Connection $pi.Connection | Show-Outcome -Property Uri, Success, Stage
        $users = 'alice@contoso.com', 'bob@contoso.com', 'carol@contoso.com', 'victor@contoso.com', 'dave@contoso.com'
        Write-Host "Asking $($users.Count) approvals at once (victor's push asks for a letter; carol never answers: 5 s; dave has no push token)..."
        $users | Start-MfaApproval -Connection $pi.Connection -Timeout 5 | Wait-MfaApproval |
            Sort-Object UserName | Show-Outcome -Property UserName, Status, FailureKind
    }
    finally {
        $pi | Stop-MfaSimulator
    }
}

function Invoke-Bench {
    if ($PSVersionTable.PSEdition -ne 'Core') { throw 'build.ps1 Bench needs PowerShell 7 (pwsh)' }
    Invoke-Build
    Invoke-Native cargo @('run', '--release', '--locked', '-q', '-p', 'mfa-engine', '--example', 'hostile_bodies') -What 'hostile-body benchmark'
    Invoke-Native cargo @('run', '--release', '--locked', '-q', '-p', 'mfa-engine', '--example', 'duo_signing') -What 'Duo signing benchmark'
    Invoke-Native cargo @('run', '--release', '--locked', '-q', '-p', 'mfa-engine', '--example', 'radius_round_trip') -What 'RADIUS round-trip benchmark'
    Invoke-Native cargo @('run', '--release', '--locked', '-q', '-p', 'mfa-engine', '--example', 'audit_cost') -What 'audit cost benchmark'
    Invoke-Native cargo @('run', '--release', '--locked', '-q', '-p', 'mfa-engine', '--example', 'audit_verify') -What 'audit verification benchmark'
    Invoke-Native cargo @('run', '--release', '--locked', '-q', '-p', 'mfa-engine', '--example', 'identity_cost') -What 'identity resolution benchmark'
    Invoke-Native cargo @('run', '--release', '--locked', '-q', '-p', 'mfa-engine', '--example', 'privacyidea_round_trip') -What 'privacyIDEA round-trip benchmark'
    Invoke-Native cargo @('run', '--release', '--locked', '-q', '-p', 'mfa-engine', '--example', 'redaction') -What 'redaction benchmark'
    & (Get-Pwsh) -NoProfile -NonInteractive -File (Join-Path $Root 'tools/Measure-MfaApproval.ps1') -ModulePath $Out
    if ($LASTEXITCODE -ne 0) { throw "the PowerShell benchmark failed (exit code $LASTEXITCODE)" }
}

switch ($Task) {
    'Build' { Invoke-Build }
    'Test' { Invoke-Test }
    'Fuzz' { Invoke-Fuzz }
    'Lint' { Invoke-Format; Invoke-Clippy }
    'Package' { Invoke-Package }
    'Assemble' { Invoke-Assemble }
    'Demo' { Invoke-Demo }
    'Bench' { Invoke-Bench }
    'Clean' {
        if (Test-Path (Join-Path $Root 'out')) { Remove-Item -Recurse -Force (Join-Path $Root 'out') }
        Invoke-Native cargo @('clean') -What 'cargo clean'
    }
}
