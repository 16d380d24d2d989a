<#
.SYNOPSIS
Builds MAML help (MfaApproval.dll-Help.xml) from command Markdown in platyPS's layout.

.DESCRIPTION
Reads every docs/commands/<Command>.md (the layout `New-MarkdownHelp` writes: SYNOPSIS,
SYNTAX, DESCRIPTION, EXAMPLES with "### Example N: title" and a powershell code block,
PARAMETERS with "### -Name", a description and a yaml block, INPUTS, OUTPUTS, NOTES,
RELATED LINKS) and writes one MAML file. Where platyPS is installed, `New-ExternalHelp`
produces the same file from the same Markdown; this script exists because the build
machines have no PowerShell Gallery. Windows PowerShell 5.1 syntax.

.PARAMETER Path
The folder of command Markdown files.

.PARAMETER Destination
The MAML file to write.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)][string]$Path,
    [Parameter(Mandatory)][string]$Destination
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 2.0

$ns = @{
    maml    = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
}

function Split-Section {
    # Splits lines into sections keyed by their heading at the given level ('## ' or '### ').
    param([string[]]$Lines, [string]$Prefix)
    $sections = New-Object System.Collections.Specialized.OrderedDictionary
    $name = $null
    $body = New-Object System.Collections.Generic.List[string]
    $inCode = $false
    foreach ($line in $Lines) {
        if ($line.StartsWith('```')) { $inCode = -not $inCode }
        if (-not $inCode -and $line.StartsWith($Prefix) -and -not $line.StartsWith($Prefix + '#')) {
            if ($null -ne $name) { $sections[$name] = $body.ToArray() }
            $name = $line.Substring($Prefix.Length).Trim()
            $body = New-Object System.Collections.Generic.List[string]
            continue
        }
        if ($null -ne $name) { $body.Add($line) }
    }
    if ($null -ne $name) { $sections[$name] = $body.ToArray() }
    $sections
}

function Get-Paragraphs {
    # Text outside code blocks, as paragraphs (blank-line separated, lines joined).
    param([string[]]$Lines)
    $paragraphs = New-Object System.Collections.Generic.List[string]
    $current = New-Object System.Collections.Generic.List[string]
    $inCode = $false
    foreach ($line in $Lines) {
        if ($line.StartsWith('```')) { $inCode = -not $inCode; continue }
        if ($inCode) { continue }
        if ($line.Trim().Length -eq 0) {
            if ($current.Count) { $paragraphs.Add(($current -join ' ')); $current.Clear() }
            continue
        }
        $current.Add($line.Trim())
    }
    if ($current.Count) { $paragraphs.Add(($current -join ' ')) }
    , $paragraphs.ToArray()
}

function Get-CodeBlock {
    param([string[]]$Lines, [string]$Language)
    $inCode = $false; $code = New-Object System.Collections.Generic.List[string]
    foreach ($line in $Lines) {
        if ($line.StartsWith('```')) {
            if ($inCode) { return ($code -join "`n") }
            if ($line.Substring(3).Trim() -eq $Language -or -not $Language) { $inCode = $true }
            continue
        }
        if ($inCode) { $code.Add($line) }
    }
    $null
}

function Read-Yaml {
    param([string]$Text)
    $map = @{}
    foreach ($line in ($Text -split "`n")) {
        $i = $line.IndexOf(':')
        if ($i -gt 0) { $map[$line.Substring(0, $i).Trim()] = $line.Substring($i + 1).Trim() }
    }
    $map
}

function Write-Paras {
    param([System.Xml.XmlWriter]$W, [string[]]$Paragraphs)
    $W.WriteStartElement('maml', 'description', $ns.maml)
    foreach ($p in $Paragraphs) { $W.WriteElementString('maml', 'para', $ns.maml, $p) }
    $W.WriteEndElement()
}

