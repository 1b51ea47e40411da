# Windows-only commands the agent uses that pwsh on Linux lacks, answered from the lab host model.
@{
    RootModule        = 'AetherV.LabWindows.psm1'
    ModuleVersion     = '1.0.0'
    GUID              = 'c4e82a19-5f3d-4d6b-9a71-0b8e6f2d3c54'
    Author            = 'Aether-V lab'
    Description       = 'Lab simulation of Get-Service and the CIM cmdlets for the classes the Aether-V agent reads.'
    PowerShellVersion = '7.2'
    FunctionsToExport = @('Get-Service', 'Get-CimInstance', 'Invoke-CimMethod')
    CmdletsToExport   = @()
    VariablesToExport = @()
    AliasesToExport   = @()
}
