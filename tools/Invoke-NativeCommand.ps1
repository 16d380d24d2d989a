<#
.SYNOPSIS
Runs a program and returns its exit code, its standard output and its standard error as text,
whatever the program writes where, on Windows PowerShell 5.1 and PowerShell 7 alike.

.DESCRIPTION
The one way build.ps1, the tools and the test helpers start a child whose standard error they
read. The obvious `& program 2>&1` (or `2>$null`, `2>file`) is not safe on Windows PowerShell
5.1: 5.1 turns each line a redirected native command writes to standard error into an error
record, and under $ErrorActionPreference = 'Stop' the first one ends the script as a
NativeCommandError (PowerShell/PowerShell#3996, #14273). A powershell.exe child writes its
progress records there, as CLIXML ("#< CLIXML" and then <Objs ...>), so a release check that
only imports a module can die of a progress bar.

This script starts the program with System.Diagnostics.Process (no shell), reads standard
output and standard error asynchronously (a child filling one pipe never blocks), waits in
short steps (so Ctrl+C still stops the caller), and returns one object:

  ExitCode   the child's exit code (-1 when it was killed after -TimeoutSeconds)
  TimedOut   $true when it ran over -TimeoutSeconds and was killed
  Output     standard output, one string per line (the newline that ends the last line
             makes no empty line of its own)
  Error      standard error as readable lines: the text of every CLIXML error, warning,
             verbose, debug and information record, decoded; progress records left out;
             plain text as it came
  Progress   how many CLIXML progress records were left out
  RawError   standard error exactly as written

Arguments go to the child as a list: through ProcessStartInfo.ArgumentList where the runtime
has one (PowerShell 7), otherwise quoted by the rules the child's C runtime parses them with
(CommandLineToArgvW), so no caller pastes a value into a command line. Windows PowerShell 5.1
syntax, ASCII only.

.PARAMETER FilePath
The program: a full path, or a name found on PATH.

.PARAMETER ArgumentList
The arguments, each passed to the child exactly (spaces, quotes, backslashes, empty strings).

.PARAMETER Environment
Environment variables for the child only (this process's environment is not changed); a $null
value removes the variable.

.PARAMETER TimeoutSeconds
Kill the child after this many seconds (0, the default: wait as long as it runs).

.PARAMETER CommandLine
Pass the arguments as one quoted command line even where ArgumentList exists: what happens on
Windows PowerShell 5.1 (.NET Framework); the tests use it to check the quoting on PowerShell 7.

.EXAMPLE
$r = & tools/Invoke-NativeCommand.ps1 -FilePath powershell.exe -ArgumentList '-NoProfile', '-File', 'check.ps1'
if ($r.ExitCode -ne 0) { throw "check.ps1 failed ($($r.ExitCode)): $($r.Error -join ' ')" }
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][string]$FilePath,
    [AllowEmptyString()][AllowEmptyCollection()][string[]]$ArgumentList = @(),
    [hashtable]$Environment,
    [string]$WorkingDirectory,
    [ValidateRange(0, 86400)][int]$TimeoutSeconds = 0,
    [switch]$CommandLine
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 2.0

# One argument quoted so that CommandLineToArgvW (and the MSVC runtime, and .NET's own parser)
# gives it back exactly: backslashes are literal except before a quote, where they are doubled.
function ConvertTo-QuotedArgument([AllowEmptyString()][string]$Argument) {
    if ($Argument.Length -gt 0 -and $Argument -notmatch '[\s"]') { return $Argument }
    $quoted = New-Object System.Text.StringBuilder
    $null = $quoted.Append('"')
    $backslashes = 0
    foreach ($c in $Argument.ToCharArray()) {
        if ($c -eq '\') { $backslashes++; continue }
        if ($c -eq '"') { $null = $quoted.Append([char]'\', 2 * $backslashes + 1).Append([char]'"') }
        else { $null = $quoted.Append([char]'\', $backslashes).Append($c) }
        $backslashes = 0
    }
    $null = $quoted.Append([char]'\', 2 * $backslashes).Append([char]'"')
    $quoted.ToString()
}

# The readable lines of one CLIXML document (<Objs>): the strings PowerShell's serializer wrote
# for the error, warning, verbose, debug and information streams, _xHHHH_ escapes decoded;
# progress records counted, not shown. $null when the text is not such a document.
function ConvertFrom-ClixmlStream([string]$Xml) {
    $settings = New-Object System.Xml.XmlReaderSettings
    $settings.DtdProcessing = [System.Xml.DtdProcessing]::Prohibit
    $settings.XmlResolver = $null
    $document = New-Object System.Xml.XmlDocument
    $document.XmlResolver = $null
    $reader = [System.Xml.XmlReader]::Create((New-Object System.IO.StringReader($Xml)), $settings)
    try { $document.Load($reader) } catch { return $null } finally { $reader.Close() }
    if (-not $document.DocumentElement -or $document.DocumentElement.LocalName -ne 'Objs') { return $null }
    $text = New-Object System.Text.StringBuilder
    $progress = 0
    foreach ($node in $document.DocumentElement.ChildNodes) {
        if ($node.NodeType -ne [System.Xml.XmlNodeType]::Element) { continue }
        $stream = $node.GetAttribute('S')
        if ($stream -eq 'progress') { $progress++; continue }
        # Windows PowerShell 5.1 writes an error as <S S="Error"> pieces that carry their own
        # line ends; a record (pwsh's ErrorRecord, an InformationRecord) is an <Obj> whose
        # <ToString> is its text; a warning or verbose line is one <S> without a line end.
        $piece = $node.LocalName -eq 'S' -and $stream -eq 'Error'
        if ($node.LocalName -eq 'S') { $value = $node.InnerText }
        else {
            $toString = $node.SelectSingleNode('*[local-name()="ToString"]')
            $value = if ($toString) { $toString.InnerText } else { $node.InnerText }
        }
        $value = [System.Xml.XmlConvert]::DecodeName($value)
        if ($stream -and $stream -ne 'Error' -and $stream -ne 'Output') {
            $prefix = $stream.ToUpperInvariant() + ': '
            if (-not $value.StartsWith($prefix, [System.StringComparison]::OrdinalIgnoreCase)) { $value = $prefix + $value }
        }
        if (-not $piece -and -not $value.EndsWith("`n")) { $value += "`n" }
        $null = $text.Append($value)
    }
    @{ Lines = @($text.ToString() -split "`r?`n" | Where-Object { $_ -ne '' }); Progress = $progress }
}

# Standard error as readable lines: each "#< CLIXML" marker's document (up to its </Objs>,
# wherever the next text starts) decoded, everything else as written.
function ConvertFrom-StandardError([string]$Text) {
    $lines = New-Object System.Collections.Generic.List[string]
    $progress = 0
    $plain = {
        param([string]$Part)
        foreach ($l in ($Part -split "`r?`n")) { if ($l -ne '') { $lines.Add($l) } }
    }
    $at = 0
    foreach ($m in [regex]::Matches($Text, '#< CLIXML\r?\n(?<xml><Objs\b.*?</Objs>)', 'Singleline')) {
        & $plain $Text.Substring($at, $m.Index - $at)
        $decoded = ConvertFrom-ClixmlStream $m.Groups['xml'].Value
        if ($null -eq $decoded) { & $plain $m.Value }
        else {
            $progress += $decoded.Progress
            foreach ($l in $decoded.Lines) { $lines.Add($l) }
        }
        $at = $m.Index + $m.Length
    }
    & $plain $Text.Substring($at)
    @{ Lines = $lines.ToArray(); Progress = $progress }
}

$info = New-Object System.Diagnostics.ProcessStartInfo
$info.FileName = $FilePath
$info.UseShellExecute = $false
$info.RedirectStandardOutput = $true
$info.RedirectStandardError = $true
$info.RedirectStandardInput = $true
$info.CreateNoWindow = $true
$utf8 = New-Object System.Text.UTF8Encoding($false)
$info.StandardOutputEncoding = $utf8
$info.StandardErrorEncoding = $utf8
if ($WorkingDirectory) { $info.WorkingDirectory = $WorkingDirectory }
if (-not $CommandLine -and $info.PSObject.Properties['ArgumentList']) {
    foreach ($a in $ArgumentList) { $info.ArgumentList.Add($a) }
}
else {
    $info.Arguments = (@($ArgumentList | ForEach-Object { ConvertTo-QuotedArgument $_ }) -join ' ')
}
if ($Environment) {
    foreach ($name in $Environment.Keys) {
        if ($null -eq $Environment[$name]) { $null = $info.EnvironmentVariables.Remove($name) }
        else { $info.EnvironmentVariables[$name] = [string]$Environment[$name] }
    }
}

$process = [System.Diagnostics.Process]::Start($info)
$timedOut = $false
try {
    # Nothing on standard input: a child that reads it sees the end at once.
    $process.StandardInput.Close()
    $stdout = $process.StandardOutput.ReadToEndAsync()
    $stderr = $process.StandardError.ReadToEndAsync()
    $limit = if ($TimeoutSeconds -gt 0) { [datetime]::UtcNow.AddSeconds($TimeoutSeconds) } else { [datetime]::MaxValue }
    while (-not $process.WaitForExit(200)) {
        if ([datetime]::UtcNow -gt $limit) {
            $timedOut = $true
            try { $process.Kill() } catch { Write-Verbose "Kill: $($_.Exception.Message)" }
            $null = $process.WaitForExit(5000)
            break
        }
    }
    if (-not $timedOut) { $process.WaitForExit() }   # the streams' end, after the exit
    $null = $stdout.Wait(5000)
    $null = $stderr.Wait(5000)
    $rawOut = if ($stdout.IsCompleted) { $stdout.Result } else { '' }
    $rawError = if ($stderr.IsCompleted) { $stderr.Result } else { '' }
    $code = if ($timedOut) { -1 } else { $process.ExitCode }
}
finally {
    if (-not $process.HasExited) { try { $process.Kill() } catch { Write-Verbose "Kill: $($_.Exception.Message)" } }
    $process.Dispose()
}
$errors = ConvertFrom-StandardError $rawError
$lines = @(if ($rawOut -ne '') { $rawOut -split "`r?`n" })
if ($lines.Count -gt 0 -and $lines[-1] -eq '') { $lines = @($lines | Select-Object -First ($lines.Count - 1)) }
[pscustomobject]@{
    ExitCode = $code
    TimedOut = $timedOut
    Output   = $lines
    Error    = @($errors.Lines)
    Progress = $errors.Progress
    RawError = $rawError
}
