# The GitHub workflows, parsed (PyYAML from the test peers' venv, a key written twice refused):
# every job that compiles the cmdlets takes the .NET Framework 4.5.2 reference assemblies from
# the one shared step (.github/actions/netfx452-reference-assemblies) before it compiles, and no
# workflow names a folder of its own (release.yml once hard-coded the targeting pack that
# windows-latest no longer has); linux.yml runs the lint, the MSRV build and .ci/run.
BeforeDiscovery {
    . $PSScriptRoot/TestHelpers.ps1
    $venv = Join-Path $RepoRoot 'out/venv'
    $python = @((Join-Path $venv 'bin/python'), (Join-Path $venv 'Scripts/python.exe')) | Where-Object { Test-Path -LiteralPath $_ } | Select-Object -First 1
    $yamlReady = $python -and ((& $InvokeNative -FilePath $python -ArgumentList @('-c', 'import yaml')).ExitCode -eq 0)
    if (-not $yamlReady -and $env:CI -eq 'true') { throw 'tests/Workflows.Tests.ps1 needs PyYAML in out/venv under CI=true (build.ps1 Test installs tests/python/requirements.txt there)' }
}

Describe 'GitHub workflows' -Skip:(-not $yamlReady) {
    BeforeAll {
        . $PSScriptRoot/TestHelpers.ps1
        $venv = Join-Path $RepoRoot 'out/venv'
        $python = @((Join-Path $venv 'bin/python'), (Join-Path $venv 'Scripts/python.exe')) | Where-Object { Test-Path -LiteralPath $_ } | Select-Object -First 1
        $sharedStep = './.github/actions/netfx452-reference-assemblies'

        function Read-Yaml([string]$Path) {
            $r = & $InvokeNative -FilePath $python -ArgumentList @((Join-Path $RepoRoot 'tests/data/yaml_to_json.py'), $Path)
            if ($r.ExitCode -ne 0) { throw "${Path}: $($r.Error -join ' ')" }
            ($r.Output -join "`n") | ConvertFrom-Json
        }

        # Whether a step's script compiles the cmdlets: build.ps1 with a task that builds (no
        # task is Build), .ci/run (build.ps1 Test), or a C# compiler called directly.
        function Test-CompilesCmdlets([string]$Run) {
            if (-not $Run) { return $false }
            if ($Run -match '(^|[\s/\\])\.ci/run\b' -or $Run -match '(^|[\s&(''"])(mcs|csc)(\.exe)?\b') { return $true }
            foreach ($m in [regex]::Matches($Run, 'build\.ps1[''"]?(?:\s+(?:-Task\s+)?(?<task>[A-Za-z]+))?')) {
                $task = if ($m.Groups['task'].Success) { $m.Groups['task'].Value } else { 'Build' }
                if (@('Build', 'Test', 'Package', 'Assemble', 'Demo', 'Bench') -contains $task) { return $true }
                if (@('Lint', 'Clean') -notcontains $task) { return $true }   # a parameter, not a task: Build
            }
            $false
        }

        # What is wrong in one parsed workflow (file name for the messages), and the jobs that compile.
        function Get-WorkflowProblems([string]$Name, $Workflow, [string]$Text) {
            $problems = New-Object System.Collections.Generic.List[string]
            $compiling = New-Object System.Collections.Generic.List[string]
            if ($Text -match 'Reference Assemblies[\\/]+Microsoft[\\/]+Framework') { $problems.Add("${Name}: names a targeting pack folder (use $sharedStep)") }
            $envs = @(@{ Where = 'the workflow'; Env = $Workflow.PSObject.Properties['env'] })
            foreach ($job in $Workflow.jobs.PSObject.Properties) {
                $envs += @{ Where = "job $($job.Name)"; Env = $job.Value.PSObject.Properties['env'] }
                $shared = $false
                $index = 0
                foreach ($step in @($job.Value.steps)) {
                    $index++
                    $label = if ($step.PSObject.Properties['name']) { $step.name } else { "step $index" }
                    $envs += @{ Where = "job $($job.Name), $label"; Env = $step.PSObject.Properties['env'] }
                    $uses = if ($step.PSObject.Properties['uses']) { [string]$step.uses } else { '' }
                    $run = if ($step.PSObject.Properties['run']) { [string]$step.run } else { '' }
                    if ($uses -eq $sharedStep) { $shared = $true }
                    if (Test-CompilesCmdlets $run) {
                        $compiling.Add("$Name/$($job.Name)")
                        if (-not $shared) { $problems.Add("${Name}: job $($job.Name), $label compiles the cmdlets without the shared step $sharedStep before it") }
                    }
                }
            }
            foreach ($e in $envs) {
                if ($e.Env -and $e.Env.Value -and $e.Env.Value.PSObject.Properties['MFA_NETFX_REFERENCE']) { $problems.Add("${Name}: $($e.Where) sets MFA_NETFX_REFERENCE itself (use $sharedStep)") }
            }
            @{ Problems = @($problems); Compiling = @($compiling | Select-Object -Unique) }
        }

        $workflows = @(Get-ChildItem (Join-Path $RepoRoot '.github/workflows') -Filter *.yml | Sort-Object Name)
    }

    It 'every job that compiles the cmdlets takes the reference assemblies from the shared step first' {
        $problems = @()
        $compiling = @()
        foreach ($f in $workflows) {
            $r = Get-WorkflowProblems $f.Name (Read-Yaml $f.FullName) ([System.IO.File]::ReadAllText($f.FullName))
            $problems += $r.Problems
            $compiling += $r.Compiling
        }
        $problems | Should -BeNullOrEmpty
        # Not vacuous: the jobs known to compile were found as such.
        foreach ($job in 'windows.yml/test', 'release.yml/assemble', 'linux.yml/test') { $compiling | Should -Contain $job }
    }

    It 'finds a job that compiles without the shared step, with it too late, or with a folder of its own' {
        $path = Join-Path $TestDrive 'sample.yml'
        Set-Content -LiteralPath $path -Encoding ASCII -Value @'
name: sample
on: push
jobs:
  none:
    runs-on: windows-latest
    steps:
      - shell: powershell
        run: powershell.exe -NoProfile -File build.ps1 Test
  late:
    runs-on: windows-latest
    steps:
      - run: ./build.ps1 -Task Assemble -NativeRoot x
      - uses: ./.github/actions/netfx452-reference-assemblies
  own:
    runs-on: windows-latest
    env:
      MFA_NETFX_REFERENCE: C:\Program Files (x86)\Reference Assemblies\Microsoft\Framework\.NETFramework\v4.5.2
    steps:
      - uses: ./.github/actions/netfx452-reference-assemblies
      - run: pwsh ./build.ps1
  direct:
    runs-on: ubuntu-latest
    steps:
      - name: by hand
        run: mcs -target:library -out:x.dll powershell/src/*.cs
  fine:
    runs-on: ubuntu-latest
    steps:
      - uses: ./.github/actions/netfx452-reference-assemblies
      - run: sudo bash .ci/run
      - run: pwsh ./build.ps1 Lint
  lint-only:
    runs-on: ubuntu-latest
    steps:
      - run: pwsh ./build.ps1 Lint; pwsh ./build.ps1 Clean
'@
        $r = Get-WorkflowProblems 'sample.yml' (Read-Yaml $path) (Get-Content -Raw -LiteralPath $path)
        $r.Problems | Should -Be @(
            'sample.yml: names a targeting pack folder (use ./.github/actions/netfx452-reference-assemblies)',
            'sample.yml: job none, step 1 compiles the cmdlets without the shared step ./.github/actions/netfx452-reference-assemblies before it',
            'sample.yml: job late, step 1 compiles the cmdlets without the shared step ./.github/actions/netfx452-reference-assemblies before it',
            'sample.yml: job direct, by hand compiles the cmdlets without the shared step ./.github/actions/netfx452-reference-assemblies before it',
            'sample.yml: job own sets MFA_NETFX_REFERENCE itself (use ./.github/actions/netfx452-reference-assemblies)')
        $r.Compiling | Should -Be @('sample.yml/none', 'sample.yml/late', 'sample.yml/own', 'sample.yml/direct', 'sample.yml/fine')
    }

    It 'refuses a workflow with a key written twice (GitHub does; a YAML reader keeping one would check the wrong one)' {
        $path = Join-Path $TestDrive 'twice.yml'
        Set-Content -LiteralPath $path -Encoding ASCII -Value "jobs:`n  a:`n    steps:`n      - uses: $sharedStep`n        run: ./build.ps1 Test`n        run: echo`n"
        { Read-Yaml $path } | Should -Throw '*written twice*'
    }

    It 'the shared step runs tools/Get-NetFx452ReferenceAssemblies.ps1 for the steps after it (-GitHubEnv)' {
        $action = Read-Yaml (Join-Path $RepoRoot '.github/actions/netfx452-reference-assemblies/action.yml')
        $action.runs.using | Should -Be 'composite'
        @($action.runs.steps).Count | Should -Be 1
        $action.runs.steps[0].run | Should -Match 'tools/Get-NetFx452ReferenceAssemblies\.ps1''\)\s+-Destination .+ -GitHubEnv'
    }

    It 'linux.yml runs build.ps1 Lint, the build with the declared minimum Rust, and .ci/run' {
        $linux = Read-Yaml (Join-Path $RepoRoot '.github/workflows/linux.yml')
        $runs = @{}
        foreach ($job in $linux.jobs.PSObject.Properties) { $runs[$job.Name] = @($job.Value.steps | ForEach-Object { if ($_.PSObject.Properties['run']) { $_.run } }) -join "`n" }
        $runs['lint'] | Should -Match '\./build\.ps1 Lint'
        $runs['test'] | Should -Match 'bash \.ci/run'
        # The MSRV comes from Cargo.toml through cargo metadata, never a number written here.
        $runs['msrv'] | Should -Match 'cargo metadata --no-deps .*rust_version'
        $toolchains = @($linux.jobs.msrv.steps | Where-Object { $_.PSObject.Properties['uses'] -and $_.uses -like 'dtolnay/rust-toolchain@*' })
        $toolchains.Count | Should -Be 1
        $toolchains[0].with.toolchain | Should -Be '${{ steps.msrv.outputs.version }}'
        $runs['msrv'] | Should -Match 'cargo \+\$\{\{ steps\.msrv\.outputs\.version \}\} build --workspace --all-targets --locked'
        $code = @(Get-Content (Join-Path $RepoRoot '.github/workflows/linux.yml') | Where-Object { $_ -notmatch '^\s*#' }) -join "`n"
        $code | Should -Not -Match '\b1\.\d{2}(\.\d+)?\b'
    }
}
