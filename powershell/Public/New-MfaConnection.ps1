function New-MfaConnection {
    <#
    .SYNOPSIS
    Creates a connection to an Azure MFA Server Web Service SDK endpoint.

    .DESCRIPTION
    Builds a reusable native client (connection pool, TLS settings, caller credentials) for
    the SDK at -Uri (PfWsSdk.asmx). Callers authenticate with HTTP Basic (-Credential), a
    client certificate (-ClientCertificateFile, or -CertificateThumbprint on Windows), or
    both. The server certificate is checked against the system roots, an extra CA file
    (-CaCertificateFile), or SHA-256 pins (-ServerCertificateHash); verification is never
    turned off. Secrets stay SecureStrings until the native call, which clears its copy.

    .PARAMETER Uri
    The SDK URL, e.g. https://mfa.contoso.com/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx.

    .PARAMETER Credential
    The account for HTTP Basic (a member of PhoneFactor Admins on the MFA server).

    .PARAMETER BasicAuthentication
    Preemptive (default: send the credential with the first request) or Challenge (only after
    a 401 challenge, as New-WebServiceProxy does).

    .PARAMETER ClientCertificateFile
    A client certificate: PEM (certificate and key, or with -ClientKeyFile) or PKCS#12 (.pfx).

    .PARAMETER ClientKeyFile
    The PEM private key for a PEM -ClientCertificateFile kept in its own file.

    .PARAMETER ClientCertificatePassword
    The password of a PKCS#12 -ClientCertificateFile.

    .PARAMETER CertificateThumbprint
    Windows only: a certificate with an exportable private key in Cert:\CurrentUser\My or
    Cert:\LocalMachine\My.

    .PARAMETER ServerCertificateHash
    SHA-256 fingerprints (hex) of accepted server certificates. A matching certificate is
    trusted without chain or host-name checks (self-signed lab servers); nothing else is.

    .PARAMETER CaCertificateFile
    A PEM bundle of extra CA certificates to trust besides the system roots.

    .PARAMETER InitiatingAuthenticationType
    initiatingAuthenticationType sent to the server: pfsdk (default); newer servers refuse
    pfsdk with CallResult 149 and accept userportal.

    .PARAMETER ApplicationName
    applicationName sent to the server (shown in its reports). Default MfaApproval.

    .PARAMETER HttpTimeout
    Seconds one HTTP call may take (the SDK holds the call up to ~100 s while the user
    answers). Default 100.

    .PARAMETER AllowUnknownUser
    Sends requireUserMatch=false: the server then lets users it does not know through
    WITHOUT any MFA. Warns on every use.

    .PARAMETER AllowUnencryptedAuthentication
    Allows a credential over plain http:// (never do this outside a lab).

    .PARAMETER Default
    Makes this connection the session default for commands run without -Connection.

    .EXAMPLE
    $cred = Get-Credential CONTOSO\svc-mim-mfa
    $conn = New-MfaConnection -Uri https://mfa01.contoso.com/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx -Credential $cred -Default

    .EXAMPLE
    New-MfaConnection -Uri https://mfa01:4443/MultiFactorAuthWebServiceSdk/PfWsSdk.asmx -Credential $cred -ServerCertificateHash 'AB12...EF' -InitiatingAuthenticationType userportal

    .EXAMPLE
    New-MfaConnection -Uri $uri -ClientCertificateFile C:\certs\mim.pfx -ClientCertificatePassword (Read-Host -AsSecureString)
    #>
    [CmdletBinding(DefaultParameterSetName = 'File')]
    [OutputType('MfaApproval.Connection')]
    param(
        [Parameter(Mandatory, Position = 0)]
        [ValidateScript({
                if (-not $_.IsAbsoluteUri -or @('http', 'https') -notcontains $_.Scheme) { throw "'$_' is not an absolute http:// or https:// URL." }
                $true
            })]
        [uri]$Uri,

        [System.Management.Automation.PSCredential]
        [System.Management.Automation.Credential()]
        $Credential = [System.Management.Automation.PSCredential]::Empty,

        [ValidateSet('Preemptive', 'Challenge')]
        [string]$BasicAuthentication = 'Preemptive',

        [Parameter(ParameterSetName = 'File')]
        [ValidateNotNullOrEmpty()]
        [string]$ClientCertificateFile,

        [Parameter(ParameterSetName = 'File')]
        [ValidateNotNullOrEmpty()]
        [string]$ClientKeyFile,

        [Parameter(ParameterSetName = 'File')]
        [System.Security.SecureString]$ClientCertificatePassword,

        [Parameter(Mandatory, ParameterSetName = 'Store')]
        [ValidatePattern('^[0-9A-Fa-f]{40}$')]
        [string]$CertificateThumbprint,

        [ValidateScript({
                foreach ($h in $_) { if (($h -replace '[:\s-]', '') -notmatch '^[0-9A-Fa-f]{64}$') { throw "'$h' is not a SHA-256 fingerprint (64 hex digits)." } }
                $true
            })]
        [string[]]$ServerCertificateHash,

        [ValidateNotNullOrEmpty()]
        [string]$CaCertificateFile,

        [ValidateSet('adfs', 'iso8583', 'user_enrollment', 'activation', 'ldap', 'terminal_services', 'logmein', 'userportal', 'pfsdk', 'pfwebui', 'isapi', 'radius', 'mswin', 'test', 'unspecified')]
        [string]$InitiatingAuthenticationType = 'pfsdk',

        [ValidateLength(0, 256)]
        [string]$ApplicationName = 'MfaApproval',

        [ValidateRange(1, 3600)]
        [int]$HttpTimeout = 100,

        [switch]$AllowUnknownUser,
        [switch]$AllowUnencryptedAuthentication,
        [switch]$Default
    )
    $hasCredential = $Credential -and $Credential -ne [System.Management.Automation.PSCredential]::Empty
    if ($Uri.Scheme -eq 'http' -and $hasCredential -and -not $AllowUnencryptedAuthentication) {
        $PSCmdlet.ThrowTerminatingError((New-MfaErrorRecord -ErrorId 'MfaApproval.UnencryptedAuthentication' -Target $Uri `
                    -Message "-Uri is plain http:// and -Credential would be sent unencrypted; use https:// or add -AllowUnencryptedAuthentication."))
    }
    foreach ($file in @(@{ Name = 'ClientCertificateFile'; Path = $ClientCertificateFile }, @{ Name = 'ClientKeyFile'; Path = $ClientKeyFile }, @{ Name = 'CaCertificateFile'; Path = $CaCertificateFile })) {
        if ($file.Path -and -not (Test-Path -LiteralPath $file.Path -PathType Leaf)) {
            $PSCmdlet.ThrowTerminatingError((New-MfaErrorRecord -ErrorId 'MfaApproval.FileNotFound' -Category ObjectNotFound -Target $file.Path `
                        -Message ("-{0}: the file '{1}' does not exist or is not a file." -f $file.Name, $file.Path)))
        }
    }
    if ($AllowUnknownUser) {
        Write-Warning 'New-MfaConnection -AllowUnknownUser: requireUserMatch=false lets users the MFA server does not know through WITHOUT any MFA.'
    }
    $config = @{
        uri                           = $Uri.AbsoluteUri
        basicMode                     = $BasicAuthentication.ToLowerInvariant()
        initiatingAuthenticationType  = $InitiatingAuthenticationType
        applicationName               = $ApplicationName
        httpTimeoutSeconds            = $HttpTimeout
        requireUserMatch              = -not $AllowUnknownUser
        allowUnencryptedAuthentication = [bool]$AllowUnencryptedAuthentication
    }
    if ($hasCredential) { $config.userName = $Credential.UserName }
    if ($ServerCertificateHash) { $config.serverCertificateSha256 = @($ServerCertificateHash) }
    if ($CaCertificateFile) { $config.caCertificateFile = (Resolve-Path -LiteralPath $CaCertificateFile).ProviderPath }
    if ($ClientCertificateFile) { $config.clientCertificateFile = (Resolve-Path -LiteralPath $ClientCertificateFile).ProviderPath }
    if ($ClientKeyFile) { $config.clientKeyFile = (Resolve-Path -LiteralPath $ClientKeyFile).ProviderPath }

    $exported = $null
    $certificatePassword = $ClientCertificatePassword
    if ($PSCmdlet.ParameterSetName -eq 'Store') {
        $onWindows = ($PSVersionTable.PSEdition -eq 'Desktop') -or ((Test-Path variable:IsWindows) -and $IsWindows)
        if (-not $onWindows) {
            $PSCmdlet.ThrowTerminatingError((New-MfaErrorRecord -ErrorId 'MfaApproval.ThumbprintNotSupported' -Category NotImplemented -Target $CertificateThumbprint `
                        -Message '-CertificateThumbprint needs the Windows certificate store; on this platform use -ClientCertificateFile.'))
        }
        $cert = @("Cert:\CurrentUser\My\$CertificateThumbprint", "Cert:\LocalMachine\My\$CertificateThumbprint") |
            Where-Object { Test-Path -LiteralPath $_ } | ForEach-Object { Get-Item -LiteralPath $_ } | Select-Object -First 1
        if (-not $cert -or -not $cert.HasPrivateKey) {
            $PSCmdlet.ThrowTerminatingError((New-MfaErrorRecord -ErrorId 'MfaApproval.CertificateNotFound' -Category ObjectNotFound -Target $CertificateThumbprint `
                        -Message "-CertificateThumbprint: no certificate with a private key and thumbprint $CertificateThumbprint in CurrentUser\My or LocalMachine\My."))
        }
        $certificatePassword = New-Object System.Security.SecureString
        foreach ($c in [guid]::NewGuid().ToString('N').ToCharArray()) { $certificatePassword.AppendChar($c) }
        $exported = Join-Path ([System.IO.Path]::GetTempPath()) ('mfa-' + [guid]::NewGuid().ToString('N') + '.pfx')
        try {
            [System.IO.File]::WriteAllBytes($exported, $cert.Export('Pfx', $certificatePassword))
        }
        catch {
            $PSCmdlet.ThrowTerminatingError((New-MfaErrorRecord -ErrorId 'MfaApproval.CertificateNotExportable' -Category PermissionDenied -Target $CertificateThumbprint `
                        -Message "-CertificateThumbprint: the private key of $CertificateThumbprint cannot be exported ($($_.Exception.Message))."))
        }
        $config.clientCertificateFile = $exported
    }

    Write-Verbose ("Creating a client for {0} (caller: {1}; pins: {2})" -f $Uri, $(if ($hasCredential) { $Credential.UserName } elseif ($config.ContainsKey("clientCertificateFile")) { "client certificate" } else { 'anonymous' }), @($ServerCertificateHash).Count)
    $basicPassword = if ($hasCredential) { $Credential.Password } else { $null }
    try {
        $client = [MfaApproval.Interop.Native]::NewClient((ConvertTo-MfaJson -Value $config), $basicPassword, $certificatePassword)
    }
    catch [MfaApproval.Interop.MfaNativeException] {
        $e = $_.Exception
        $PSCmdlet.ThrowTerminatingError((New-MfaErrorRecord -ErrorId 'MfaApproval.InvalidConnectionSettings' -Exception $e -Target $Uri `
                    -Message ("New-MfaConnection: {0}" -f $e.Message)))
    }
    finally {
        if ($exported) { Remove-Item -LiteralPath $exported -Force -ErrorAction SilentlyContinue }
    }
    $authentication = @()
    if ($hasCredential) { $authentication += 'Basic' }
    if ($config.ContainsKey("clientCertificateFile")) { $authentication += "ClientCertificate" }
    if (-not $authentication) { $authentication = @('None') }
    $connection = [pscustomobject]@{
        PSTypeName                   = 'MfaApproval.Connection'
        Uri                          = $Uri
        UserName                     = $(if ($hasCredential) { $Credential.UserName } else { $null })
        Authentication               = $authentication -join ', '
        ServerCertificateHash        = @($ServerCertificateHash)
        InitiatingAuthenticationType = $InitiatingAuthenticationType
        ApplicationName              = $ApplicationName
        HttpTimeout                  = $HttpTimeout
        AllowUnknownUser             = [bool]$AllowUnknownUser
        ModuleVersion                = $script:ModuleVersion
        NativeClient                 = $client
        Simulator                    = $null
    }
    if ($Default) {
        $script:DefaultConnection = $connection
        Write-Verbose "Default connection: $Uri"
    }
    $connection
}
