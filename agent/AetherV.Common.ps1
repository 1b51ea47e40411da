# Shared helpers for every Aether-V agent script (Windows PowerShell 5.1).
# Dot-source it: . (Join-Path $PSScriptRoot 'AetherV.Common.ps1')
# Why one file: the envelope format, the log line format and the result line format are a wire
# contract with the desktop app (docs/agent.md); keeping them in one place keeps them consistent.

$script:AgentLogPrefix = 'AETHERV-LOG '
$script:AgentResultPrefix = 'AETHERV-RESULT '
$script:AgentSchemaVersion = 1

function Initialize-AgentOutput {
    # WinRS hands us redirected handles with the OEM code page; the app decodes UTF-8, so switch
    # stdout to UTF-8 without a BOM. Some hosts have no console at all: that is not fatal.
    try {
        [Console]::OutputEncoding = New-Object System.Text.UTF8Encoding -ArgumentList $false
    } catch {
        $null = $_
    }
    # 5.1 ships an extended-type Count on System.Array; an array that passed through the pipeline
    # then serialises as {"value":[...],"Count":n}. Dropping that type data (this process only)
    # keeps arrays as JSON arrays; .Count still works as an intrinsic member.
    try {
        Remove-TypeData -TypeName 'System.Array' -ErrorAction Stop
    } catch {
        $null = $_
    }
}

function Write-AgentLine {
    param([Parameter(Mandatory = $true)][string]$Line)
    # Console.Out bypasses PowerShell's formatter (no wrapping at the buffer width) and the flush
    # makes each line reach the app as it happens instead of at exit.
    [Console]::Out.WriteLine($Line)
    [Console]::Out.Flush()
}

function ConvertTo-AgentJson {
    param([Parameter(Mandatory = $true)][AllowNull()][AllowEmptyCollection()]$Value)
    # Depth 10 covers host -> VM -> NIC -> IP list with room to spare; 5.1 defaults to 2.
    return (ConvertTo-Json -InputObject $Value -Depth 10 -Compress)
}

function Get-AgentTimestamp {
    return [DateTime]::UtcNow.ToString('yyyy-MM-ddTHH:mm:ss.fffZ', [Globalization.CultureInfo]::InvariantCulture)
}

function Write-AgentLog {
    # Never pass secret values here: log lines are shown to people and stored in job history.
    param(
        [Parameter(Mandatory = $true)][AllowEmptyString()][string]$Message,
        [ValidateSet('debug', 'info', 'warn', 'error')][string]$Level = 'info',
        [string]$Step = ''
    )
    $entry = [ordered]@{ t = (Get-AgentTimestamp); level = $Level; message = $Message }
    if ($Step) { $entry['step'] = $Step }
    Write-AgentLine -Line ($script:AgentLogPrefix + (ConvertTo-AgentJson -Value $entry))
}

function New-AgentError {
    # The code travels inside Exception.Data so it survives being rethrown across script calls.
    param(
        [Parameter(Mandatory = $true)][string]$Code,
        [Parameter(Mandatory = $true)][string]$Message,
        $Details = $null
    )
    $exception = New-Object System.InvalidOperationException -ArgumentList $Message
    $exception.Data['AetherVCode'] = $Code
    if ($null -ne $Details) { $exception.Data['AetherVDetails'] = $Details }
    return $exception
}