function Write-Parameter {
    param([System.Xml.XmlWriter]$W, [hashtable]$P, [bool]$InSyntax)
    $W.WriteStartElement('command', 'parameter', $ns.command)
    $W.WriteAttributeString('required', $P.Yaml['Required'].ToLowerInvariant())
    $W.WriteAttributeString('variableLength', 'true')
    $W.WriteAttributeString('globbing', $(if ($P.Yaml['Accept wildcard characters'] -eq 'True') { 'true' } else { 'false' }))
    $W.WriteAttributeString('pipelineInput', $P.Yaml['Accept pipeline input'])
    $W.WriteAttributeString('position', $(if ($P.Yaml['Position'] -eq 'Named') { 'named' } else { $P.Yaml['Position'] }))
    $W.WriteAttributeString('aliases', $(if ($P.Yaml['Aliases']) { $P.Yaml['Aliases'] } else { 'none' }))
    $W.WriteElementString('maml', 'name', $ns.maml, $P.Name)
    Write-Paras $W $P.Description
    $type = $P.Yaml['Type']
    if (-not ($InSyntax -and $type -eq 'SwitchParameter')) {
        $W.WriteStartElement('command', 'parameterValue', $ns.command)
        $W.WriteAttributeString('required', $(if ($type -eq 'SwitchParameter') { 'false' } else { 'true' }))
        $W.WriteAttributeString('variableLength', 'false')
        $W.WriteString($type)
        $W.WriteEndElement()
    }
    $W.WriteStartElement('dev', 'type', $ns.dev)
    $W.WriteElementString('maml', 'name', $ns.maml, $type)
    $W.WriteEndElement()
    $W.WriteElementString('dev', 'defaultValue', $ns.dev, $(if ($P.Yaml['Default value']) { $P.Yaml['Default value'] } else { 'None' }))
    $W.WriteEndElement()
}

