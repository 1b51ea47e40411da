# Simulated FailoverClusters module of the Aether-V lab (real command names; see docs/hyperv-sim.md).
@{
    RootModule        = 'FailoverClusters.psm1'
    ModuleVersion     = '2.0.0.0'
    GUID              = '3e9b6d27-71c4-4f0a-8d5e-b2a47c1f6e83'
    Author            = 'Aether-V lab'
    Description       = 'Lab simulation of the Failover Clustering PowerShell module, answered from the lab host model.'
    PowerShellVersion = '7.2'
    FunctionsToExport = @('Get-Cluster', 'Get-ClusterNode', 'Get-ClusterGroup', 'Add-ClusterVirtualMachineRole', 'Remove-ClusterGroup', 'Move-ClusterVirtualMachineRole')
    CmdletsToExport   = @()
    VariablesToExport = @()
    AliasesToExport   = @()
}
