function Resolve-MfaConnection {
    # The connection to use: the one given, else the session default; checks that it is a
    # live connection of this module version and that its simulator (if any) still runs.
    [CmdletBinding()]
    [OutputType('MfaApproval.Connection')]
    param([psobject]$Connection, [Parameter(Mandatory)][System.Management.Automation.PSCmdlet]$Cmdlet)
    if (-not $Connection) {
        $Connection = $script:DefaultConnection
        if (-not $Connection) {
            $Cmdlet.ThrowTerminatingError((New-MfaErrorRecord -ErrorId 'MfaApproval.NoConnection' -Category InvalidOperation `
                        -Message 'No connection: pass -Connection (from New-MfaConnection or Start-MfaSimulator), or make one the default with New-MfaConnection -Default.'))
        }
    }
    if (@($Connection.PSObject.TypeNames) -notcontains 'MfaApproval.Connection' -or -not ($Connection.NativeClient -is [MfaApproval.Interop.MfaClientHandle])) {
        $Cmdlet.ThrowTerminatingError((New-MfaErrorRecord -ErrorId 'MfaApproval.InvalidConnection' -Target $Connection `
                    -Message 'The -Connection value is not an MfaApproval connection; create one with New-MfaConnection.'))
    }
    if ($Connection.ModuleVersion -ne $script:ModuleVersion) {
        $Cmdlet.ThrowTerminatingError((New-MfaErrorRecord -ErrorId 'MfaApproval.ConnectionFromOtherVersion' -Target $Connection `
                    -Message ("The -Connection was made by MfaApproval {0}; this is MfaApproval {1}. Create a new connection with New-MfaConnection." -f $Connection.ModuleVersion, $script:ModuleVersion)))
    }
    if ($Connection.Simulator -and $Connection.Simulator.Process.HasExited) {
        $Cmdlet.ThrowTerminatingError((New-MfaErrorRecord -ErrorId 'MfaApproval.SimulatorStopped' -Target $Connection -Category ResourceUnavailable `
                    -Message ("The simulator behind this connection ({0}) has stopped; start a new one with Start-MfaSimulator." -f $Connection.Uri)))
    }
    if ($Connection.NativeClient.IsClosed) {
        $Cmdlet.ThrowTerminatingError((New-MfaErrorRecord -ErrorId 'MfaApproval.ConnectionClosed' -Target $Connection -Category InvalidOperation `
                    -Message 'The -Connection has been closed; create a new one with New-MfaConnection.'))
    }
    if ($Connection.AllowUnknownUser) {
        $Cmdlet.WriteWarning("Connection to $($Connection.Uri) uses -AllowUnknownUser: the MFA server lets users it does not know through WITHOUT any MFA.")
    }
    $Connection
}

function Test-MfaUserNameArgument {
    # ValidateScript body shared by every -UserName: 1-256 characters, no control characters.
    param([string]$Value)
    if ([string]::IsNullOrWhiteSpace($Value)) { throw 'The user name is empty or blank.' }
    if ($Value.Length -gt 256) { throw ("The user name is {0} characters long; at most 256 are allowed." -f $Value.Length) }
    for ($i = 0; $i -lt $Value.Length; $i++) {
        if ([char]::IsControl($Value[$i])) { throw ("The user name contains control character U+{0:X4} at position {1}." -f [int]$Value[$i], $i) }
    }
    $true
}

function ConvertTo-MfaJson {
    # Compact JSON for the native layer (PowerShell 5.1-compatible).
    param([Parameter(Mandatory)][hashtable]$Value)
    ConvertTo-Json -InputObject $Value -Compress -Depth 5
}
