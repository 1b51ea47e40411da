# Checkpoints of one VM (operations "checkpoint.create", ".apply", ".rename", ".delete"), by GUID.
# create: name, type 'standard' (with memory when running) or 'production' (through the guest:
#         VSS / fsfreeze). The VM's CheckpointType is set for the call (ProductionOnly, so a guest
#         that cannot take part fails instead of silently falling back) and restored after.
# apply:  checkpointId; the VM must be Off or Saved. It is Saved afterwards when the checkpoint
#         holds memory, else Off.
# rename: checkpointId, name.   delete: checkpointId, subtree (also every checkpoint below it).
param(
    [Parameter(Mandatory = $true)]$Fields,
    [Parameter(Mandatory = $true)][ValidateSet('create', 'apply', 'rename', 'delete')][string]$Operation
)

$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'AetherV.Common.ps1')

function Get-NameField {
    $name = (Get-AgentField -Fields $Fields -Name 'name' -Type 'string' -Required).Trim()
    if ($name.Length -gt 100) { throw (New-AgentError -Code 'INVALID_FIELDS' -Message "Field 'name' must be at most 100 characters.") }
    return $name
}

function Get-GuidText {
    param($Value)
    if ($null -eq $Value) { return $null }
    $text = ([string]$Value).ToLowerInvariant()
    if ($text -eq '' -or $text -eq '00000000-0000-0000-0000-000000000000') { return $null }
    return $text
}

$vmId = Get-AgentField -Fields $Fields -Name 'vmId' -Type 'guid' -Required
$vm = Get-AetherVmById -VmId $vmId

if ($Operation -eq 'create') {
    $name = Get-NameField
    $type = Get-AgentField -Fields $Fields -Name 'type' -Type 'string' -Required
    if (@('standard', 'production') -notcontains $type) {
        throw (New-AgentError -Code 'INVALID_FIELDS' -Message "Field 'type' must be 'standard' (with memory when running) or 'production' (application-consistent, through the guest).")
    }
    Assert-AetherVmOperationState -Vm $vm -Operation 'checkpoint.create'
    $previous = [string]$vm.CheckpointType
    $setting = 'Standard'
    if ($type -eq 'production') { $setting = 'ProductionOnly' }
    Write-AgentLog -Message ('Set-VM -CheckpointType ' + $setting + ' (was ' + $previous + ')') -Step 'type'
    Set-VM -VM $vm -CheckpointType $setting -ErrorAction Stop
    try {
        Write-AgentLog -Message ("Checkpoint-VM: '" + $name + "' (" + $type + ', VM ' + (Get-AetherVmStateName -Vm $vm) + ')') -Step 'checkpoint'
        $snapshot = Checkpoint-VM -VM $vm -SnapshotName $name -Passthru -ErrorAction Stop
    } catch {
        throw (New-AgentError -Code 'CHECKPOINT_FAILED' -Message ([string]$_.Exception.Message) -Details ([ordered]@{ vmId = $vmId.ToString() }))
    } finally {
        if ($previous) {
            Set-VM -VM $vm -CheckpointType $previous -ErrorAction Stop
            Write-AgentLog -Message ('Set-VM -CheckpointType ' + $previous + ' (restored)') -Step 'type'
        }
    }
    return (New-AetherVmEditResult -VmId $vmId -Extra ([ordered]@{
                checkpointId = Get-GuidText $snapshot.Id
                name         = [string]$snapshot.Name
                type         = $type
                createdAt    = ConvertTo-AgentIsoTime $snapshot.CreationTime
            }))
}

# The other operations name a checkpoint of this VM: one listing, matched by id.
$checkpointId = Get-AgentField -Fields $Fields -Name 'checkpointId' -Type 'guid' -Required
$all = @(Get-VMSnapshot -VM $vm -ErrorAction Stop)
$found = @($all | Where-Object { $_.Id -eq $checkpointId })
if ($found.Count -eq 0) {
    throw (New-AgentError -Code 'INVALID_FIELDS' -Message ("Field 'checkpointId': VM '" + $vm.Name + "' has no checkpoint " + $checkpointId.ToString() + '.'))
}
$snapshot = $found[0]

if ($Operation -eq 'apply') {
    Assert-AetherVmOperationState -Vm $vm -Operation 'checkpoint.apply'
    Write-AgentLog -Message ("Restore-VMSnapshot: '" + $snapshot.Name + "' (VM was " + (Get-AetherVmStateName -Vm $vm) + ')') -Step 'apply'
    Restore-VMSnapshot -VMSnapshot $snapshot -Confirm:$false -ErrorAction Stop
    return (New-AetherVmEditResult -VmId $vmId -Extra ([ordered]@{ checkpointId = $checkpointId.ToString() }))
}

if ($Operation -eq 'rename') {
    $name = Get-NameField
    Assert-AetherVmOperationState -Vm $vm -Operation 'checkpoint.rename'
    Write-AgentLog -Message ("Rename-VMSnapshot: '" + $snapshot.Name + "' -> '" + $name + "'") -Step 'rename'
    Rename-VMSnapshot -VMSnapshot $snapshot -NewName $name -ErrorAction Stop
    return (New-AetherVmEditResult -VmId $vmId -Extra ([ordered]@{ checkpointId = $checkpointId.ToString(); name = $name }))
}

# delete
$subtree = Get-AgentField -Fields $Fields -Name 'subtree' -Type 'bool'
if ($null -eq $subtree) { throw (New-AgentError -Code 'INVALID_FIELDS' -Message "Field 'subtree' is required (true also deletes every checkpoint below this one).") }
Assert-AetherVmOperationState -Vm $vm -Operation 'checkpoint.delete'
# What goes: the checkpoint, and with subtree every descendant (found from the same listing).
$deleted = New-Object System.Collections.Generic.List[string]
$deleted.Add($checkpointId.ToString())
if ($subtree) {
    $grew = $true
    while ($grew) {
        $grew = $false
        foreach ($one in $all) {
            $id = Get-GuidText $one.Id
            $parent = Get-GuidText $one.ParentSnapshotId
            if ($parent -and $deleted.Contains($parent) -and -not $deleted.Contains($id)) { $deleted.Add($id); $grew = $true }
        }
    }
}
$what = ''
if ($subtree) { $what = ' and every checkpoint below it' }
Write-AgentLog -Message ("Remove-VMSnapshot: '" + $snapshot.Name + "'" + $what + '; merging its differencing disks') -Step 'delete'
if ($subtree) {
    Remove-VMSnapshot -VMSnapshot $snapshot -IncludeAllChildSnapshots -Confirm:$false -ErrorAction Stop
} else {
    Remove-VMSnapshot -VMSnapshot $snapshot -Confirm:$false -ErrorAction Stop
}
return (New-AetherVmEditResult -VmId $vmId -Extra ([ordered]@{ checkpointId = $checkpointId.ToString(); deleted = [string[]]$deleted.ToArray() }))
