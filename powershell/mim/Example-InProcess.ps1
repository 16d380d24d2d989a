<#
.SYNOPSIS
In-process example for MIMWAL's Run PowerShell Script activity (Windows PowerShell 5.1
engine): one approval in the MIM Service process itself.

.DESCRIPTION
Simpler than the out-of-process wrapper, but a native fault would run inside the MIM
Service: prefer Invoke-MfaApprovalOutOfProcess.ps1 in production. MIMWAL provides
$AECRequestId, $AECActorId and $AECTargetId; the activity fails (and so the
authorization) on the terminating error that -Assert throws for anything but Approved.
The returned hashtable goes into WorkflowData.
#>
param([Parameter(Mandatory)][string]$UserName)
Import-Module MfaApproval -RequiredVersion 0.2.0   # pin the installed version (see the README's upgrade procedure)
$credential = Import-Clixml -LiteralPath 'C:\MfaApproval\svc-mfa.credential.xml'   # DPAPI, MIM service account
$connection = New-MfaConnection -Uri 'https://mfa01.contoso.com/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx' -Credential $credential
$request = if (Test-Path variable:AECRequestId) { "MIM request $AECRequestId" } else { 'MIM' }
$result = Invoke-MfaApproval -Connection $connection -UserName $UserName -Timeout 120 -ApplicationName $request -Assert
@{ Approved = $result.Approved; Status = $result.Status; RequestId = $result.RequestId; CallResult = $result.CallResult }
