# Create one VM (operation "vm.create") of one of three kinds (fields.provisioning):
#  - blank: no image; a new empty dynamic VHDX of diskSizeGB (or no disk), booting from an ISO that
#    is already on the host (bootSource 'iso', isoPath) or from the network (bootSource 'network',
#    generation 2 only: the network adapter becomes the first UEFI boot device);
#  - template: copy the golden image and start it as it is (no provisioning media, no KVP);
#  - customised: copy the golden image, stage the provisioning ISO, start the VM, hand the guest its
#    settings (fields.guest) over KVP (contracts section 4) and wait until it reports them applied.
# Without fields.provisioning (an older app) the kind is customised when fields.guest is given and
# template otherwise, which is what those requests always meant.
# Before the VM starts, any failure rolls back what this run created. After it starts, the VM is
# kept for diagnosis and the error carries its id in error.details.vmId.
param([Parameter(Mandatory = $true)]$Fields)

$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'AetherV.Common.ps1')
. (Join-Path $PSScriptRoot 'AetherV.Kvp.ps1')

# hlvmm.data keys the host may publish, and which OS family each belongs to ('' = both).
$GuestKeys = [ordered]@{
    'guest_host_name' = ''; 'guest_la_uid' = ''; 'guest_la_pw' = ''
    'guest_v4_ip_addr' = ''; 'guest_v4_cidr_prefix' = ''; 'guest_v4_default_gw' = ''
    'guest_v4_dns1' = ''; 'guest_v4_dns2' = ''; 'guest_net_dns_suffix' = ''
    'guest_domain_join_target' = 'windows'; 'guest_domain_join_uid' = 'windows'
    'guest_domain_join_pw' = 'windows'; 'guest_domain_join_ou' = 'windows'
    'ansible_ssh_user' = 'linux'; 'ansible_ssh_key' = 'linux'
}

function Assert-IntRange {
    param([string]$Name, $Value, [long]$Min, [long]$Max)
    if ($null -ne $Value -and ($Value -lt $Min -or $Value -gt $Max)) {
        throw (New-AgentError -Code 'INVALID_FIELDS' -Message ("Field '" + $Name + "' must be between " + $Min + ' and ' + $Max + '.'))
    }
}

function Assert-HostPath {
    # Paths are data (passed to -LiteralPath), but they must still be absolute and free of '..'
    # so a value cannot wander outside the folder an administrator configured.
    param([string]$Name, [string]$Path)
    # A drive letter and a separator, or a UNC share: [IO.Path]::IsPathRooted also accepts the
    # drive-relative 'C:disk.vhdx' and the current-drive '\VMs', which land wherever the process is.
    $absolute = $Path -match '^[A-Za-z]:[\\/]' -or $Path -match '^\\\\[^\\/]+\\[^\\/]+'
    if (-not $absolute -or @($Path -split '[\\/]' | Where-Object { $_ -eq '..' }).Count -gt 0) {
        throw (New-AgentError -Code 'INVALID_FIELDS' -Message ("Field '" + $Name + "' must be an absolute Windows path without '..'."))
    }
}