$settings = New-Object System.Xml.XmlWriterSettings
$settings.Indent = $true
$settings.Encoding = New-Object System.Text.UTF8Encoding($false)
$folder = Split-Path -Parent $Destination
if ($folder -and -not (Test-Path $folder)) { $null = New-Item -ItemType Directory -Path $folder }
$w = [System.Xml.XmlWriter]::Create($Destination, $settings)
try {
    $w.WriteStartDocument()
    $w.WriteStartElement('helpItems', 'http://msh')
    $w.WriteAttributeString('schema', 'maml')
    foreach ($file in Get-ChildItem -Path $Path -Filter '*-*.md' | Sort-Object Name) {
        $lines = [System.IO.File]::ReadAllLines($file.FullName)
        $name = ($lines | Where-Object { $_ -match '^# \S' } | Select-Object -First 1).Substring(2).Trim()
        $top = Split-Section $lines '## '
        foreach ($required in 'SYNOPSIS', 'DESCRIPTION', 'EXAMPLES', 'PARAMETERS') {
            if (-not $top.Contains($required)) { throw "$($file.Name): no '## $required' section" }
        }
        $verb, $noun = $name.Split('-', 2)
        $w.WriteStartElement('command', 'command', $ns.command)
        $w.WriteAttributeString('xmlns', 'maml', $null, $ns.maml)
        $w.WriteAttributeString('xmlns', 'dev', $null, $ns.dev)
        $w.WriteStartElement('command', 'details', $ns.command)
        $w.WriteElementString('command', 'name', $ns.command, $name)
        $w.WriteElementString('command', 'verb', $ns.command, $verb)
        $w.WriteElementString('command', 'noun', $ns.command, $noun)
        Write-Paras $w (Get-Paragraphs $top['SYNOPSIS'])
        $w.WriteEndElement()
        Write-Paras $w (Get-Paragraphs $top['DESCRIPTION'])

        $parameters = New-Object System.Collections.Generic.List[hashtable]
        $blocks = Split-Section $top['PARAMETERS'] '### '
        foreach ($key in $blocks.Keys) {
            if ($key -eq 'CommonParameters') { continue }
            $yamlText = Get-CodeBlock $blocks[$key] 'yaml'
            if (-not $yamlText) { throw "$($file.Name): parameter $key has no yaml block" }
            $parameters.Add(@{ Name = $key.TrimStart('-'); Description = (Get-Paragraphs $blocks[$key]); Yaml = (Read-Yaml $yamlText) })
        }
        # One syntax item per parameter set named in the yaml blocks ("(All)" joins every set).
        $sets = New-Object System.Collections.Generic.List[string]
        foreach ($p in $parameters) { foreach ($s in ($p.Yaml['Parameter Sets'] -split ',\s*')) { if ($s -and $s -ne '(All)' -and -not $sets.Contains($s)) { $sets.Add($s) } } }
        if ($sets.Count -eq 0) { $sets.Add('(All)') }
        # Syntax lists positional parameters first (by position), then mandatory ones, then the rest.
        $ordered = @($parameters | Sort-Object @{ Expression = { if ($_.Yaml['Position'] -match '^\d+$') { [int]$_.Yaml['Position'] } else { 1000 } } },
            @{ Expression = { if ($_.Yaml['Required'] -eq 'True') { 0 } else { 1 } } }, @{ Expression = { $_.Name } })
        $w.WriteStartElement('command', 'syntax', $ns.command)
        foreach ($set in $sets) {
            $w.WriteStartElement('command', 'syntaxItem', $ns.command)
            $w.WriteElementString('maml', 'name', $ns.maml, $name)
            foreach ($p in $ordered) {
                $in = @($p.Yaml['Parameter Sets'] -split ',\s*')
                if ($in -contains '(All)' -or $in -contains $set) { Write-Parameter $w $p $true }
            }
            $w.WriteEndElement()
        }
        $w.WriteEndElement()
        $w.WriteStartElement('command', 'parameters', $ns.command)
        foreach ($p in $parameters) { Write-Parameter $w $p $false }
        $w.WriteEndElement()

        foreach ($pair in @(@('INPUTS', 'inputTypes', 'inputType'), @('OUTPUTS', 'returnValues', 'returnValue'))) {
            if (-not $top.Contains($pair[0])) { continue }
            $w.WriteStartElement('command', $pair[1], $ns.command)
            $types = Split-Section $top[$pair[0]] '### '
            foreach ($t in $types.Keys) {
                $w.WriteStartElement('command', $pair[2], $ns.command)
                $w.WriteStartElement('dev', 'type', $ns.dev)
                $w.WriteElementString('maml', 'name', $ns.maml, $t)
                $w.WriteEndElement()
                Write-Paras $w (Get-Paragraphs $types[$t])
                $w.WriteEndElement()
            }
            $w.WriteEndElement()
        }
        if ($top.Contains('NOTES')) {
            $w.WriteStartElement('maml', 'alertSet', $ns.maml)
            $w.WriteStartElement('maml', 'alert', $ns.maml)
            foreach ($p in (Get-Paragraphs $top['NOTES'])) { $w.WriteElementString('maml', 'para', $ns.maml, $p) }
            $w.WriteEndElement()
            $w.WriteEndElement()
        }
        $w.WriteStartElement('command', 'examples', $ns.command)
        $examples = Split-Section $top['EXAMPLES'] '### '
        foreach ($title in $examples.Keys) {
            $code = Get-CodeBlock $examples[$title] 'powershell'
            if (-not $code) { throw "$($file.Name): example '$title' has no powershell code block" }
            $w.WriteStartElement('command', 'example', $ns.command)
            $w.WriteElementString('maml', 'title', $ns.maml, "-------------------------- $title --------------------------")
            $w.WriteElementString('dev', 'code', $ns.dev, $code)
            $w.WriteStartElement('dev', 'remarks', $ns.dev)
            foreach ($p in (Get-Paragraphs $examples[$title])) { $w.WriteElementString('maml', 'para', $ns.maml, $p) }
            $w.WriteEndElement()
            $w.WriteEndElement()
        }
        $w.WriteEndElement()
        $w.WriteStartElement('command', 'relatedLinks', $ns.command)
        if ($top.Contains('RELATED LINKS')) {
            foreach ($line in $top['RELATED LINKS']) {
                $m = [regex]::Match($line, '^\[(?<text>[^\]]+)\]\((?<uri>[^)]*)\)')
                if ($m.Success) {
                    $w.WriteStartElement('maml', 'navigationLink', $ns.maml)
                    $w.WriteElementString('maml', 'linkText', $ns.maml, $m.Groups['text'].Value)
                    $w.WriteElementString('maml', 'uri', $ns.maml, $m.Groups['uri'].Value)
                    $w.WriteEndElement()
                }
            }
        }
        $w.WriteEndElement()
        $w.WriteEndElement()
    }
    $w.WriteEndElement()
    $w.WriteEndDocument()
}
finally { $w.Dispose() }
