# Network adapters of one VM (operations "nic.add", "nic.update", "nic.remove"), addressed by GUID.
# add:    switchName (must exist), vlan (1-4094 or null), macAddress (12 hex digits, or null for a
#         dynamic address; one another VM of this host uses is refused).
# update: nicId, switchName and/or vlan (null makes it untagged).
# remove: nicId.
# Generation 1 VMs need to be Off to add or remove an adapter; Generation 2 hot-plugs them.
param(
    [Parameter(Mandatory = $true)]$Fields,
    [Parameter(Mandatory = $true)][ValidateSet('add', 'update', 'remove')][string]$Operation
)

$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'AetherV.Common.ps1')

function Get-SwitchNamed {
    # Exact name, no wildcards: a switch called "Lab[1]" must not be read as a pattern.
    param([string]$Name)
    $all = @(Get-VMSwitch -ErrorAction Stop)
    $match = @($all | Where-Object { ([string]$_.Name).ToLowerInvariant() -eq $Name.ToLowerInvariant() })
    if ($match.Count -eq 0) {
        throw (New-AgentError -Code 'SWITCH_NOT_FOUND' -Message ("There is no virtual switch '" + $Name + "' on " + $env:COMPUTERNAME + '; its switches are ' + ((@($all | ForEach-Object { [string]$_.Name }) -join ', ')) + '.') -Details ([ordered]@{ switchName = $Name }))
    }
    return $match[0]
}

function Get-VlanField {
    # $null: not given; 0: given as null (untagged); 1-4094: that VLAN.
    if (-not (Test-AgentFieldGiven -Fields $Fields -Name 'vlan')) { return $null }
    $vlan = Get-AgentField -Fields $Fields -Name 'vlan' -Type 'int'
    if ($null -eq $vlan) { return 0 }
    if ($vlan -lt 1 -or $vlan -gt 4094) { throw (New-AgentError -Code 'INVALID_FIELDS' -Message "Field 'vlan' must be a VLAN id from 1 to 4094, or null for untagged.") }
    return $vlan
}

function Set-AdapterVlan {
    param($Adapter, [long]$Vlan)
    if ($Vlan -eq 0) {
        Write-AgentLog -Message 'Set-VMNetworkAdapterVlan: untagged' -Step 'vlan'
        Set-VMNetworkAdapterVlan -VMNetworkAdapter $Adapter -Untagged -ErrorAction Stop
    } else {
        Write-AgentLog -Message ('Set-VMNetworkAdapterVlan: access VLAN ' + $Vlan) -Step 'vlan'
        Set-VMNetworkAdapterVlan -VMNetworkAdapter $Adapter -Access -VlanId ([int]$Vlan) -ErrorAction Stop
    }
}

function Get-AdapterById {
    param($Vm, [string]$NicId)
    $found = @(Get-VMNetworkAdapter -VM $Vm -ErrorAction Stop | Where-Object { ([string]$_.Id) -eq $NicId })
    if ($found.Count -eq 0) {
        throw (New-AgentError -Code 'INVALID_FIELDS' -Message ("Field 'nicId': VM '" + $Vm.Name + "' has no network adapter " + $NicId + '.'))
    }
    return $found[0]
}

function Get-AdapterVlan {
    param($Adapter)
    if ($null -ne $Adapter.VlanSetting -and [string]$Adapter.VlanSetting.OperationMode -eq 'Access' -and [int]$Adapter.VlanSetting.AccessVlanId -gt 0) { return [int]$Adapter.VlanSetting.AccessVlanId }
    return $null
}

$vmId = Get-AgentField -Fields $Fields -Name 'vmId' -Type 'guid' -Required
$vm = Get-AetherVmById -VmId $vmId