function Get-AgentErrorInfo {
    # Maps any caught ErrorRecord to {code, message, exceptionType, details?}.
    param([Parameter(Mandatory = $true)]$ErrorRecord)
    $exception = $ErrorRecord.Exception
    $cursor = $exception
    while ($null -ne $cursor) {
        if ($cursor.Data -and $cursor.Data.Contains('AetherVCode')) {
            $info = [ordered]@{
                code          = [string]$cursor.Data['AetherVCode']
                message       = [string]$cursor.Message
                exceptionType = $cursor.GetType().FullName
            }
            if ($cursor.Data.Contains('AetherVDetails')) { $info['details'] = $cursor.Data['AetherVDetails'] }
            return $info
        }
        $cursor = $cursor.InnerException
    }
    $message = [string]$exception.Message
    if ($ErrorRecord.ErrorDetails -and $ErrorRecord.ErrorDetails.Message) {
        $message = [string]$ErrorRecord.ErrorDetails.Message
    }
    $code = 'INTERNAL_ERROR'
    $category = [string]$ErrorRecord.CategoryInfo.Category
    # Access first: Hyper-V's own "You do not have the required permission" is a
    # VirtualizationException too, and the admin's fix (group membership) differs from a Hyper-V fault.
    if ($category -eq 'PermissionDenied' -or $exception -is [System.UnauthorizedAccessException]) {
        $code = 'ACCESS_DENIED'
    } elseif ($ErrorRecord.FullyQualifiedErrorId -match 'Microsoft\.HyperV|VirtualizationException' -or
        $exception.GetType().FullName -like 'Microsoft.HyperV*' -or
        $exception.GetType().FullName -like 'Microsoft.Virtualization*') {
        $code = 'HYPERV_ERROR'
    }
    return [ordered]@{
        code          = $code
        message       = $message
        exceptionType = $exception.GetType().FullName
    }
}

function Write-AgentResult {
    param(
        [Parameter(Mandatory = $true)][ValidateSet('ok', 'error')][string]$Status,
        [string]$Operation = '',
        [string]$CorrelationId = '',
        $Data = $null,
        $ErrorInfo = $null
    )
    $result = [ordered]@{ status = $Status; operation = $Operation; correlationId = $CorrelationId }
    if ($Status -eq 'ok') {
        if ($null -eq $Data) { $Data = [ordered]@{} }
        $result['data'] = $Data
    } else {
        $result['error'] = $ErrorInfo
    }
    Write-AgentLine -Line ($script:AgentResultPrefix + (ConvertTo-AgentJson -Value $result))
}

function Read-AgentEnvelope {
    # Input: base64 of UTF-8 JSON. Base64 keeps the transport ASCII-only, so no code page or
    # quoting rule on the way can alter what the app sent.
    param([AllowEmptyString()][string]$Text)
    $trimmed = ''
    if ($null -ne $Text) { $trimmed = $Text.Trim() }
    if ($trimmed.Length -eq 0) {
        throw (New-AgentError -Code 'BAD_ENVELOPE' -Message 'No input: the agent expects one base64 UTF-8 JSON envelope on stdin.')
    }
    try {
        $bytes = [Convert]::FromBase64String($trimmed)
        $json = (New-Object System.Text.UTF8Encoding -ArgumentList @($false, $true)).GetString($bytes)
    } catch {
        throw (New-AgentError -Code 'BAD_ENVELOPE' -Message 'The input is not valid base64 of UTF-8 text.')
    }
    try {
        $envelope = ConvertFrom-Json -InputObject $json
    } catch {
        throw (New-AgentError -Code 'BAD_ENVELOPE' -Message 'The decoded input is not valid JSON.')
    }
    if ($null -eq $envelope -or $envelope -isnot [System.Management.Automation.PSCustomObject]) {
        throw (New-AgentError -Code 'BAD_ENVELOPE' -Message 'The envelope must be a JSON object.')
    }
    foreach ($name in @('operation', 'correlationId')) {
        $value = Get-AgentField -Fields $envelope -Name $name -Type 'string'
        if (-not $value) {
            throw (New-AgentError -Code 'BAD_ENVELOPE' -Message ("The envelope has no '" + $name + "'."))
        }
    }
    $schemaVersion = Get-AgentField -Fields $envelope -Name 'schemaVersion' -Type 'int'
    if ($schemaVersion -ne $script:AgentSchemaVersion) {
        throw (New-AgentError -Code 'SCHEMA_VERSION_MISMATCH' -Message ('This agent speaks envelope schemaVersion ' + $script:AgentSchemaVersion + '; the app sent ' + $schemaVersion + '. Redeploy the agent.'))
    }
    if ($null -eq $envelope.PSObject.Properties['fields']) {
        $envelope | Add-Member -NotePropertyName 'fields' -NotePropertyValue (New-Object PSObject)
    } elseif ($envelope.fields -isnot [System.Management.Automation.PSCustomObject]) {
        throw (New-AgentError -Code 'BAD_ENVELOPE' -Message "The envelope's 'fields' must be a JSON object.")
    }
    return $envelope
}

