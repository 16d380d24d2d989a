# Runs the Pester suite under one Pester version in this (fresh) pwsh process and writes
# the counts to -ResultFile. build.ps1 Test calls it once per Pester version.
param(
    [Parameter(Mandatory)][string]$PesterVersion,
    [Parameter(Mandatory)][string]$ModulePath,
    [Parameter(Mandatory)][string]$ResultFile
)
$ErrorActionPreference = 'Stop'
Import-Module Pester -RequiredVersion $PesterVersion
$env:MFA_MODULE_PATH = $ModulePath
$config = New-PesterConfiguration
$config.Run.Path = $PSScriptRoot
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Normal'
$result = Invoke-Pester -Configuration $config
@{
    Passed  = $result.PassedCount
    Failed  = $result.FailedCount
    Skipped = $result.SkippedCount
    Errors  = @($result.Containers | Where-Object { $_.Result -eq 'Failed' -and $_.FailedCount -eq 0 }).Count
} | ConvertTo-Json | Set-Content -Path $ResultFile