function Get-GuestValues {
    # Re-checks the guest settings on the host: known keys only, OS applicability, and the
    # all-or-none groups. Returns trimmed non-blank string values.
    param($Guest, [string]$OsFamily, [string]$VmName)
    $values = @{}
    foreach ($property in $Guest.PSObject.Properties) {
        $name = [string]$property.Name
        if (-not $GuestKeys.Contains($name)) {
            throw (New-AgentError -Code 'INVALID_FIELDS' -Message ("Unknown guest setting '" + $name + "'."))
        }
        $family = $GuestKeys[$name]
        if ($family -and $family -ne $OsFamily) {
            Write-AgentLog -Level 'warn' -Message ("Ignoring guest setting '" + $name + "': it applies to " + $family + ' guests only.') -Step 'validate'
            continue
        }
        if ($null -eq $property.Value) { continue }
        if ($property.Value -isnot [string] -and $property.Value -isnot [int] -and $property.Value -isnot [long]) {
            throw (New-AgentError -Code 'INVALID_FIELDS' -Message ("Guest setting '" + $name + "' must be a string."))
        }
        $text = ([string]$property.Value).Trim()
        if ($text.Length -gt 0) { $values[$name] = $text }
    }
    if (-not $values.ContainsKey('guest_host_name')) { $values['guest_host_name'] = $VmName }
    foreach ($required in @('guest_la_uid', 'guest_la_pw')) {
        if (-not $values.ContainsKey($required)) {
            throw (New-AgentError -Code 'INVALID_FIELDS' -Message ("Guest setting '" + $required + "' is required."))
        }
    }
    $groups = @(
        @{ Label = 'static IPv4'; Keys = @('guest_v4_ip_addr', 'guest_v4_cidr_prefix', 'guest_v4_default_gw') },
        @{ Label = 'domain join'; Keys = @('guest_domain_join_target', 'guest_domain_join_uid', 'guest_domain_join_pw') },
        @{ Label = 'Ansible account'; Keys = @('ansible_ssh_user', 'ansible_ssh_key') }
    )
    foreach ($group in $groups) {
        $present = @($group.Keys | Where-Object { $values.ContainsKey($_) })
        if ($present.Count -gt 0 -and $present.Count -lt $group.Keys.Count) {
            throw (New-AgentError -Code 'INVALID_FIELDS' -Message ('The ' + $group.Label + ' settings go together: give all of ' + ($group.Keys -join ', ') + ' or none.'))
        }
    }
    if ($values.ContainsKey('guest_v4_dns2') -and -not $values.ContainsKey('guest_v4_dns1')) {
        throw (New-AgentError -Code 'INVALID_FIELDS' -Message 'guest_v4_dns2 needs guest_v4_dns1.')
    }
    if ($values.ContainsKey('guest_domain_join_ou') -and -not $values.ContainsKey('guest_domain_join_target')) {
        throw (New-AgentError -Code 'INVALID_FIELDS' -Message 'guest_domain_join_ou needs the other domain join settings.')
    }
    return $values
}

function Publish-GuestProvisioning {
    # Host half of the KVP handshake. Order matters: the version key is written before the
    # host state so the guest never sees the state without the version (known race).
    param([Guid]$VmId, [hashtable]$Values, [int]$KeyTimeout, [int]$ApplyTimeout, [int]$SettleSeconds)
    $agentVersion = Get-AgentVersionText
    if (-not $agentVersion) {
        throw (New-AgentError -Code 'AGENT_INCOMPLETE' -Message 'The agent version file is missing; guests check it. Redeploy the agent.')
    }
    Set-KvpHostItem -VmId $VmId -Name 'hlvmm.meta.version' -Data $agentVersion
    Set-KvpHostItem -VmId $VmId -Name 'hlvmm.meta.host_provisioning_system_state' -Data 'waitingforpublickey'
    Write-AgentLog -Message ('Waiting up to ' + $KeyTimeout + ' s for the guest public key') -Step 'wait-key'
    $items = Wait-KvpGuestState -VmId $VmId -Wanted @('waitingforaeskey') -TimeoutSeconds $KeyTimeout -Step 'wait-key'

    $publicKey = ''
    for ($try = 0; $try -lt 120; $try++) {
        if ($items.ContainsKey('hlvmm.meta.guest_provisioning_public_key') -and $items['hlvmm.meta.guest_provisioning_public_key']) {
            $publicKey = [string]$items['hlvmm.meta.guest_provisioning_public_key']
            break
        }
        Start-Sleep -Seconds 1
        $items = Get-KvpGuestItems -VmId $VmId
    }
    if (-not $publicKey) {
        throw (New-AgentError -Code 'GUEST_TIMEOUT' -Message 'The guest is waiting for its AES key but never published its public key.' -Details ([ordered]@{ vmId = $VmId.ToString() }))
    }
    $rsa = ConvertFrom-GuestPublicKey -EncodedKey $publicKey

    $aesKey = New-Object byte[] 32
    $random = [System.Security.Cryptography.RandomNumberGenerator]::Create()
    try {
        $random.GetBytes($aesKey)
        Write-AgentLog -Message ('Publishing ' + $Values.Count + ' encrypted settings: ' + ((@($Values.Keys) | Sort-Object) -join ', ')) -Step 'publish'
        Set-KvpHostItem -VmId $VmId -Name 'hlvmm.meta.provisioning_system_checksum' -Data (Get-KvpChecksum -Key $aesKey -Values $Values)
        Set-KvpHostItem -VmId $VmId -Name 'hlvmm.meta.shared_aes_key' -Data ([Convert]::ToBase64String($rsa.Encrypt($aesKey, $false)))
        $names = New-Object System.Collections.Generic.List[string]
        foreach ($name in $Values.Keys) { $names.Add([string]$name) }
        $names.Sort([StringComparer]::Ordinal)
        foreach ($name in $names) {
            $chunks = @(Split-KvpValue -Value $Values[$name])
            if ($chunks.Count -gt $script:KvpMaxChunks) {
                throw (New-AgentError -Code 'INVALID_FIELDS' -Message ("Guest setting '" + $name + "' is too long (at most " + ($script:KvpMaxChunks * $script:KvpChunkCodePoints) + ' characters).'))
            }
            if ($chunks.Count -le 1) {
                Set-KvpHostItem -VmId $VmId -Name ('hlvmm.data.' + $name) -Data (Protect-KvpValue -Key $aesKey -PlainText $Values[$name])
            } else {
                for ($index = 0; $index -lt $chunks.Count; $index++) {
                    Set-KvpHostItem -VmId $VmId -Name ('hlvmm.data.' + $name + '._' + $index) -Data (Protect-KvpValue -Key $aesKey -PlainText $chunks[$index])
                }
            }
        }
    } finally {
        [Array]::Clear($aesKey, 0, $aesKey.Length)
        $random.Dispose()
        $rsa.Dispose()
    }
    # Give the KVP service time to deliver every item before the guest starts reading them.
    Start-Sleep -Seconds $SettleSeconds
    Set-KvpHostItem -VmId $VmId -Name 'hlvmm.meta.host_provisioning_system_state' -Data 'provisioningdatapublished'
    Write-AgentLog -Message ('Waiting up to ' + $ApplyTimeout + ' s for the guest to apply its settings') -Step 'wait-apply'
    $null = Wait-KvpGuestState -VmId $VmId -Wanted @('provisioningapplied') -TimeoutSeconds $ApplyTimeout -Step 'wait-apply'
}

