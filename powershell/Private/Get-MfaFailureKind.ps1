function Get-MfaFailureKind {
    # The one place that maps the engine's failure kinds (outcome JSON `failureKind`) to
    # what PowerShell shows: the Test-MfaConnection stage and the -Assert error category.
    # A Pester test checks that every kind of the engine (FailureKind::ALL) is here.
    [CmdletBinding()]
    [OutputType([hashtable])]
    param([AllowEmptyString()][string]$Kind)
    $table = @{
        provider       = @{ Stage = 'Soap'; Category = 'ResourceUnavailable' }
        dns            = @{ Stage = 'Dns'; Category = 'ConnectionError' }
        connect        = @{ Stage = 'Connect'; Category = 'ConnectionError' }
        tls            = @{ Stage = 'Tls'; Category = 'ConnectionError' }
        certificatePin = @{ Stage = 'CertificatePin'; Category = 'ConnectionError' }
        authentication = @{ Stage = 'Authentication'; Category = 'ResourceUnavailable' }
        httpStatus     = @{ Stage = 'HttpStatus'; Category = 'ResourceUnavailable' }
        soapFault      = @{ Stage = 'Soap'; Category = 'ResourceUnavailable' }
        protocol       = @{ Stage = 'Soap'; Category = 'ResourceUnavailable' }
        timeout        = @{ Stage = 'Timeout'; Category = 'OperationTimeout' }
        cancelled      = @{ Stage = 'Cancelled'; Category = 'OperationStopped' }
        transport      = @{ Stage = 'Connect'; Category = 'ConnectionError' }
        internal       = @{ Stage = 'Internal'; Category = 'NotSpecified' }
    }
    if (-not $PSBoundParameters.ContainsKey('Kind')) { return $table }
    if ($table.ContainsKey($Kind)) { $table[$Kind] } else { @{ Stage = 'Internal'; Category = 'NotSpecified' } }
}
