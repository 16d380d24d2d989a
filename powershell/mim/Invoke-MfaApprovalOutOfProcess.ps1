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
       Require; DecidedBy; Approvers; ErrorId; Category; ExitCode }

The fields are the module's own (MfaApproval.Result.ToHashtable()), and so are the -Assert
ErrorId and category (the generated contract): nothing is copied here. The child refuses a
module that is not the build this wrapper belongs to (assembly name, version, public key
token and file hash of the MfaApproval.dll next to this mim/ folder).

AuditId is the id of the request's line in the audit trail when the settings name an
AuditPath. With several -UserName values, -Require (Any, All or a number) is required: the
engine refuses the same person named twice (any case or spacing), asks the approvers at
once and decides (DecidedBy, Approvers: "user=Status; ..."). -ExcludeUserName names people
who may not approve (e.g. the requester).

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
-Require the approvers (distinct people; the engine checks the names and their number).

.PARAMETER ExcludeUserName
People who may not approve this request (e.g. the requester).

.PARAMETER Require
With several user names: Any, All, or the number of approvals needed.

.PARAMETER Reason
What the approver is asked to approve (shown on the phone where the provider can).

.PARAMETER SettingsPath
A .psd1 with the connection settings. MFA Server: Uri (required), CredentialPath (an
Export-Clixml'd PSCredential, DPAPI-protected for the MIM service account),
ClientCertificateFile, InitiatingAuthenticationType. Duo: Provider = 'Duo', ApiHost,
IntegrationKey, SecretKeyPath (an Export-Clixml'd PSCredential whose password is the secret
key). Both: ServerCertificateHash, CaCertificateFile, ApplicationName, HttpTimeout, Proxy,
ProxyCredentialPath, ModulePath (where MfaApproval is installed, if not on PSModulePath).

.PARAMETER TimeoutSeconds
How long the user has to answer (default: the engine's, 120 s). The child is killed 30 s
after that.

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
    # The engine checks every value (names, -Require, the timeout) in the child: no copies of its rules here.
    [Parameter(Mandatory)][string[]]$UserName,
    [string]$Require,
    [string[]]$ExcludeUserName,
    [string]$Reason,
    [Parameter(Mandatory)][ValidateScript({ Test-Path -LiteralPath $_ -PathType Leaf })][string]$SettingsPath,
    [int]$TimeoutSeconds,
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

# The module this wrapper belongs to (it sits in the module's mim/ folder): its assembly
# gives the contract (the -Assert ErrorId and category, the default timeout; loading it
# runs no native code) and the identity the child must find loaded (name, version, public
# key token, and the file's SHA-256), so a ModulePath naming another build is refused.
$moduleAssembly = Join-Path (Split-Path -Parent $PSScriptRoot) 'MfaApproval.dll'
if (-not ('MfaApproval.Contract' -as [type]) -and (Test-Path -LiteralPath $moduleAssembly)) {
    try { Add-Type -Path $moduleAssembly } catch { Write-Verbose "The module's assembly did not load here: $($_.Exception.Message)" }
}
$contract = 'MfaApproval.Contract' -as [type]
$expectedAssembly = $null
$expectedHash = $null
if (Test-Path -LiteralPath $moduleAssembly) {
    $expectedAssembly = [System.Reflection.AssemblyName]::GetAssemblyName($moduleAssembly).FullName
    $expectedHash = (Get-FileHash -LiteralPath $moduleAssembly -Algorithm SHA256).Hash
}
$waitSeconds = if ($PSBoundParameters.ContainsKey('TimeoutSeconds')) { $TimeoutSeconds } elseif ($contract) { [int]$contract::DefaultTimeoutSeconds } else { 120 }

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
    TimeoutSeconds = $(if ($PSBoundParameters.ContainsKey('TimeoutSeconds')) { $TimeoutSeconds } else { $null })
    ExcludeUserName = @($ExcludeUserName | Where-Object { $null -ne $_ })
    ExpectedAssembly = $expectedAssembly
    ExpectedAssemblyHash = $expectedHash
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
    $limit = [datetime]::UtcNow.AddSeconds([Math]::Max(1, $waitSeconds) + 30)
    # Short waits, so a pipeline stop (Ctrl+C, a cancelled workflow) ends this script
    # between them; the finally block then kills the child.
    while (-not $process.WaitForExit(200)) {
        if ([datetime]::UtcNow -gt $limit) { break }
    }
    if (-not $process.HasExited) {
        $result = @{ Approved = $false; Status = 'TimedOut'; UserName = ($UserName -join ', '); Message = "the approval process ran over its limit of $([Math]::Max(1, $waitSeconds) + 30) s and was stopped"; ExitCode = -1 }
    }
    else {
        $process.WaitForExit()
        $json = @($stdout.Result -split "`r?`n" | Where-Object { $_ -like '{*' }) | Select-Object -Last 1
        if ($json) {
            $o = ConvertFrom-Json -InputObject $json
            # The fields are the module's (Result.ToHashtable() in the child): copied as they come.
            $result = @{}
            foreach ($p in $o.PSObject.Properties) { $result[$p.Name] = $p.Value }
            # Fail closed: approved only when the module said so and the child exited 0.
            $result.Approved = ($o.Status -eq 'Approved') -and ($o.Approved -eq $true) -and ($process.ExitCode -eq 0)
            $result.ExitCode = $process.ExitCode
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
    # The ErrorId and category are the module's contract (the same -Assert gives in process).
    $errorId = if ($contract) { $contract::AssertErrorId([string]$result.Status) } else { 'MfaApproval.Failed' }
    $category = if ($contract) { $contract::AssertCategory([string]$result.Status, [string]$result.FailureKind) } else { [System.Management.Automation.ErrorCategory]::NotSpecified }
    if ($result.Status -ne 'Approved' -and $result.ErrorId) { $errorId = [string]$result.ErrorId; $category = [System.Management.Automation.ErrorCategory]$result.Category }
    $PSCmdlet.ThrowTerminatingError((New-Object System.Management.Automation.ErrorRecord($exception, $errorId, $category, $result)))
}
$result