# --- inputs -----------------------------------------------------------------------------------
$vmName = Get-AgentField -Fields $Fields -Name 'vmName' -Required
if ($vmName -notmatch '^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$') {
    throw (New-AgentError -Code 'INVALID_FIELDS' -Message "Field 'vmName' must be 1-63 letters, digits or hyphens, not starting or ending with a hyphen (it is also the guest host name).")
}
$osFamily = Get-AgentField -Fields $Fields -Name 'osFamily' -Required
if (@('windows', 'linux') -notcontains $osFamily) {
    throw (New-AgentError -Code 'INVALID_FIELDS' -Message "Field 'osFamily' must be 'windows' or 'linux'.")
}
$osFamily = $osFamily.ToLowerInvariant()
$guest = Get-AgentField -Fields $Fields -Name 'guest' -Type 'object'
$provisioning = Get-AgentField -Fields $Fields -Name 'provisioning'
if ($null -eq $provisioning) {
    $provisioning = 'template'
    if ($null -ne $guest) { $provisioning = 'customised' }
}
if (@('blank', 'template', 'customised') -cnotcontains $provisioning) {
    throw (New-AgentError -Code 'INVALID_FIELDS' -Message "Field 'provisioning' must be 'blank', 'template' or 'customised'.")
}
$bootSource = Get-AgentField -Fields $Fields -Name 'bootSource'
$isoPath = Get-AgentField -Fields $Fields -Name 'isoPath'
$imagePath = Get-AgentField -Fields $Fields -Name 'imagePath'
$vmRootPath = Get-AgentField -Fields $Fields -Name 'vmRootPath' -Required
Assert-HostPath -Name 'vmRootPath' -Path $vmRootPath

