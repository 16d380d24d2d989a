# Dot-sourced by Invoke-MfaApprovalOutOfProcess.ps1 (and by the tests): how the wrapper starts
# its child, what it writes on the child's standard input, and how it reads the child's
# standard error. Windows PowerShell 5.1 syntax, ASCII only.
#
# Exit codes of the child (MfaApprovalChild.ps1 behind the bootstrap):
#   0  approved
#   1  answered, but not approved
#   2  the approval could not be attempted (settings, module, credential file, user name)
#   3  the bootstrap failed: the request on standard input could not be read, or the child
#      script could not be started (never confused with 1, "not approved")
# The wrapper adds -1: the child ran over its limit and was killed.

$script:MfaChildBootstrapFailed = 3

# Every key of the wrapper's hashtable, on every outcome (null where it does not apply).
# MIMWAL's "Table of Values" publishes each key as [//WorkflowData/<key>]; a null value
# removes that key from WorkflowData (UpdateLookups.cs), so no value from an earlier run of
# the workflow survives. The result's keys are the module's (MfaApproval.Result.HashtableKeys,
# what Result.ToHashtable() writes); the wrapper adds its own.
$script:MfaWrapperOwnKeys = @('ExitCode', 'MimRequestId', 'MimActorId', 'MimTargetId')
function Get-MfaWrapperResultKeys {
    $type = 'MfaApproval.Result' -as [type]
    # Without the module's assembly (the wrapper could not load it) the result is a Failed one
    # the wrapper writes itself: these are the keys it always sets.
    $module = if ($type) { @($type::HashtableKeys) } else { @('Approved', 'Status', 'UserName', 'Message') }
    @($module) + $script:MfaWrapperOwnKeys
}

# The child's whole command line after the executable: constant tokens and base64 only
# (nothing to quote). The bootstrap reads ALL of standard input and keeps only base64
# characters, so whatever precedes the request line (a UTF-8 byte order mark that .NET
# Framework's Process writes under a UTF-8 console, shown as U+FEFF or as three code-page
# characters, a CR) cannot change the request. The request is UTF-8 JSON, base64-encoded,
# so the pipe carries ASCII whatever the code pages. The child's exit code is passed on (a
# -Command would otherwise turn it into 0 or 1); a failure before the child reports is exit 3.
function Get-MfaChildArgument([bool]$OnWindows) {
    $bootstrap = @'
$ErrorActionPreference = 'Stop'
try {
    $text = [Console]::In.ReadToEnd() -replace '[^A-Za-z0-9+/=]', ''
    $r = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($text)) | ConvertFrom-Json
    & $r.ChildPath -Request $r
    if ($LASTEXITCODE -is [int]) { exit $LASTEXITCODE }
    throw 'the child script ended without an exit code'
}
catch {
    [Console]::Error.WriteLine('MfaApproval child bootstrap failed: ' + $_.Exception.Message)
    exit 3
}
'@
    $arguments = @('-NoProfile', '-NonInteractive')
    if ($OnWindows) { $arguments += @('-ExecutionPolicy', 'Bypass') }
    $arguments + @('-EncodedCommand', [Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($bootstrap)))
}

# The bytes the wrapper writes on the child's standard input: a newline first (so a byte
# order mark already in the pipe ends its own line and no double-byte code page can join its
# last byte with the request's first character), then the request as base64 of UTF-8 JSON,
# then a newline. ASCII bytes, written to the raw stream: no encoder, no preamble of ours.
function ConvertTo-MfaChildInput([Parameter(Mandatory)][hashtable]$Request) {
    $utf8 = New-Object System.Text.UTF8Encoding($false)
    $line = [Convert]::ToBase64String($utf8.GetBytes((ConvertTo-Json -InputObject $Request -Compress -Depth 4)))
    [System.Text.Encoding]::ASCII.GetBytes("`n$line`n")
}

# The child's standard error as readable text: Windows PowerShell 5.1, started with
# -EncodedCommand and a redirected stderr, writes its errors as CLIXML ("#< CLIXML" and
# <S S="Error">..._x000D__x000A_...</S> elements); each error string is decoded and the
# pieces joined. Plain text passes through. Bounded to 300 characters.
function ConvertFrom-MfaChildError([AllowNull()][AllowEmptyString()][string]$Text) {
    if (-not $Text) { return '' }
    if ($Text.TrimStart().StartsWith('#< CLIXML')) {
        $parts = foreach ($m in [regex]::Matches($Text, '<S S="Error">(.*?)</S>', 'Singleline')) {
            $s = [regex]::Replace($m.Groups[1].Value, '_x([0-9A-Fa-f]{4})_', { param($x) [string][char][Convert]::ToInt32($x.Groups[1].Value, 16) })
            [System.Net.WebUtility]::HtmlDecode($s)
        }
        $Text = ($parts -join '')
    }
    $why = (($Text -split "`r?`n") | ForEach-Object { $_.Trim() } | Where-Object { $_ } | Select-Object -First 3) -join ' '
    if ($why.Length -gt 300) { $why = $why.Substring(0, 300) + '...' }
    $why
}

# A ProcessStartInfo for the child: no shell, every stream redirected, UTF-8 both ways
# (stdin: no preamble where the runtime lets us say so; .NET Framework has no
# StandardInputEncoding, hence the bootstrap's tolerance).
function New-MfaChildStartInfo([Parameter(Mandatory)][string]$PowerShellPath, [bool]$OnWindows) {
    $utf8 = New-Object System.Text.UTF8Encoding($false)
    $info = New-Object System.Diagnostics.ProcessStartInfo
    $info.FileName = $PowerShellPath
    $info.Arguments = (Get-MfaChildArgument $OnWindows) -join ' '   # constant tokens and base64 only
    $info.UseShellExecute = $false
    $info.RedirectStandardInput = $true
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $info.StandardOutputEncoding = $utf8
    $info.StandardErrorEncoding = $utf8
    if ($info.PSObject.Properties['StandardInputEncoding']) { $info.StandardInputEncoding = $utf8 }
    $info.CreateNoWindow = $true
    $info
}
