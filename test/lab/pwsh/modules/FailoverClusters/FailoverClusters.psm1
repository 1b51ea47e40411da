# Simulated FailoverClusters module for the lab: the cluster cmdlets the agent uses, answered from
# the host model (its cluster name and which VMs are clustered roles). The lab host knows
# the other lab hosts of its cluster (agent/lab-hosts.ts): a cluster lists them as nodes, and a VM
# role moves between them (docs/hyperv-sim.md).
Set-StrictMode -Version Latest

# AetherV.LabRpc is beside this module's real folder (the lab links that into a host's module path).
Import-Module (Join-Path (Split-Path -Parent ([IO.Directory]::ResolveLinkTarget($PSScriptRoot, $true) ?? [IO.DirectoryInfo]$PSScriptRoot).FullName) 'AetherV.LabRpc/AetherV.LabRpc.psd1')

$script:Cmd = 'Microsoft.FailoverClusters.PowerShell.'

function Write-ClusterError {
    # The lab's error kind becomes the error Failover Clustering writes for that failure.
    param($Cmdlet, [Exception]$Exception, [string]$Class, $Target = $null, [switch]$Terminating)
    $Exception = Get-LabInnerException $Exception
    $kind = [AetherV.Lab.LabRpc]::KindOf($Exception)
    $message = $Exception.Message
    if ($kind -eq 'NotFound' -and $message -like 'The cluster service is not running*') {
        $id = 'ClusterEndpointNotRegistered'; $category = 'ConnectionError'
    } elseif ($kind -eq 'PermissionDenied') {
        $id = 'ClusterAccessDenied'; $category = 'PermissionDenied'
        $message = "You do not have administrative privileges on the cluster. Contact your network administrator to request access.`n    Access is denied"
    } elseif ($kind -eq 'NotFound') {
        $id = 'ClusterObjectNotFound'; $category = 'ObjectNotFound'
    } elseif ($kind -eq 'ObjectExists') {
        $id = 'ClusterObjectAlreadyExists'; $category = 'ResourceExists'
    } else {
        $id = 'InvalidOperation'; $category = 'InvalidOperation'
    }
    $record = [AetherV.Lab.Errors]::Record([Microsoft.FailoverClusters.PowerShell.ClusterCmdletException]::new($message), $id, $Class, $category, $Target)
    if ($Terminating) { $Cmdlet.ThrowTerminatingError($record) } else { $Cmdlet.WriteError($record) }
}

function Get-LabCluster {
    param($Cmdlet, [string]$Class)
    try { return [AetherV.Lab.HyperVObjects]::Cluster((Invoke-LabRpc -Method 'cluster.get')) } catch { Write-ClusterError -Cmdlet $Cmdlet -Exception $_.Exception -Class $Class -Terminating }
}

function Get-Cluster {
    [CmdletBinding()]
    [OutputType('Microsoft.FailoverClusters.PowerShell.Cluster')]
    param([Parameter(Position = 0)][string]$Name, [string]$Domain)
    Get-LabCluster -Cmdlet $PSCmdlet -Class ($script:Cmd + 'GetClusterCommand')
}

function Get-ClusterNode {
    [CmdletBinding()]
    [OutputType('Microsoft.FailoverClusters.PowerShell.ClusterNode')]
    param([Parameter(Position = 0)][string[]]$Name, [string]$Cluster)
    $class = $script:Cmd + 'GetNodeCommand'
    try { $facts = Invoke-LabRpc -Method 'cluster.get' } catch { Write-ClusterError -Cmdlet $PSCmdlet -Exception $_.Exception -Class $class -Terminating }
    $clusterObject = [AetherV.Lab.HyperVObjects]::Cluster($facts)
    foreach ($node in @($facts.nodes)) {
        if ($Name -and -not @($Name | Where-Object { $node.name -like $_ }).Count) { continue }
        [AetherV.Lab.HyperVObjects]::ClusterNode($node, $clusterObject)
    }
}

function Get-ClusterGroup {
    [CmdletBinding()]
    [OutputType('Microsoft.FailoverClusters.PowerShell.ClusterGroup')]
    param([Parameter(Position = 0)][string[]]$Name, [string]$Cluster, [Parameter(ValueFromPipeline = $true)]$InputObject)
    $class = $script:Cmd + 'GetClusterGroupCommand'
    $clusterObject = Get-LabCluster -Cmdlet $PSCmdlet -Class $class
    try { $groups = @(Invoke-LabRpc -Method 'cluster.groups') } catch { Write-ClusterError -Cmdlet $PSCmdlet -Exception $_.Exception -Class $class -Terminating }
    foreach ($n in @($Name)) {
        if ($n -and @($groups | Where-Object { $_.name -like $n }).Count -eq 0) {
            $ex = New-LabVirtualizationException -Kind 'NotFound' -Message ("An error occurred opening cluster group '" + $n + "'.`n    The group was not found.")
            Write-ClusterError -Cmdlet $PSCmdlet -Exception $ex -Class $class -Target $n
        }
    }
    foreach ($group in $groups) {
        if ($Name -and -not @($Name | Where-Object { $group.name -like $_ }).Count) { continue }
        [AetherV.Lab.HyperVObjects]::ClusterGroup($group, $clusterObject)
    }
}