# Which fields each kind needs and refuses (the app checks the same; this is the host's own line).
function Assert-NotGiven {
    param([string]$Name, $Value, [string]$Why)
    if ($null -ne $Value) {
        throw (New-AgentError -Code 'INVALID_FIELDS' -Message ("Field '" + $Name + "' does not apply to " + $Why + '; leave it out.'))
    }
}
if ($provisioning -eq 'blank') {
    Assert-NotGiven -Name 'imagePath' -Value $imagePath -Why 'a blank VM (it has no golden image)'
    Assert-NotGiven -Name 'guest' -Value $guest -Why 'a blank VM (its guest is not configured)'
    if ($null -eq $bootSource) { $bootSource = 'iso' }
    if (@('iso', 'network') -cnotcontains $bootSource) {
        throw (New-AgentError -Code 'INVALID_FIELDS' -Message "Field 'bootSource' must be 'iso' or 'network'.")
    }
    if ($bootSource -eq 'iso') {
        if ($null -eq $isoPath) { throw (New-AgentError -Code 'INVALID_FIELDS' -Message "Field 'isoPath' is required to boot a blank VM from an ISO image.") }
        Assert-HostPath -Name 'isoPath' -Path $isoPath
        if ($isoPath -notmatch '\.iso$') { throw (New-AgentError -Code 'INVALID_FIELDS' -Message "Field 'isoPath' must be the path of an .iso file.") }
    } else {
        Assert-NotGiven -Name 'isoPath' -Value $isoPath -Why 'network boot'
    }
} else {
    if ($null -eq $imagePath) { throw (New-AgentError -Code 'INVALID_FIELDS' -Message ("Required field 'imagePath' is missing (a " + $provisioning + ' VM is a copy of a golden image).')) }
    Assert-HostPath -Name 'imagePath' -Path $imagePath
    Assert-NotGiven -Name 'bootSource' -Value $bootSource -Why 'a VM from a template (it boots from its copied disk)'
    Assert-NotGiven -Name 'isoPath' -Value $isoPath -Why 'a VM from a template (it boots from its copied disk)'
    if ($provisioning -eq 'template') {
        Assert-NotGiven -Name 'guest' -Value $guest -Why "a VM from a template without customisation (use provisioning 'customised')"
    } elseif ($null -eq $guest) {
        throw (New-AgentError -Code 'INVALID_FIELDS' -Message "Field 'guest' is required for a customised VM (its settings are what the guest applies).")
    }
}
$cpuCount = Get-AgentField -Fields $Fields -Name 'cpuCount' -Type 'int' -Default 2
$memoryGB = Get-AgentField -Fields $Fields -Name 'memoryGB' -Type 'int' -Default 4
$generation = Get-AgentField -Fields $Fields -Name 'generation' -Type 'int' -Default 2
$diskSizeGB = Get-AgentField -Fields $Fields -Name 'diskSizeGB' -Type 'int'
$switchName = Get-AgentField -Fields $Fields -Name 'switchName'
$vlanId = Get-AgentField -Fields $Fields -Name 'vlanId' -Type 'int'
$clustered = Get-AgentField -Fields $Fields -Name 'clustered' -Type 'bool' -Default $false
$keyTimeout = Get-AgentField -Fields $Fields -Name 'guestKeyTimeoutSeconds' -Type 'int' -Default 300
$applyTimeout = Get-AgentField -Fields $Fields -Name 'guestApplyTimeoutSeconds' -Type 'int' -Default 1800
$settleSeconds = Get-AgentField -Fields $Fields -Name 'publishSettleSeconds' -Type 'int' -Default 30
Assert-IntRange -Name 'cpuCount' -Value $cpuCount -Min 1 -Max 64
Assert-IntRange -Name 'memoryGB' -Value $memoryGB -Min 1 -Max 512
Assert-IntRange -Name 'generation' -Value $generation -Min 1 -Max 2
Assert-IntRange -Name 'diskSizeGB' -Value $diskSizeGB -Min 1 -Max 65536
Assert-IntRange -Name 'vlanId' -Value $vlanId -Min 1 -Max 4094
Assert-IntRange -Name 'guestKeyTimeoutSeconds' -Value $keyTimeout -Min 10 -Max 3600
Assert-IntRange -Name 'guestApplyTimeoutSeconds' -Value $applyTimeout -Min 10 -Max 14400
Assert-IntRange -Name 'publishSettleSeconds' -Value $settleSeconds -Min 0 -Max 300
if ($bootSource -eq 'network' -and $generation -ne 2) {
    # Generation 1 boots PXE only from a legacy network adapter, which this agent does not add.
    throw (New-AgentError -Code 'INVALID_FIELDS' -Message "Field 'bootSource': network boot needs a generation 2 VM; choose generation 2 or boot from an ISO image.")
}

$guestValues = $null
if ($null -ne $guest) { $guestValues = Get-GuestValues -Guest $guest -OsFamily $osFamily -VmName $vmName }

