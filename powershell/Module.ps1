# MfaApproval: MFA push approvals for PowerShell and MIM workflows.
# The protocol work is done by the native engine (libmfa_approval), reached only through
# its C ABI via the prebuilt MfaApproval.Interop assembly (loaded by the manifest).
# build.ps1 joins this file, powershell/Private/*.ps1 and powershell/Public/*.ps1 into
# MfaApproval.psm1. Everything here must stay Windows PowerShell 5.1-compatible.
Set-StrictMode -Version 1.0
$script:ModuleRoot = $PSScriptRoot
$script:ModuleVersion = $ExecutionContext.SessionState.Module.Version.ToString()
$script:DefaultConnection = $null
