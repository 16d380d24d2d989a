<#
.SYNOPSIS
MIMWAL "Run PowerShell Script" wrapper: asks a user for an MFA approval in a separate
PowerShell process and returns a hashtable for WorkflowData.

.DESCRIPTION
Put this script (or its path) in a MIMWAL Run PowerShell Script activity of an
authorization workflow. It starts powershell.exe (Windows) or pwsh on
MfaApprovalChild.ps1, which imports the MfaApproval module and runs Invoke-MfaApproval,
so a native fault can never take the MIM Service down. On Windows the child runs in a
kill-on-close Job Object, so it never outlives the MIM Service. Every value (the user name, the
MIM ids, the settings path) reaches the child as JSON on standard input, never on its
command line, so no user name can add arguments. It enforces its own timeout (the child
is killed when it runs over, or when the pipeline is stopped), writes nothing to the
error stream on success and returns one hashtable:

    @{ Approved = $true/$false; Status = 'Approved'|'Denied'|...; UserName; CallResult;
       CallResultDescription; ErrorCode; RequestId; Message; DurationSeconds; AuditId;
       DecidedBy; Approvers; ExitCode }

AuditId is the id of the request's line in the audit trail when the settings name an
AuditPath. With several -UserName values and -Require (Any, All or a number), the approvers
are asked at once and the quorum decides (DecidedBy, Approvers: "user=Status; ...").

With -Assert (recommended in authorization workflows) anything but Approved is a
terminating error, which fails the activity and so the authorization.

ExitCode is the child's: 0 approved, 1 answered but not approved, 2 the approval could
not be attempted (bad settings, module missing, invalid user name); -1 when the child
ran over its limit and was killed.

MIMWAL context: pass $AECRequestId, $AECActorId and $AECTargetId as -MimRequestId,
-MimActorId, -MimTargetId. They travel as the request's context (Duo shows them with the
push; both providers keep them in the audit trail), and -Reason (default "MIM request <id>")
is the text of the push (Duo) or the applicationName the MFA server reports.

.PARAMETER UserName
The user who must approve (e.g. the target's UPN, looked up by the workflow), or with
-Require the approvers (at most 20).

.PARAMETER Require
With several user names: Any, All, or the number of approvals needed.

.PARAMETER Reason
What the approver is asked to approve (shown on the phone where the provider can).

.PARAMETER SettingsPath
A .psd1 with the connection settings. MFA Server: Uri (required), CredentialPath (an
Export-Clixml'd PSCredential, DPAPI-protected for the MIM service account),
ClientCertificateFile, InitiatingAuthenticationType. Duo: Provider = 'Duo', ApiHost,
IntegrationKey, SecretKeyPath (an Export-Clixml'd PSCredential whose password is the secret
key). Okta: Provider = 'Okta', OrgUrl, and ApiTokenPath (an Export-Clixml'd PSCredential whose
password is the API token) or ClientId with PrivateKeyFile; NumberChallenge = $true. All: ServerCertificateHash, CaCertificateFile, ApplicationName, HttpTimeout, Proxy,
ProxyCredentialPath, ModulePath (where MfaApproval is installed, if not on PSModulePath).

.PARAMETER TimeoutSeconds
How long the user has to answer (default 120). The child is killed 30 s after that.

.PARAMETER PowerShellPath
The PowerShell to start: default powershell.exe on Windows, pwsh elsewhere.

.PARAMETER Assert
Throw a terminating error unless the approval is granted.

.EXAMPLE
# In MIMWAL: Script = this file's content, parameters from WorkflowData/[//Target/...]
$result = & C:\MfaApproval\mim\Invoke-MfaApprovalOutOfProcess.ps1 -UserName $upn -SettingsPath C:\MfaApproval\mfa-settings.psd1 -MimRequestId $AECRequestId -Assert
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)][ValidateCount(1, 20)][ValidateLength(1, 256)][string[]]$UserName,
    [string]$Require,
    [ValidateLength(0, 256)][string]$Reason,
    [Parameter(Mandatory)][ValidateScript({ Test-Path -LiteralPath $_ -PathType Leaf })][string]$SettingsPath,
    [ValidateRange(1, 3600)][int]$TimeoutSeconds = 120,
    [string]$PowerShellPath,
    [string]$MimRequestId,
    [string]$MimActorId,
    [string]$MimTargetId,
    [switch]$Assert
)
$onWindows = ($PSVersionTable.PSEdition -eq 'Desktop') -or ((Test-Path variable:IsWindows) -and $IsWindows)
if (-not $PowerShellPath) {
    $PowerShellPath = if ($PSVersionTable.PSEdition -eq 'Desktop') {
        # A 32-bit host on 64-bit Windows must still start the 64-bit powershell.exe:
        # its $PSHOME is SysWOW64, and the module ships 64-bit native code only.
        $system = if ([Environment]::Is64BitOperatingSystem -and -not [Environment]::Is64BitProcess) { 'Sysnative' } else { 'System32' }
        Join-Path $env:windir "$system\WindowsPowerShell\v1.0\powershell.exe"
    }
    else {
        $onPath = Get-Command pwsh -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
        if ($onPath) { $onPath.Source } else { Join-Path $PSHOME $(if ($onWindows) { 'pwsh.exe' } else { 'pwsh' }) }
    }
}