# --- preconditions ----------------------------------------------------------------------------
if ($null -ne $imagePath -and -not (Test-Path -LiteralPath $imagePath -PathType Leaf)) {
    throw (New-AgentError -Code 'IMAGE_NOT_FOUND' -Message ('Golden image ' + $imagePath + ' does not exist on ' + $env:COMPUTERNAME + '.'))
}
if ($null -ne $isoPath -and -not (Test-Path -LiteralPath $isoPath -PathType Leaf)) {
    throw (New-AgentError -Code 'ISO_NOT_FOUND' -Message ('ISO image ' + $isoPath + ' does not exist on ' + $env:COMPUTERNAME + '; copy it to the host (or a share the host can read) and give its full path.'))
}
$sameName = @(Get-VM | Where-Object { $_.Name -eq $vmName })
if ($sameName.Count -gt 0) {
    throw (New-AgentError -Code 'VM_EXISTS' -Message ("A VM named '" + $vmName + "' already exists on " + $env:COMPUTERNAME + '.') -Details ([ordered]@{ vmId = $sameName[0].Id.ToString() }))
}
$vmFolder = Join-Path $vmRootPath $vmName
if (Test-Path -LiteralPath $vmFolder) {
    # A folder with no file in it (e.g. what Hyper-V left after an older agent deleted a VM of this
    # name) has nothing to lose: it is reused. One that holds files is never written into.
    $leftFiles = @(Get-ChildItem -LiteralPath $vmFolder -Recurse -File -Force)
    if ($leftFiles.Count -gt 0) {
        throw (New-AgentError -Code 'VM_EXISTS' -Message ('Folder ' + $vmFolder + ' already exists and holds ' + $leftFiles.Count + ' file(s) (e.g. disks kept when a VM of this name was deleted); remove them or choose another VM name.'))
    }
}
$isoSource = $null
if ($null -ne $guestValues) {
    $isoName = 'LinuxProvisioning.iso'
    if ($osFamily -eq 'windows') { $isoName = 'WindowsProvisioning.iso' }
    $isoSource = Join-Path $PSScriptRoot $isoName
    if (-not (Test-Path -LiteralPath $isoSource -PathType Leaf)) {
        throw (New-AgentError -Code 'PROVISIONING_MEDIA_MISSING' -Message ($isoName + ' is missing from ' + $PSScriptRoot + '. Redeploy the agent with its provisioning media.'))
    }
}

