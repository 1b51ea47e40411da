# Dot-sourced by the lab before every command line it runs in real PowerShell: makes a pwsh process
# on Linux look, to the script that follows, like a Windows Hyper-V host. It gives the process its
# drives (C:, D: as PSDrives over the host's folders), Windows PowerShell 5.1's error view without
# colour codes, the Windows-only commands the agent uses (module AetherV.LabWindows) and a Start-Job
# whose child processes get the same drives. The Hyper-V and FailoverClusters modules are not
# imported here: they autoload from PSModulePath when first used, as on Windows, and a host
# "without the Hyper-V module" simply does not have it there. Writes no output and leaves $? alone.
if ($PSVersionTable.PSVersion.Major -ge 7) {
    $PSStyle.OutputRendering = 'PlainText'
    $PSStyle.Formatting.Error = ''
    $PSStyle.Formatting.ErrorAccent = ''
    $PSStyle.Formatting.Warning = ''
}
$ErrorView = 'NormalView'
# The lab runs the agent under the strictest mode, so a read of a property that is not there or of
# an unset variable fails the test here instead of yielding $null on a customer's host.
Set-StrictMode -Version Latest
& {
    foreach ($drive in ($env:AETHERV_LAB_DRIVES -split ';')) {
        if (-not $drive) { continue }
        $name, $root = $drive -split '=', 2
        if (-not (Get-PSDrive -Name $name -ErrorAction SilentlyContinue)) {
            $null = New-PSDrive -Name $name -PSProvider FileSystem -Root $root -Scope Global
        }
    }
    if ($env:AETHERV_LAB_WINDOWS_MODULE) {
        Import-Module -Name $env:AETHERV_LAB_WINDOWS_MODULE -Global -DisableNameChecking
    }
}

# Start-Job runs its script block in a new pwsh process, which knows nothing of the drives above:
# give every job this bootstrap as its initialization script, then the caller's own if it had one.
function global:Start-Job {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true, Position = 0)][scriptblock]$ScriptBlock,
        [object[]]$ArgumentList,
        [string]$Name,
        [scriptblock]$InitializationScript
    )
    $labInit = [scriptblock]::Create(". (`$env:AETHERV_LAB_BOOTSTRAP)")
    if ($InitializationScript) {
        $labInit = [scriptblock]::Create(". (`$env:AETHERV_LAB_BOOTSTRAP); . ([scriptblock]::Create(" + "'" + $InitializationScript.ToString().Replace("'", "''") + "'" + '))')
    }
    # The jobsFail knob wins over any initialization script: the job's process must not start.
    if ($env:AETHERV_LAB_JOBS_FAIL -eq '1') {
        $labInit = [scriptblock]::Create("throw 'The lab host refuses to start background processes (knob jobsFail).'")
    }
    $arguments = @{ ScriptBlock = $ScriptBlock; InitializationScript = $labInit }
    if ($PSBoundParameters.ContainsKey('ArgumentList')) { $arguments['ArgumentList'] = $ArgumentList }
    if ($Name) { $arguments['Name'] = $Name }
    Microsoft.PowerShell.Core\Start-Job @arguments
}
# The lab's slowFactor knob scales simulated waiting; for real scripts that is Start-Sleep (the
# agent's guest polling and settle pause, the installer's retry backoff).
if ($env:AETHERV_LAB_SLOW_FACTOR -and $env:AETHERV_LAB_SLOW_FACTOR -ne '1') {
    function global:Start-Sleep {
        [CmdletBinding(DefaultParameterSetName = 'Seconds')]
        param(
            [Parameter(Position = 0, ParameterSetName = 'Seconds')][double]$Seconds,
            [Parameter(ParameterSetName = 'Milliseconds')][Alias('ms')][int]$Milliseconds
        )
        $factor = [double]::Parse($env:AETHERV_LAB_SLOW_FACTOR, [Globalization.CultureInfo]::InvariantCulture)
        $wanted = $Seconds * 1000
        if ($PSCmdlet.ParameterSetName -eq 'Milliseconds') { $wanted = $Milliseconds }
        Microsoft.PowerShell.Utility\Start-Sleep -Milliseconds ([int][Math]::Max(0, $wanted * $factor))
    }
}
if (Test-Path -LiteralPath $env:USERPROFILE) { Set-Location -LiteralPath $env:USERPROFILE }