function Add-ClusterVirtualMachineRole {
    [CmdletBinding(DefaultParameterSetName = 'VMId')]
    [OutputType('Microsoft.FailoverClusters.PowerShell.ClusterGroup')]
    param(
        [Parameter(ParameterSetName = 'VMId', Mandatory = $true)][Guid]$VMId,
        [Parameter(ParameterSetName = 'VirtualMachine', Mandatory = $true, Position = 0)][string]$VirtualMachine,
        [string]$Name,
        [string]$Cluster,
        [string[]]$Storage
    )
    $class = $script:Cmd + 'AddClusterVirtualMachineRoleCommand'
    $clusterObject = Get-LabCluster -Cmdlet $PSCmdlet -Class $class
    $params = if ($PSCmdlet.ParameterSetName -eq 'VMId') { @{ vmId = $VMId.ToString() } } else { @{ vmName = $VirtualMachine } }
    try {
        [AetherV.Lab.HyperVObjects]::ClusterGroup((Invoke-LabRpc -Method 'cluster.addVmRole' -Params $params), $clusterObject)
    } catch {
        Write-ClusterError -Cmdlet $PSCmdlet -Exception $_.Exception -Class $class -Terminating
    }
}

function Remove-ClusterGroup {
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High', DefaultParameterSetName = 'Name')]
    param(
        [Parameter(ParameterSetName = 'Name', Mandatory = $true, Position = 0)][string[]]$Name,
        [Parameter(ParameterSetName = 'VMId', Mandatory = $true)][Guid]$VMId,
        [Parameter(ParameterSetName = 'InputObject', Mandatory = $true, ValueFromPipeline = $true)][Microsoft.FailoverClusters.PowerShell.ClusterGroup[]]$InputObject,
        [switch]$RemoveResources,
        [switch]$Force,
        [string]$Cluster
    )
    process {
        $class = $script:Cmd + 'RemoveClusterGroupCommand'
        $targets = switch ($PSCmdlet.ParameterSetName) {
            'VMId' { , @{ vmId = $VMId.ToString(); label = $VMId.ToString() } }
            'InputObject' { foreach ($g in $InputObject) { , @{ name = $g.Name; label = $g.Name } } }
            default { foreach ($n in $Name) { , @{ name = $n; label = $n } } }
        }
        foreach ($target in $targets) {
            # -Force skips the confirmation, as on a cluster node.
            if (-not ($Force -and -not $WhatIfPreference) -and -not $PSCmdlet.ShouldProcess($target.label, 'Remove-ClusterGroup')) { continue }
            $params = @{ removeResources = [bool]$RemoveResources }
            if ($target.ContainsKey('vmId')) { $params['vmId'] = $target.vmId } else { $params['name'] = $target.name }
            try {
                $null = Invoke-LabRpc -Method 'cluster.removeGroup' -Params $params
            } catch {
                Write-ClusterError -Cmdlet $PSCmdlet -Exception $_.Exception -Class $class -Target $target.label
            }
        }
    }
}

function Move-ClusterVirtualMachineRole {
    [CmdletBinding(DefaultParameterSetName = 'InputObject')]
    [OutputType('Microsoft.FailoverClusters.PowerShell.ClusterGroup')]
    param(
        [Parameter(Position = 0)][string]$Name,
        [Parameter(Position = 1)][string]$Node,
        [Microsoft.FailoverClusters.PowerShell.VmMigrationType]$MigrationType = 'Live',
        [Guid]$VMId,
        [int]$Wait = -1,
        [switch]$Cancel,
        [switch]$IgnoreLocked,
        [Parameter(ValueFromPipeline = $true)]$InputObject,
        [string]$Cluster
    )
    process {
        $class = $script:Cmd + 'MoveClusterVirtualMachineRoleCommand'
        $clusterObject = Get-LabCluster -Cmdlet $PSCmdlet -Class $class
        if (-not $PSBoundParameters.ContainsKey('VMId') -or -not $Node -or $Cancel) {
            $ex = New-LabVirtualizationException -Kind 'InvalidArgument' -Message 'The lab simulates Move-ClusterVirtualMachineRole -VMId <guid> -Node <name> [-MigrationType Live|Quick] only.'
            Write-ClusterError -Cmdlet $PSCmdlet -Exception $ex -Class $class -Terminating
        }
        try {
            [AetherV.Lab.HyperVObjects]::ClusterGroup((Invoke-LabRpc -Method 'cluster.moveVm' -Params @{ vmId = $VMId.ToString(); node = $Node; migrationType = [string]$MigrationType }), $clusterObject)
        } catch {
            Write-ClusterError -Cmdlet $PSCmdlet -Exception $_.Exception -Class $class -Target $Node -Terminating
        }
    }
}
