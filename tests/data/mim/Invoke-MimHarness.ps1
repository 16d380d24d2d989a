<#
.SYNOPSIS
Plays the MIM Service against an installed MfaApproval MIM provider, in a process of its own
(no MfaApproval module imported: the adapter finds MfaApproval.dll itself, as in MIM).

.DESCRIPTION
Loads the interface assembly (as the MIM Service has it loaded), the harness
(tests/data/mim/MimHarness.cs, compiled) and the adapter named in MfaSettings.xml; then
either runs the calls in -PhonesFile (a JSON array of phone numbers) through
MimHarness.Run, or (-Abandon) starts them and never asks again, waiting until the adapter
has cancelled and freed them. Writes one JSON document to -OutFile. Windows PowerShell 5.1
syntax.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][string]$ServicePath,
    [Parameter(Mandatory = $true)][string]$InterfacePath,
    [Parameter(Mandatory = $true)][string]$HarnessPath,
    [Parameter(Mandatory = $true)][string]$PhonesFile,
    [Parameter(Mandatory = $true)][string]$OutFile,
    [int]$Pollers = 4,
    [double]$DeadlineSeconds = 60,
    [switch]$Abandon
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 2.0

$null = [System.Reflection.Assembly]::LoadFrom($InterfacePath)
$null = [System.Reflection.Assembly]::LoadFrom($HarnessPath)
[xml]$mfa = Get-Content -Raw -Path (Join-Path $ServicePath 'MfaSettings.xml')
$adapterPath = $mfa.DocumentElement.CustomPhoneProvider
$provider = [MfaApproval.Tests.MimHarness]::Load($adapterPath)
$phones = @(Get-Content -Raw -Path $PhonesFile | ConvertFrom-Json)
$loaded = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'MfaApproval' } | ForEach-Object { $_.Location })

if ($Abandon) {
    $started = @()
    foreach ($phone in $phones) {
        $id = [guid]::NewGuid()
        $started += @{ RequestId = $id.ToString(); Initiated = $provider.InitiateCall([string]$phone, $id, (New-Object 'System.Collections.Generic.Dictionary[string,object]')).ToString() }
    }
    $openAfterStart = $provider.OpenRequests
    # Wait (bounded) for the adapter's sweep to give up on calls nobody asks about.
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    while ($provider.OpenRequests -gt 0 -and $clock.Elapsed.TotalSeconds -lt $DeadlineSeconds) { Start-Sleep -Milliseconds 100 }
    $result = @{
        OpenAfterStart = $openAfterStart
        OpenAtEnd      = $provider.OpenRequests
        Seconds        = $clock.Elapsed.TotalSeconds
        Calls          = @($started | ForEach-Object { @{ RequestId = $_.RequestId; Initiated = $_.Initiated; Final = $provider.GetCallStatus($_.RequestId).ToString(); Message = $provider.GetFailureMessage($_.RequestId) } })
        StartFailure   = $provider.StartFailure
        Loaded         = $loaded
    }
}
else {
    $reports = [MfaApproval.Tests.MimHarness]::Run($provider, [string[]]$phones, $Pollers, $DeadlineSeconds)
    $result = @{
        Calls        = @($reports | ForEach-Object { @{ Index = $_.Index; Phone = $_.Phone; RequestId = $_.RequestId; Initiated = $_.Initiated; Final = $_.Final; Message = $_.Message; InitiateThread = $_.InitiateThread; StatusThread = $_.StatusThread; MessageThread = $_.MessageThread; Polls = $_.Polls; Seconds = $_.Seconds; Escaped = $_.Escaped } })
        OpenAtEnd    = $provider.OpenRequests
        StartFailure = $provider.StartFailure
        Loaded       = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'MfaApproval' } | ForEach-Object { $_.Location })
    }
}
$provider.Dispose()
[System.IO.File]::WriteAllText($OutFile, ($result | ConvertTo-Json -Depth 5), (New-Object System.Text.UTF8Encoding($false)))
