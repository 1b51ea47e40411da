# Virtual disk files attached to no VM (operation "host.orphanDisks"). fields: none.
# Looks in the folders that hold the host's VMs' disks and in the host's VirtualHardDiskPath for
# *.vhdx, *.vhd and *.avhdx files, and leaves out every file a VM on this host uses: its disks,
# their differencing parents and its checkpoints' disks. Returns @{ files = @(@{ path; sizeGb;
# lastWriteTime }) }. Read-only: nothing is changed. Paths come from Hyper-V, never from input.
param([Parameter(Mandatory = $true)]$Fields)

$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'AetherV.Common.ps1')

function Get-PathKey {
    # One spelling per file for comparisons: NTFS ignores case and accepts '/' for '\'.
    param([string]$Path)
    $unc = $Path.StartsWith('\\') -or $Path.StartsWith('//')
    $key = (($Path -replace '/', '\') -replace '\\{2,}', '\').TrimEnd('\').ToLowerInvariant()
    if ($unc) { $key = '\' + $key }
    return $key
}

$attached = @{}
$folders = [ordered]@{}

function Add-DiskChain {
    # A disk and every differencing parent below it are in use. The depth cap stops a corrupt
    # chain that points at itself from looping forever.
    param([string]$Path)
    $depth = 0
    while ($Path -and $depth -lt 64) {
        $key = Get-PathKey $Path
        if ($attached.ContainsKey($key)) { break }
        $attached[$key] = $true
        $folder = Get-AgentParentFolder -Path $Path
        if ($folder) { $folders[(Get-PathKey $folder)] = $folder }
        $vhd = @(Get-VHD -Path $Path -ErrorAction SilentlyContinue)
        if ($vhd.Count -eq 0) { break }
        $Path = [string]$vhd[0].ParentPath
        $depth++
    }
}

foreach ($drive in @(Get-VMHardDiskDrive -VMName * -ErrorAction Stop | Where-Object { $_.Path })) {
    Add-DiskChain -Path ([string]$drive.Path)
}
# A checkpoint keeps the disks it was taken with (their .avhdx chain); they are attached too.
# (Read through PSObject: under Set-StrictMode a missing property would stop the scan.)
foreach ($checkpoint in @(Get-VMSnapshot -VMName * -ErrorAction SilentlyContinue)) {
    $hardDrives = $checkpoint.PSObject.Properties['HardDrives']
    if ($null -eq $hardDrives) { continue }
    foreach ($drive in @($hardDrives.Value | Where-Object { $_ -and $_.PSObject.Properties['Path'] -and $_.Path })) {
        Add-DiskChain -Path ([string]$drive.Path)
    }
}
try {
    $defaultFolder = [string](Get-VMHost -ErrorAction Stop).VirtualHardDiskPath
    if ($defaultFolder) { $folders[(Get-PathKey $defaultFolder)] = $defaultFolder.TrimEnd('\') }
} catch {
    Write-AgentLog -Level 'warn' -Message ('The host default disk folder could not be read: ' + $_.Exception.Message) -Step 'scan'
}

$extensions = @('.vhdx', '.vhd', '.avhdx')
$files = New-Object System.Collections.ArrayList
foreach ($folder in $folders.Values) {
    if (-not (Test-Path -LiteralPath $folder -PathType Container)) { continue }
    foreach ($item in @(Get-ChildItem -LiteralPath $folder -File -ErrorAction SilentlyContinue)) {
        if ($extensions -notcontains $item.Extension.ToLowerInvariant()) { continue }
        # The path as Hyper-V spells the folder, so it reads like the VMs' disk paths.
        $path = $folder.TrimEnd('\') + '\' + $item.Name
        if ($attached.ContainsKey((Get-PathKey $path))) { continue }
        $null = $files.Add([ordered]@{
            path          = $path
            sizeGb        = ConvertTo-AgentGiB $item.Length
            lastWriteTime = ConvertTo-AgentIsoTime $item.LastWriteTimeUtc
        })
    }
}
Write-AgentLog -Message ('Scanned ' + $folders.Count + ' folders: ' + $files.Count + ' unattached virtual disk files') -Step 'scan'
[ordered]@{ files = $files.ToArray() }
