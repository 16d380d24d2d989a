<#
.SYNOPSIS
MIMWAL "Run PowerShell Script" wrapper: asks a user for an MFA approval in a separate
PowerShell process and returns a hashtable for WorkflowData.

.DESCRIPTION
Call this script BY ITS PATH from a MIMWAL Run PowerShell Script activity of an
authorization workflow (Script Location "Include in Workflow Definition"; docs/mim.md has the
activity). Run as script text (MIMWAL's "Read from File" location) it has no folder, cannot
find its child script and says so (MfaApproval.WrapperNotRunByPath). It starts powershell.exe (Windows) or pwsh on
MfaApprovalChild.ps1, which imports the MfaApproval module and runs Invoke-MfaApproval,
so a native fault can never take the MIM Service down. On Windows the child runs in a
kill-on-close Job Object, so it never outlives the MIM Service. Every value (the user name, the
MIM ids, the settings path) reaches the child as JSON on standard input, never on its
command line, so no user name can add arguments. It enforces its own timeout (the child
is killed when it runs over, or when the pipeline is stopped), writes nothing to the
error stream on success and returns one hashtable, with every key below on every outcome
(null where it does not apply):

    @{ Approved = $true/$false; Status = 'Approved'|'Denied'|...; UserName; CallResult;
       CallResultDescription; ErrorCode; RequestId; Message; DurationSeconds; AuditId;
       Require; DecidedBy; Approvers; IdentityCheck; Identities; ErrorId; Category; ExitCode;
       MimRequestId; MimActorId; MimTargetId }

The fields are the module's own (MfaApproval.Result.ToHashtable()), and so are the -Assert
ErrorId and category (the generated contract): nothing is copied here. The child refuses a
module that is not the build this wrapper belongs to (assembly name, version, public key
token and file hash of the MfaApproval.dll next to this mim/ folder).

AuditId is the id of the request's line in the audit trail when the settings name an
AuditPath. With several -UserName values, -Require (Any, All or a number) is required: the
engine refuses the same person named twice (any case, spacing, look-alike or domain form), asks the approvers at
once and decides (DecidedBy, Approvers: "user=Status; ..."). -ExcludeUserName names people
who may not approve (e.g. the requester). Before any push the provider says who every name
is (Okta: the user id; Duo: the push devices; MFA Server: the phones), and one person under
two names, or an approver who is an excluded person under another name, is refused; an
excluded name the provider cannot identify refuses the request (its Message says which name
to pass). IdentityCheck says how people were told apart (Provider, or Names for RADIUS with
AllowNameOnlyIdentity); Identities who each approver was ("user=phone +*******0001; ...").

With -Assert (recommended in authorization workflows) anything but Approved is a thrown
(script-terminating) error: it ends the calling script too, so MIMWAL's Invoke throws, which
fails the activity and so the authorization.

ExitCode is the child's: 0 approved, 1 answered but not approved, 2 the approval could
not be attempted (bad settings, module missing, invalid user name), 3 the child's bootstrap
failed (it could not read its request or start MfaApprovalChild.ps1; Message has its error,
decoded from Windows PowerShell's CLIXML); -1 when the child ran over its limit and was killed.

MIMWAL context: pass $AECRequestId, $AECActorId and $AECTargetId as -MimRequestId,
-MimActorId, -MimTargetId. They travel as the request's context (Duo shows them with the
push; both providers keep them in the audit trail), and -Reason (default "MIM request <id>")
is the text of the push (Duo) or the applicationName the MFA server reports.

.PARAMETER UserName
The user who must approve (e.g. the target's UPN, looked up by the workflow), or with
-Require the approvers (distinct people; the engine checks the names and their number).

.PARAMETER ExcludeUserName
People who may not approve this request (e.g. the requester): the name MIM has
("CONTOSO\jsmith") or, better, the form the approvers are named in (the UPN). The provider
resolves it; a name it cannot identify refuses the request rather than being ignored.

.PARAMETER Require
With several user names: Any, All, or the number of approvals needed.

.PARAMETER Reason
What the approver is asked to approve (shown on the phone where the provider can).

.PARAMETER SettingsPath
A .psd1 with the connection settings: one key per New-MfaConnection parameter (the table
in mim/Settings.ps1 and docs/mim.md, section 2), secrets as paths of Export-Clixml files
(CredentialPath, SecretKeyPath, ClientCertificatePasswordPath, ProxyCredentialPath,
SharedSecretPath, PasswordPath, ApiTokenPath: DPAPI, made as the MIM Service account), plus ModulePath
(where MfaApproval is installed, if not on PSModulePath). An unknown key is refused, naming
the known ones.

.PARAMETER TimeoutSeconds
How long the user has to answer (default: the engine's, 120 s). The child is killed 30 s
after that.

.PARAMETER PowerShellPath
The PowerShell to start: default powershell.exe on Windows, pwsh elsewhere.

.PARAMETER Assert
Throw a terminating error unless the approval is granted.

.EXAMPLE
# In MIMWAL (Include in Workflow Definition; Named Parameters UserName = [//WorkflowData/OwnerUpn]):
# param([string]$UserName) followed by
& 'C:\Program Files\WindowsPowerShell\Modules\MfaApproval\0.2.0\mim\Invoke-MfaApprovalOutOfProcess.ps1' -UserName $UserName -SettingsPath C:\MfaApproval\mfa-settings.psd1 -MimRequestId $AECRequestId -Assert
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
if (-not $PSScriptRoot) {
    # MIMWAL's "Read from File" location (and any AddScript of this file's text) runs the
    # text without its folder, so the child script beside it cannot be found.
    $exception = New-Object System.InvalidOperationException("Invoke-MfaApprovalOutOfProcess.ps1 must be run by its path, e.g. & 'C:\Program Files\WindowsPowerShell\Modules\MfaApproval\<version>\mim\Invoke-MfaApprovalOutOfProcess.ps1' -UserName ...; it was run as script text (MIMWAL's 'Read from File' script location does that), so it cannot find MfaApprovalChild.ps1. In MIMWAL, use 'Include in Workflow Definition' with the calling script from docs/mim.md.")
    throw (New-Object System.Management.Automation.ErrorRecord($exception, 'MfaApproval.WrapperNotRunByPath', 'InvalidOperation', $null))
}
. (Join-Path $PSScriptRoot 'ChildProcess.ps1')
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
# fixed (ChildProcess.ps1: a constant bootstrap that reads the request from standard input
# as base64 of UTF-8 JSON, ignoring anything else there, such as a byte order mark).
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
$info = New-MfaChildStartInfo -PowerShellPath $PowerShellPath -OnWindows $onWindows
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
    $stdinBytes = ConvertTo-MfaChildInput -Request $request
    $process.StandardInput.BaseStream.Write($stdinBytes, 0, $stdinBytes.Length)
    $process.StandardInput.BaseStream.Flush()
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
            $why = ConvertFrom-MfaChildError $stderr.Result
            $what = if ($process.ExitCode -eq $MfaChildBootstrapFailed) { 'the approval process could not start its script' } else { 'the approval process returned no result' }
            $result = @{ Approved = $false; Status = 'Failed'; UserName = ($UserName -join ', '); Message = "$what (exit code $($process.ExitCode)): $why"; ExitCode = $process.ExitCode }
        }
    }
}
finally {
    if (-not $process.HasExited) { try { $process.Kill() } catch { $null = $_ } }
    if ($job) { $job.Dispose() }
}
# The same keys every time (MIMWAL's "Table of Values" then overwrites each WorkflowData
# entry on every run; a key it does not apply to is published as null).
foreach ($key in (Get-MfaWrapperResultKeys)) { if (-not $result.ContainsKey($key)) { $result[$key] = $null } }
if ($MimActorId) { $result.MimActorId = $MimActorId }
if ($MimTargetId) { $result.MimTargetId = $MimTargetId }
if ($MimRequestId) { $result.MimRequestId = $MimRequestId }
if ($Assert -and -not $result.Approved) {
    $exception = New-Object System.Security.SecurityException(("MFA approval for '{0}' was not granted: {1} ({2})" -f ($UserName -join ', '), $result.Status, $result.Message))
    # The ErrorId and category are the module's contract (the same -Assert gives in process).
    $errorId = if ($contract) { $contract::AssertErrorId([string]$result.Status) } else { 'MfaApproval.Failed' }
    $category = if ($contract) { $contract::AssertCategory([string]$result.Status, [string]$result.FailureKind) } else { [System.Management.Automation.ErrorCategory]::NotSpecified }
    if ($result.Status -ne 'Approved' -and $result.ErrorId) { $errorId = [string]$result.ErrorId; $category = [System.Management.Automation.ErrorCategory]$result.Category }
    # throw, not $PSCmdlet.ThrowTerminatingError: that one ends only the calling statement,
    # so the script that called this one (MIMWAL's activity script) would go on and the
    # activity would succeed. A thrown error ends every caller up to PowerShell.Invoke, which
    # MIMWAL turns into a failed activity (RunPowerShellScript.cs, lines 918-922).
    throw (New-Object System.Management.Automation.ErrorRecord($exception, $errorId, $category, $result))
}
$result
