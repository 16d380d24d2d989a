@{
    RootModule           = 'MfaApproval.dll'
    ModuleVersion        = '0.2.0'
    GUID                 = '6f0d7c2e-5b1a-4d8e-9a57-2c7f3e9b4a10'
    Author               = 'MfaApproval developers'
    CompanyName          = 'MfaApproval'
    Copyright            = '(c) MfaApproval developers. MIT licence.'
    Description          = 'MFA push approvals (Azure MFA Server SDK, with a built-in simulator) for PowerShell and MIM 2016 workflows: compiled cmdlets over a Rust engine.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    DotNetFrameworkVersion = '4.5.2'
    FormatsToProcess     = @('MfaApproval.format.ps1xml')
    CmdletsToExport      = @(
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
        'Stop-MfaSimulator',
        'Install-MfaMimProvider',
        'Uninstall-MfaMimProvider',
        'Export-MfaPhoneMap',
        'Protect-MfaSecret',
        'Test-MfaAuditLog'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('MFA', 'MultiFactorAuthentication', 'AzureMFAServer', 'MIM', 'IdentityManager', 'Approval', 'Windows', 'Linux', 'PSEdition_Desktop', 'PSEdition_Core')
            LicenseUri   = 'https://opensource.org/licenses/MIT'
            ReleaseNotes = '0.2.0: a binary module (C# cmdlets over the C ABI, ABI 2): fast import, rules read from the engine, MAML help, strong-named assembly; -CertificateThumbprint removed (it exported the private key to disk). 0.1.0: MFA Server SDK provider, simulator, MIM wrapper.'
        }
    }
}