# Nothing from the request ever goes on the command line. The child's command line is
# fixed: a constant bootstrap (-EncodedCommand) that reads one line from standard input:
# the request as UTF-8 JSON, base64-encoded (ASCII on the pipe, whatever the code pages),
# and passes the child's exit code on (a -Command would otherwise turn it into 0 or 1).
$request = @{
    ChildPath      = (Join-Path $PSScriptRoot 'MfaApprovalChild.ps1')
    UserName       = @($UserName)
    Require        = $Require
    Reason         = $Reason
    SettingsPath   = [System.IO.Path]::GetFullPath((Resolve-Path -LiteralPath $SettingsPath).ProviderPath)
    TimeoutSeconds = $TimeoutSeconds
    MimRequestId   = $MimRequestId
    MimActorId     = $MimActorId
    MimTargetId    = $MimTargetId
}
$utf8 = New-Object System.Text.UTF8Encoding($false)
$line = [Convert]::ToBase64String($utf8.GetBytes((ConvertTo-Json -InputObject $request -Compress)))
$bootstrap = '$ErrorActionPreference = ''Stop''; $r = [Console]::In.ReadLine() | ForEach-Object { [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($_)) } | ConvertFrom-Json; & $r.ChildPath -Request $r; exit $LASTEXITCODE'
$arguments = @('-NoProfile', '-NonInteractive')
if ($onWindows) { $arguments += @('-ExecutionPolicy', 'Bypass') }
$arguments += @('-EncodedCommand', [Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($bootstrap)))

$info = New-Object System.Diagnostics.ProcessStartInfo
$info.FileName = $PowerShellPath
$info.Arguments = $arguments -join ' '   # constant tokens and base64 only: nothing to quote
$info.UseShellExecute = $false
$info.RedirectStandardInput = $true
$info.RedirectStandardOutput = $true
$info.RedirectStandardError = $true
$info.StandardOutputEncoding = $utf8
$info.StandardErrorEncoding = $utf8
$info.CreateNoWindow = $true
$process = [System.Diagnostics.Process]::Start($info)
$result = $null
$job = $null
try {
    if ($onWindows) {
        # A kill-on-close Job Object: if this process dies (the MIM Service stops or
        # crashes), Windows ends the child too. The type comes from the module's assembly
        # (loading it runs no native code); without it, the finally block below still kills
        # the child on every normal exit.
        $assembly = Join-Path (Split-Path -Parent $PSScriptRoot) 'MfaApproval.dll'
        if (-not ('MfaApproval.JobObject' -as [type]) -and (Test-Path -LiteralPath $assembly)) { Add-Type -Path $assembly }
        if ('MfaApproval.JobObject' -as [type]) {
            try { $job = [MfaApproval.JobObject]::Create($process) } catch { Write-Verbose "No Job Object for the child: $($_.Exception.Message)" }
        }
    }
    $stdout = $process.StandardOutput.ReadToEndAsync()
    $stderr = $process.StandardError.ReadToEndAsync()
    $stdinBytes = $utf8.GetBytes($line + "`n")
    $process.StandardInput.BaseStream.Write($stdinBytes, 0, $stdinBytes.Length)
    $process.StandardInput.Close()
    $limit = [datetime]::UtcNow.AddSeconds($TimeoutSeconds + 30)
    # Short waits, so a pipeline stop (Ctrl+C, a cancelled workflow) ends this script
    # between them; the finally block then kills the child.
    while (-not $process.WaitForExit(200)) {
        if ([datetime]::UtcNow -gt $limit) { break }
    }
    if (-not $process.HasExited) {
        $result = @{ Approved = $false; Status = 'TimedOut'; UserName = ($UserName -join ', '); Message = "the approval process ran over its limit of $($TimeoutSeconds + 30) s and was stopped"; ExitCode = -1 }
    }
    else {
        $process.WaitForExit()
        $json = @($stdout.Result -split "`r?`n" | Where-Object { $_ -like '{*' }) | Select-Object -Last 1
        if ($json) {
            $o = ConvertFrom-Json -InputObject $json
            $result = @{
                Approved              = ($o.Status -eq 'Approved') -and ($o.Approved -eq $true) -and ($process.ExitCode -eq 0)
                Status                = [string]$o.Status
                UserName              = [string]$o.UserName
                CallResult            = $o.CallResult
                CallResultDescription = [string]$o.CallResultDescription
                ErrorCode             = $o.ErrorCode
                RequestId             = [string]$o.RequestId
                Message               = [string]$o.Message
                DurationSeconds       = [double]$o.DurationSeconds
                AuditId               = [string]$o.AuditId
                DecidedBy             = [string]$o.DecidedBy
                Approvers             = [string]$o.Approvers
                ExitCode              = $process.ExitCode
            }
        }
        else {
            $why = ($stderr.Result -split "`r?`n" | Where-Object { $_ } | Select-Object -First 3) -join ' '
            if ($why.Length -gt 300) { $why = $why.Substring(0, 300) + '...' }
            $result = @{ Approved = $false; Status = 'Failed'; UserName = ($UserName -join ', '); Message = "the approval process returned no result (exit code $($process.ExitCode)): $why"; ExitCode = $process.ExitCode }
        }
    }
}
finally {
    if (-not $process.HasExited) { try { $process.Kill() } catch { $null = $_ } }
    if ($job) { $job.Dispose() }
}
if ($MimActorId) { $result.MimActorId = $MimActorId }
if ($MimTargetId) { $result.MimTargetId = $MimTargetId }
if ($MimRequestId) { $result.MimRequestId = $MimRequestId }
if ($Assert -and -not $result.Approved) {
    $exception = New-Object System.Security.SecurityException(("MFA approval for '{0}' was not granted: {1} ({2})" -f ($UserName -join ', '), $result.Status, $result.Message))
    $status = if (@('Denied', 'FraudReported', 'TimedOut', 'Cancelled') -contains $result.Status) { $result.Status } else { 'Failed' }
    $PSCmdlet.ThrowTerminatingError((New-Object System.Management.Automation.ErrorRecord($exception, "MfaApproval.$status", 'PermissionDenied', $result)))
}
$result
