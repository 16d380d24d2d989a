function Start-MfaSimulator {
    <#
    .SYNOPSIS
    Starts the bundled MFA Server SDK simulator on a free loopback port.

    .DESCRIPTION
    Runs the simulator shipped with the module (mfa-sim) in the background over HTTPS with
    a certificate made at start, and returns an MfaApproval.Simulator with its Uri, its
    CertificateHash, and a ready Connection that pins that hash and carries the demo
    credential. Demo users: alice@contoso.com approves after about 1 s, bob@contoso.com
    denies, carol@contoso.com never answers (TimedOut after -NoResponseAfter seconds),
    mallory@contoso.com reports fraud and is blocked afterwards; other users are unknown.

    The simulator is never used implicitly: pass its Connection, or add -Default. Stop it
    with Stop-MfaSimulator; removing the module stops the simulators it started.

    .PARAMETER NoResponseAfter
    Seconds before an unanswered push comes back as "Mobile App No Response" (default 55).

    .PARAMETER DirectoryFile
    A JSON file that extends (or, with "replace": true, replaces) the demo users.

    .PARAMETER DirectSdkDisallowed
    Answers initiatingAuthenticationType pfsdk with CallResult 149, as newer servers do.

    .PARAMETER Default
    Makes the simulator's connection the session default.

    .EXAMPLE
    $sim = Start-MfaSimulator
    Invoke-MfaApproval -Connection $sim.Connection -UserName alice@contoso.com
    $sim | Stop-MfaSimulator

    .EXAMPLE
    $sim = Start-MfaSimulator -NoResponseAfter 5 -DirectoryFile ./users.json -Default
    #>
    [CmdletBinding()]
    [OutputType('MfaApproval.Simulator')]
    param(
        [ValidateRange(0, 3600)]
        [double]$NoResponseAfter = 55,

        [ValidateNotNullOrEmpty()]
        [string]$DirectoryFile,

        [switch]$DirectSdkDisallowed,
        [switch]$Default
    )
    $rid = [MfaApproval.Interop.Native]::RuntimeIdentifier
    $exe = if ($rid -like 'win-*') { 'mfa-sim.exe' } else { 'mfa-sim' }
    $path = Join-Path (Join-Path (Join-Path $script:ModuleRoot 'bin') $rid) $exe
    if (-not (Test-Path -LiteralPath $path -PathType Leaf)) {
        $PSCmdlet.ThrowTerminatingError((New-MfaErrorRecord -ErrorId 'MfaApproval.SimulatorNotFound' -Category ObjectNotFound -Target $path `
                    -Message "The simulator for $rid is not in this module build ('$path')."))
    }
    $arguments = @('--addr', '127.0.0.1:0', '--exit-on-stdin-eof', '--no-response-after', $NoResponseAfter.ToString([System.Globalization.CultureInfo]::InvariantCulture))
    if ($DirectoryFile) {
        if (-not (Test-Path -LiteralPath $DirectoryFile -PathType Leaf)) {
            $PSCmdlet.ThrowTerminatingError((New-MfaErrorRecord -ErrorId 'MfaApproval.FileNotFound' -Category ObjectNotFound -Target $DirectoryFile `
                        -Message "-DirectoryFile: the file '$DirectoryFile' does not exist."))
        }
        $arguments += @('--directory', (Resolve-Path -LiteralPath $DirectoryFile).ProviderPath)
    }
    if ($DirectSdkDisallowed) { $arguments += '--direct-sdk-disallowed' }

    $info = New-Object System.Diagnostics.ProcessStartInfo
    $info.FileName = $path
    $info.Arguments = ConvertTo-MfaCommandLine -Argument $arguments
    $info.UseShellExecute = $false
    $info.RedirectStandardInput = $true
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.CreateNoWindow = $true
    Write-Verbose "Starting the simulator: $path $($info.Arguments)"
    $process = [System.Diagnostics.Process]::Start($info)
    $lines = @()
    $deadline = [datetime]::UtcNow.AddSeconds(20)
    while ($lines.Count -eq 0 -or $lines[-1] -ne 'ready') {
        $read = $process.StandardOutput.ReadLineAsync()
        $remaining = [int][math]::Max(0, ($deadline - [datetime]::UtcNow).TotalMilliseconds)
        if (-not $read.Wait($remaining) -or $null -eq $read.Result) {
            $stderr = if ($process.HasExited) { $process.StandardError.ReadToEnd().Trim() } else { '' }
            try { if (-not $process.HasExited) { $process.Kill() } } catch { $null = $_ }
            $PSCmdlet.ThrowTerminatingError((New-MfaErrorRecord -ErrorId 'MfaApproval.SimulatorStartFailed' -Category ResourceUnavailable -Target $path `
                        -Message ("The simulator did not start: {0}" -f $(if ($stderr) { $stderr } else { 'no ready line within 20 s' }))))
        }
        $lines += $read.Result
    }
    $uri = [uri]$lines[0]
    $hash = ($lines | Where-Object { $_ -like 'certificate-sha256: *' } | Select-Object -First 1) -replace '^certificate-sha256: ', ''
    $password = New-Object System.Security.SecureString
    foreach ($c in 'demo-password'.ToCharArray()) { $password.AppendChar($c) }
    $credential = New-Object System.Management.Automation.PSCredential('demo-admin', $password)
    $connection = New-MfaConnection -Uri $uri -Credential $credential -ServerCertificateHash $hash -Default:$Default
    $simulator = [pscustomobject]@{
        PSTypeName      = 'MfaApproval.Simulator'
        Uri             = $uri
        CertificateHash = $hash
        ProcessId       = $process.Id
        Connection      = $connection
        Process         = $process
    }
    $connection.Simulator = $simulator
    $script:Simulators.Add($simulator)
    Write-Verbose "Simulator ready at $uri (certificate SHA-256 $hash)"
    $simulator
}
