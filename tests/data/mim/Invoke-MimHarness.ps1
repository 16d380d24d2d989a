<#
.SYNOPSIS
Plays the MIM Service against an installed MfaApproval MIM provider, in a process of its own
(no MfaApproval module imported: the adapter finds MfaApproval.dll itself, as in MIM).

.DESCRIPTION
Loads the interface assembly (as the MIM Service has it loaded), the harness
(tests/data/mim/MimHarness.cs, compiled) and the adapter named in MfaSettings.xml; then
either runs the calls in -PhonesFile (a JSON array of phone numbers) through
MimHarness.Run, or (-Abandon) starts them and never asks again, waiting until the adapter
has cancelled and freed them, or (-Tricks) tries call ids and request ids a host could use
to get a Success it should not, or (-Concurrent) initiates one request id from two threads at
the same moment, ten times with the same number and ten times with two numbers, or
(-RestoreFrom/-RestoreTo) starts with a provider that cannot start, copies the file back and
shows the next start (1 s later here, 30 s in MIM) works without a restart. Writes one JSON
document to -OutFile. Windows PowerShell 5.1 syntax.
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
    [switch]$Abandon,
    [switch]$Tricks,
    [switch]$Concurrent,
    [string]$RestoreFrom,
    [string]$RestoreTo
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 2.0

$null = [System.Reflection.Assembly]::LoadFrom($InterfacePath)
$null = [System.Reflection.Assembly]::LoadFrom($HarnessPath)
[xml]$mfa = Get-Content -Raw -Path (Join-Path $ServicePath 'MfaSettings.xml')
$adapterPath = $mfa.DocumentElement.CustomPhoneProvider
$provider = [MfaApproval.Tests.MimHarness]::Load($adapterPath)
$exported = @([System.Reflection.Assembly]::LoadFrom($adapterPath).GetExportedTypes() | ForEach-Object { $_.FullName })
# Windows PowerShell 5.1 emits a JSON array as one object: enumerate it.
$phones = @(Get-Content -Raw -Path $PhonesFile | ConvertFrom-Json | ForEach-Object { $_ })
$loaded = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'MfaApproval' } | ForEach-Object { $_.Location })

function Wait-Final([string]$Id) {
    # MIM's side of a call: ask until the answer is not Pending (bounded).
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    while ($clock.Elapsed.TotalSeconds -lt $DeadlineSeconds) {
        $s = $provider.GetCallStatus($Id).ToString()
        if ($s -ne 'Pending') { return $s }
        Start-Sleep -Milliseconds 50
    }
    'Pending'
}
$none = New-Object 'System.Collections.Generic.Dictionary[string,object]'

