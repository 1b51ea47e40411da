# Simulated Hyper-V module of the Aether-V lab (real command names; see docs/hyperv-sim.md).
@{
    RootModule        = 'Hyper-V.psm1'
    ModuleVersion     = '2.0.0.0'
    GUID              = '8a1f7c52-0d4e-4b8f-b1a9-6f3e2c9d4a10'
    Author            = 'Aether-V lab'
    Description       = 'Lab simulation of the Hyper-V PowerShell module, answered from the lab host model.'
    PowerShellVersion = '7.2'
    FormatsToProcess  = @('Hyper-V.Format.ps1xml')
    FunctionsToExport = @(
        'Get-VM', 'Get-VMHost', 'Get-VMHostSupportedVersion', 'New-VM', 'Remove-VM', 'Set-VM', 'Get-VMMemory', 'Set-VMMemory', 'Get-VMProcessor',
        'Set-VMProcessor', 'Start-VM', 'Stop-VM', 'Save-VM', 'Suspend-VM', 'Resume-VM', 'Restart-VM',
        'Get-VMNetworkAdapter', 'Set-VMNetworkAdapterVlan', 'Get-VMSwitch', 'Get-VMHardDiskDrive', 'Get-VMDvdDrive',
        'Add-VMDvdDrive', 'Remove-VMDvdDrive', 'Set-VMFirmware', 'Get-VHD', 'New-VHD', 'Resize-VHD',
        'Add-VMHardDiskDrive', 'Remove-VMHardDiskDrive', 'Add-VMNetworkAdapter', 'Connect-VMNetworkAdapter', 'Remove-VMNetworkAdapter',
        'Get-VMSnapshot', 'Checkpoint-VM', 'Restore-VMSnapshot', 'Rename-VMSnapshot', 'Remove-VMSnapshot'
    )
    CmdletsToExport   = @()
    VariablesToExport = @()
    AliasesToExport   = @()
}
