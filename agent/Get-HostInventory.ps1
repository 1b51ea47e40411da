# Host inventory collector (operations "inventory" and "inventory.quick").
# Output shape: docs/agent.md and contracts section 1 (PascalCase keys, VMs keyed by GUID).
# Every Hyper-V/CIM query runs once per host and is joined by VM id afterwards: one call per VM
# would make a host with 200 VMs take minutes.
param(
    [Parameter(Mandatory = $true)]$Fields,
    [switch]$Quick
)

$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'AetherV.Common.ps1')

$VmStateNames = @{
    'Running' = 'Running'; 'Off' = 'Off'; 'Saved' = 'Saved'; 'Paused' = 'Paused'
    'Starting' = 'Starting'; 'Stopping' = 'Stopping'; 'Saving' = 'Saving'; 'Pausing' = 'Pausing'
    'Resuming' = 'Resuming'; 'FastSaved' = 'Saved'; 'FastSaving' = 'Saving'; 'Reset' = 'Starting'
    'RunningCritical' = 'Running'; 'OffCritical' = 'Off'; 'SavedCritical' = 'Saved'
    'PausedCritical' = 'Paused'; 'StartingCritical' = 'Starting'; 'StoppingCritical' = 'Stopping'
    'SavingCritical' = 'Saving'; 'PausingCritical' = 'Pausing'; 'ResumingCritical' = 'Resuming'
    'FastSavedCritical' = 'Saved'; 'FastSavingCritical' = 'Saving'
}

function Get-VmStateName {
    param($State)
    $key = [string]$State
    if ($VmStateNames.ContainsKey($key)) { return $VmStateNames[$key] }
    return 'Unknown'
}

function Get-GuidKey {
    # One key form for joins: lower-case 36-char GUID.
    param($Value)
    return ([string]$Value).ToLowerInvariant()
}

function Invoke-BatchQuery {
    # A failed batch query becomes a warning, never an empty result that looks like "no data".
    param([string]$What, [scriptblock]$Query, [System.Collections.Generic.List[string]]$Warnings)
    try {
        return , @(& $Query)
    } catch {
        $Warnings.Add($What + ' query failed: ' + $_.Exception.Message)
        return , @()
    }
}

function Group-ByVmId {
    param([object[]]$Items)
    $map = @{}
    foreach ($item in $Items) {
        $key = Get-GuidKey $item.VMId
        if (-not $map.ContainsKey($key)) { $map[$key] = New-Object System.Collections.ArrayList }
        $null = $map[$key].Add($item)
    }
    return $map
}

# Memory the host can still give to VMs. Both operations report it: it changes whenever a VM
# starts or stops, so it is as fresh as the VMs' hot state. One CIM query of a local class.
function Add-HostFreeMemory {
    param($HostInfo, [System.Collections.Generic.List[string]]$HostWarnings)
    try {
        $os = Get-CimInstance -ClassName 'Win32_OperatingSystem' -ErrorAction Stop
        # FreePhysicalMemory is in KiB.
        $HostInfo['AvailableMemoryGB'] = ConvertTo-AgentGiB (([double]$os.FreePhysicalMemory) * 1024)
    } catch {
        $HostWarnings.Add('Free memory query failed: ' + $_.Exception.Message)
    }
}