function Get-AgentField {
    # Reads one field of a parsed JSON object with a type check. The app validated the envelope
    # already; this is the host's own line of defence, so failures name the field.
    param(
        [Parameter(Mandatory = $true)]$Fields,
        [Parameter(Mandatory = $true)][string]$Name,
        [ValidateSet('string', 'int', 'bool', 'object', 'array', 'guid')][string]$Type = 'string',
        [switch]$Required,
        $Default = $null
    )
    $property = $null
    if ($null -ne $Fields) { $property = $Fields.PSObject.Properties[$Name] }
    if ($null -eq $property -or $null -eq $property.Value -or ($property.Value -is [string] -and $property.Value.Trim().Length -eq 0)) {
        if ($Required) {
            throw (New-AgentError -Code 'INVALID_FIELDS' -Message ("Required field '" + $Name + "' is missing."))
        }
        return $Default
    }
    $value = $property.Value
    switch ($Type) {
        'string' {
            if ($value -isnot [string]) { throw (New-AgentError -Code 'INVALID_FIELDS' -Message ("Field '" + $Name + "' must be a string.")) }
            return $value
        }
        'int' {
            if (($value -is [int]) -or ($value -is [long])) { return [long]$value }
            if (($value -is [double] -or $value -is [decimal]) -and ([Math]::Floor($value) -eq $value)) { return [long]$value }
            throw (New-AgentError -Code 'INVALID_FIELDS' -Message ("Field '" + $Name + "' must be a whole number."))
        }
        'bool' {
            if ($value -isnot [bool]) { throw (New-AgentError -Code 'INVALID_FIELDS' -Message ("Field '" + $Name + "' must be true or false.")) }
            return $value
        }
        'guid' {
            $parsed = [Guid]::Empty
            if (($value -isnot [string]) -or -not [Guid]::TryParse($value, [ref]$parsed)) {
                throw (New-AgentError -Code 'INVALID_FIELDS' -Message ("Field '" + $Name + "' must be a VM GUID."))
            }
            return $parsed
        }
        'object' {
            if ($value -isnot [System.Management.Automation.PSCustomObject]) { throw (New-AgentError -Code 'INVALID_FIELDS' -Message ("Field '" + $Name + "' must be an object.")) }
            return $value
        }
        'array' {
            # ConvertFrom-Json gives object[] for arrays; a comma keeps a one-element array intact.
            return , @($value)
        }
    }
}

function ConvertTo-AgentGiB {
    # Bytes -> GiB rounded to 2 decimals (.NET rounds halves to even; the app accepts that).
    param($Bytes)
    if ($null -eq $Bytes) { return $null }
    return [Math]::Round(([double]$Bytes) / 1073741824, 2)
}

function ConvertTo-AgentIsoTime {
    # 5.1 serialises DateTime as /Date(ms)/; send ISO-8601 UTC strings instead.
    param($Value)
    if ($null -eq $Value) { return $null }
    return ([DateTime]$Value).ToUniversalTime().ToString('o', [Globalization.CultureInfo]::InvariantCulture)
}

function Get-AgentLeafName {
    # The last segment of a Windows path. A string rule rather than [IO.Path]::GetFileName, whose
    # answer depends on the platform the .NET runtime thinks it is on.
    param([AllowEmptyString()][string]$Path)
    return @($Path -split '[\\/]')[-1]
}