# --- copy and register (rolled back on failure) -----------------------------------------------
$vm = $null
$started = $false
$isoCopy = $null
try {
    $diskFolder = Join-Path $vmFolder 'Virtual Hard Disks'
    $null = New-Item -ItemType Directory -Path $diskFolder -Force
    $vhdPath = $null
    if ($provisioning -eq 'blank') {
        if ($null -ne $diskSizeGB) {
            $vhdPath = Join-Path $diskFolder ($vmName + '.vhdx')
            Write-AgentLog -Message ('Creating an empty ' + $diskSizeGB + ' GiB disk ' + $vhdPath) -Step 'new-disk'
            $null = New-VHD -Path $vhdPath -SizeBytes ([long]$diskSizeGB * 1073741824) -Dynamic
        }
    } else {
        $extension = '.vhdx'
        if ((Get-AgentLeafName -Path $imagePath) -match '(\.[^.]+)$') { $extension = $Matches[1] }
        $vhdPath = Join-Path $diskFolder ($vmName + $extension)
        Write-AgentLog -Message ('Copying image ' + $imagePath + ' to ' + $vhdPath) -Step 'copy-image'
        Copy-Item -LiteralPath $imagePath -Destination $vhdPath
    }
    if ($provisioning -ne 'blank' -and $null -ne $diskSizeGB) {
        $target = [long]$diskSizeGB * 1073741824
        $current = (Get-VHD -Path $vhdPath).Size
        if ($target -gt $current) {
            Write-AgentLog -Message ('Growing disk to ' + $diskSizeGB + ' GiB') -Step 'copy-image'
            Resize-VHD -Path $vhdPath -SizeBytes $target
        }
    }
    if ($null -ne $isoSource) {
        $isoCopy = Join-Path $vmFolder (Get-AgentLeafName -Path $isoSource)
        Write-AgentLog -Message ('Copying provisioning media to ' + $isoCopy) -Step 'copy-iso'
        Copy-Item -LiteralPath $isoSource -Destination $isoCopy
    }

    Write-AgentLog -Message ("Registering VM '" + $vmName + "'") -Step 'register'
    $newVmArgs = @{ Name = $vmName; Generation = [int]$generation; MemoryStartupBytes = ([long]$memoryGB * 1073741824); Path = $vmRootPath }
    if ($null -ne $vhdPath) { $newVmArgs['VHDPath'] = $vhdPath } else { $newVmArgs['NoVHD'] = $true }
    if ($switchName) { $newVmArgs['SwitchName'] = $switchName }
    $vm = New-VM @newVmArgs
    Set-VMProcessor -VM $vm -Count ([int]$cpuCount)
    Set-VMMemory -VM $vm -DynamicMemoryEnabled $false
    if ($null -ne $vlanId) {
        Get-VMNetworkAdapter -VM $vm | Set-VMNetworkAdapterVlan -Access -VlanId ([int]$vlanId)
    }
    $installDvd = $null
    if ($provisioning -eq 'blank' -and $bootSource -eq 'iso') {
        Write-AgentLog -Message ('Attaching ISO image ' + $isoPath) -Step 'attach-iso'
        if ($generation -eq 1) {
            # New-VM gives a generation 1 VM an empty drive on IDE 1:0; BIOS boots from that first
            # CD drive, so the ISO takes its place rather than sitting in a second one.
            @(Get-VMDvdDrive -VM $vm) | Where-Object { -not $_.Path } | Remove-VMDvdDrive
            $installDvd = Add-VMDvdDrive -VM $vm -ControllerNumber 1 -ControllerLocation 0 -Path $isoPath -Passthru
        } else {
            $installDvd = Add-VMDvdDrive -VM $vm -Path $isoPath -Passthru
        }
    }
    if ($generation -eq 2) {
        # Linux shim loaders are signed by the UEFI CA, not by the Windows production CA.
        if ($osFamily -eq 'linux') { Set-VMFirmware -VM $vm -SecureBootTemplate 'MicrosoftUEFICertificateAuthority' }
        if ($provisioning -ne 'blank') {
            $bootDisk = @(Get-VMHardDiskDrive -VM $vm)
            if ($bootDisk.Count -gt 0) { Set-VMFirmware -VM $vm -FirstBootDevice $bootDisk[0] }
        } elseif ($bootSource -eq 'network') {
            $nic = @(Get-VMNetworkAdapter -VM $vm)
            Set-VMFirmware -VM $vm -FirstBootDevice $nic[0]
        } else {
            # The new disk is empty: the installer on the ISO boots first. (Generation 1 BIOS
            # already tries CD before IDE disks.)
            Set-VMFirmware -VM $vm -FirstBootDevice $installDvd
        }
    }
    if ($null -ne $isoCopy) { Add-VMDvdDrive -VM $vm -Path $isoCopy }

    Write-AgentLog -Message ("Starting VM '" + $vmName + "'") -Step 'start'
    Start-VM -VM $vm
    $started = $true
} catch {
    $failure = $_
    if (-not $started) {
        Write-AgentLog -Level 'warn' -Message 'Creation failed before the VM started; removing what this run created' -Step 'rollback'
        try {
            if ($null -ne $vm) { Remove-VM -VM $vm -Force -Confirm:$false }
            if (Test-Path -LiteralPath $vmFolder) { Remove-Item -LiteralPath $vmFolder -Recurse -Force }
        } catch {
            Write-AgentLog -Level 'error' -Message ('Rollback incomplete: ' + $_.Exception.Message + ' Remove ' + $vmFolder + ' by hand.') -Step 'rollback'
        }
    }
    throw $failure
}

$vmIdText = $vm.Id.ToString()
$provisioned = $false
try {
    if ($null -ne $guestValues) {
        Publish-GuestProvisioning -VmId $vm.Id -Values $guestValues -KeyTimeout ([int]$keyTimeout) -ApplyTimeout ([int]$applyTimeout) -SettleSeconds ([int]$settleSeconds)
        $provisioned = $true
        Write-AgentLog -Message 'Guest applied its settings; detaching provisioning media' -Step 'cleanup'
        @(Get-VMDvdDrive -VM $vm) | Where-Object { $_.Path -eq $isoCopy } | Remove-VMDvdDrive
        Remove-Item -LiteralPath $isoCopy -Force
    }
    if ($clustered) {
        Write-AgentLog -Message ("Adding VM '" + $vmName + "' to the cluster") -Step 'cluster'
        $null = Add-ClusterVirtualMachineRole -VMId $vm.Id
    }
} catch {
    $info = Get-AgentErrorInfo -ErrorRecord $_
    $details = [ordered]@{ vmId = $vmIdText }
    if ($info.Contains('details') -and $info.details -is [System.Collections.IDictionary]) {
        foreach ($k in $info.details.Keys) { $details[$k] = $info.details[$k] }
    }
    throw (New-AgentError -Code $info.code -Message ("VM '" + $vmName + "' was created (id " + $vmIdText + ') but ' + $info.message) -Details $details)
}

return [ordered]@{
    vmId        = $vmIdText
    vmName      = $vmName
    status      = 'created'
    provisioning = $provisioning
    vhdPath     = $vhdPath
    provisioned = $provisioned
    clustered   = [bool]$clustered
}
