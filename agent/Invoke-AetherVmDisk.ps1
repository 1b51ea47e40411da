# Disks of one VM (operations "disk.add", "disk.expand", "disk.remove"), addressed by GUID.
# add:    mode 'new' (sizeGb, optional folder: a dynamic VHDX "<folder>\<VM name>-disk<N>.vhdx",
#         default folder that of the VM's first disk, else the host's VirtualHardDiskPath) or
#         mode 'existing' (path: a .vhdx/.vhd that exists and no other VM of this host uses).
# expand: diskId, sizeGb (larger than now); a running VM only on SCSI (Generation 2) and VHDX.
# remove: diskId, deleteFile; never deletes a file another VM uses or one under checkpoints.
# Generation 1 VMs (IDE) need to be Off for add and remove; Generation 2 hot-plugs on SCSI.
param(
    [Parameter(Mandatory = $true)]$Fields,
    [Parameter(Mandatory = $true)][ValidateSet('add', 'expand', 'remove')][string]$Operation
)

$ErrorActionPreference = 'Stop'
$gb = 1073741824
. (Join-Path $PSScriptRoot 'AetherV.Common.ps1')

function Get-PathsOfOtherVms {
    # Every disk file attached to another VM of this host: one listing, compared without case.
    param([Guid]$ExceptVmId)
    $map = @{}
    foreach ($drive in @(Get-VMHardDiskDrive -VMName * -ErrorAction Stop | Where-Object { $_.VMId -ne $ExceptVmId -and $_.Path })) {
        $map[([string]$drive.Path).ToLowerInvariant()] = [string]$drive.VMName
    }
    return $map
}

function New-DiskInUseError {
    param([string]$Path, [string]$VmName)
    return (New-AgentError -Code 'DISK_IN_USE' -Message ('The disk ' + $Path + " is attached to VM '" + $VmName + "'; a disk is never attached to or deleted from under another VM.") -Details ([ordered]@{ path = $Path }))
}

function New-DiskHasCheckpointsError {
    param($Vm, [string]$Path, [string]$What, [int]$Count)
    return (New-AgentError -Code 'DISK_HAS_CHECKPOINTS' -Message ('Cannot ' + $What + ' ' + $Path + ": VM '" + $Vm.Name + "' has " + $Count + ' checkpoint(s), so the disk is the base of a differencing (.avhdx) chain. Delete the checkpoints first.') -Details ([ordered]@{ vmId = ([string]$Vm.Id).ToLowerInvariant(); path = $Path }))
}

function Get-CheckpointCount {
    param($Vm)
    return @(Get-VMSnapshot -VM $Vm -ErrorAction Stop).Count
}

function Get-VmDrive {
    param($Vm)
    $diskId = Get-AgentField -Fields $Fields -Name 'diskId' -Type 'string' -Required
    $found = @(Get-VMHardDiskDrive -VM $Vm -ErrorAction Stop | Where-Object { ([string]$_.Id) -eq $diskId })
    if ($found.Count -eq 0) {
        throw (New-AgentError -Code 'INVALID_FIELDS' -Message ("Field 'diskId': VM '" + $Vm.Name + "' has no disk " + $diskId + '.'))
    }
    return $found[0]
}

function Get-SizeGbField {
    $size = Get-AgentField -Fields $Fields -Name 'sizeGb' -Type 'int' -Required
    if ($size -lt 1 -or $size -gt 65536) { throw (New-AgentError -Code 'INVALID_FIELDS' -Message "Field 'sizeGb' must be a whole number of GB from 1 to 65536.") }
    return $size
}

$vmId = Get-AgentField -Fields $Fields -Name 'vmId' -Type 'guid' -Required
$vm = Get-AetherVmById -VmId $vmId

