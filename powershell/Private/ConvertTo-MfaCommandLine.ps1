function ConvertTo-MfaCommandLine {
    # Joins arguments into one command line by the Windows rules (CommandLineToArgvW and
    # the MSVC runtime; .NET on Unix parses ProcessStartInfo.Arguments the same way): a
    # run of backslashes is doubled before a quote and at the end of a quoted argument,
    # so the child sees every argument exactly. Never paste data into a command line
    # without this.
    [CmdletBinding()]
    [OutputType([string])]
    param([AllowEmptyString()][AllowEmptyCollection()][string[]]$Argument = @())
    $parts = foreach ($a in $Argument) {
        if ($a.Length -gt 0 -and $a -notmatch '[\s"]') { $a; continue }
        $sb = New-Object System.Text.StringBuilder
        $null = $sb.Append('"')
        $backslashes = 0
        foreach ($c in $a.ToCharArray()) {
            if ($c -eq [char]'\') { $backslashes++; continue }
            if ($c -eq [char]'"') { $null = $sb.Append([char]'\', 2 * $backslashes + 1) }
            elseif ($backslashes -gt 0) { $null = $sb.Append([char]'\', $backslashes) }
            $null = $sb.Append($c)
            $backslashes = 0
        }
        if ($backslashes -gt 0) { $null = $sb.Append([char]'\', 2 * $backslashes) }
        $null = $sb.Append('"')
        $sb.ToString()
    }
    @($parts) -join ' '
}
