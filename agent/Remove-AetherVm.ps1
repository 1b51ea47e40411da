# Delete one VM (operation "vm.delete"), addressed by GUID.
# fields: vmId (GUID, required), deleteDisks (bool, default false), force (bool, default false).
# A disk file is deleted only when no other VM uses it, directly, as a differencing parent, or as
# a shared (persistent reservation) disk; such disks are kept and reported, never deleted.
param([Parameter(Mandatory = $true)]$Fields)

$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'AetherV.Common.ps1')

$vmId = Get-AgentField -Fields $Fields -Name 'vmId' -Type 'guid' -Required
$deleteDisks = Get-AgentField -Fields $Fields -Name 'deleteDisks' -Type 'bool' -Default $false
$force = Get-AgentField -Fields $Fields -Name 'force' -Type 'bool' -Default $false

function Get-PathKey {
    param([string]$Path)
    # One spelling per file for comparisons: NTFS ignores case and accepts '/' for '\'. A string
    # rule, not [IO.Path]::GetFullPath, which would resolve a relative path against this process.
    $unc = $Path.StartsWith('\\') -or $Path.StartsWith('//')
    $key = (($Path -replace '/', '\') -replace '\\{2,}', '\').TrimEnd('\').ToLowerInvariant()
    if ($unc) { $key = '\' + $key }
    return $key
}

function Get-PathsUsedByOtherVms {
    # Every disk path another VM depends on, including each differencing chain's parents.
    param([Guid]$ExcludedVmId)
    $used = @{}
    $others = @(Get-VMHardDiskDrive -VMName * -ErrorAction Stop | Where-Object { $_.VMId -ne $ExcludedVmId -and $_.Path })
    foreach ($drive in $others) {
        $path = [string]$drive.Path
        $depth = 0
        # The depth cap stops a corrupt chain that points at itself from looping forever.
        while ($path -and $depth -lt 64) {
            $key = Get-PathKey $path
            if ($used.ContainsKey($key)) { break }
            $used[$key] = 'in use by VM ' + [string]$drive.VMName
            $vhd = @(Get-VHD -Path $path -ErrorAction SilentlyContinue)
            if ($vhd.Count -eq 0) { break }
            $path = [string]$vhd[0].ParentPath
            $depth++
        }
    }
    return $used
}

$vm = Get-AetherVmById -VmId $vmId
$vmName = [string]$vm.Name
# Hyper-V's Path: the folder holding the VM's configuration ({vmRootPath}\{name} for our VMs).
$vmFolder = [string]$vm.Path
$state = ([string]$vm.State) -replace 'Critical$', ''
if ($state -ne 'Off' -and -not $force) {
    throw (New-AgentError -Code 'INVALID_STATE' -Message ("VM '" + $vmName + "' is " + $state + '. Turn it off first, or delete with force to turn it off and delete it.') -Details ([ordered]@{ vmId = $vmId.ToString(); state = $state }))
}

$drives = @(Get-VMHardDiskDrive -VM $vm)
$toDelete = New-Object System.Collections.Generic.List[string]
$kept = New-Object System.Collections.ArrayList
if ($deleteDisks -and $drives.Count -gt 0) {
    $usedElsewhere = Get-PathsUsedByOtherVms -ExcludedVmId $vmId
    foreach ($drive in $drives) {
        $path = [string]$drive.Path
        if (-not $path) { continue }
        $key = Get-PathKey $path
        if ($drive.SupportPersistentReservations) {
            $null = $kept.Add([ordered]@{ path = $path; reason = 'shared disk (persistent reservations)' })
        } elseif ($usedElsewhere.ContainsKey($key)) {
            $null = $kept.Add([ordered]@{ path = $path; reason = $usedElsewhere[$key] })
        } else {
            $toDelete.Add($path)
        }
    }
} else {
    foreach ($drive in $drives) {
        if ($drive.Path) { $null = $kept.Add([ordered]@{ path = [string]$drive.Path; reason = 'deleteDisks was false' }) }
    }
}

if ($state -ne 'Off') {
    Write-AgentLog -Message ("Turning off VM '" + $vmName + "' (was " + $state + ')') -Step 'turnoff'
    Stop-VM -VM $vm -TurnOff -Force -Confirm:$false
}

if ($vm.IsClustered) {
    # A clustered VM must leave the cluster first or Remove-VM fails and the role is orphaned.
    Write-AgentLog -Message ("Removing cluster role of VM '" + $vmName + "'") -Step 'cluster'
    Remove-ClusterGroup -VMId $vmId -RemoveResources -Force
}

Write-AgentLog -Message ("Removing VM '" + $vmName + "'") -Step 'remove'
Remove-VM -VM $vm -Force -Confirm:$false

$deleted = New-Object System.Collections.Generic.List[string]
foreach ($path in $toDelete) {
    if (Test-Path -LiteralPath $path -PathType Leaf) {
        Write-AgentLog -Message ('Deleting disk ' + $path) -Step 'disks'
        Remove-Item -LiteralPath $path -Force
        $deleted.Add($path)
    }
}
foreach ($item in $kept) {
    Write-AgentLog -Level 'warn' -Message ('Kept disk ' + $item.path + ': ' + $item.reason) -Step 'disks'
}

# The VM's own folder goes too once nothing but empty folders is left in it: New-AetherVm refuses
# a VM name whose folder holds files, and the "Virtual Machines" / "Virtual Hard Disks" folders
# Hyper-V leaves behind would otherwise block creating a VM of the same name again. A folder that
# still holds any file (a kept disk, something an admin put there) stays, and so does a folder
# not named after the VM (a shared folder such as Hyper-V's default).
if ($deleteDisks -and $vmFolder -and ((Get-AgentLeafName -Path $vmFolder.TrimEnd('\', '/')) -eq $vmName) -and (Test-Path -LiteralPath $vmFolder -PathType Container)) {
    try {
        $leftFiles = @(Get-ChildItem -LiteralPath $vmFolder -Recurse -File -Force)
        if ($leftFiles.Count -eq 0) {
            Write-AgentLog -Message ('Removing the empty VM folder ' + $vmFolder) -Step 'disks'
            Remove-Item -LiteralPath $vmFolder -Recurse -Force
        } else {
            Write-AgentLog -Level 'warn' -Message ('Kept the VM folder ' + $vmFolder + ': it still holds ' + $leftFiles.Count + ' file(s)') -Step 'disks'
        }
    } catch {
        # The VM is gone either way; a folder that cannot be removed is reported, not fatal.
        Write-AgentLog -Level 'warn' -Message ('Could not remove the VM folder ' + $vmFolder + ': ' + $_.Exception.Message) -Step 'disks'
    }
}

return [ordered]@{
    vmId         = $vmId.ToString()
    vmName       = $vmName
    status       = 'deleted'
    disksDeleted = [string[]]$deleted.ToArray()
    disksKept    = $kept.ToArray()
}