if ($Operation -eq 'add') {
    $mode = Get-AgentField -Fields $Fields -Name 'mode' -Type 'string' -Required
    if (@('new', 'existing') -notcontains $mode) {
        throw (New-AgentError -Code 'INVALID_FIELDS' -Message "Field 'mode' must be 'new' (a new disk) or 'existing' (attach a disk file).")
    }
    if ($mode -eq 'new') {
        $sizeGb = Get-SizeGbField
        $folder = Get-AgentField -Fields $Fields -Name 'folder' -Type 'string'
        if ($folder) {
            $folder = $folder.Trim().TrimEnd('\')
            Assert-AgentWindowsPath -Name 'folder' -Path $folder
        } else {
            $first = @(Get-VMHardDiskDrive -VM $vm -ErrorAction Stop | Where-Object { $_.Path } | Select-Object -First 1)
            if ($first.Count -gt 0) { $folder = Get-AgentParentFolder -Path ([string]$first[0].Path) }
            if (-not $folder) { $folder = ([string](Get-VMHost -ErrorAction Stop).VirtualHardDiskPath).TrimEnd('\') }
        }
        # The VM's name may hold characters a file name cannot.
        $baseName = ([string]$vm.Name) -replace '[\\/:*?"<>|]', '_'
        $number = @(Get-VMHardDiskDrive -VM $vm -ErrorAction Stop).Count + 1
        do {
            $path = $folder + '\' + $baseName + '-disk' + $number + '.vhdx'
            $number++
        } while (Test-Path -LiteralPath $path)
    } else {
        $path = (Get-AgentField -Fields $Fields -Name 'path' -Type 'string' -Required).Trim()
        Assert-AgentWindowsPath -Name 'path' -Path $path
        if ($path -notmatch '\.vhdx?$') { throw (New-AgentError -Code 'INVALID_FIELDS' -Message "Field 'path' must name a .vhdx or .vhd file.") }
        $others = Get-PathsOfOtherVms -ExceptVmId $vmId
        if ($others.ContainsKey($path.ToLowerInvariant())) { throw (New-DiskInUseError -Path $path -VmName $others[$path.ToLowerInvariant()]) }
        if (@(Get-VMHardDiskDrive -VM $vm -ErrorAction Stop | Where-Object { ([string]$_.Path).ToLowerInvariant() -eq $path.ToLowerInvariant() }).Count -gt 0) {
            throw (New-AgentError -Code 'INVALID_FIELDS' -Message ("Field 'path': " + $path + " is already attached to VM '" + $vm.Name + "'."))
        }
        if (-not (Test-Path -LiteralPath $path -PathType Leaf)) {
            throw (New-AgentError -Code 'INVALID_FIELDS' -Message ("Field 'path': there is no file " + $path + ' on ' + $env:COMPUTERNAME + '.'))
        }
        if ([int]$vm.Generation -eq 2 -and $path -match '\.vhd$') {
            throw (New-AgentError -Code 'INVALID_FIELDS' -Message "Field 'path': a Generation 2 VM cannot use the VHD format; convert it to VHDX.")
        }
    }
    Assert-AetherVmOperationState -Vm $vm -Operation 'disk.add'
    Assert-AetherVmOffForGeneration1 -Vm $vm -What 'add a disk'
    if ($mode -eq 'new') {
        Write-AgentLog -Message ('New-VHD: ' + $path + ' (' + $sizeGb + ' GiB, dynamic)') -Step 'new-disk'
        $null = New-VHD -Path $path -SizeBytes ([uint64]$sizeGb * $gb) -Dynamic -ErrorAction Stop
    }
    Write-AgentLog -Message ('Add-VMHardDiskDrive: ' + $path) -Step 'attach'
    try {
        $drive = Add-VMHardDiskDrive -VM $vm -Path $path -Passthru -ErrorAction Stop
    } catch {
        # A disk made for this VM and never attached is removed again; an existing file is left alone.
        if ($mode -eq 'new') { Remove-Item -LiteralPath $path -Force -ErrorAction SilentlyContinue }
        throw
    }
    $vhd = Get-VHD -Path $path -ErrorAction Stop
    return (New-AetherVmEditResult -VmId $vmId -Extra ([ordered]@{
                diskId  = [string]$drive.Id
                path    = $path
                sizeGb  = [long][Math]::Round(([double]$vhd.Size) / $gb)
                created = ($mode -eq 'new')
            }))
}

$drive = Get-VmDrive -Vm $vm
$path = [string]$drive.Path

if ($Operation -eq 'expand') {
    $sizeGb = Get-SizeGbField
    $vhd = Get-VHD -Path $path -ErrorAction Stop
    if (([double]$sizeGb * $gb) -le [double]$vhd.Size) {
        throw (New-AgentError -Code 'INVALID_FIELDS' -Message ("Field 'sizeGb' must be larger than the disk's current size (" + (ConvertTo-AgentGiB $vhd.Size) + ' GB): a disk is never shrunk.'))
    }
    Assert-AetherVmOperationState -Vm $vm -Operation 'disk.expand'
    $state = Get-AetherVmStateName -Vm $vm
    if ($state -ne 'Off') {
        if ([string]$drive.ControllerType -ne 'SCSI') { throw (New-AetherVmStateError -Vm $vm -Reason ("a disk on the IDE controller can only be expanded while the VM is Off (it is " + $state + ')')) }
        if ($path -match '\.vhd$') { throw (New-AetherVmStateError -Vm $vm -Reason ('a .vhd disk can only be expanded while the VM is Off (it is ' + $state + '); VHDX grows while Running')) }
    }
    $checkpoints = Get-CheckpointCount -Vm $vm
    if ($checkpoints -gt 0 -or $path -match '\.avhdx?$') { throw (New-DiskHasCheckpointsError -Vm $vm -Path $path -What 'expand' -Count $checkpoints) }
    Write-AgentLog -Message ('Resize-VHD: ' + $path + ' ' + (ConvertTo-AgentGiB $vhd.Size) + ' -> ' + $sizeGb + ' GiB') -Step 'resize'
    Resize-VHD -Path $path -SizeBytes ([uint64]$sizeGb * $gb) -ErrorAction Stop
    return (New-AetherVmEditResult -VmId $vmId -Extra ([ordered]@{ diskId = [string]$drive.Id; path = $path; sizeGb = $sizeGb }))
}

# remove
$deleteFile = Get-AgentField -Fields $Fields -Name 'deleteFile' -Type 'bool'
if ($null -eq $deleteFile) { throw (New-AgentError -Code 'INVALID_FIELDS' -Message "Field 'deleteFile' is required (true deletes the disk's file, false keeps it).") }
Assert-AetherVmOperationState -Vm $vm -Operation 'disk.remove'
Assert-AetherVmOffForGeneration1 -Vm $vm -What 'remove a disk'
if ($deleteFile) {
    $others = Get-PathsOfOtherVms -ExceptVmId $vmId
    if ($others.ContainsKey($path.ToLowerInvariant())) { throw (New-DiskInUseError -Path $path -VmName $others[$path.ToLowerInvariant()]) }
    if ($drive.SupportPersistentReservations) {
        throw (New-AgentError -Code 'DISK_IN_USE' -Message ('The disk ' + $path + ' is a shared disk (persistent reservations): other VMs may use it, so its file is never deleted here.') -Details ([ordered]@{ path = $path }))
    }
    $checkpoints = Get-CheckpointCount -Vm $vm
    if ($checkpoints -gt 0 -or $path -match '\.avhdx?$') { throw (New-DiskHasCheckpointsError -Vm $vm -Path $path -What 'delete' -Count $checkpoints) }
}
Write-AgentLog -Message ('Remove-VMHardDiskDrive: ' + $path) -Step 'detach'
Remove-VMHardDiskDrive -VMHardDiskDrive $drive -ErrorAction Stop
$fileDeleted = $false
if ($deleteFile -and (Test-Path -LiteralPath $path -PathType Leaf)) {
    Write-AgentLog -Message ('Deleting ' + $path) -Step 'delete-file'
    Remove-Item -LiteralPath $path -Force -ErrorAction Stop
    $fileDeleted = $true
}
return (New-AetherVmEditResult -VmId $vmId -Extra ([ordered]@{ diskId = [string]$drive.Id; path = $path; fileDeleted = $fileDeleted }))