function Get-HostFacts {
    param([System.Collections.Generic.List[string]]$HostWarnings)
    $hostInfo = [ordered]@{
        ComputerName = $env:COMPUTERNAME
        Timestamp    = [DateTime]::UtcNow.ToString('o', [Globalization.CultureInfo]::InvariantCulture)
        ClusterName  = $null
        Warnings     = $null
    }
    $requested = Get-AgentField -Fields $Fields -Name 'computerName' -Type 'string'
    if ($requested) { $hostInfo.ComputerName = $requested }

    # Only ask the cluster namespace when the cluster service exists: on a standalone host the
    # namespace is absent and that is not a problem worth a warning.
    $clusterService = @(Get-Service -Name 'ClusSvc' -ErrorAction SilentlyContinue)
    if ($clusterService.Count -gt 0 -and [string]$clusterService[0].Status -eq 'Running') {
        try {
            $cluster = @(Get-CimInstance -Namespace 'root/MSCluster' -ClassName 'MSCluster_Cluster' -ErrorAction Stop)
            if ($cluster.Count -gt 0) { $hostInfo.ClusterName = [string]$cluster[0].Name }
        } catch {
            $HostWarnings.Add('Cluster lookup failed: ' + $_.Exception.Message)
        }
    }
    try {
        $processors = @(Get-CimInstance -ClassName 'Win32_Processor' -ErrorAction Stop)
        $logical = 0
        $physical = 0
        foreach ($cpu in $processors) {
            $logical += [int]$cpu.NumberOfLogicalProcessors
            $physical += [int]$cpu.NumberOfCores
        }
        if ($logical -gt 0) { $hostInfo['TotalCpuCores'] = $logical } else { $hostInfo['TotalCpuCores'] = $physical }
    } catch {
        $HostWarnings.Add('CPU inventory failed: ' + $_.Exception.Message)
    }
    try {
        $system = Get-CimInstance -ClassName 'Win32_ComputerSystem' -ErrorAction Stop
        $hostInfo['TotalMemoryGB'] = ConvertTo-AgentGiB $system.TotalPhysicalMemory
    } catch {
        $HostWarnings.Add('Memory inventory failed: ' + $_.Exception.Message)
    }
    Add-HostFreeMemory -HostInfo $hostInfo -HostWarnings $HostWarnings
    # Every virtual switch of the host, also those no VM uses yet: the app checks a create
    # request's switch against this list. A failed query leaves it null (unknown, never "none").
    try {
        $switches = New-Object System.Collections.ArrayList
        foreach ($switch in @(Get-VMSwitch -ErrorAction Stop)) {
            $null = $switches.Add([ordered]@{ Name = [string]$switch.Name; SwitchType = [string]$switch.SwitchType })
        }
        $hostInfo['VirtualSwitches'] = $switches.ToArray()
    } catch {
        $HostWarnings.Add('Virtual switch query failed: ' + $_.Exception.Message)
    }
    # The configuration version new VMs get (agent 1.5.0): a VM below it misses features. The
    # cmdlet is missing before Windows Server 2016; then DefaultVmVersion is simply absent.
    if (Get-Command -Name 'Get-VMHostSupportedVersion' -ErrorAction SilentlyContinue) {
        try {
            $default = @(Get-VMHostSupportedVersion -Default -ErrorAction Stop)
            if ($default.Count -gt 0 -and $default[0].Version) { $hostInfo['DefaultVmVersion'] = [string]$default[0].Version }
        } catch {
            Write-AgentLog -Level 'warn' -Message ('Default VM version query failed: ' + $_.Exception.Message) -Step 'host'
        }
    }
    return $hostInfo
}

function Get-GuestOsNames {
    # OSName comes from the guest's intrinsic KVP items; one CIM query for all VMs.
    param([System.Collections.Generic.List[string]]$Warnings)
    $names = @{}
    $components = Invoke-BatchQuery -What 'Guest OS (KVP)' -Warnings $Warnings -Query {
        Get-CimInstance -Namespace 'root/virtualization/v2' -ClassName 'Msvm_KvpExchangeComponent' -ErrorAction Stop
    }
    foreach ($component in $components) {
        foreach ($itemXml in @($component.GuestIntrinsicExchangeItems)) {
            if (-not $itemXml) { continue }
            try {
                $doc = New-Object System.Xml.XmlDocument
                $doc.LoadXml([string]$itemXml)
                $nameNode = $doc.SelectSingleNode("/INSTANCE/PROPERTY[@NAME='Name']/VALUE")
                if ($null -ne $nameNode -and $nameNode.InnerText -eq 'OSName') {
                    $dataNode = $doc.SelectSingleNode("/INSTANCE/PROPERTY[@NAME='Data']/VALUE")
                    if ($null -ne $dataNode) { $names[(Get-GuidKey $component.SystemName)] = $dataNode.InnerText }
                }
            } catch {
                $null = $_
            }
        }
    }
    return $names
}

function Get-NetworkNameMap {
    # Optional logical-network names supplied by the app (it owns that configuration):
    # fields.networks = [{name, switch?, vlan}] -> "switch::vlan" and "::vlan" keys.
    $map = @{}
    foreach ($network in (Get-AgentField -Fields $Fields -Name 'networks' -Type 'array' -Default @())) {
        if ($null -eq $network -or $null -eq $network.name -or $null -eq $network.vlan) { continue }
        $switchName = ''
        if ($network.switch) { $switchName = ([string]$network.switch).ToLowerInvariant() }
        $map[$switchName + '::' + [string]$network.vlan] = [string]$network.name
    }
    return $map
}

