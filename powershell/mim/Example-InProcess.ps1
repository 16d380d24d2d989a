<#
.SYNOPSIS
In-process example for MIMWAL's Run PowerShell Script activity (Windows PowerShell 5.1
engine): one approval in the MIM Service process itself.

.DESCRIPTION
Simpler than the out-of-process wrapper, but a native fault would run inside the MIM
Service: prefer Invoke-MfaApprovalOutOfProcess.ps1 in production. MIMWAL provides
$AECRequestId, $AECActorId and $AECTargetId and passes UserName as a Named Parameter. The
activity fails (and so the authorization) only when the script as a whole ends with an error:
-Assert's error ends just the Invoke-MfaApproval statement, so $ErrorActionPreference = 'Stop'
makes it end the script, and the explicit check below covers any other path. The returned
hashtable goes into WorkflowData (Return Type "Table of Values").
#>
param([Parameter(Mandatory = $true)][string]$UserName)
$ErrorActionPreference = 'Stop'
Import-Module MfaApproval -RequiredVersion 0.2.0   # pin the installed version (see the README's upgrade procedure)
$credential = Import-Clixml -LiteralPath 'C:\MfaApproval\svc-mfa.credential.xml'   # DPAPI, MIM service account
$connection = New-MfaConnection -Uri 'https://mfa01.contoso.com/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx' -Credential $credential
$request = if (Test-Path variable:AECRequestId) { "MIM request $AECRequestId" } else { 'MIM' }
$result = Invoke-MfaApproval -Connection $connection -UserName $UserName -Timeout 120 -ApplicationName $request -Assert
if (-not $result -or $result.Approved -ne $true) { throw "MFA approval for '$UserName' was not granted" }
@{ Approved = $result.Approved; Status = $result.Status; RequestId = $result.RequestId; CallResult = $result.CallResult }
