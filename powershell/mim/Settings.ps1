# Dot-sourced by MfaApprovalChild.ps1 (and by the tests): the ONE mapping from the keys of the
# MIM settings file (mfa-settings.psd1) to New-MfaConnection's parameters, and the function
# that turns a settings file into those parameters. The mapping is derived from
# New-MfaConnection's own parameters (whose provider parameter sets follow the engine's
# provider registry), so a new provider or parameter needs no line here:
#   key = the parameter's name, or the name + 'Path' for a SecureString or PSCredential
#   parameter (the settings file holds the path of a protected file, never the secret).
# Windows PowerShell 5.1 syntax, ASCII only.
#
# Kind (from the parameter's type):
#   Value       passed as it is (string, number or string array)
#   Switch      $true or $false
#   Credential  the path of an Export-Clixml'd PSCredential (DPAPI: made as the MIM Service
#               account, on that node) or of a Protect-MfaSecret file (made by an administrator
#               for that account); the PSCredential is passed
#   Secret      the path of an Export-Clixml'd PSCredential (user name unused) or SecureString,
#               or of a Protect-MfaSecret file; its SecureString is passed
# A Protect-MfaSecret file is read by the module (MfaApproval.Hosting.StoredSecret), so the
# child imports MfaApproval before it converts the settings.

# The settings keys, each @{ Parameter; Kind }, derived from New-MfaConnection (the module
# must be imported first).
function Get-MfaSettingsMap {
    $command = Get-Command -Module MfaApproval -Name New-MfaConnection -ErrorAction Stop
    $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
    $map = [ordered]@{}
    foreach ($parameter in $command.Parameters.Values) {
        $name = $parameter.Name
        if ($common -contains $name -or $MfaSettingsUnmapped.ContainsKey($name)) { continue }
        $type = $parameter.ParameterType
        $kind = 'Value'
        $key = $name
        if ($type -eq [System.Management.Automation.SwitchParameter]) { $kind = 'Switch' }
        elseif ($type -eq [System.Management.Automation.PSCredential]) { $kind = 'Credential'; $key = $name + 'Path' }
        elseif ($type -eq [System.Security.SecureString]) { $kind = 'Secret'; $key = $name + 'Path' }
        $map[$key] = @{ Parameter = $name; Kind = $kind }
    }
    $map
}

# Settings keys that are not New-MfaConnection parameters.
$script:MfaSettingsOwnKeys = @{
    ModulePath = 'where MfaApproval is installed (a folder or its .psd1), if not on PSModulePath'
}

# New-MfaConnection parameters the settings file deliberately cannot set, and why.
$script:MfaSettingsUnmapped = @{
    Default = 'a session default connection: the child makes one connection and exits'
}

# Derived now only when the module is already imported (the tests): Get-Module never
# auto-loads, so the child's own pinned import stays the first (ConvertFrom-MfaSettings
# derives the map after it).
$script:MfaSettingsMap = $null
if (Get-Module MfaApproval) { $script:MfaSettingsMap = Get-MfaSettingsMap }

# The settings (Import-PowerShellDataFile of the file at -Path: it evaluates no code and reads
# a UTF-8 BOM) as New-MfaConnection parameters (a hashtable to splat), or a terminating error
# naming the file and the key. Unknown keys are refused (a typo must not silently drop a pin
# or a proxy).
function ConvertFrom-MfaSettings([Parameter(Mandatory)][hashtable]$Settings, [Parameter(Mandatory)][string]$Path) {
    if (-not $MfaSettingsMap) { $script:MfaSettingsMap = Get-MfaSettingsMap }
    # New-MfaConnection declares a parameter only in the parameter sets of the providers that
    # take it: a key the provider does not take is refused here, naming that provider's keys,
    # before any secret file is read (the registry says which sets are the provider's).
    $spec = [MfaApproval.Providers]::Default
    if ($settings.ContainsKey('Provider')) { $spec = [MfaApproval.Providers]::Find([string]$settings['Provider']) }
    $offered = $null
    if ($spec) {
        $command = Get-Command -Module MfaApproval -Name New-MfaConnection -ErrorAction Stop
        $offered = @($command.ParameterSets | Where-Object { $spec.ParameterSets -contains $_.Name } | ForEach-Object { $_.Parameters } | ForEach-Object { $_.Name })
    }
    $parameters = @{}
    foreach ($key in @($settings.Keys)) {
        $value = $settings[$key]
        if ($MfaSettingsOwnKeys.Contains($key)) { continue }
        if (-not $MfaSettingsMap.Contains($key)) {
            $known = @($MfaSettingsMap.Keys) + @($MfaSettingsOwnKeys.Keys) | Sort-Object
            throw "settings file '$Path': unknown setting '$key'. Known settings: $($known -join ', ') (docs/mim.md, section 2)."
        }
        if ($offered -and $offered -notcontains $MfaSettingsMap[$key].Parameter) {
            $own = @($MfaSettingsMap.Keys | Where-Object { $offered -contains $MfaSettingsMap[$_].Parameter } | Sort-Object)
            throw "settings file '$Path': $key is not a setting of Provider $($spec.Label). Its settings: $(($own + @($MfaSettingsOwnKeys.Keys)) -join ', ') (docs/mim.md, section 2)."
        }
        $entry = $MfaSettingsMap[$key]
        switch ($entry.Kind) {
            'Switch' {
                if ($value -isnot [bool]) { throw "settings file '$Path': $key must be `$true or `$false (got '$value')." }
                $parameters[$entry.Parameter] = [System.Management.Automation.SwitchParameter]$value
            }
            'Credential' {
                $credential = Import-MfaSettingsSecret -Path $Path -Key $key -File $value
                if ($credential -isnot [System.Management.Automation.PSCredential]) { throw "settings file '$Path': $key '$value' holds no PSCredential (make it with Get-Credential | Export-Clixml, as the MIM Service account)." }
                $parameters[$entry.Parameter] = $credential
            }
            'Secret' {
                $secret = Import-MfaSettingsSecret -Path $Path -Key $key -File $value
                if ($secret -is [System.Management.Automation.PSCredential]) { $secret = $secret.Password }
                if ($secret -isnot [System.Security.SecureString]) { throw "settings file '$Path': $key '$value' holds no PSCredential or SecureString (make it with Get-Credential | Export-Clixml, as the MIM Service account)." }
                $parameters[$entry.Parameter] = $secret
            }
            default { $parameters[$entry.Parameter] = $value }
        }
    }
    $parameters
}

function Import-MfaSettingsSecret([string]$Path, [string]$Key, $File) {
    if (-not ($File -is [string]) -or -not $File) { throw "settings file '$Path': $Key must be the path of an Export-Clixml file or a Protect-MfaSecret file." }
    if (-not (Test-Path -LiteralPath $File -PathType Leaf)) { throw "settings file '$Path': $Key '$File' does not exist (or this account cannot see it)." }
    $reader = 'MfaApproval.Hosting.StoredSecret' -as [type]
    if ($reader) {
        $protected = $null
        try { $protected = $reader::ReadSecretFile((Resolve-Path -LiteralPath $File).ProviderPath) }
        catch {
            $inner = $_.Exception
            while ($inner.InnerException) { $inner = $inner.InnerException }
            throw "settings file '$Path': $Key '$File' cannot be read by this account ($($inner.Message))"
        }
        if ($protected) { return $protected }
    }
    try { Import-Clixml -LiteralPath $File }
    catch { throw "settings file '$Path': $Key '$File' cannot be read by this account ($($_.Exception.Message)); DPAPI binds it to the account and machine that made it: make it again as the MIM Service account, on this node." }
}