function Get-AgentVersionText {
    # The version file sits next to the scripts; BOM, NUL (UTF-16 writers) and blanks are ignored.
    $path = Join-Path $PSScriptRoot 'version'
    if (-not (Test-Path -LiteralPath $path -PathType Leaf)) { return '' }
    # .NET resolves paths without PowerShell's drives: hand it the provider path.
    $raw = [IO.File]::ReadAllText((Convert-Path -LiteralPath $path))
    $clean = $raw.Replace([string][char]0xFEFF, '').Replace([string][char]0, '')
    foreach ($line in @($clean -split "`r?`n")) {
        if ($line.Trim().Length -gt 0) { return $line.Trim() }
    }
    return ''
}

function Get-AetherVmById {
    # VMs are addressed by GUID only: names are not unique on a Hyper-V host.
    param([Parameter(Mandatory = $true)][Guid]$VmId)
    # Only "no such VM" means VM_NOT_FOUND. Any other failure (access denied, the management
    # service stopped) must surface as itself, not send the admin to refresh the inventory.
    # Get-VM -Id reports an unknown id as InvalidArgument ("unable to find a virtual machine with
    # ID"); ObjectNotFound is accepted too, as other Hyper-V cmdlets use it.
    try {
        $vm = @(Get-VM -Id $VmId -ErrorAction Stop)
    } catch {
        if (@('ObjectNotFound', 'InvalidArgument') -notcontains [string]$_.CategoryInfo.Category) { throw }
        $vm = @()
    }
    if ($vm.Count -eq 0) {
        throw (New-AgentError -Code 'VM_NOT_FOUND' -Message ('No VM with id ' + $VmId.ToString() + ' exists on host ' + $env:COMPUTERNAME + '. Refresh the inventory.'))
    }
    return $vm[0]
}

# --- VM edits (agent 1.4.0): hardware, checkpoints, moves ---------------------------------------

# The states each VM edit needs and the verb its refusal uses: a copy of the app's one table of VM
# operations (src/shared/contract/vm-operations.ts); test/agent-real/vm-edits.test.ts fails when
# the two disagree.
$script:AetherVmOperations = @{
    'processors'        = @{ Allowed = @('Off'); Verb = 'change the processors of' }
    'memory'            = @{ Allowed = @('Off', 'Running'); Verb = 'change the memory of' }
    'notes'             = @{ Allowed = @('Running', 'Off', 'Saved', 'Paused'); Verb = 'change the notes of' }
    'disk.add'          = @{ Allowed = @('Off', 'Running'); Verb = 'add a disk to' }
    'disk.expand'       = @{ Allowed = @('Off', 'Running'); Verb = 'expand a disk of' }
    'disk.remove'       = @{ Allowed = @('Off', 'Running'); Verb = 'remove a disk from' }
    'nic.add'           = @{ Allowed = @('Off', 'Running'); Verb = 'add a network adapter to' }
    'nic.update'        = @{ Allowed = @('Running', 'Off', 'Saved', 'Paused'); Verb = 'change a network adapter of' }
    'nic.remove'        = @{ Allowed = @('Off', 'Running'); Verb = 'remove a network adapter from' }
    'checkpoint.create' = @{ Allowed = @('Running', 'Off', 'Saved', 'Paused'); Verb = 'checkpoint' }
    'checkpoint.apply'  = @{ Allowed = @('Off', 'Saved'); Verb = 'apply a checkpoint to' }
    'checkpoint.rename' = @{ Allowed = @('Running', 'Off', 'Saved', 'Paused'); Verb = 'rename a checkpoint of' }
    'checkpoint.delete' = @{ Allowed = @('Running', 'Off', 'Saved', 'Paused'); Verb = 'delete a checkpoint of' }
    'move'              = @{ Allowed = @('Running', 'Off', 'Saved'); Verb = 'move' }
}

