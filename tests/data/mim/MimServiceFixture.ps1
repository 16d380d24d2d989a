# Dot-sourced in BeforeAll (after TestHelpers.ps1) by the MIM provider tests that play MIM:
# a fake MIM Service folder (a space in its path) with MIM's interface compiled under an
# unrelated file name, DLLs that are not .NET for the metadata reader, an MfaSettings.xml
# naming another vendor's provider, the phone map of the demo users, the harness that plays
# MIM (tests/data/mim/MimHarness.cs) beside the interface, and the simulator (MFA Server).
# Defines Invoke-Harness (MIM in a process of its own) and Install-Test. The caller stops
# $sim in AfterAll.
. $PSScriptRoot/MimFixture.ps1
$onWindows = $OnWindows
$compiler = $MimCompiler
$demoPassword = 'demo-password'
$demoDuoSecret = 'demo-duo-secret-key-for-mfa-sim-only-0000'

$service = Join-Path $TestDrive 'Microsoft Forefront Identity Manager/2010/Service'
$null = New-Item -ItemType Directory -Force -Path $service
$interface = Join-Path $service 'Contoso.Mim.Hooks.dll'
Invoke-MimCompiler $interface @((Join-Path $RepoRoot 'tests/data/mim/PhoneServiceProvider.cs')) @()
$native = Get-ChildItem (Join-Path $ModulePath 'runtimes') -Recurse -File | Where-Object { $_.Name -match 'mfa_approval' } | Select-Object -First 1
Copy-Item $native.FullName (Join-Path $service 'Native.Helper.dll')
$junk = New-Object byte[] 4096
(New-Object System.Random 7).NextBytes($junk)
[System.IO.File]::WriteAllBytes((Join-Path $service 'junk.dll'), $junk)
[System.IO.File]::WriteAllBytes((Join-Path $service 'stub.dll'), [byte[]](0x4D, 0x5A, 0, 0))
Copy-Item (Join-Path $ModulePath 'MfaApproval.dll') (Join-Path $service 'Unrelated.Managed.dll')
$mfaSettings = Join-Path $service 'MfaSettings.xml'
$originalSettings = "<?xml version=`"1.0`" encoding=`"utf-8`"?>`r`n<MfaServiceSettings>`r`n  <CustomPhoneProvider>C:\Vendor\OtherPhoneGate.dll</CustomPhoneProvider>`r`n  <Username>azure-mfa-sdk-user</Username>`r`n  <Password>old-sdk-password</Password>`r`n  <LicenseKey>ABC123</LicenseKey>`r`n  <GroupKey>g</GroupKey>`r`n  <CertFilePath>C:\mfa\cert.pfx</CertFilePath>`r`n</MfaServiceSettings>`r`n"
[System.IO.File]::WriteAllText($mfaSettings, $originalSettings)

# The phone map: each demo user's number written a different way; one number listed for
# two people (ambiguous); the same person twice (not ambiguous).
$phoneMap = Join-Path $TestDrive 'phones.csv'
Set-Content -Path $phoneMap -Encoding utf8 -Value @(
    'PhoneNumber,UserName'
    '+1 (555) 010-0001,alice@contoso.com'
    '+15550100002,bob@contoso.com'
    '"+1 555 010 0003",mallory@contoso.com'
    '+1.555.010.0004,carol@contoso.com'
    '+15550100099,alice@contoso.com'
    '+1 555 010 0099,bob@contoso.com'
    '+15550100005,alice@contoso.com'
    '+1 555 010 0005,ALICE@contoso.com'
    '+15550100006,nobody@contoso.com'
)
$alice = '+1 555 010 0001'; $bob = '+1-555-010-0002'; $mallory = '15550100003'; $carol = '+1 555 010 0004'
$ambiguous = '+15550100099'; $unknown = '+1 555 999 9999'; $aliceTwice = '+15550100005'; $notANumber = '+1 555 CALL-NOW'

# The harness sits beside the interface assembly, as MIM's own code does: the .NET Framework
# then binds its reference to the copy already loaded (a load-from context of one folder).
$harness = Join-Path $service 'MfaApproval.Tests.MimHarness.dll'
Invoke-MimCompiler $harness @((Join-Path $RepoRoot 'tests/data/mim/MimHarness.cs')) @($interface)

$sim = Start-MfaSimulator -NoResponseAfter 60
$cred = New-Object System.Management.Automation.PSCredential('demo-admin', (New-TestSecureString $demoPassword))
$audit = Join-Path $TestDrive 'mim-audit.jsonl'
$moduleFolder = Join-Path $service 'MfaApproval.MimProvider'
# A Windows runner's checkout belongs to its user, not to administrators (MimSecurity.Tests
# shows the installer refuses such a folder there); these tests install from it anyway.
if ($onWindows) { $PSDefaultParameterValues = @{ 'Install-MfaMimProvider:AllowUnprotectedModuleFolder' = $true } }

# MIM in a process of its own (no module imported there), as the MIM Service.
function Invoke-Harness([string[]]$Phones, [switch]$Abandon, [switch]$Tricks, [switch]$Concurrent, [string]$RestoreFrom, [string]$RestoreTo, [double]$Deadline = 60) {
    $phonesFile = Join-Path $TestDrive "phones-$([guid]::NewGuid().ToString('N')).json"
    $outFile = "$phonesFile.out"
    [System.IO.File]::WriteAllText($phonesFile, (ConvertTo-Json -InputObject @($Phones) -Compress))
    $arguments = @('-NoProfile', '-NonInteractive', '-File', (Join-Path $RepoRoot 'tests/data/mim/Invoke-MimHarness.ps1'),
        '-ServicePath', $service, '-InterfacePath', $interface, '-HarnessPath', $harness, '-PhonesFile', $phonesFile, '-OutFile', $outFile, '-DeadlineSeconds', $Deadline)
    if ($Abandon) { $arguments += '-Abandon' }
    if ($Tricks) { $arguments += '-Tricks' }
    if ($Concurrent) { $arguments += '-Concurrent' }
    if ($RestoreFrom) { $arguments += @('-RestoreFrom', $RestoreFrom, '-RestoreTo', $RestoreTo) }
    $r = & $InvokeNative -FilePath $Pwsh -ArgumentList $arguments
    if ($r.ExitCode -ne 0 -or -not (Test-Path $outFile)) { throw "the harness failed (exit code $($r.ExitCode)): $(@($r.Output) + @($r.Error) -join ' ')" }
    Get-Content -Raw $outFile | ConvertFrom-Json
}

function Install-Test([object]$Connection, [hashtable]$Extra = @{}) {
    $p = @{ ServicePath = $service; Connection = $Connection; PhoneMap = $phoneMap; CompilerPath = $compiler; Credential = $cred; AllowPlainTextSecret = $true; Timeout = 4; AuditPath = $audit }
    foreach ($k in $Extra.Keys) { $p[$k] = $Extra[$k] }
    Install-MfaMimProvider @p -WarningAction SilentlyContinue -InformationAction Ignore
}
