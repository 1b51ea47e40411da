# Processors, memory and notes of one VM (operation "vm.update"), addressed by GUID.
# fields: vmId (GUID, required); any of processorCount, memoryStartupMb, dynamicMemory (bool),
# memoryMinimumMb, memoryMaximumMb, memoryBufferPercent, notes (string; '' clears them).
# Only values that differ from the VM's count: the app sends its whole memory form. Hyper-V's
# rules, checked before anything changes: processors, startup memory and the dynamic switch need
# the VM Off; a running VM with dynamic memory may only lower its minimum, raise its maximum and
# change its buffer; notes change in any settled state.
param([Parameter(Mandatory = $true)]$Fields)

$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'AetherV.Common.ps1')

function Get-MemoryField {
    param([string]$Name)
    $value = Get-AgentField -Fields $Fields -Name $Name -Type 'int'
    if ($null -ne $value -and ($value -lt 32 -or $value -gt 12582912 -or ($value % 2) -ne 0)) {
        throw (New-AgentError -Code 'INVALID_FIELDS' -Message ("Field '" + $Name + "' must be a number of MB from 32 to 12582912, a multiple of 2."))
    }
    return $value
}

$vmId = Get-AgentField -Fields $Fields -Name 'vmId' -Type 'guid' -Required
$processorCount = Get-AgentField -Fields $Fields -Name 'processorCount' -Type 'int'
$startupMb = Get-MemoryField -Name 'memoryStartupMb'
$dynamic = Get-AgentField -Fields $Fields -Name 'dynamicMemory' -Type 'bool'
$minimumMb = Get-MemoryField -Name 'memoryMinimumMb'
$maximumMb = Get-MemoryField -Name 'memoryMaximumMb'
$buffer = Get-AgentField -Fields $Fields -Name 'memoryBufferPercent' -Type 'int'
if ($null -ne $buffer -and ($buffer -lt 5 -or $buffer -gt 2000)) {
    throw (New-AgentError -Code 'INVALID_FIELDS' -Message "Field 'memoryBufferPercent' must be a whole number from 5 to 2000.")
}
# Notes may be empty (that clears them), which Get-AgentField would read as "not given".
$notes = $null
if (Test-AgentFieldGiven -Fields $Fields -Name 'notes') {
    $notes = $Fields.notes
    if ($null -ne $notes -and ($notes -isnot [string] -or $notes.Length -gt 4000)) {
        throw (New-AgentError -Code 'INVALID_FIELDS' -Message "Field 'notes' must be text of at most 4000 characters.")
    }
}
if ($null -eq $processorCount -and $null -eq $startupMb -and $null -eq $dynamic -and $null -eq $minimumMb -and $null -eq $maximumMb -and $null -eq $buffer -and $null -eq $notes) {
    throw (New-AgentError -Code 'INVALID_FIELDS' -Message 'Nothing to change: give at least one of processorCount, memoryStartupMb, dynamicMemory, memoryMinimumMb, memoryMaximumMb, memoryBufferPercent, notes.')
}

$vm = Get-AetherVmById -VmId $vmId
$state = Get-AetherVmStateName -Vm $vm
$memory = Get-VMMemory -VM $vm -ErrorAction Stop
$mb = 1048576
$currentStartup = [long]($vm.MemoryStartup / $mb)
$currentMinimum = [long]($vm.MemoryMinimum / $mb)
$currentMaximum = [long]($vm.MemoryMaximum / $mb)
$currentDynamic = [bool]$vm.DynamicMemoryEnabled
$currentNotes = ''
if ($vm.Notes) { $currentNotes = (@($vm.Notes) -join "`n") }

$changed = New-Object System.Collections.Generic.List[string]
if ($null -ne $processorCount -and $processorCount -ne [long]$vm.ProcessorCount) { $changed.Add('processorCount') }
if ($null -ne $startupMb -and $startupMb -ne $currentStartup) { $changed.Add('memoryStartupMb') }
if ($null -ne $dynamic -and $dynamic -ne $currentDynamic) { $changed.Add('dynamicMemory') }
if ($null -ne $minimumMb -and $minimumMb -ne $currentMinimum) { $changed.Add('memoryMinimumMb') }
if ($null -ne $maximumMb -and $maximumMb -ne $currentMaximum) { $changed.Add('memoryMaximumMb') }
if ($null -ne $buffer -and $buffer -ne [long]$memory.Buffer) { $changed.Add('memoryBufferPercent') }
if ($null -ne $notes -and $notes -ne $currentNotes) { $changed.Add('notes') }
$memoryChanged = @($changed | Where-Object { $_ -like 'memory*' -or $_ -eq 'dynamicMemory' }).Count -gt 0