if ($Tricks) {
    # Ways a host could try to get a Success it should not: phones are $phones[0] (approves),
    # $phones[1] (denies), $phones[2] (never answers).
    $approver = [string]$phones[0]; $denier = [string]$phones[1]; $silent = [string]$phones[2]
    $x = [guid]::NewGuid()
    $xInitiated = $provider.InitiateCall($approver, $x, $none).ToString()
    $xFinal = Wait-Final $x.ToString()
    $unknownId = [guid]::NewGuid().ToString()
    # The same call id started again for someone who denies: a new approval, not the old Success.
    $again = $provider.InitiateCall($denier, $x, $none).ToString()
    $againFinal = Wait-Final $x.ToString()
    # A second InitiateCall for a pending id with an approving number must not swap the approver in.
    $y = [guid]::NewGuid()
    $yInitiated = $provider.InitiateCall($silent, $y, $none).ToString()
    $ySwap = $provider.InitiateCall($approver, $y, $none).ToString()
    $yFinal = Wait-Final $y.ToString()
    # The other way round: an approving number pending, then the same id for someone who denies
    # must not end as the first one's Success.
    $w = [guid]::NewGuid()
    $wInitiated = $provider.InitiateCall($approver, $w, $none).ToString()
    $wSwap = $provider.InitiateCall($denier, $w, $none).ToString()
    $wFinal = Wait-Final $w.ToString()
    $z = [guid]::NewGuid()
    $zFinal = $null
    if ($provider.InitiateCall($approver, $z, $none).ToString() -eq 'Pending') { $zFinal = Wait-Final $z.ToString() }
    $result = @{
        XInitiated        = $xInitiated
        XFinal            = $xFinal
        UnknownStatus     = $provider.GetCallStatus($unknownId).ToString()
        UnknownMessage    = $provider.GetFailureMessage($unknownId)
        NullStatus        = $provider.GetCallStatus($null).ToString()
        NullMessage       = $provider.GetFailureMessage($null)
        UpperStatus       = $provider.GetCallStatus($z.ToString().ToUpperInvariant()).ToString()
        BracedStatus      = $provider.GetCallStatus($z.ToString('B')).ToString()
        NoDashStatus      = $provider.GetCallStatus($z.ToString('N')).ToString()
        MalformedStatus   = $provider.GetCallStatus('not-a-guid').ToString()
        MalformedMessage  = $provider.GetFailureMessage("not-a-guid`r`nInjected: line")
        NearMissStatus    = $provider.GetCallStatus($z.ToString().Substring(0, 35)).ToString()
        EmptyStatus       = $provider.GetCallStatus('').ToString()
        ZFinal            = $zFinal
        AgainInitiated    = $again
        AgainFinal        = $againFinal
        AgainMessage      = $provider.GetFailureMessage($x.ToString())
        YInitiated        = $yInitiated
        YSwap             = $ySwap
        WInitiated        = $wInitiated
        WSwap             = $wSwap
        WFinal            = $wFinal
        YFinal            = $yFinal
        YMessage          = $provider.GetFailureMessage($y.ToString())
        StartFailure      = $provider.StartFailure
    }
}
elseif ($RestoreFrom) {
    $provider.Dispose()
    $settingsFile = Join-Path $ServicePath 'MfaApproval.MimProvider.settings.xml'
    $provider = New-Object $provider.GetType().FullName -ArgumentList $settingsFile, ([TimeSpan]::FromSeconds(1))
    $first = [guid]::NewGuid()
    $firstInitiated = $provider.InitiateCall([string]$phones[0], $first, $none).ToString()
    $firstMessage = $provider.GetFailureMessage($first.ToString())
    Copy-Item -LiteralPath $RestoreFrom -Destination $RestoreTo -Force
    # StartFailure tries again once the 1 s has passed: ask until it is gone (bounded).
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    while ($provider.StartFailure -and $clock.Elapsed.TotalSeconds -lt 20) { Start-Sleep -Milliseconds 200 }
    $second = [guid]::NewGuid()
    $secondInitiated = $provider.InitiateCall([string]$phones[0], $second, $none).ToString()
    $result = @{
        FirstInitiated  = $firstInitiated
        FirstMessage    = $firstMessage
        SecondInitiated = $secondInitiated
        SecondFinal     = Wait-Final $second.ToString()
        StartFailure    = $provider.StartFailure
    }
}
elseif ($Concurrent) {
    # $phones[0] approves, $phones[1] never answers.
    $approver = [string]$phones[0]; $silent = [string]$phones[1]
    $sameIds = $null
    $same = [MfaApproval.Tests.MimHarness]::InitiateTwiceAtOnce($provider, $approver, $approver, 10, [ref]$sameIds)
    $openAfterSame = $provider.OpenRequests
    $sameFinal = @($sameIds | ForEach-Object { Wait-Final $_.ToString() })
    $mixedIds = $null
    $mixed = [MfaApproval.Tests.MimHarness]::InitiateTwiceAtOnce($provider, $approver, $silent, 10, [ref]$mixedIds)
    $mixedFinal = @($mixedIds | ForEach-Object { Wait-Final $_.ToString() })
    $result = @{
        SameIds       = @($sameIds | ForEach-Object { $_.ToString() })
        SameAnswers   = @($same | ForEach-Object { $_ -join ',' })
        OpenAfterSame = $openAfterSame
        SameFinal     = $sameFinal
        MixedIds      = @($mixedIds | ForEach-Object { $_.ToString() })
        MixedAnswers  = @($mixed | ForEach-Object { $_ -join ',' })
        MixedFinal    = $mixedFinal
        MixedMessages = @($mixedIds | ForEach-Object { $provider.GetFailureMessage($_.ToString()) })
        StartFailure  = $provider.StartFailure
    }
}
elseif ($Abandon) {
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
        Exported     = $exported
    }
}
$provider.Dispose()
[System.IO.File]::WriteAllText($OutFile, ($result | ConvertTo-Json -Depth 5), (New-Object System.Text.UTF8Encoding($false)))