function ConvertTo-NicObject {
    param($Adapter, [hashtable]$NetworkMap)
    $vlan = $null
    if ($null -ne $Adapter.VlanSetting -and [string]$Adapter.VlanSetting.OperationMode -eq 'Access') {
        $vlanId = [int]$Adapter.VlanSetting.AccessVlanId
        if ($vlanId -gt 0) { $vlan = $vlanId }
    }
    $ips = New-Object System.Collections.Generic.List[string]
    foreach ($ip in @($Adapter.IPAddresses)) {
        if ($ip -and -not ([string]$ip).ToLowerInvariant().StartsWith('fe80')) { $ips.Add([string]$ip) }
    }
    $switchName = $null
    if ($Adapter.SwitchName) { $switchName = [string]$Adapter.SwitchName }
    $nic = [ordered]@{
        Id            = [string]$Adapter.Id
        Name          = [string]$Adapter.Name
        AdapterName   = [string]$Adapter.Name
        Network       = $switchName
        VirtualSwitch = $switchName
        Vlan          = $vlan
        IPAddresses   = [string[]]$ips.ToArray()
        MacAddress    = [string]$Adapter.MacAddress
    }
    if ($null -ne $vlan) {
        $switchKey = ''
        if ($switchName) { $switchKey = $switchName.ToLowerInvariant() }
        $exact = $switchKey + '::' + [string]$vlan
        $anySwitch = '::' + [string]$vlan
        if ($NetworkMap.ContainsKey($exact)) { $nic['NetworkName'] = $NetworkMap[$exact] }
        elseif ($NetworkMap.ContainsKey($anySwitch)) { $nic['NetworkName'] = $NetworkMap[$anySwitch] }
    }
    return $nic
}

function ConvertTo-DiskObject {
    param($Drive, [hashtable]$VhdByPath)
    $path = [string]$Drive.Path
    $name = 'Unknown'
    if ($path) { $name = Get-AgentLeafName -Path $path }
    $disk = [ordered]@{
        Id       = [string]$Drive.Id
        Name     = $name
        Path     = $path
        Location = $path
        DiskType = $null
    }
    if ($path -and $VhdByPath.ContainsKey($path.ToLowerInvariant())) {
        $vhd = $VhdByPath[$path.ToLowerInvariant()]
        $disk.DiskType = [string]$vhd.VhdType
        $disk['CapacityGB'] = ConvertTo-AgentGiB $vhd.Size
        $disk['FileSizeGB'] = ConvertTo-AgentGiB $vhd.FileSize
    }
    return $disk
}

# A VM's hot state (what the quick sync reads). The full inventory carries it too, from the same
# Get-VM objects at no extra cost, so a VM's CPU and memory show from its first refresh.
function Add-VmHotState {
    param($Entry, $Vm)
    $heartbeat = $null
    if ($null -ne $Vm.Heartbeat) { $heartbeat = [string]$Vm.Heartbeat }
    $uptime = 0
    if ($null -ne $Vm.Uptime) { $uptime = [long][Math]::Floor($Vm.Uptime.TotalSeconds) }
    $Entry['UptimeSeconds'] = $uptime
    $Entry['CpuUsagePercent'] = [int]$Vm.CPUUsage
    $Entry['MemoryAssignedGB'] = ConvertTo-AgentGiB $Vm.MemoryAssigned
    $Entry['MemoryDemandGB'] = ConvertTo-AgentGiB $Vm.MemoryDemand
    $Entry['Heartbeat'] = $heartbeat
}

function Get-NullableGuidText {
    # A Guid? property: null, an empty Guid or a Guid; the app gets null or the lower-case text.
    param($Value)
    if ($null -eq $Value) { return $null }
    $text = Get-GuidKey $Value
    if ($text -eq '' -or $text -eq '00000000-0000-0000-0000-000000000000') { return $null }
    return $text
}