if ($changed.Contains('processorCount')) {
    Assert-AetherVmOperationState -Vm $vm -Operation 'processors'
    $limit = [long](Get-VMHost -ErrorAction Stop).LogicalProcessorCount
    if ([int]$vm.Generation -eq 1 -and $limit -gt 64) { $limit = 64 }
    if ($limit -gt 240) { $limit = 240 }
    if ($processorCount -lt 1 -or $processorCount -gt $limit) {
        throw (New-AgentError -Code 'INVALID_FIELDS' -Message ("Field 'processorCount': " + $env:COMPUTERNAME + ' allows 1 to ' + $limit + ' virtual processors for this VM.'))
    }
}
if ($memoryChanged) {
    Assert-AetherVmOperationState -Vm $vm -Operation 'memory'
    if ($state -ne 'Off') {
        if ($changed.Contains('memoryStartupMb') -or $changed.Contains('dynamicMemory')) {
            throw (New-AetherVmStateError -Vm $vm -Reason ('startup memory and the dynamic memory switch can only change while the VM is Off (it is ' + $state + ')'))
        }
        if (-not $currentDynamic) {
            throw (New-AetherVmStateError -Vm $vm -Reason ('the memory of a VM without dynamic memory can only change while it is Off (it is ' + $state + ')'))
        }
        if ($changed.Contains('memoryMinimumMb') -and $minimumMb -gt $currentMinimum) {
            throw (New-AetherVmStateError -Vm $vm -Reason ('while the VM is Running its minimum memory can only be lowered (now ' + $currentMinimum + ' MB)'))
        }
        if ($changed.Contains('memoryMaximumMb') -and $maximumMb -lt $currentMaximum) {
            throw (New-AetherVmStateError -Vm $vm -Reason ('while the VM is Running its maximum memory can only be raised (now ' + $currentMaximum + ' MB)'))
        }
    }
    $willBeDynamic = $currentDynamic
    if ($null -ne $dynamic) { $willBeDynamic = $dynamic }
    $s = $currentStartup; if ($null -ne $startupMb) { $s = $startupMb }
    $lo = $currentMinimum; if ($null -ne $minimumMb) { $lo = $minimumMb }
    $hi = $currentMaximum; if ($null -ne $maximumMb) { $hi = $maximumMb }
    if ($willBeDynamic -and ($lo -gt $s -or $s -gt $hi)) {
        throw (New-AgentError -Code 'INVALID_FIELDS' -Message ("Fields 'memoryMinimumMb', 'memoryStartupMb', 'memoryMaximumMb': dynamic memory needs minimum <= startup <= maximum (" + $lo + ' <= ' + $s + ' <= ' + $hi + ' MB).'))
    }
    if (-not $willBeDynamic -and ($changed.Contains('memoryMinimumMb') -or $changed.Contains('memoryMaximumMb') -or $changed.Contains('memoryBufferPercent'))) {
        throw (New-AgentError -Code 'INVALID_FIELDS' -Message "Fields 'memoryMinimumMb', 'memoryMaximumMb' and 'memoryBufferPercent' apply only with dynamic memory on.")
    }
}
if ($changed.Contains('notes')) { Assert-AetherVmOperationState -Vm $vm -Operation 'notes' }

if ($changed.Count -eq 0) {
    Write-AgentLog -Message ("VM '" + $vm.Name + "' already has these settings; nothing changed") -Step 'update'
}
if ($changed.Contains('processorCount')) {
    Write-AgentLog -Message ('Set-VMProcessor: ' + $vm.ProcessorCount + ' -> ' + $processorCount + ' virtual processors') -Step 'processors'
    Set-VMProcessor -VM $vm -Count $processorCount -ErrorAction Stop
}
if ($memoryChanged) {
    $memoryArgs = @{ VM = $vm }
    if ($changed.Contains('dynamicMemory')) { $memoryArgs['DynamicMemoryEnabled'] = [bool]$dynamic }
    if ($changed.Contains('memoryStartupMb')) { $memoryArgs['StartupBytes'] = [long]$startupMb * $mb }
    if ($changed.Contains('memoryMinimumMb')) { $memoryArgs['MinimumBytes'] = [long]$minimumMb * $mb }
    if ($changed.Contains('memoryMaximumMb')) { $memoryArgs['MaximumBytes'] = [long]$maximumMb * $mb }
    if ($changed.Contains('memoryBufferPercent')) { $memoryArgs['Buffer'] = [int]$buffer }
    Write-AgentLog -Message ('Set-VMMemory: ' + (@($changed | Where-Object { $_ -like 'memory*' -or $_ -eq 'dynamicMemory' }) -join ', ')) -Step 'memory'
    Set-VMMemory @memoryArgs -ErrorAction Stop
}
if ($changed.Contains('notes')) {
    Write-AgentLog -Message 'Set-VM -Notes' -Step 'notes'
    Set-VM -VM $vm -Notes $notes -ErrorAction Stop
}

return (New-AetherVmEditResult -VmId $vmId -Extra ([ordered]@{ changed = [string[]]$changed.ToArray() }))
