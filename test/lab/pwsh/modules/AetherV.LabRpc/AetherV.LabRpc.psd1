# Internal module of the lab's simulated Windows modules (Hyper-V, FailoverClusters,
# AetherV.LabWindows): loads the simulated types once per process and offers the call to the lab.
@{
    RootModule        = 'AetherV.LabRpc.psm1'
    ModuleVersion     = '1.0.0'
    GUID              = '5b0d8c1e-6a52-4c6e-9f0e-2f4d1b7a9c31'
    Author            = 'Aether-V lab'
    Description       = 'Lab-internal: the RPC channel from simulated Windows modules to the lab host model.'
    PowerShellVersion = '7.2'
    FunctionsToExport = @('Invoke-LabRpc', 'Get-LabInnerException', 'New-LabVirtualizationException')
    CmdletsToExport   = @()
    VariablesToExport = @()
    AliasesToExport   = @()
}