if ($Operation -eq 'add') {
    $switch = Get-SwitchNamed -Name (Get-AgentField -Fields $Fields -Name 'switchName' -Type 'string' -Required)
    $vlan = Get-VlanField
    $mac = Get-AgentField -Fields $Fields -Name 'macAddress' -Type 'string'
    if ($null -ne $mac) {
        if ($mac -notmatch '^[0-9A-Fa-f]{12}$') {
            throw (New-AgentError -Code 'INVALID_FIELDS' -Message "Field 'macAddress' must be 12 hexadecimal digits without separators (e.g. 00155D010203), or null for a dynamic address.")
        }
        $mac = $mac.ToUpperInvariant()
        if ($mac -eq '000000000000' -or ([Convert]::ToInt32($mac.Substring(0, 2), 16) % 2) -eq 1) {
            throw (New-AgentError -Code 'INVALID_FIELDS' -Message ("Field 'macAddress': " + $mac + ' is not a unicast address.'))
        }
        $owner = @(Get-VMNetworkAdapter -VMName * -ErrorAction Stop | Where-Object { ([string]$_.MacAddress).ToUpperInvariant() -eq $mac })
        if ($owner.Count -gt 0) {
            throw (New-AgentError -Code 'MAC_IN_USE' -Message ('The MAC address ' + $mac + " is already used by VM '" + $owner[0].VMName + "' on " + $env:COMPUTERNAME + '.') -Details ([ordered]@{ macAddress = $mac }))
        }
    }
    Assert-AetherVmOperationState -Vm $vm -Operation 'nic.add'
    Assert-AetherVmOffForGeneration1 -Vm $vm -What 'add a network adapter'
    $addArgs = @{ VM = $vm; SwitchName = [string]$switch.Name; Passthru = $true }
    if ($null -ne $mac) { $addArgs['StaticMacAddress'] = $mac }
    $macText = 'dynamic MAC'
    if ($null -ne $mac) { $macText = 'static MAC ' + $mac }
    Write-AgentLog -Message ("Add-VMNetworkAdapter: switch '" + $switch.Name + "', " + $macText) -Step 'add'
    $adapter = Add-VMNetworkAdapter @addArgs -ErrorAction Stop
    if ($null -ne $vlan -and $vlan -gt 0) { Set-AdapterVlan -Adapter $adapter -Vlan $vlan }
    $after = Get-AdapterById -Vm $vm -NicId ([string]$adapter.Id)
    return (New-AetherVmEditResult -VmId $vmId -Extra ([ordered]@{
                nicId      = [string]$after.Id
                name       = [string]$after.Name
                switchName = [string]$after.SwitchName
                vlan       = Get-AdapterVlan -Adapter $after
                macAddress = [string]$after.MacAddress
            }))
}

$nicId = Get-AgentField -Fields $Fields -Name 'nicId' -Type 'string' -Required
$adapter = Get-AdapterById -Vm $vm -NicId $nicId

if ($Operation -eq 'update') {
    $switchName = Get-AgentField -Fields $Fields -Name 'switchName' -Type 'string'
    $switch = $null
    if ($null -ne $switchName) { $switch = Get-SwitchNamed -Name $switchName }
    $vlan = Get-VlanField
    if ($null -eq $switch -and $null -eq $vlan) {
        throw (New-AgentError -Code 'INVALID_FIELDS' -Message "Nothing to change: give 'switchName', 'vlan' (null for untagged) or both.")
    }
    Assert-AetherVmOperationState -Vm $vm -Operation 'nic.update'
    if ($null -ne $switch -and [string]$switch.Name -ne [string]$adapter.SwitchName) {
        Write-AgentLog -Message ("Connect-VMNetworkAdapter: '" + $adapter.SwitchName + "' -> '" + $switch.Name + "'") -Step 'switch'
        Connect-VMNetworkAdapter -VMNetworkAdapter $adapter -SwitchName ([string]$switch.Name) -ErrorAction Stop
    }
    if ($null -ne $vlan) { Set-AdapterVlan -Adapter $adapter -Vlan $vlan }
    $after = Get-AdapterById -Vm $vm -NicId $nicId
    return (New-AetherVmEditResult -VmId $vmId -Extra ([ordered]@{ nicId = $nicId; switchName = [string]$after.SwitchName; vlan = Get-AdapterVlan -Adapter $after }))
}

# remove
Assert-AetherVmOperationState -Vm $vm -Operation 'nic.remove'
Assert-AetherVmOffForGeneration1 -Vm $vm -What 'remove a network adapter'
Write-AgentLog -Message ("Remove-VMNetworkAdapter: '" + $adapter.Name + "' (" + $adapter.MacAddress + ')') -Step 'remove'
Remove-VMNetworkAdapter -VMNetworkAdapter $adapter -ErrorAction Stop
return (New-AetherVmEditResult -VmId $vmId -Extra ([ordered]@{ nicId = $nicId }))