# A VM's checkpoint tree (oldest first) and the checkpoint "Now" runs from (Get-VM's ParentSnapshotId).
function Add-VmCheckpoints {
    param($Entry, $Vm, $Snapshots)
    $parent = $null
    $property = $Vm.PSObject.Properties['ParentSnapshotId']
    if ($null -ne $property) { $parent = Get-NullableGuidText $property.Value }
    if (@($Snapshots | Where-Object { $null -ne $_ }).Count -gt 0) {
        $list = New-Object System.Collections.ArrayList
        foreach ($snapshot in @($Snapshots | Sort-Object -Property CreationTime)) {
            $null = $list.Add([ordered]@{
                    Id           = Get-GuidKey $snapshot.Id
                    Name         = [string]$snapshot.Name
                    ParentId     = Get-NullableGuidText $snapshot.ParentSnapshotId
                    CreationTime = ConvertTo-AgentIsoTime $snapshot.CreationTime
                    Type         = [string]$snapshot.SnapshotType
                })
        }
        $Entry['Checkpoints'] = $list.ToArray()
    }
    $Entry['ParentCheckpointId'] = $parent
}

function Get-QuickInventory {
    param([object[]]$Vms)
    $list = New-Object System.Collections.ArrayList
    foreach ($vm in $Vms) {
        $entry = [ordered]@{
            Id    = Get-GuidKey $vm.Id
            Name  = [string]$vm.Name
            State = Get-VmStateName $vm.State
        }
        Add-VmHotState -Entry $entry -Vm $vm
        $null = $list.Add($entry)
    }
    # The comma keeps the list one object; the caller takes ToArray() of it.
    return , $list
}

# --- main -------------------------------------------------------------------------------------
$warnings = New-Object System.Collections.Generic.List[string]
$hostWarnings = New-Object System.Collections.Generic.List[string]

# The VM list is the one query that must not fail quietly: an empty list would make the app
# tombstone every VM on this host. Let it throw; the entry point turns it into an error result.
try {
    $vms = @(Get-VM -ErrorAction Stop)
} catch {
    # Access denied keeps its own code (the one rule in Get-AgentErrorInfo); anything else is Hyper-V's.
    $listingCode = 'HYPERV_ERROR'
    if ((Get-AgentErrorInfo -ErrorRecord $_).code -eq 'ACCESS_DENIED') { $listingCode = 'ACCESS_DENIED' }
    throw (New-AgentError -Code $listingCode -Message ('Listing VMs failed on ' + $env:COMPUTERNAME + ': ' + $_.Exception.Message + ' Is the Hyper-V role and its PowerShell module installed, and is the account a Hyper-V administrator?'))
}

if ($Quick) {
    $quickVms = Get-QuickInventory -Vms $vms
    $quickHost = [ordered]@{
        ComputerName = $env:COMPUTERNAME
        Timestamp    = [DateTime]::UtcNow.ToString('o', [Globalization.CultureInfo]::InvariantCulture)
    }
    Add-HostFreeMemory -HostInfo $quickHost -HostWarnings $warnings
    return [ordered]@{
        Host            = $quickHost
        VirtualMachines = $quickVms.ToArray()
        Warnings        = [string[]]$warnings.ToArray()
    }
}