function Get-AetherVmStateName {
    # Critical and fast-saved variants count as their base state, as for power actions.
    param([Parameter(Mandatory = $true)]$Vm)
    return ([string]$Vm.State) -replace 'Critical$', '' -replace '^FastSaved$', 'Saved'
}

function New-AetherVmStateError {
    param([Parameter(Mandatory = $true)]$Vm, [Parameter(Mandatory = $true)][string]$Reason)
    $state = Get-AetherVmStateName -Vm $Vm
    return (New-AgentError -Code 'INVALID_STATE' -Message ("VM '" + $Vm.Name + "': " + $Reason + '.') -Details ([ordered]@{ vmId = ([string]$Vm.Id).ToLowerInvariant(); state = $state }))
}

function Assert-AetherVmOperationState {
    # Refuses with the app's own sentence: "Hyper-V cannot <verb> a VM that is <state>; it must be <states>".
    param([Parameter(Mandatory = $true)]$Vm, [Parameter(Mandatory = $true)][string]$Operation)
    $rule = $script:AetherVmOperations[$Operation]
    $state = Get-AetherVmStateName -Vm $Vm
    if ($rule.Allowed -notcontains $state) {
        throw (New-AetherVmStateError -Vm $Vm -Reason ('Hyper-V cannot ' + $rule.Verb + ' a VM that is ' + $state + '; it must be ' + ($rule.Allowed -join ' or ')))
    }
}

function Assert-AetherVmOffForGeneration1 {
    # A Generation 1 VM's disks are on IDE and its adapters are not hot-pluggable.
    param([Parameter(Mandatory = $true)]$Vm, [Parameter(Mandatory = $true)][string]$What)
    $state = Get-AetherVmStateName -Vm $Vm
    if ([int]$Vm.Generation -eq 1 -and $state -ne 'Off') {
        throw (New-AetherVmStateError -Vm $Vm -Reason ('a Generation 1 VM must be Off to ' + $What + ' (it is ' + $state + '); Generation 2 VMs allow it while Running'))
    }
}

function New-AetherVmEditResult {
    # Every edit's data: the VM's id, name and state afterwards, then what the operation adds.
    param([Parameter(Mandatory = $true)][Guid]$VmId, [System.Collections.IDictionary]$Extra = @{})
    $after = Get-AetherVmById -VmId $VmId
    $data = [ordered]@{
        vmId   = $VmId.ToString()
        vmName = [string]$after.Name
        state  = Get-AetherVmStateName -Vm $after
    }
    foreach ($key in $Extra.Keys) { $data[$key] = $Extra[$key] }
    return $data
}

function Test-AgentFieldGiven {
    # Whether the envelope has the field at all (null included): "vlan": null means untagged, a
    # missing vlan means "leave it".
    param([Parameter(Mandatory = $true)]$Fields, [Parameter(Mandatory = $true)][string]$Name)
    return ($null -ne $Fields -and $null -ne $Fields.PSObject.Properties[$Name])
}

function Get-AgentParentFolder {
    # The folder part of a Windows path (string rule, as Get-AgentLeafName).
    param([Parameter(Mandatory = $true)][string]$Path)
    $index = $Path.LastIndexOfAny([char[]]@('\', '/'))
    if ($index -le 0) { return '' }
    return $Path.Substring(0, $index)
}

function Assert-AgentWindowsPath {
    # A full local or UNC path without '..': the app sends paths it was shown, never relative ones.
    param([Parameter(Mandatory = $true)][string]$Name, [Parameter(Mandatory = $true)][string]$Path)
    if (-not ($Path -match '^([A-Za-z]:\\|\\\\[^\\]+\\[^\\]+)') -or (@($Path -split '[\\/]') -contains '..')) {
        throw (New-AgentError -Code 'INVALID_FIELDS' -Message ("Field '" + $Name + "' must be a full Windows path (C:\... or \\server\share\...) without '..'."))
    }
}
