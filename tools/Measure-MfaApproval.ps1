<#
.SYNOPSIS
The PowerShell-side benchmark (build.ps1 Bench): prints numbers, asserts nothing.

.DESCRIPTION
Every figure comes with its baseline, measured in the same run:
- Import-Module in a fresh process (in-process time and wall time over a bare pwsh start),
  against a one-cmdlet binary module built here (PowerShell's own floor).
- Per approval against an instant-answer simulator: Invoke-MfaApproval; the C ABI alone
  (its .NET binding called from a loop, no cmdlet); a hand-written Invoke-WebRequest SOAP
  call; with a keyed hash-chained audit file beside none; and Duo, Okta and privacyIDEA (with
  and without its signing key pinned) beside SOAP on
  the same simulator.
- Ctrl+C-to-cancelled: PowerShell.Stop() on a pending Invoke-MfaApproval until stopped.
- 1,000 approvals started and waited on from one session: time and working set.
Needs pwsh 7 (Invoke-WebRequest -SkipCertificateCheck).

.PARAMETER ModulePath
The staged module (out/MfaApproval).
#>
[CmdletBinding()]
param([Parameter(Mandatory)][string]$ModulePath)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 2.0

$pwsh = (Get-Command pwsh -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1).Source
if (-not $pwsh) { $pwsh = Join-Path $PSHOME 'pwsh' }
$median = { param($xs) $s = @($xs | Sort-Object); $s[[int][math]::Floor($s.Count / 2)] }
$runs = 9

# PowerShell's floor: a binary module with one trivial cmdlet, a manifest and the same
# format file (its loading is PowerShell's work, the same for any module that has views).
$floor = Join-Path ([System.IO.Path]::GetTempPath()) "mfa-bench-floor-$PID"
$null = New-Item -ItemType Directory -Force -Path $floor
Add-Type -TypeDefinition '[System.Management.Automation.Cmdlet("Get","BenchFloor")] public class GetBenchFloor : System.Management.Automation.PSCmdlet { }' -OutputAssembly (Join-Path $floor 'Floor.dll') -OutputType Library
Copy-Item (Join-Path $ModulePath 'MfaApproval.format.ps1xml') (Join-Path $floor 'Floor.format.ps1xml')
Set-Content -Path (Join-Path $floor 'Floor.psd1') -Value "@{ RootModule = 'Floor.dll'; ModuleVersion = '1.0.0'; GUID = '$([guid]::NewGuid())'; CmdletsToExport = @('Get-BenchFloor'); FormatsToProcess = @('Floor.format.ps1xml') }"

function Measure-Import([string]$Path) {
    $wall = foreach ($i in 1..$runs) { (Measure-Command { & $pwsh -NoProfile -NonInteractive -Command "Import-Module '$Path'; exit 0" }).TotalMilliseconds }
    $inside = foreach ($i in 1..$runs) { [double](& $pwsh -NoProfile -NonInteractive -Command "`$t = [Diagnostics.Stopwatch]::StartNew(); Import-Module '$Path'; `$t.Elapsed.TotalMilliseconds") }
    @{ Wall = (& $median $wall); Inside = (& $median $inside) }
}
$bareRuns = foreach ($i in 1..$runs) { (Measure-Command { & $pwsh -NoProfile -NonInteractive -Command 'exit 0' }).TotalMilliseconds }
$bare = & $median $bareRuns
$ours = Measure-Import $ModulePath
$base = Measure-Import (Join-Path $floor 'Floor.psd1')
Remove-Item -Recurse -Force $floor
Write-Host ("Import-Module (median of {0} fresh processes): MfaApproval {1:N0} ms in-process (budget 80), {2:N0} ms wall over a bare pwsh start of {3:N0} ms (budget 150)" -f $runs, $ours.Inside, ($ours.Wall - $bare), $bare)
Write-Host ("  baseline, a one-cmdlet binary module with the same format file: {0:N0} ms in-process, {1:N0} ms wall over bare; MfaApproval/baseline in-process {2:N2}" -f $base.Inside, ($base.Wall - $bare), ($ours.Inside / $base.Inside))

Import-Module $ModulePath -Force
# The C ABI alone: its .NET binding called straight from a loop (start, wait, read the
# outcome, free: four static calls per approval, no cmdlet).
function Measure-Abi([object]$Connection, [int]$Count) {
    $client = $Connection.GetType().GetProperty('NativeClient', [Reflection.BindingFlags]'NonPublic,Instance').GetValue($Connection)
    $native = [MfaApproval.Interop.Native]
    $json = '{"userName":"bench@contoso.com","timeoutSeconds":30}'
    $clock = [Diagnostics.Stopwatch]::StartNew()
    for ($i = 0; $i -lt $Count; $i++) {
        $r = $native::StartRequest($client, $json)
        while ($native::Poll($r, 1000) -eq 0) { }
        if (-not $native::Outcome($r).Contains('"approved":true')) { throw 'not approved' }
        $r.Dispose()
    }
    $clock.Elapsed.TotalMilliseconds / $Count
}

$dir = Join-Path ([System.IO.Path]::GetTempPath()) "mfa-bench-$PID.json"
Set-Content $dir '{"users":[{"userName":"bench@contoso.com","answer":"approve","delaySeconds":0}]}'
$sim = Start-MfaSimulator -DirectoryFile $dir -NoResponseAfter 300
try {
    $n = 300
    $null = Invoke-MfaApproval -Connection $sim.Connection -UserName bench@contoso.com
    $null = Measure-Abi $sim.Connection 20
    $cmdlet = (Measure-Command { foreach ($i in 1..$n) { $null = Invoke-MfaApproval -Connection $sim.Connection -UserName bench@contoso.com } }).TotalMilliseconds / $n
    $abi = Measure-Abi $sim.Connection $n
    $body = '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><PfAuthUser_4 xmlns="http://www.phonefactor.com/PfWsSdk"><username>bench@contoso.com</username><initiatingAuthenticationType>pfsdk</initiatingAuthenticationType><applicationName>bench</applicationName><requireUserMatch>true</requireUserMatch></PfAuthUser_4></soap:Body></soap:Envelope>'
    $headers = @{ SOAPAction = '"http://www.phonefactor.com/PfWsSdk/PfAuthUser_4"'; Authorization = 'Basic ' + [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes('demo-admin:demo-password')) }
    $insecure = @{ SkipCertificateCheck = $true }
    $call = { $x = [xml](Invoke-WebRequest -Uri $sim.Uri -Method Post -Body $body -ContentType 'text/xml; charset=utf-8' -Headers $headers -UseBasicParsing @insecure).Content; $null = $x.Envelope.Body.PfAuthUser_4Response.PfAuthUser_4Result }
    & $call
    $iwr = (Measure-Command { foreach ($i in 1..$n) { & $call } }).TotalMilliseconds / $n
    Write-Host ("Per approval ({0} sequential, the user answers at once): Invoke-MfaApproval {1:N2} ms, the C ABI alone (its .NET binding) {2:N2} ms, hand-written Invoke-WebRequest SOAP {3:N2} ms" -f $n, $cmdlet, $abi, $iwr)
    Write-Host ("  cmdlet overhead over the C ABI {0:N2} ms (budget 0.5); Invoke-MfaApproval/Invoke-WebRequest {1:N2}" -f ($cmdlet - $abi), ($cmdlet / $iwr))

    # The audit trail per approval: a keyed hash-chained file beside no trail, same simulator.
    $auditFile = Join-Path ([System.IO.Path]::GetTempPath()) "mfa-bench-audit-$PID.jsonl"
    $auditKey = New-Object System.Security.SecureString
    foreach ($c in 'an audit key for the benchmark, 32+ chars'.ToCharArray()) { $auditKey.AppendChar($c) }
    $demoPassword = New-Object System.Security.SecureString
    foreach ($c in 'demo-password'.ToCharArray()) { $demoPassword.AppendChar($c) }
    $audited = New-MfaConnection -Uri $sim.Uri -Credential (New-Object System.Management.Automation.PSCredential('demo-admin', $demoPassword)) -ServerCertificateHash $sim.CertificateHash -AuditPath $auditFile -AuditKey $auditKey
    $null = Invoke-MfaApproval -Connection $audited -UserName bench@contoso.com
    $auditedMs = (Measure-Command { foreach ($i in 1..$n) { $null = Invoke-MfaApproval -Connection $audited -UserName bench@contoso.com } }).TotalMilliseconds / $n
    $valid = (Test-MfaAuditLog -Path $auditFile -AuditKey $auditKey).Valid
    Remove-Item $auditFile, "$auditFile.lock" -ErrorAction SilentlyContinue
    Write-Host ("Per approval with a keyed hash-chained audit file {0:N2} ms beside none {1:N2} ms (+{2:N3} ms; the file verified: {3})" -f $auditedMs, $cmdlet, ($auditedMs - $cmdlet), $valid)

    # Duo beside SOAP, same simulator, same kind of user (answers at once).
    $key = New-Object System.Security.SecureString
    foreach ($c in 'demo-duo-secret-key-for-mfa-sim-only-0000'.ToCharArray()) { $key.AppendChar($c) }
    $duo = New-MfaConnection -Provider Duo -ApiHost ('127.0.0.1:{0}' -f ([uri]$sim.Uri).Port) -IntegrationKey DIDEMOINTEGRATION001 -SecretKey $key -ServerCertificateHash $sim.CertificateHash
    $null = Invoke-MfaApproval -Connection $duo -UserName instant@contoso.com
    $duoMs = (Measure-Command { foreach ($i in 1..$n) { $null = Invoke-MfaApproval -Connection $duo -UserName instant@contoso.com } }).TotalMilliseconds / $n
    Write-Host ("Per approval, Duo (preauth, async auth, one long poll: 3 signed calls) {0:N2} ms beside MFA Server SOAP (1 call) {1:N2} ms; Duo/SOAP {2:N2}" -f $duoMs, $cmdlet, ($duoMs / $cmdlet))

    # Okta beside SOAP, same simulator, same kind of user (answers at once).
    $token = New-Object System.Security.SecureString
    foreach ($c in '00demo-okta-api-token-for-mfa-sim-only-0000000'.ToCharArray()) { $token.AppendChar($c) }
    $okta = New-MfaConnection -Provider Okta -OrgUrl ('https://127.0.0.1:{0}' -f ([uri]$sim.Uri).Port) -ApiToken $token -ServerCertificateHash $sim.CertificateHash
    $null = Invoke-MfaApproval -Connection $okta -UserName instant@contoso.com
    $oktaMs = (Measure-Command { foreach ($i in 1..$n) { $null = Invoke-MfaApproval -Connection $okta -UserName instant@contoso.com } }).TotalMilliseconds / $n
    Write-Host ("Per approval, Okta (user, factors, verify, one poll: 4 calls) {0:N2} ms beside MFA Server SOAP (1 call) {1:N2} ms; Okta/SOAP {2:N2}" -f $oktaMs, $cmdlet, ($oktaMs / $cmdlet))

    # privacyIDEA beside SOAP, same simulator, same kind of user (answers at once), built from
    # the registry like any later provider; with its response signing key pinned (every answer's
    # RSA-PSS signature checked) and without.
    $password = New-Object System.Security.SecureString
    foreach ($c in 'demo-password'.ToCharArray()) { $password.AppendChar($c) }
    $service = New-Object System.Management.Automation.PSCredential('demo-admin', $password)
    $piArgs = @{ Provider = 'PrivacyIdea'; Uri = ('https://127.0.0.1:{0}' -f ([uri]$sim.Uri).Port); Realm = 'contoso'; Credential = $service; ServerCertificateHash = $sim.CertificateHash }
    $pi = New-MfaConnection @piArgs
    $piSigned = New-MfaConnection @piArgs -ResponseSigningKey (Join-Path $PSScriptRoot '../tests/data/mfa-sim-privacyidea-signing-key.pem')
    foreach ($c in $pi, $piSigned) {
        $warm = Invoke-MfaApproval -Connection $c -UserName instant@contoso.com
        if ($warm.Status -ne 'Approved') { throw "privacyIDEA benchmark: the warm-up was $($warm.Status), not Approved: $($warm.Message)" }
    }
    $piMs = (Measure-Command { foreach ($i in 1..$n) { $null = Invoke-MfaApproval -Connection $pi -UserName instant@contoso.com } }).TotalMilliseconds / $n
    $piSignedMs = (Measure-Command { foreach ($i in 1..$n) { $null = Invoke-MfaApproval -Connection $piSigned -UserName instant@contoso.com } }).TotalMilliseconds / $n
    Write-Host ("Per approval, privacyIDEA (trigger, poll, final check) {0:N2} ms, with the signing key pinned {1:N2} ms, beside MFA Server SOAP (1 call) {2:N2} ms; privacyIDEA/SOAP {3:N2}, signed/unsigned {4:N2}" -f $piMs, $piSignedMs, $cmdlet, ($piMs / $cmdlet), ($piSignedMs / $piMs))

    $state = [System.Management.Automation.Runspaces.InitialSessionState]::CreateDefault()
    $state.ImportPSModule([string[]]@($ModulePath))
    $runspace = [runspacefactory]::CreateRunspace($state)
    $runspace.Open()
    $latencies = foreach ($i in 1..5) {
        $ps = [powershell]::Create()
        $ps.Runspace = $runspace
        $null = $ps.AddCommand('Invoke-MfaApproval').AddParameter('Connection', $sim.Connection).AddParameter('UserName', 'carol@contoso.com').AddParameter('Timeout', 300)
        $null = $ps.BeginInvoke()
        $deadline = [datetime]::UtcNow.AddSeconds(30)
        while ($ps.Streams.Progress.Count -eq 0 -and $ps.InvocationStateInfo.State -eq 'Running') {
            if ([datetime]::UtcNow -gt $deadline) { throw 'the approval never started waiting' }
            Start-Sleep -Milliseconds 5
        }
        if ($ps.InvocationStateInfo.State -ne 'Running') { throw "Invoke-MfaApproval ended early: $($ps.Streams.Error | Select-Object -First 1)" }
        $t = [Diagnostics.Stopwatch]::StartNew()
        $ps.Stop()
        $t.Elapsed.TotalMilliseconds
        $ps.Dispose()
    }
    $runspace.Dispose()
    Write-Host ("Ctrl+C to cancelled (PowerShell.Stop() on a pending Invoke-MfaApproval until it returns): median {0:N1} ms of 5" -f (& $median $latencies))

    [GC]::Collect()
    $before = (Get-Process -Id $PID).WorkingSet64
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $results = 1..1000 | ForEach-Object { 'bench@contoso.com' } | Start-MfaApproval -Connection $sim.Connection | Wait-MfaApproval
    $clock.Stop()
    $peak = (Get-Process -Id $PID).WorkingSet64
    $approved = @($results | Where-Object Approved).Count
    Write-Host ("1,000 approvals from one session: {0:N2} s, {1} approved, working set +{2:N1} MiB ({3:N1} MiB after)" -f $clock.Elapsed.TotalSeconds, $approved, (($peak - $before) / 1MB), ($peak / 1MB))
}
finally {
    $sim | Stop-MfaSimulator
    Remove-Item $dir -ErrorAction SilentlyContinue
}