$hostFacts = Get-HostFacts -HostWarnings $hostWarnings
$vmList = New-Object System.Collections.ArrayList
if ($vms.Count -gt 0) {
    $adapters = Invoke-BatchQuery -What 'Network adapter' -Warnings $warnings -Query { Get-VMNetworkAdapter -VMName * -ErrorAction Stop }
    $drives = Invoke-BatchQuery -What 'Hard disk drive' -Warnings $warnings -Query { Get-VMHardDiskDrive -VMName * -ErrorAction Stop }
    # Agent 1.4.0: every checkpoint of the host in one call over the VMs just listed. A VM that
    # vanished since, or any other failure, is a warning: the VMs are reported all the same.
    $snapshotErrors = @()
    try {
        $snapshots = @(Get-VMSnapshot -VM $vms -ErrorAction SilentlyContinue -ErrorVariable snapshotErrors)
    } catch {
        # The whole query failed: one warning (the error variable holds the same failure again).
        $snapshots = @()
        $snapshotErrors = @()
        $warnings.Add('Checkpoint query failed: ' + $_.Exception.Message)
    }
    if (@($snapshotErrors).Count -gt 0) {
        $warnings.Add('Checkpoint query failed for ' + @($snapshotErrors).Count + ' VM(s): ' + @($snapshotErrors)[0].Exception.Message)
    }
    $adaptersByVm = Group-ByVmId -Items $adapters
    $drivesByVm = Group-ByVmId -Items $drives
    $snapshotsByVm = Group-ByVmId -Items $snapshots

    # One Get-VHD call for every attached path; a path it cannot read simply has no size/type.
    $paths = @($drives | Where-Object { $_.Path } | ForEach-Object { [string]$_.Path } | Sort-Object -Unique)
    $vhdByPath = @{}
    if ($paths.Count -gt 0) {
        foreach ($vhd in @(Get-VHD -Path $paths -ErrorAction SilentlyContinue)) {
            $vhdByPath[([string]$vhd.Path).ToLowerInvariant()] = $vhd
        }
    }
    $osNames = Get-GuestOsNames -Warnings $warnings
    $networkMap = Get-NetworkNameMap

    foreach ($vm in $vms) {
        $key = Get-GuidKey $vm.Id
        $dynamic = [bool]$vm.DynamicMemoryEnabled
        $memoryBytes = $vm.MemoryAssigned
        if (-not $memoryBytes) { $memoryBytes = $vm.MemoryStartup }
        $notes = $null
        if ($vm.Notes) { $notes = (@($vm.Notes) -join "`n") }
        # Minimum/maximum only mean something with dynamic memory; a static VM would show ~1 TiB.
        $minimum = $null
        $maximum = $null
        if ($dynamic) {
            $minimum = ConvertTo-AgentGiB $vm.MemoryMinimum
            $maximum = ConvertTo-AgentGiB $vm.MemoryMaximum
        }
        $osName = $null
        if ($osNames.ContainsKey($key)) { $osName = $osNames[$key] }
        $version = $null
        if ($vm.Version) { $version = [string]$vm.Version }

        $entry = [ordered]@{
            Name                 = [string]$vm.Name
            Id                   = $key
            State                = Get-VmStateName $vm.State
            ProcessorCount       = $vm.ProcessorCount
            MemoryGB             = ConvertTo-AgentGiB $memoryBytes
            StartupMemoryGB      = ConvertTo-AgentGiB $vm.MemoryStartup
            MinimumMemoryGB      = $minimum
            MaximumMemoryGB      = $maximum
            DynamicMemoryEnabled = $dynamic
            CreationTime         = ConvertTo-AgentIsoTime $vm.CreationTime
            Generation           = $vm.Generation
            Version              = $version
            Notes                = $notes
            OperatingSystem      = $osName
            Clustered            = [bool]$vm.IsClustered
        }
        if ($null -eq $entry.MemoryGB) { $entry.MemoryGB = 0 }
        Add-VmHotState -Entry $entry -Vm $vm
        Add-VmCheckpoints -Entry $entry -Vm $vm -Snapshots $snapshotsByVm[$key]

        $nics = New-Object System.Collections.ArrayList
        $allIps = New-Object System.Collections.Generic.List[string]
        if ($adaptersByVm.ContainsKey($key)) {
            foreach ($adapter in $adaptersByVm[$key]) {
                $nic = ConvertTo-NicObject -Adapter $adapter -NetworkMap $networkMap
                $null = $nics.Add($nic)
                foreach ($ip in $nic.IPAddresses) {
                    $seen = @($allIps | Where-Object { $_ -eq $ip })
                    if ($seen.Count -eq 0) { $allIps.Add($ip) }
                }
            }
        }
        if ($nics.Count -gt 0) { $entry['Networks'] = $nics.ToArray() }
        if ($allIps.Count -gt 0) { $entry['IPAddresses'] = [string[]]$allIps.ToArray() }

        if ($drivesByVm.ContainsKey($key)) {
            $disks = New-Object System.Collections.ArrayList
            foreach ($drive in $drivesByVm[$key]) { $null = $disks.Add((ConvertTo-DiskObject -Drive $drive -VhdByPath $vhdByPath)) }
            if ($disks.Count -gt 0) { $entry['Disks'] = $disks.ToArray() }
        }
        $null = $vmList.Add($entry)
    }
}

$hostFacts.Warnings = [string[]]$hostWarnings.ToArray()
return [ordered]@{
    Host            = $hostFacts
    VirtualMachines = $vmList.ToArray()
    Warnings        = [string[]]$warnings.ToArray()
}
