# Simulated Hyper-V module for the lab: the cmdlets the agent uses, with the real parameter names,
# output types (types/HyperV.cs) and error records (VirtualizationException, the real
# FullyQualifiedErrorId and category). Every cmdlet is one or two RPCs to the lab's host model
# (test/lab/pwsh/hyperv-rpc.ts), which applies Hyper-V's rules. docs/hyperv-sim.md lists what is
# simulated and how it differs from a real host.
Set-StrictMode -Version Latest

# AetherV.LabRpc is beside this module's real folder (the lab links that into a host's module path).
Import-Module (Join-Path (Split-Path -Parent ([IO.Directory]::ResolveLinkTarget($PSScriptRoot, $true) ?? [IO.DirectoryInfo]$PSScriptRoot).FullName) 'AetherV.LabRpc/AetherV.LabRpc.psd1')

$script:Cmd = 'Microsoft.HyperV.PowerShell.Commands.'
$script:VhdCmd = 'Microsoft.Vhd.PowerShell.Cmdlets.'
# Lab error kind -> the error id and category Hyper-V's cmdlets use for that kind of failure.
$script:KindMap = @{
    NotFound         = @('ObjectNotFound', [System.Management.Automation.ErrorCategory]::ObjectNotFound)
    InvalidState     = @('InvalidState', [System.Management.Automation.ErrorCategory]::InvalidOperation)
    PermissionDenied = @('AccessDenied', [System.Management.Automation.ErrorCategory]::PermissionDenied)
    InvalidArgument  = @('InvalidParameter', [System.Management.Automation.ErrorCategory]::InvalidArgument)
    OperationFailed  = @('OperationFailed', [System.Management.Automation.ErrorCategory]::NotSpecified)
    ObjectExists     = @('ObjectExists', [System.Management.Automation.ErrorCategory]::ResourceExists)
}

# ---- helpers (not exported) ---------------------------------------------------------------------

function Invoke-Hv {
    param([string]$Method, [System.Collections.IDictionary]$Params = @{})
    Invoke-LabRpc -Method $Method -Params $Params
}

function Write-HvError {
    # Writes (or throws, -Terminating) the error record a Hyper-V cmdlet would for this exception.
    param(
        [Parameter(Mandatory = $true)]$Cmdlet,
        [Parameter(Mandatory = $true)][Exception]$Exception,
        [Parameter(Mandatory = $true)][string]$Class,
        $Target = $null,
        [string]$ErrorId,
        $Category = $null,
        [switch]$Terminating
    )
    $Exception = Get-LabInnerException $Exception
    if ($Exception -isnot [Microsoft.HyperV.PowerShell.VirtualizationException]) {
        $Exception = New-LabVirtualizationException -Kind 'OperationFailed' -Message $Exception.Message
    }
    $entry = $script:KindMap[[AetherV.Lab.LabRpc]::KindOf($Exception)]
    if ($null -eq $entry) { $entry = $script:KindMap['OperationFailed'] }
    if (-not $ErrorId) { $ErrorId = $entry[0] }
    if ($null -eq $Category) { $Category = $entry[1] }
    $record = [AetherV.Lab.Errors]::Record($Exception, $ErrorId, $Class, $Category, $Target)
    if ($Terminating) { $Cmdlet.ThrowTerminatingError($record) } else { $Cmdlet.WriteError($record) }
}

function Confirm-Hv {
    # ShouldProcess/ShouldContinue called from script wrap their failure (a prompt in a
    # non-interactive session) in MethodInvocationException; a cmdlet reports the failure itself.
    param($Cmdlet, [string]$Target, [string]$Action, [string]$Query)
    try {
        if ($Query) { return $Cmdlet.ShouldContinue($Query, $Action) }
        return $Cmdlet.ShouldProcess($Target, $Action)
    } catch {
        $inner = Get-LabInnerException $_.Exception
        if ($inner -is [System.Management.Automation.IContainsErrorRecord]) { $Cmdlet.ThrowTerminatingError($inner.ErrorRecord) }
        throw
    }
}

function ConvertTo-HvVm {
    param([System.Collections.IDictionary]$Facts)
    return [AetherV.Lab.HyperVObjects]::VirtualMachine($Facts, $env:COMPUTERNAME)
}

