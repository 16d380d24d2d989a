@{
    RootModule           = 'MfaApproval.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = '6f0d7c2e-5b1a-4d8e-9a57-2c7f3e9b4a10'
    Author               = 'MfaApproval developers'
    CompanyName          = 'MfaApproval'
    Copyright            = '(c) MfaApproval developers. MIT licence.'
    Description          = 'MFA push approvals (Azure MFA Server SDK, with a built-in simulator) for PowerShell and MIM 2016 workflows. A thin layer over a Rust engine.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    DotNetFrameworkVersion = '4.5'
    RequiredAssemblies   = @('lib/MfaApproval.Interop.dll')
    FormatsToProcess     = @('MfaApproval.format.ps1xml')
    FunctionsToExport    = @(
        'New-MfaConnection',
        'Test-MfaConnection',
        'Start-MfaApproval',
        'Get-MfaApproval',
        'Wait-MfaApproval',
        'Stop-MfaApproval',
        'Invoke-MfaApproval',
        'Get-MfaUser',
        'New-MfaActivationCode',
        'Start-MfaSimulator',
        'Stop-MfaSimulator'
    )
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('MFA', 'MultiFactorAuthentication', 'AzureMFAServer', 'MIM', 'IdentityManager', 'Approval', 'Windows', 'Linux', 'PSEdition_Desktop', 'PSEdition_Core')
            LicenseUri   = 'https://opensource.org/licenses/MIT'
            ReleaseNotes = 'First release: MFA Server SDK provider, simulator, MIM wrapper.'
        }
    }
}
