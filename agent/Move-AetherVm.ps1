# Moves one clustered VM to another node of its cluster (operation "vm.move"), addressed by GUID.
# fields: vmId, targetNode (computer name of another node), migrationType 'Live' (the VM keeps
# running; it must be Running) or 'Quick' (a running VM is saved, moved and resumed; Off and Saved
# VMs just move). Runs on the VM's current node with Move-ClusterVirtualMachineRole.
param([Parameter(Mandatory = $true)]$Fields)

$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'AetherV.Common.ps1')

$vmId = Get-AgentField -Fields $Fields -Name 'vmId' -Type 'guid' -Required
$targetNode = (Get-AgentField -Fields $Fields -Name 'targetNode' -Type 'string' -Required).Trim()
$typeText = Get-AgentField -Fields $Fields -Name 'migrationType' -Type 'string' -Required
$migrationType = $null
if ($typeText -eq 'live') { $migrationType = 'Live' }
if ($typeText -eq 'quick') { $migrationType = 'Quick' }
if ($null -eq $migrationType) {
    throw (New-AgentError -Code 'INVALID_FIELDS' -Message "Field 'migrationType' must be 'Live' (a running VM, no downtime) or 'Quick' (saved, moved and resumed).")
}

$vm = Get-AetherVmById -VmId $vmId
if (-not [bool]$vm.IsClustered) {
    throw (New-AgentError -Code 'NOT_CLUSTERED' -Message ("VM '" + $vm.Name + "' is not a role of a failover cluster on " + $env:COMPUTERNAME + '; only a clustered VM moves between nodes.') -Details ([ordered]@{ vmId = $vmId.ToString() }))
}

# The target must be another node of this cluster; an FQDN matches by its first label.
$nodes = @(Get-ClusterNode -ErrorAction Stop)
$wanted = @($targetNode -split '\.')[0].ToLowerInvariant()
$node = @($nodes | Where-Object { ([string]$_.Name).ToLowerInvariant() -eq $wanted })
$nodeNames = (@($nodes | ForEach-Object { [string]$_.Name }) -join ', ')
if ($node.Count -eq 0) {
    throw (New-AgentError -Code 'INVALID_FIELDS' -Message ("Field 'targetNode': '" + $targetNode + "' is not a node of this cluster; its nodes are " + $nodeNames + '.'))
}
$node = $node[0]
if (([string]$node.Name).ToLowerInvariant() -eq ([string]$env:COMPUTERNAME).ToLowerInvariant()) {
    throw (New-AgentError -Code 'INVALID_FIELDS' -Message ("Field 'targetNode': the VM already runs on " + $env:COMPUTERNAME + '; choose another node (' + $nodeNames + ').'))
}
if ([string]$node.State -ne 'Up') {
    throw (New-AgentError -Code 'INVALID_FIELDS' -Message ("Field 'targetNode': node " + $node.Name + ' is ' + $node.State + '; choose a node that is Up.'))
}

Assert-AetherVmOperationState -Vm $vm -Operation 'move'
$state = Get-AetherVmStateName -Vm $vm
if ($migrationType -eq 'Live' -and $state -ne 'Running') {
    throw (New-AetherVmStateError -Vm $vm -Reason ('a live migration needs the VM Running (it is ' + $state + '); use a quick migration'))
}

$sourceNode = [string]$env:COMPUTERNAME
Write-AgentLog -Message ('Move-ClusterVirtualMachineRole -MigrationType ' + $migrationType + ": '" + $vm.Name + "' " + $sourceNode + ' -> ' + $node.Name) -Step 'move'
$null = Move-ClusterVirtualMachineRole -VMId $vmId -Node ([string]$node.Name) -MigrationType $migrationType -ErrorAction Stop

# The VM now belongs to the target node: this host no longer lists it.
$still = @(Get-VM -ErrorAction Stop | Where-Object { $_.Id -eq $vmId })
if ($still.Count -gt 0) {
    throw (New-AgentError -Code 'HYPERV_ERROR' -Message ("The cluster reported the move of VM '" + $vm.Name + "' as done, but it is still on " + $sourceNode + '.'))
}
Write-AgentLog -Message ("'" + $vm.Name + "' now runs on " + $node.Name) -Step 'done'
# A live migration keeps the VM running; a quick one resumes it in the state it had.
return [ordered]@{
    vmId          = $vmId.ToString()
    vmName        = [string]$vm.Name
    state         = $state
    sourceNode    = $sourceNode
    targetNode    = ([string]$node.Name).ToUpperInvariant()
    migrationType = $migrationType
}