function Resolve-HvVm {
    # VM facts for -VM objects or -Name/-VMName values (wildcards allowed). A plain name that
    # matches nothing writes Hyper-V's "unable to find" error; the other names still resolve.
    param(
        [Parameter(Mandatory = $true)]$Cmdlet,
        [Parameter(Mandatory = $true)][string]$Class,
        [string[]]$Name,
        [object[]]$VM,
        [string]$NotFoundId = 'ObjectNotFound',
        $NotFoundCategory = [System.Management.Automation.ErrorCategory]::ObjectNotFound
    )
    # A failed listing is the cmdlet's terminating error; callers keep no try/catch around this, so
    # a "not found" below that -ErrorAction Stop escalates reaches the caller unchanged.
    if ($null -ne $VM) {
        $ids = @($VM | ForEach-Object { [AetherV.Lab.HyperVObjects]::IdOf($_).ToString() })
        try { $found = @(Invoke-Hv 'vm.list' @{ ids = $ids }) } catch { Write-HvError -Cmdlet $Cmdlet -Exception $_.Exception -Class $Class -Terminating }
        foreach ($one in $VM) {
            $id = [AetherV.Lab.HyperVObjects]::IdOf($one).ToString()
            $match = @($found | Where-Object { $_.id -eq $id })
            if ($match.Count -gt 0) { $match[0]; continue }
            $ex = New-LabVirtualizationException -Kind 'NotFound' -Message ('The operation cannot be performed because the virtual machine ''' + [AetherV.Lab.HyperVObjects]::NameOf($one) + ''' no longer exists.')
            Write-HvError -Cmdlet $Cmdlet -Exception $ex -Class $Class
        }
        return
    }
    try { $all = @(Invoke-Hv 'vm.list') } catch { Write-HvError -Cmdlet $Cmdlet -Exception $_.Exception -Class $Class -Terminating }
    if ($null -eq $Name -or $Name.Count -eq 0) { return $all }
    $seen = @{}
    foreach ($n in $Name) {
        $pattern = [System.Management.Automation.WildcardPattern]::new($n, [System.Management.Automation.WildcardOptions]::IgnoreCase)
        $hits = @($all | Where-Object { $pattern.IsMatch([string]$_.name) })
        if ($hits.Count -eq 0 -and -not [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($n)) {
            $ex = New-LabVirtualizationException -Kind 'NotFound' -Message ('Hyper-V was unable to find a virtual machine with name "' + $n + '".')
            Write-HvError -Cmdlet $Cmdlet -Exception $ex -Class $Class -Target $n -ErrorId $NotFoundId -Category $NotFoundCategory
        }
        foreach ($hit in $hits) {
            if (-not $seen.ContainsKey($hit.id)) { $seen[$hit.id] = $true; $hit }
        }
    }
}

function Get-HvVmIdFilter {
    # Ids for a *-VM* listing; $null means "every VM" (no need to resolve names first).
    param($Cmdlet, [string]$Class, [string[]]$VMName, [object[]]$VM)
    if ($null -eq $VM -and $null -ne $VMName -and $VMName -contains '*') { return $null }
    return , @(Resolve-HvVm -Cmdlet $Cmdlet -Class $Class -Name $VMName -VM $VM | ForEach-Object { $_.id })
}

function Get-HvBoundParams {
    # RPC parameters from the cmdlet parameters the caller gave; $Map: cmdlet parameter -> RPC name.
    param([System.Collections.IDictionary]$Bound, [System.Collections.IDictionary]$Map)
    $params = @{}
    foreach ($key in $Map.Keys) {
        if ($Bound.ContainsKey($key)) { $params[$Map[$key]] = $Bound[$key] }
    }
    return $params
}

function Invoke-HvVmChange {
    # The loop of the cmdlets that change VMs: for each VM named or given, ShouldProcess($Action),
    # the question $Query (if any) and one call of $Method with the VM's id under $IdKey. The
    # answers stream out in order; a failed call is that VM's error and the other VMs go on.
    param(
        $Cmdlet, [string]$Class, [string[]]$Name, [object[]]$VM, [string]$Action, [string]$Query,
        [string]$Method, [string]$IdKey = 'id', [hashtable]$Params = @{}
    )
    foreach ($facts in @(Resolve-HvVm -Cmdlet $Cmdlet -Class $Class -Name $Name -VM $VM)) {
        if (-not $Cmdlet.ShouldProcess($facts.name, $Action)) { continue }
        if ($Query -and -not (Confirm-Hv -Cmdlet $Cmdlet -Action $Action -Query ($Query -f $facts.name))) { continue }
        try {
            Invoke-Hv $Method (@{ $IdKey = $facts.id } + $Params)
        } catch {
            Write-HvError -Cmdlet $Cmdlet -Exception $_.Exception -Class $Class
        }
    }
}

# ---- VMs --------------------------------------------------------------------------------------

function Get-VM {
    [CmdletBinding(DefaultParameterSetName = 'Name')]
    [OutputType('Microsoft.HyperV.PowerShell.VirtualMachine')]
    param(
        [Parameter(ParameterSetName = 'Name', Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('VMName')][ValidateNotNullOrEmpty()][string[]]$Name,
        [Parameter(ParameterSetName = 'Id', Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [Alias('VMId')][Guid]$Id,
        [string[]]$ComputerName
    )
    process {
        $class = $script:Cmd + 'GetVM'
        if ($PSCmdlet.ParameterSetName -eq 'Id') {
            try { $found = @(Invoke-Hv 'vm.list' @{ ids = @($Id.ToString()) }) } catch { Write-HvError -Cmdlet $PSCmdlet -Exception $_.Exception -Class $class -Terminating }
            if ($found.Count -eq 0) {
                $ex = New-LabVirtualizationException -Kind 'InvalidArgument' -Message ('Hyper-V was unable to find a virtual machine with ID "' + $Id + '".')
                Write-HvError -Cmdlet $PSCmdlet -Exception $ex -Class $class -Target $Id -ErrorId 'InvalidParameter'
            }
        } else {
            # Get-VM's "not found" is InvalidArgument/InvalidParameter; the other cmdlets say ObjectNotFound.
            $found = @(Resolve-HvVm -Cmdlet $PSCmdlet -Class $class -Name $Name -NotFoundId 'InvalidParameter' -NotFoundCategory ([System.Management.Automation.ErrorCategory]::InvalidArgument))
        }
        foreach ($facts in $found) { ConvertTo-HvVm $facts }
    }
}

function Get-VMHost {
    [CmdletBinding()]
    [OutputType('Microsoft.HyperV.PowerShell.VMHost')]
    param([string[]]$ComputerName)
    try {
        [AetherV.Lab.HyperVObjects]::Host((Invoke-Hv 'host.get'))
    } catch {
        Write-HvError -Cmdlet $PSCmdlet -Exception $_.Exception -Class ($script:Cmd + 'GetVMHost') -Terminating
    }
}

function Get-VMHostSupportedVersion {
    # The configuration versions the host can create; -Default: the one New-VM uses. A host
    # modelled as Windows Server 2012 R2 (defaultVmVersion null) fails, as the agent must survive.
    [CmdletBinding()]
    [OutputType('Microsoft.HyperV.PowerShell.VMHostSupportedVersion')]
    param([switch]$Default, [string[]]$ComputerName)
    try {
        $facts = Invoke-Hv 'host.get'
        if (-not $facts.defaultVmVersion) {
            throw (New-LabVirtualizationException -Kind 'OperationFailed' -Message 'The operation is not supported by this version of Hyper-V.')
        }
    } catch {
        Write-HvError -Cmdlet $PSCmdlet -Exception $_.Exception -Class ($script:Cmd + 'GetVMHostSupportedVersion') -Terminating
    }
    $versions = @('5.0', '8.0', '9.0', '10.0', [string]$facts.defaultVmVersion) | Select-Object -Unique
    foreach ($version in $versions) {
        $isDefault = $version -eq [string]$facts.defaultVmVersion
        if ($Default -and -not $isDefault) { continue }
        [pscustomobject]@{ PSTypeName = 'Microsoft.HyperV.PowerShell.VMHostSupportedVersion'; Name = ('Version ' + $version); Version = [version]$version; IsDefault = $isDefault }
    }
}

function New-VM {
    [CmdletBinding(SupportsShouldProcess = $true, DefaultParameterSetName = 'No VHD')]
    [OutputType('Microsoft.HyperV.PowerShell.VirtualMachine')]
    param(
        [Parameter(Position = 0)][Alias('VMName')][ValidateNotNullOrEmpty()][string]$Name = 'New Virtual Machine',
        [Parameter(Position = 1)][long]$MemoryStartupBytes = 1GB,
        [Parameter(Position = 2)][int16]$Generation = 1,
        [Parameter(ParameterSetName = 'Existing VHD', Mandatory = $true)][string]$VHDPath,
        [Parameter(ParameterSetName = 'New VHD', Mandatory = $true)][string]$NewVHDPath,
        [Parameter(ParameterSetName = 'New VHD', Mandatory = $true)][uint64]$NewVHDSizeBytes,
        [Parameter(ParameterSetName = 'No VHD')][switch]$NoVHD,
        [string]$Path,
        [string]$SwitchName,
        [string]$BootDevice,
        [string]$Version,
        [switch]$Force,
        [switch]$AsJob
    )
    $class = $script:Cmd + 'NewVM'
    if (-not $PSCmdlet.ShouldProcess($Name, 'New-VM')) { return }
    $params = @{ name = $Name; generation = [int]$Generation; memoryStartupBytes = $MemoryStartupBytes }
    $params += Get-HvBoundParams $PSBoundParameters @{ Path = 'path'; SwitchName = 'switchName' }
    try {
        if ($PSCmdlet.ParameterSetName -eq 'New VHD') {
            $null = Invoke-Hv 'vhd.new' @{ path = $NewVHDPath; sizeBytes = $NewVHDSizeBytes; type = 'Dynamic' }
            $params['vhdPath'] = $NewVHDPath
        } elseif ($PSCmdlet.ParameterSetName -eq 'Existing VHD') {
            $params['vhdPath'] = $VHDPath
        }
        ConvertTo-HvVm (Invoke-Hv 'vm.new' $params)
    } catch {
        Write-HvError -Cmdlet $PSCmdlet -Exception $_.Exception -Class $class -Category ([System.Management.Automation.ErrorCategory]::InvalidOperation)
    }
}

function Remove-VM {
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High', DefaultParameterSetName = 'Name')]
    param(
        [Parameter(ParameterSetName = 'Name', Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)][Alias('VMName')][string[]]$Name,
        [Parameter(ParameterSetName = 'VMObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)][Microsoft.HyperV.PowerShell.VirtualMachine[]]$VM,
        [switch]$Force,
        [switch]$Passthru
    )
    process {
        $class = $script:Cmd + 'RemoveVM'
        foreach ($facts in @(Resolve-HvVm -Cmdlet $PSCmdlet -Class $class -Name $Name -VM $VM)) {
            # -Force skips the confirmation, as on Hyper-V; -WhatIf still only reports.
            $go = if ($Force -and -not $WhatIfPreference) { $true } else { Confirm-Hv -Cmdlet $PSCmdlet -Target $facts.name -Action 'Remove virtual machine' }
            if (-not $go) { continue }
            try {
                $null = Invoke-Hv 'vm.remove' @{ id = $facts.id }
                if ($Passthru) { ConvertTo-HvVm $facts }
            } catch {
                Write-HvError -Cmdlet $PSCmdlet -Exception $_.Exception -Class $class
            }
        }
    }
}

function Set-VM {
    [CmdletBinding(SupportsShouldProcess = $true, DefaultParameterSetName = 'Name')]
    param(
        [Parameter(ParameterSetName = 'Name', Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)][Alias('VMName')][string[]]$Name,
        [Parameter(ParameterSetName = 'VMObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)][Microsoft.HyperV.PowerShell.VirtualMachine[]]$VM,
        [long]$ProcessorCount,
        [long]$MemoryStartupBytes,
        [long]$MemoryMinimumBytes,
        [long]$MemoryMaximumBytes,
        [switch]$DynamicMemory,
        [switch]$StaticMemory,
        [string]$Notes,
        [string]$NewVMName,
        [Microsoft.HyperV.PowerShell.CheckpointType]$CheckpointType,
        [switch]$Passthru
    )
    process {
        $params = Get-HvBoundParams $PSBoundParameters @{
            ProcessorCount = 'processorCount'; MemoryStartupBytes = 'memoryStartupBytes'; MemoryMinimumBytes = 'memoryMinimumBytes'
            MemoryMaximumBytes = 'memoryMaximumBytes'; Notes = 'notes'; NewVMName = 'newName'
        }
        if ($PSBoundParameters.ContainsKey('CheckpointType')) { $params['checkpointType'] = [string]$CheckpointType }
        if ($DynamicMemory) { $params['dynamicMemoryEnabled'] = $true }
        if ($StaticMemory) { $params['dynamicMemoryEnabled'] = $false }
        Set-HvVmSettings -Cmdlet $PSCmdlet -Class ($script:Cmd + 'SetVM') -Name $Name -VM $VM -Settings $params -Output $(if ($Passthru) { 'VM' } else { '' })
    }
}

function Set-HvVmSettings {
    param($Cmdlet, [string]$Class, [string[]]$Name, [object[]]$VM, [hashtable]$Settings, [string]$Output)
    $change = @{ Cmdlet = $Cmdlet; Class = $Class; Name = $Name; VM = $VM; Action = 'Modify virtual machine settings'; Method = 'vm.set'; Params = $Settings }
    Invoke-HvVmChange @change | ForEach-Object {
        $after = $_
        switch ($Output) {
            'VM' { ConvertTo-HvVm $after }
            'Memory' { [AetherV.Lab.HyperVObjects]::Memory($after, $env:COMPUTERNAME) }
            'Processor' { [AetherV.Lab.HyperVObjects]::Processor($after, $env:COMPUTERNAME) }
        }
    }
}

function Get-VMMemory {
    [CmdletBinding(DefaultParameterSetName = 'VMName')]
    [OutputType('Microsoft.HyperV.PowerShell.VMMemory')]
    param(
        [Parameter(ParameterSetName = 'VMName', Mandatory = $true, Position = 0)][string[]]$VMName,
        [Parameter(ParameterSetName = 'VMObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)][Microsoft.HyperV.PowerShell.VirtualMachine[]]$VM
    )
    process {
        foreach ($facts in @(Resolve-HvVm -Cmdlet $PSCmdlet -Class ($script:Cmd + 'GetVMMemory') -Name $VMName -VM $VM)) {
            [AetherV.Lab.HyperVObjects]::Memory($facts, $env:COMPUTERNAME)
        }
    }
}

function Set-VMMemory {
    [CmdletBinding(SupportsShouldProcess = $true, DefaultParameterSetName = 'VMName')]
    param(
        [Parameter(ParameterSetName = 'VMName', Mandatory = $true, Position = 0)][string[]]$VMName,
        [Parameter(ParameterSetName = 'VMObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)][Microsoft.HyperV.PowerShell.VirtualMachine[]]$VM,
        [bool]$DynamicMemoryEnabled,
        [long]$StartupBytes,
        [long]$MinimumBytes,
        [long]$MaximumBytes,
        [int]$Buffer,
        [int]$Priority,
        [switch]$Passthru
    )
    process {
        $params = Get-HvBoundParams $PSBoundParameters @{
            DynamicMemoryEnabled = 'dynamicMemoryEnabled'; StartupBytes = 'memoryStartupBytes'; MinimumBytes = 'memoryMinimumBytes'; MaximumBytes = 'memoryMaximumBytes'
            Buffer = 'memoryBufferPercent'
        }
        Set-HvVmSettings -Cmdlet $PSCmdlet -Class ($script:Cmd + 'SetVMMemory') -Name $VMName -VM $VM -Settings $params -Output $(if ($Passthru) { 'Memory' } else { '' })
    }
}

function Get-VMProcessor {
    [CmdletBinding(DefaultParameterSetName = 'VMName')]
    [OutputType('Microsoft.HyperV.PowerShell.VMProcessor')]
    param(
        [Parameter(ParameterSetName = 'VMName', Mandatory = $true, Position = 0)][string[]]$VMName,
        [Parameter(ParameterSetName = 'VMObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)][Microsoft.HyperV.PowerShell.VirtualMachine[]]$VM
    )
    process {
        foreach ($facts in @(Resolve-HvVm -Cmdlet $PSCmdlet -Class ($script:Cmd + 'GetVMProcessor') -Name $VMName -VM $VM)) {
            [AetherV.Lab.HyperVObjects]::Processor($facts, $env:COMPUTERNAME)
        }
    }
}

function Set-VMProcessor {
    [CmdletBinding(SupportsShouldProcess = $true, DefaultParameterSetName = 'VMName')]
    param(
        [Parameter(ParameterSetName = 'VMName', Mandatory = $true, Position = 0)][string[]]$VMName,
        [Parameter(ParameterSetName = 'VMObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)][Microsoft.HyperV.PowerShell.VirtualMachine[]]$VM,
        [long]$Count,
        [switch]$Passthru
    )
    process {
        $params = Get-HvBoundParams $PSBoundParameters @{ Count = 'processorCount' }
        Set-HvVmSettings -Cmdlet $PSCmdlet -Class ($script:Cmd + 'SetVMProcessor') -Name $VMName -VM $VM -Settings $params -Output $(if ($Passthru) { 'Processor' } else { '' })
    }
}

# ---- power actions ----------------------------------------------------------------------------

# Per power-action cmdlet: the lab's action (vm.action), the switches that pick another one (the
# first one given wins: Stop-VM -TurnOff before -Save), and the question asked unless -Force.
$script:PowerActions = @{
    'Start-VM'   = @{ Action = 'start' }
    'Stop-VM'    = @{ Action = 'shutdown'; Switches = [ordered]@{ TurnOff = 'turnoff'; Save = 'save' } }
    'Save-VM'    = @{ Action = 'save' }
    'Suspend-VM' = @{ Action = 'pause' }
    'Resume-VM'  = @{ Action = 'resume' }
    # Without -Force Hyper-V asks first (and a non-interactive session cannot answer).
    'Restart-VM' = @{ Action = 'reset'; Query = 'Are you sure you want to restart virtual machine "{0}"? Any unsaved work will be lost.' }
}

function Invoke-HvPowerAction {
    # The body of every power-action cmdlet: the cmdlet's name picks its row of $script:PowerActions.
    param($Cmdlet, [System.Collections.IDictionary]$Bound)
    $verb = $Cmdlet.MyInvocation.MyCommand.Name
    $spec = $script:PowerActions[$verb]
    $action = $spec.Action
    if ($spec.ContainsKey('Switches')) {
        $given = @($spec.Switches.Keys | Where-Object { $Bound[$_] })
        if ($given.Count -gt 0) { $action = $spec.Switches[$given[0]] }
    }
    $query = if ($spec.ContainsKey('Query') -and -not $Bound['Force']) { $spec.Query } else { '' }
    $change = @{
        Cmdlet = $Cmdlet; Class = $script:Cmd + $verb.Replace('-', ''); Name = $Bound['Name']; VM = $Bound['VM']
        Action = $verb; Query = $query; Method = 'vm.action'; Params = @{ action = $action }
    }
    Invoke-HvVmChange @change | ForEach-Object {
        if ($_.alreadyInState) { $Cmdlet.WriteWarning('The virtual machine is already in the specified state.') }
        if ($Bound['Passthru']) { ConvertTo-HvVm $_.vm }
    }
}

# Start-VM, Save-VM, Suspend-VM and Resume-VM take the same parameters: this one definition serves
# all four, under each name (set below).
function Start-VM {
    [CmdletBinding(SupportsShouldProcess = $true, DefaultParameterSetName = 'Name')]
    [OutputType('Microsoft.HyperV.PowerShell.VirtualMachine')]
    param(
        [Parameter(ParameterSetName = 'Name', Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)][Alias('VMName')][string[]]$Name,
        [Parameter(ParameterSetName = 'VMObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)][Microsoft.HyperV.PowerShell.VirtualMachine[]]$VM,
        [switch]$Passthru,
        [switch]$AsJob
    )
    process { Invoke-HvPowerAction -Cmdlet $PSCmdlet -Bound $PSBoundParameters }
}
'Save-VM', 'Suspend-VM', 'Resume-VM' | ForEach-Object { Set-Item -Path "function:script:$_" -Value ${function:Start-VM} }

function Stop-VM {
    [CmdletBinding(SupportsShouldProcess = $true, DefaultParameterSetName = 'Name')]
    [OutputType('Microsoft.HyperV.PowerShell.VirtualMachine')]
    param(
        [Parameter(ParameterSetName = 'Name', Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)][Alias('VMName')][string[]]$Name,
        [Parameter(ParameterSetName = 'VMObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)][Microsoft.HyperV.PowerShell.VirtualMachine[]]$VM,
        [switch]$Force,
        [switch]$TurnOff,
        [switch]$Save,
        [switch]$Passthru,
        [switch]$AsJob
    )
    process { Invoke-HvPowerAction -Cmdlet $PSCmdlet -Bound $PSBoundParameters }
}

function Restart-VM {
    [CmdletBinding(SupportsShouldProcess = $true, DefaultParameterSetName = 'Name')]
    [OutputType('Microsoft.HyperV.PowerShell.VirtualMachine')]
    param(
        [Parameter(ParameterSetName = 'Name', Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)][Alias('VMName')][string[]]$Name,
        [Parameter(ParameterSetName = 'VMObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)][Microsoft.HyperV.PowerShell.VirtualMachine[]]$VM,
        [ValidateSet('Reset', 'Reboot')][string]$Type = 'Reset',
        [switch]$Force,
        [switch]$Passthru,
        [switch]$AsJob
    )
    process { Invoke-HvPowerAction -Cmdlet $PSCmdlet -Bound $PSBoundParameters }
}

# ---- network adapters -------------------------------------------------------------------------

function Get-VMNetworkAdapter {
    [CmdletBinding(DefaultParameterSetName = 'VMName')]
    [OutputType('Microsoft.HyperV.PowerShell.VMNetworkAdapter')]
    param(
        [Parameter(ParameterSetName = 'VMName', Mandatory = $true, Position = 0)][string[]]$VMName,
        [Parameter(ParameterSetName = 'VMObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)][Microsoft.HyperV.PowerShell.VirtualMachine[]]$VM,
        [Parameter(ParameterSetName = 'All', Mandatory = $true)][switch]$All,
        [Parameter(ParameterSetName = 'ManagementOS', Mandatory = $true)][switch]$ManagementOS,
        [string]$Name,
        [switch]$IsLegacy
    )
    process {
        $class = $script:Cmd + 'GetVMNetworkAdapter'
        # The lab's host has no management-OS adapters: -ManagementOS lists none, -All the VMs' only.
        if ($ManagementOS) { return }
        $params = @{}
        if (-not $All) {
            $ids = Get-HvVmIdFilter -Cmdlet $PSCmdlet -Class $class -VMName $VMName -VM $VM
            if ($null -ne $ids) { $params['vmIds'] = $ids }
        }
        try { $adapters = @(Invoke-Hv 'nic.list' $params) } catch { Write-HvError -Cmdlet $PSCmdlet -Exception $_.Exception -Class $class -Terminating }
        foreach ($facts in $adapters) {
            if ($Name -and -not ([System.Management.Automation.WildcardPattern]::new($Name, 'IgnoreCase').IsMatch([string]$facts.name))) { continue }
            [AetherV.Lab.HyperVObjects]::NetworkAdapter($facts, $env:COMPUTERNAME)
        }
    }
}

function Set-VMNetworkAdapterVlan {
    [CmdletBinding(SupportsShouldProcess = $true, DefaultParameterSetName = 'VMName')]
    param(
        [Parameter(ParameterSetName = 'VMName', Mandatory = $true, Position = 0)][string[]]$VMName,
        [Parameter(ParameterSetName = 'ResourceObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)][Microsoft.HyperV.PowerShell.VMNetworkAdapter[]]$VMNetworkAdapter,
        [string]$VMNetworkAdapterName,
        [switch]$Untagged,
        [switch]$Access,
        [switch]$Trunk,
        [switch]$Isolated,
        [switch]$Community,
        [switch]$Promiscuous,
        [Alias('AccessVlanId')][int]$VlanId,
        [int]$NativeVlanId,
        [string]$AllowedVlanIdList,
        [switch]$Passthru
    )
    process {
        $class = $script:Cmd + 'SetVMNetworkAdapterVlan'
        $modes = @(@('Untagged', 'Access', 'Trunk', 'Isolated', 'Community', 'Promiscuous') | Where-Object { $PSBoundParameters.ContainsKey($_) -and $PSBoundParameters[$_] })
        if ($modes.Count -ne 1) {
            $ex = New-LabVirtualizationException -Kind 'InvalidArgument' -Message 'Specify exactly one of -Untagged, -Access, -Trunk, -Isolated, -Community or -Promiscuous.'
            Write-HvError -Cmdlet $PSCmdlet -Exception $ex -Class $class -Terminating
        }
        if ($modes[0] -eq 'Access' -and -not $PSBoundParameters.ContainsKey('VlanId')) {
            $ex = New-LabVirtualizationException -Kind 'InvalidArgument' -Message 'The -VlanId parameter is required with -Access.'
            Write-HvError -Cmdlet $PSCmdlet -Exception $ex -Class $class -Terminating
        }
        $targets = $VMNetworkAdapter
        if ($PSCmdlet.ParameterSetName -eq 'VMName') {
            $ids = @(Resolve-HvVm -Cmdlet $PSCmdlet -Class $class -Name $VMName | ForEach-Object { $_.id })
            try { $listed = @(Invoke-Hv 'nic.list' @{ vmIds = $ids }) } catch { Write-HvError -Cmdlet $PSCmdlet -Exception $_.Exception -Class $class -Terminating }
            $targets = @($listed | ForEach-Object { [AetherV.Lab.HyperVObjects]::NetworkAdapter($_, $env:COMPUTERNAME) })
            if ($VMNetworkAdapterName) { $targets = @($targets | Where-Object { $_.Name -like $VMNetworkAdapterName }) }
        }
        foreach ($adapter in $targets) {
            if (-not $PSCmdlet.ShouldProcess($adapter.VMName + ': ' + $adapter.Name, 'Set VLAN')) { continue }
            try {
                $after = Invoke-Hv 'nic.setVlan' @{ vmId = $adapter.VMId.ToString(); nicId = $adapter.Id; mode = $modes[0]; vlanId = $(if ($PSBoundParameters.ContainsKey('VlanId')) { $VlanId } else { $null }) }
                if ($Passthru) { [AetherV.Lab.HyperVObjects]::NetworkAdapter($after, $env:COMPUTERNAME).VlanSetting }
            } catch {
                Write-HvError -Cmdlet $PSCmdlet -Exception $_.Exception -Class $class
            }
        }
    }
}

function Get-VMSwitch {
    [CmdletBinding(DefaultParameterSetName = 'Name')]
    [OutputType('Microsoft.HyperV.PowerShell.VMSwitch')]
    param(
        [Parameter(ParameterSetName = 'Name', Position = 0)][Alias('SwitchName')][string[]]$Name,
        [Parameter(ParameterSetName = 'Id', Mandatory = $true)][Guid[]]$Id,
        [string[]]$SwitchType
    )
    $class = $script:Cmd + 'GetVMSwitch'
    try {
        $all = @(Invoke-Hv 'switch.list' | ForEach-Object { [AetherV.Lab.HyperVObjects]::Switch($_, $env:COMPUTERNAME) })
    } catch {
        Write-HvError -Cmdlet $PSCmdlet -Exception $_.Exception -Class $class -Terminating
    }
    if ($SwitchType) { $all = @($all | Where-Object { $SwitchType -contains [string]$_.SwitchType }) }
    if ($PSCmdlet.ParameterSetName -eq 'Id') { return @($all | Where-Object { $Id -contains $_.Id }) }
    if (-not $Name) { return $all }
    foreach ($n in $Name) {
        $hits = @($all | Where-Object { $_.Name -like $n })
        if ($hits.Count -eq 0 -and -not [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($n)) {
            $ex = New-LabVirtualizationException -Kind 'InvalidArgument' -Message ('Hyper-V was unable to find a virtual switch with name "' + $n + '".')
            Write-HvError -Cmdlet $PSCmdlet -Exception $ex -Class $class -Target $n
        }
        $hits
    }
}

# ---- drives -----------------------------------------------------------------------------------

function Get-HvDrives {
    # Drives ($Type: HardDiskDrive or DvdDrive objects) of the VMs asked for, narrowed by whichever of
    # -ControllerType, -ControllerNumber and -ControllerLocation the cmdlet was given ($Bound).
    param($Cmdlet, [string]$Class, [string]$Method, [string]$Type, [string[]]$VMName, [object[]]$VM, [System.Collections.IDictionary]$Bound)
    $ids = Get-HvVmIdFilter -Cmdlet $Cmdlet -Class $Class -VMName $VMName -VM $VM
    $params = @{}
    if ($null -ne $ids) { $params['vmIds'] = $ids }
    try { $found = @(Invoke-Hv $Method $params) } catch { Write-HvError -Cmdlet $Cmdlet -Exception $_.Exception -Class $Class -Terminating }
    $filters = @('ControllerType', 'ControllerNumber', 'ControllerLocation' | Where-Object { $Bound.ContainsKey($_) })
    foreach ($facts in $found) {
        $drive = [AetherV.Lab.HyperVObjects]::$Type($facts, $env:COMPUTERNAME)
        if (@($filters | Where-Object { $drive.$_ -ne $Bound[$_] }).Count -eq 0) { $drive }
    }
}

function Get-VMHardDiskDrive {
    [CmdletBinding(DefaultParameterSetName = 'VMName')]
    [OutputType('Microsoft.HyperV.PowerShell.HardDiskDrive')]
    param(
        [Parameter(ParameterSetName = 'VMName', Mandatory = $true, Position = 0)][string[]]$VMName,
        [Parameter(ParameterSetName = 'VMObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)][Microsoft.HyperV.PowerShell.VirtualMachine[]]$VM,
        [Microsoft.HyperV.PowerShell.ControllerType]$ControllerType,
        [int]$ControllerNumber,
        [int]$ControllerLocation
    )
    process {
        Get-HvDrives -Cmdlet $PSCmdlet -Class ($script:Cmd + 'GetVMHardDiskDrive') -Method 'drive.list' -Type 'HardDiskDrive' -VMName $VMName -VM $VM -Bound $PSBoundParameters
    }
}

function Get-VMDvdDrive {
    [CmdletBinding(DefaultParameterSetName = 'VMName')]
    [OutputType('Microsoft.HyperV.PowerShell.DvdDrive')]
    param(
        [Parameter(ParameterSetName = 'VMName', Mandatory = $true, Position = 0)][string[]]$VMName,
        [Parameter(ParameterSetName = 'VMObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)][Microsoft.HyperV.PowerShell.VirtualMachine[]]$VM,
        [int]$ControllerNumber,
        [int]$ControllerLocation
    )
    process {
        Get-HvDrives -Cmdlet $PSCmdlet -Class ($script:Cmd + 'GetVMDvdDrive') -Method 'dvd.list' -Type 'DvdDrive' -VMName $VMName -VM $VM -Bound $PSBoundParameters
    }
}

function Add-VMDvdDrive {
    [CmdletBinding(SupportsShouldProcess = $true, DefaultParameterSetName = 'VMName')]
    [OutputType('Microsoft.HyperV.PowerShell.DvdDrive')]
    param(
        [Parameter(ParameterSetName = 'VMName', Mandatory = $true, Position = 0)][string[]]$VMName,
        [Parameter(ParameterSetName = 'VMObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)][Microsoft.HyperV.PowerShell.VirtualMachine[]]$VM,
        [Parameter(Position = 3)][string]$Path,
        [Parameter(Position = 1)][int]$ControllerNumber,
        [Parameter(Position = 2)][int]$ControllerLocation,
        [switch]$Passthru
    )
    process {
        $params = Get-HvBoundParams $PSBoundParameters @{ ControllerNumber = 'controllerNumber'; ControllerLocation = 'controllerLocation' }
        if ($Path) { $params['path'] = $Path }
        $change = @{ Cmdlet = $PSCmdlet; Class = $script:Cmd + 'AddVMDvdDrive'; Name = $VMName; VM = $VM; Action = 'Add DVD drive'; Method = 'dvd.add'; IdKey = 'vmId'; Params = $params }
        Invoke-HvVmChange @change | ForEach-Object {
            if ($Passthru) { [AetherV.Lab.HyperVObjects]::DvdDrive($_, $env:COMPUTERNAME) }
        }
    }
}

function Remove-VMDvdDrive {
    [CmdletBinding(SupportsShouldProcess = $true, DefaultParameterSetName = 'VMName')]
    param(
        [Parameter(ParameterSetName = 'Object', Mandatory = $true, Position = 0, ValueFromPipeline = $true)][Microsoft.HyperV.PowerShell.DvdDrive[]]$VMDvdDrive,
        [Parameter(ParameterSetName = 'VMName', Mandatory = $true, Position = 0)][string]$VMName,
        [Parameter(ParameterSetName = 'VMName', Mandatory = $true, Position = 1)][int]$ControllerNumber,
        [Parameter(ParameterSetName = 'VMName', Mandatory = $true, Position = 2)][int]$ControllerLocation,
        [switch]$Passthru
    )
    process {
        $class = $script:Cmd + 'RemoveVMDvdDrive'
        $drives = $VMDvdDrive
        if ($PSCmdlet.ParameterSetName -eq 'VMName') {
            $drives = @(Get-VMDvdDrive -VMName $VMName -ControllerNumber $ControllerNumber -ControllerLocation $ControllerLocation)
        }
        foreach ($drive in $drives) {
            if (-not $PSCmdlet.ShouldProcess($drive.VMName + ': ' + $drive.Name, 'Remove DVD drive')) { continue }
            try {
                $null = Invoke-Hv 'dvd.remove' @{ vmId = $drive.VMId.ToString(); id = $drive.Id }
                if ($Passthru) { $drive }
            } catch {
                Write-HvError -Cmdlet $PSCmdlet -Exception $_.Exception -Class $class
            }
        }
    }
}

function Set-VMFirmware {
    [CmdletBinding(SupportsShouldProcess = $true, DefaultParameterSetName = 'VMName')]
    param(
        [Parameter(ParameterSetName = 'VMName', Mandatory = $true, Position = 0)][string[]]$VMName,
        [Parameter(ParameterSetName = 'VMObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)][Microsoft.HyperV.PowerShell.VirtualMachine[]]$VM,
        [string]$SecureBootTemplate,
        [Microsoft.HyperV.PowerShell.OnOffState]$EnableSecureBoot,
        [object]$FirstBootDevice,
        [object[]]$BootOrder,
        [switch]$Passthru
    )
    process {
        $params = @{}
        if ($SecureBootTemplate) { $params['secureBootTemplate'] = $SecureBootTemplate }
        if ($null -ne $FirstBootDevice) { $params['firstBootDeviceId'] = [string]$FirstBootDevice.Id }
        elseif ($null -ne $BootOrder -and $BootOrder.Count -gt 0) { $params['firstBootDeviceId'] = [string]$BootOrder[0].Id }
        $change = @{ Cmdlet = $PSCmdlet; Class = $script:Cmd + 'SetVMFirmware'; Name = $VMName; VM = $VM; Action = 'Set firmware'; Method = 'firmware.set'; IdKey = 'vmId'; Params = $params }
        $null = Invoke-HvVmChange @change
    }
}

# ---- virtual hard disks (module "Hyper-V", cmdlet classes Microsoft.Vhd.PowerShell.Cmdlets) -----

function Get-VHD {
    [CmdletBinding(DefaultParameterSetName = 'Path')]
    [OutputType('Microsoft.Vhd.PowerShell.VirtualHardDisk')]
    param(
        [Parameter(ParameterSetName = 'Path', Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('FullName')][string[]]$Path,
        [Parameter(ParameterSetName = 'VMId', Mandatory = $true, ValueFromPipelineByPropertyName = $true)][Guid[]]$VMId
    )
    process {
        $class = $script:VhdCmd + 'GetVHD'
        try {
            $paths = $Path
            if ($PSCmdlet.ParameterSetName -eq 'VMId') {
                $paths = @(Invoke-Hv 'drive.list' @{ vmIds = @($VMId | ForEach-Object { $_.ToString() }) } | ForEach-Object { $_.path })
            }
            $answers = @(Invoke-Hv 'vhd.get' @{ paths = @($paths) })
        } catch [Microsoft.HyperV.PowerShell.VirtualizationException] {
            Write-HvError -Cmdlet $PSCmdlet -Exception $_.Exception -Class $class -Terminating
        }
        # A path that is not a virtual disk is a non-terminating error; the others still come out.
        foreach ($answer in $answers) {
            if ($answer.ok) {
                [AetherV.Lab.HyperVObjects]::Vhd($answer, $env:COMPUTERNAME)
            } else {
                $ex = New-LabVirtualizationException -Kind 'InvalidArgument' -Message $answer.error.message
                Write-HvError -Cmdlet $PSCmdlet -Exception $ex -Class $class -Target $answer.path
            }
        }
    }
}

function New-VHD {
    [CmdletBinding(SupportsShouldProcess = $true, DefaultParameterSetName = 'DynamicWithoutSource')]
    [OutputType('Microsoft.Vhd.PowerShell.VirtualHardDisk')]
    param(
        [Parameter(Mandatory = $true, Position = 0)][string[]]$Path,
        [Parameter(Position = 1)][uint64]$SizeBytes,
        [Parameter(ParameterSetName = 'FixedWithoutSource', Mandatory = $true)][switch]$Fixed,
        [Parameter(ParameterSetName = 'DynamicWithoutSource')][switch]$Dynamic,
        [Parameter(ParameterSetName = 'Differencing', Mandatory = $true)][switch]$Differencing,
        [Parameter(ParameterSetName = 'Differencing', Mandatory = $true)][string]$ParentPath,
        [uint32]$BlockSizeBytes,
        [uint32]$LogicalSectorSizeBytes,
        [uint32]$PhysicalSectorSizeBytes,
        [switch]$AsJob
    )
    $class = $script:VhdCmd + 'NewVHD'
    $type = if ($Fixed) { 'Fixed' } elseif ($Differencing) { 'Differencing' } else { 'Dynamic' }
    foreach ($one in $Path) {
        if (-not $PSCmdlet.ShouldProcess($one, 'New-VHD')) { continue }
        $params = @{ path = $one; type = $type; sizeBytes = $SizeBytes }
        if ($Differencing) { $params['parentPath'] = $ParentPath }
        try {
            [AetherV.Lab.HyperVObjects]::Vhd((Invoke-Hv 'vhd.new' $params), $env:COMPUTERNAME)
        } catch {
            Write-HvError -Cmdlet $PSCmdlet -Exception $_.Exception -Class $class -Target $one
        }
    }
}

function Resize-VHD {
    [CmdletBinding(SupportsShouldProcess = $true, DefaultParameterSetName = 'Size')]
    [OutputType('Microsoft.Vhd.PowerShell.VirtualHardDisk')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)][Alias('FullName')][string[]]$Path,
        [Parameter(ParameterSetName = 'Size', Mandatory = $true, Position = 1)][uint64]$SizeBytes,
        [Parameter(ParameterSetName = 'MinimumSize', Mandatory = $true)][switch]$ToMinimumSize,
        [switch]$Passthru,
        [switch]$AsJob
    )
    process {
        $class = $script:VhdCmd + 'ResizeVHD'
        foreach ($one in $Path) {
            if (-not $PSCmdlet.ShouldProcess($one, 'Resize-VHD')) { continue }
            try {
                if ($ToMinimumSize) { throw (New-LabVirtualizationException -Kind 'InvalidArgument' -Message 'The lab does not simulate -ToMinimumSize (it knows no partition layout).') }
                $after = Invoke-Hv 'vhd.resize' @{ path = $one; sizeBytes = $SizeBytes }
                if ($Passthru) { [AetherV.Lab.HyperVObjects]::Vhd($after, $env:COMPUTERNAME) }
            } catch {
                Write-HvError -Cmdlet $PSCmdlet -Exception $_.Exception -Class $class -Target $one
            }
        }
    }
}

# ---- issue 15: disks, adapters, checkpoints -------------------------------------------------------

function Add-VMHardDiskDrive {
    [CmdletBinding(SupportsShouldProcess = $true, DefaultParameterSetName = 'VMName')]
    [OutputType('Microsoft.HyperV.PowerShell.HardDiskDrive')]
    param(
        [Parameter(ParameterSetName = 'VMName', Mandatory = $true, Position = 0)][string[]]$VMName,
        [Parameter(ParameterSetName = 'VMObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)][Microsoft.HyperV.PowerShell.VirtualMachine[]]$VM,
        [Parameter(Position = 1)][Microsoft.HyperV.PowerShell.ControllerType]$ControllerType,
        [Parameter(Position = 2)][int]$ControllerNumber,
        [Parameter(Position = 3)][int]$ControllerLocation,
        [Parameter(Position = 4)][Alias('FullName')][string]$Path,
        [switch]$Passthru
    )
    process {
        $params = Get-HvBoundParams $PSBoundParameters @{ ControllerNumber = 'controllerNumber'; ControllerLocation = 'controllerLocation'; Path = 'path' }
        if ($PSBoundParameters.ContainsKey('ControllerType')) { $params['controllerType'] = [string]$ControllerType }
        $change = @{ Cmdlet = $PSCmdlet; Class = $script:Cmd + 'AddVMHardDiskDrive'; Name = $VMName; VM = $VM; Action = 'Add hard disk drive'; Method = 'drive.add'; IdKey = 'vmId'; Params = $params }
        Invoke-HvVmChange @change | ForEach-Object {
            if ($Passthru) { [AetherV.Lab.HyperVObjects]::HardDiskDrive($_, $env:COMPUTERNAME) }
        }
    }
}

function Remove-VMHardDiskDrive {
    [CmdletBinding(SupportsShouldProcess = $true, DefaultParameterSetName = 'Object')]
    param(
        [Parameter(ParameterSetName = 'Object', Mandatory = $true, Position = 0, ValueFromPipeline = $true)][Microsoft.HyperV.PowerShell.HardDiskDrive[]]$VMHardDiskDrive,
        [Parameter(ParameterSetName = 'VMName', Mandatory = $true, Position = 0)][string]$VMName,
        [Parameter(ParameterSetName = 'VMName', Mandatory = $true, Position = 1)][Microsoft.HyperV.PowerShell.ControllerType]$ControllerType,
        [Parameter(ParameterSetName = 'VMName', Mandatory = $true, Position = 2)][int]$ControllerNumber,
        [Parameter(ParameterSetName = 'VMName', Mandatory = $true, Position = 3)][int]$ControllerLocation,
        [switch]$Passthru
    )
    process {
        $class = $script:Cmd + 'RemoveVMHardDiskDrive'
        $drives = $VMHardDiskDrive
        if ($PSCmdlet.ParameterSetName -eq 'VMName') {
            $drives = @(Get-VMHardDiskDrive -VMName $VMName -ControllerType $ControllerType -ControllerNumber $ControllerNumber -ControllerLocation $ControllerLocation)
        }
        foreach ($drive in $drives) {
            if (-not $PSCmdlet.ShouldProcess($drive.VMName + ': ' + $drive.Name, 'Remove hard disk drive')) { continue }
            try {
                $null = Invoke-Hv 'drive.remove' @{ vmId = $drive.VMId.ToString(); id = $drive.Id }
                if ($Passthru) { $drive }
            } catch {
                Write-HvError -Cmdlet $PSCmdlet -Exception $_.Exception -Class $class
            }
        }
    }
}

function Add-VMNetworkAdapter {
    [CmdletBinding(SupportsShouldProcess = $true, DefaultParameterSetName = 'VMName')]
    [OutputType('Microsoft.HyperV.PowerShell.VMNetworkAdapter')]
    param(
        [Parameter(ParameterSetName = 'VMName', Mandatory = $true, Position = 0)][string[]]$VMName,
        [Parameter(ParameterSetName = 'VMObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)][Microsoft.HyperV.PowerShell.VirtualMachine[]]$VM,
        [Parameter(ParameterSetName = 'ManagementOS', Mandatory = $true)][switch]$ManagementOS,
        [string]$SwitchName,
        [Alias('VMNetworkAdapterName')][string]$Name,
        [switch]$IsLegacy,
        [switch]$DynamicMacAddress,
        [string]$StaticMacAddress,
        [switch]$Passthru
    )
    process {
        $class = $script:Cmd + 'AddVMNetworkAdapter'
        if ($ManagementOS -or $IsLegacy -or ($DynamicMacAddress -and $StaticMacAddress)) {
            $ex = New-LabVirtualizationException -Kind 'InvalidArgument' -Message 'The lab simulates VM network adapters only (not -ManagementOS or -IsLegacy), with either -DynamicMacAddress or -StaticMacAddress.'
            Write-HvError -Cmdlet $PSCmdlet -Exception $ex -Class $class -Terminating
        }
        $params = Get-HvBoundParams $PSBoundParameters @{ SwitchName = 'switchName'; Name = 'name'; StaticMacAddress = 'staticMacAddress' }
        $change = @{ Cmdlet = $PSCmdlet; Class = $class; Name = $VMName; VM = $VM; Action = 'Add network adapter'; Method = 'nic.add'; IdKey = 'vmId'; Params = $params }
        Invoke-HvVmChange @change | ForEach-Object {
            if ($Passthru) { [AetherV.Lab.HyperVObjects]::NetworkAdapter($_, $env:COMPUTERNAME) }
        }
    }
}

function Resolve-HvAdapters {
    # Adapters given as objects, or the -VMName VMs' adapters narrowed by -Name.
    param($Cmdlet, [string]$Class, [object[]]$Adapter, [string[]]$VMName, [string[]]$Name)
    if ($null -ne $Adapter) { return $Adapter }
    $ids = @(Resolve-HvVm -Cmdlet $Cmdlet -Class $Class -Name $VMName | ForEach-Object { $_.id })
    try { $listed = @(Invoke-Hv 'nic.list' @{ vmIds = $ids }) } catch { Write-HvError -Cmdlet $Cmdlet -Exception $_.Exception -Class $Class -Terminating }
    foreach ($facts in $listed) {
        if ($Name -and -not @($Name | Where-Object { [string]$facts.name -like $_ }).Count) { continue }
        [AetherV.Lab.HyperVObjects]::NetworkAdapter($facts, $env:COMPUTERNAME)
    }
}

function Connect-VMNetworkAdapter {
    [CmdletBinding(SupportsShouldProcess = $true, DefaultParameterSetName = 'Name_SwitchName')]
    param(
        [Parameter(ParameterSetName = 'Name_SwitchName', Mandatory = $true, Position = 0)][string[]]$VMName,
        [Parameter(ParameterSetName = 'Name_SwitchName', Position = 1)][string[]]$Name,
        [Parameter(ParameterSetName = 'Obj_SwitchName', Mandatory = $true, Position = 0, ValueFromPipeline = $true)][Microsoft.HyperV.PowerShell.VMNetworkAdapter[]]$VMNetworkAdapter,
        [Parameter(Mandatory = $true, Position = 2)][string]$SwitchName,
        [switch]$Passthru
    )
    process {
        $class = $script:Cmd + 'ConnectVMNetworkAdapter'
        foreach ($adapter in @(Resolve-HvAdapters -Cmdlet $PSCmdlet -Class $class -Adapter $VMNetworkAdapter -VMName $VMName -Name $Name)) {
            if (-not $PSCmdlet.ShouldProcess($adapter.VMName + ': ' + $adapter.Name, 'Connect to ' + $SwitchName)) { continue }
            try {
                $after = Invoke-Hv 'nic.connect' @{ vmId = $adapter.VMId.ToString(); nicId = $adapter.Id; switchName = $SwitchName }
                if ($Passthru) { [AetherV.Lab.HyperVObjects]::NetworkAdapter($after, $env:COMPUTERNAME) }
            } catch {
                Write-HvError -Cmdlet $PSCmdlet -Exception $_.Exception -Class $class
            }
        }
    }
}

function Remove-VMNetworkAdapter {
    [CmdletBinding(SupportsShouldProcess = $true, DefaultParameterSetName = 'VMName')]
    param(
        [Parameter(ParameterSetName = 'VMName', Mandatory = $true, Position = 0)][string[]]$VMName,
        [Parameter(ParameterSetName = 'VMName', Position = 1)][Alias('VMNetworkAdapterName')][string[]]$Name,
        [Parameter(ParameterSetName = 'Object', Mandatory = $true, Position = 0, ValueFromPipeline = $true)][Microsoft.HyperV.PowerShell.VMNetworkAdapter[]]$VMNetworkAdapter,
        [switch]$Passthru
    )
    process {
        $class = $script:Cmd + 'RemoveVMNetworkAdapter'
        foreach ($adapter in @(Resolve-HvAdapters -Cmdlet $PSCmdlet -Class $class -Adapter $VMNetworkAdapter -VMName $VMName -Name $Name)) {
            if (-not $PSCmdlet.ShouldProcess($adapter.VMName + ': ' + $adapter.Name, 'Remove network adapter')) { continue }
            try {
                $null = Invoke-Hv 'nic.remove' @{ vmId = $adapter.VMId.ToString(); nicId = $adapter.Id }
                if ($Passthru) { $adapter }
            } catch {
                Write-HvError -Cmdlet $PSCmdlet -Exception $_.Exception -Class $class
            }
        }
    }
}

function ConvertTo-HvSnapshot {
    param([System.Collections.IDictionary]$Facts)
    return [AetherV.Lab.HyperVObjects]::Snapshot($Facts, $env:COMPUTERNAME)
}

function Get-VMSnapshot {
    [CmdletBinding(DefaultParameterSetName = 'VMName')]
    [OutputType('Microsoft.HyperV.PowerShell.VMSnapshot')]
    param(
        [Parameter(ParameterSetName = 'VMName', Mandatory = $true, Position = 0)][string[]]$VMName,
        [Parameter(ParameterSetName = 'VMObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)][Microsoft.HyperV.PowerShell.VirtualMachine[]]$VM,
        [Parameter(ParameterSetName = 'Id', Mandatory = $true, Position = 0)][Guid]$Id,
        [Parameter(ParameterSetName = 'Child', Mandatory = $true)][Microsoft.HyperV.PowerShell.VMSnapshot]$ChildOf,
        [Parameter(ParameterSetName = 'VMName', Position = 1)][Parameter(ParameterSetName = 'VMObject', Position = 1)][Parameter(ParameterSetName = 'Child', Position = 0)][string]$Name,
        [Microsoft.HyperV.PowerShell.SnapshotType]$SnapshotType
    )
    process {
        $class = $script:Cmd + 'GetVMSnapshot'
        $params = @{}
        if ($PSCmdlet.ParameterSetName -eq 'Child') { $params['vmIds'] = @($ChildOf.VMId.ToString()) }
        elseif ($PSCmdlet.ParameterSetName -ne 'Id') {
            $ids = Get-HvVmIdFilter -Cmdlet $PSCmdlet -Class $class -VMName $VMName -VM $VM
            if ($null -ne $ids) { $params['vmIds'] = $ids }
        }
        try { $found = @(Invoke-Hv 'snapshot.list' $params) } catch { Write-HvError -Cmdlet $PSCmdlet -Exception $_.Exception -Class $class -Terminating }
        if ($PSCmdlet.ParameterSetName -eq 'Id') {
            $found = @($found | Where-Object { $_.id -eq $Id.ToString() })
            if ($found.Count -eq 0) {
                $ex = New-LabVirtualizationException -Kind 'NotFound' -Message ('Hyper-V was unable to find a checkpoint with ID "' + $Id + '".')
                Write-HvError -Cmdlet $PSCmdlet -Exception $ex -Class $class -Target $Id
            }
        }
        foreach ($facts in $found) {
            if ($PSCmdlet.ParameterSetName -eq 'Child' -and $facts.parentSnapshotId -ne $ChildOf.Id.ToString()) { continue }
            if ($Name -and -not ([System.Management.Automation.WildcardPattern]::new($Name, 'IgnoreCase').IsMatch([string]$facts.name))) { continue }
            if ($PSBoundParameters.ContainsKey('SnapshotType') -and [string]$facts.snapshotType -ne [string]$SnapshotType) { continue }
            ConvertTo-HvSnapshot $facts
        }
    }
}

function Checkpoint-VM {
    [CmdletBinding(SupportsShouldProcess = $true, DefaultParameterSetName = 'Name')]
    [OutputType('Microsoft.HyperV.PowerShell.VMSnapshot')]
    param(
        [Parameter(ParameterSetName = 'Name', Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)][Alias('VMName')][string[]]$Name,
        [Parameter(ParameterSetName = 'VMObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)][Microsoft.HyperV.PowerShell.VirtualMachine[]]$VM,
        [Parameter(Position = 1)][Alias('CheckpointName')][string]$SnapshotName,
        [switch]$Passthru,
        [switch]$AsJob
    )
    process {
        $params = @{}
        if ($SnapshotName) { $params['name'] = $SnapshotName }
        $change = @{ Cmdlet = $PSCmdlet; Class = $script:Cmd + 'CheckpointVM'; Name = $Name; VM = $VM; Action = 'Checkpoint'; Method = 'snapshot.create'; IdKey = 'vmId'; Params = $params }
        Invoke-HvVmChange @change | ForEach-Object {
            if ($Passthru) { ConvertTo-HvSnapshot $_ }
        }
    }
}

function Resolve-HvSnapshots {
    # Checkpoints given as objects, or those named -Name of the -VMName VM.
    param($Cmdlet, [string]$Class, [object[]]$Snapshot, [string]$VMName, [string]$Name)
    if ($null -ne $Snapshot) { return $Snapshot }
    $found = @(Get-VMSnapshot -VMName $VMName -ErrorAction Stop | Where-Object { -not $Name -or $_.Name -like $Name })
    if ($found.Count -eq 0) {
        $ex = New-LabVirtualizationException -Kind 'NotFound' -Message ('Hyper-V was unable to find a checkpoint named "' + $Name + '" of "' + $VMName + '".')
        Write-HvError -Cmdlet $Cmdlet -Exception $ex -Class $Class -Target $Name
    }
    return $found
}

function Restore-VMSnapshot {
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High', DefaultParameterSetName = 'SnapshotObject')]
    param(
        [Parameter(ParameterSetName = 'SnapshotObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)][Alias('VMCheckpoint')][Microsoft.HyperV.PowerShell.VMSnapshot]$VMSnapshot,
        [Parameter(ParameterSetName = 'SnapshotName', Mandatory = $true, Position = 0)][string]$Name,
        [Parameter(ParameterSetName = 'SnapshotName', Mandatory = $true)][string]$VMName,
        [switch]$Passthru,
        [switch]$AsJob
    )
    process {
        $class = $script:Cmd + 'RestoreVMSnapshot'
        foreach ($snapshot in @(Resolve-HvSnapshots -Cmdlet $PSCmdlet -Class $class -Snapshot $VMSnapshot -VMName $VMName -Name $Name)) {
            if (-not $PSCmdlet.ShouldProcess($snapshot.VMName + ': ' + $snapshot.Name, 'Apply checkpoint')) { continue }
            try {
                $after = Invoke-Hv 'snapshot.restore' @{ id = $snapshot.Id.ToString() }
                if ($Passthru) { ConvertTo-HvVm $after }
            } catch {
                Write-HvError -Cmdlet $PSCmdlet -Exception $_.Exception -Class $class
            }
        }
    }
}

function Rename-VMSnapshot {
    [CmdletBinding(SupportsShouldProcess = $true, DefaultParameterSetName = 'SnapshotObject')]
    [OutputType('Microsoft.HyperV.PowerShell.VMSnapshot')]
    param(
        [Parameter(ParameterSetName = 'SnapshotObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)][Alias('VMCheckpoint')][Microsoft.HyperV.PowerShell.VMSnapshot]$VMSnapshot,
        [Parameter(ParameterSetName = 'SnapshotName', Mandatory = $true, Position = 0)][string]$Name,
        [Parameter(ParameterSetName = 'SnapshotName', Mandatory = $true, Position = 1)][string]$VMName,
        [Parameter(Mandatory = $true, Position = 2)][string]$NewName,
        [switch]$Passthru
    )
    process {
        $class = $script:Cmd + 'RenameVMSnapshot'
        foreach ($snapshot in @(Resolve-HvSnapshots -Cmdlet $PSCmdlet -Class $class -Snapshot $VMSnapshot -VMName $VMName -Name $Name)) {
            if (-not $PSCmdlet.ShouldProcess($snapshot.VMName + ': ' + $snapshot.Name, 'Rename checkpoint')) { continue }
            try {
                $after = Invoke-Hv 'snapshot.rename' @{ id = $snapshot.Id.ToString(); newName = $NewName }
                if ($Passthru) { ConvertTo-HvSnapshot $after }
            } catch {
                Write-HvError -Cmdlet $PSCmdlet -Exception $_.Exception -Class $class
            }
        }
    }
}

function Remove-VMSnapshot {
    [CmdletBinding(SupportsShouldProcess = $true, DefaultParameterSetName = 'SnapshotObject')]
    param(
        [Parameter(ParameterSetName = 'SnapshotObject', Mandatory = $true, Position = 0, ValueFromPipeline = $true)][Alias('VMCheckpoint')][Microsoft.HyperV.PowerShell.VMSnapshot[]]$VMSnapshot,
        [Parameter(ParameterSetName = 'SnapshotName', Mandatory = $true, Position = 0)][string]$VMName,
        [Parameter(ParameterSetName = 'SnapshotName', Position = 1)][string]$Name,
        [Alias('IncludeAllChildCheckpoints')][switch]$IncludeAllChildSnapshots,
        [switch]$Passthru,
        [switch]$AsJob
    )
    process {
        $class = $script:Cmd + 'RemoveVMSnapshot'
        foreach ($snapshot in @(Resolve-HvSnapshots -Cmdlet $PSCmdlet -Class $class -Snapshot $VMSnapshot -VMName $VMName -Name $Name)) {
            if (-not $PSCmdlet.ShouldProcess($snapshot.VMName + ': ' + $snapshot.Name, 'Remove checkpoint')) { continue }
            try {
                $null = Invoke-Hv 'snapshot.remove' @{ id = $snapshot.Id.ToString(); includeChildren = [bool]$IncludeAllChildSnapshots }
                if ($Passthru) { $snapshot }
            } catch {
                Write-HvError -Cmdlet $PSCmdlet -Exception $_.Exception -Class $class
            }
        }
    }
}
