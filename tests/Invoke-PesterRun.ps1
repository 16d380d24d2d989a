# Runs the Pester suite under one Pester version in this (fresh) pwsh process and writes
# the counts to -ResultFile. build.ps1 Test calls it once per Pester version (the whole
# suite under 6.2.0, the files of tests/Pester5.txt under 5.7.1).
param(
    [Parameter(Mandatory)][string]$PesterVersion,
    [Parameter(Mandatory)][string]$ModulePath,
    [Parameter(Mandatory)][string]$ResultFile,
    # A file naming the test files to run, one per line (relative to tests/; # comments),
    # such as tests/Pester5.txt; without it, every file in tests/.
    [string]$ListFile
)
$ErrorActionPreference = 'Stop'
Import-Module Pester -RequiredVersion $PesterVersion
$env:MFA_MODULE_PATH = $ModulePath
$config = New-PesterConfiguration
$config.Run.Path = if ($ListFile) {
    @(Get-Content -LiteralPath $ListFile | Where-Object { $_ -match '\S' -and $_ -notmatch '^\s*#' } | ForEach-Object { Join-Path $PSScriptRoot $_.Trim() })
}
else { $PSScriptRoot }
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Normal'
$result = Invoke-Pester -Configuration $config
@{
    Passed  = $result.PassedCount
    Failed  = $result.FailedCount
    Skipped = $result.SkippedCount
    Files   = @($result.Containers).Count
    Errors  = @($result.Containers | Where-Object { $_.Result -eq 'Failed' -and $_.FailedCount -eq 0 }).Count
} | ConvertTo-Json | Set-Content -Path $ResultFile
