# Get-Service and the CIM cmdlets as a Windows Hyper-V host answers them, for the classes the agent
# reads (docs/hyperv-sim.md). pwsh on Linux has no CIM: instances are PSCustomObjects whose type
# names are the real CimInstance ones, with the real property names, types and units.
Set-StrictMode -Version Latest

# AetherV.LabRpc is beside this module's real folder (the lab links that into a host's module path).
Import-Module (Join-Path (Split-Path -Parent ([IO.Directory]::ResolveLinkTarget($PSScriptRoot, $true) ?? [IO.DirectoryInfo]$PSScriptRoot).FullName) 'AetherV.LabRpc/AetherV.LabRpc.psd1')

$script:CimCmd = 'Microsoft.Management.Infrastructure.CimCmdlets.'
$script:V2 = 'root/virtualization/v2'
# WMI's own codes and words (with their trailing space) for the failures a script meets.
$script:CimFailures = @{
    InvalidNamespace = @('Invalid namespace ', 'HRESULT 0x8004100e', 'MetadataError')
    InvalidClass     = @('Invalid class ', 'HRESULT 0x80041010', 'MetadataError')
    NotFound         = @('Not found ', 'HRESULT 0x80041002', 'ObjectNotFound')
    AccessDenied     = @('Access denied ', 'HRESULT 0x80041003', 'PermissionDenied')
    InvalidQuery     = @('Invalid query ', 'HRESULT 0x80041017', 'InvalidArgument')
    InvalidMethod    = @('Invalid method ', 'HRESULT 0x80041030', 'MetadataError')
    InvalidParameter = @('Invalid parameter ', 'HRESULT 0x80041008', 'InvalidArgument')
}

# ---- CIM helpers ------------------------------------------------------------------------------

function Write-CimFailure {
    param($Cmdlet, [string]$Failure, [string]$Class, $Target, [switch]$Terminating)
    $entry = $script:CimFailures[$Failure]
    $record = [AetherV.Lab.Errors]::Record([Microsoft.Management.Infrastructure.CimException]::new($entry[0]), $entry[1], $Class, $entry[2], $Target)
    if ($Terminating) { $Cmdlet.ThrowTerminatingError($record) } else { $Cmdlet.WriteError($record) }
}

function Get-CimFailureOf {
    # Which WMI failure a lab error stands for: no rights, or (Hyper-V or cluster absent) no namespace.
    param([Exception]$Exception, [string]$WhenNotFound = 'InvalidNamespace')
    $kind = [AetherV.Lab.LabRpc]::KindOf((Get-LabInnerException $Exception))
    if ($kind -eq 'PermissionDenied') { return 'AccessDenied' }
    if ($kind -eq 'NotFound') { return $WhenNotFound }
    if ($kind -eq 'InvalidArgument') { return 'InvalidParameter' }
    throw $Exception
}

function New-LabCimInstance {
    param([string]$Namespace, [string]$ClassName, [System.Collections.IDictionary]$Properties)
    $values = [ordered]@{}
    foreach ($key in $Properties.Keys) { $values[$key] = $Properties[$key] }
    $values['PSComputerName'] = $null
    $values['CimClass'] = [pscustomobject]@{ CimClassName = $ClassName; CimSuperClassName = $null; Namespace = $Namespace }
    $values['CimSystemProperties'] = [pscustomobject]@{ Namespace = $Namespace; ServerName = $env:COMPUTERNAME; ClassName = $ClassName; Path = $null }
    $instance = [pscustomobject]$values
    $instance.PSObject.TypeNames.Insert(0, 'Microsoft.Management.Infrastructure.CimInstance')
    $instance.PSObject.TypeNames.Insert(0, 'Microsoft.Management.Infrastructure.CimInstance#' + $ClassName)
    $instance.PSObject.TypeNames.Insert(0, 'Microsoft.Management.Infrastructure.CimInstance#' + $Namespace + '/' + $ClassName)
    return $instance
}

function ConvertTo-KvpXml {
    # One Msvm_KvpExchangeDataItem as Hyper-V embeds it (CIM-DTD 2.0 INSTANCE).
    param([string]$Name, [string]$Data, [int]$Source)
    return ('<INSTANCE CLASSNAME="Msvm_KvpExchangeDataItem">' +
        '<PROPERTY NAME="Data" TYPE="string"><VALUE>' + [System.Security.SecurityElement]::Escape($Data) + '</VALUE></PROPERTY>' +
        '<PROPERTY NAME="Name" TYPE="string"><VALUE>' + [System.Security.SecurityElement]::Escape($Name) + '</VALUE></PROPERTY>' +
        '<PROPERTY NAME="Source" TYPE="uint16"><VALUE>' + $Source + '</VALUE></PROPERTY></INSTANCE>')
}

function ConvertTo-KvpXmlList {
    param([object[]]$Items, [int]$Source)
    # The comma keeps the array whole: a property with one item is still string[] (as in WMI).
    return , [string[]]@($Items | Where-Object { $null -ne $_ } | ForEach-Object { ConvertTo-KvpXml -Name $_.name -Data $_.data -Source $Source })
}

# Msvm_ComputerSystem.EnabledState for each Hyper-V state (CIM_EnabledLogicalElement values).
$script:EnabledState = @{
    Running = 2; Off = 3; Stopping = 4; Saved = 6; Paused = 9; Starting = 10; Other = 1
    Saving = 32773; Pausing = 32776; Resuming = 32777
}

function Get-LabClassInstances {
    # Every instance of one class; throws a lab error for the caller to map.
    param([string]$Namespace, [string]$ClassName)
    switch ($Namespace + ':' + $ClassName) {
        'root/cimv2:Win32_OperatingSystem' {
            $h = Invoke-LabRpc -Method 'host.get'
            New-LabCimInstance $Namespace $ClassName ([ordered]@{
                    Caption = $h.osCaption; Version = $h.osVersion; BuildNumber = $h.osBuildNumber; CSName = $h.computerName
                    FreePhysicalMemory = [uint64]$h.memoryAvailableKiB; TotalVisibleMemorySize = [uint64]($h.memoryTotalBytes / 1024)
                    LastBootUpTime = ([DateTime]::Parse($h.lastBootUpTime, [Globalization.CultureInfo]::InvariantCulture, [Globalization.DateTimeStyles]::RoundtripKind)).ToLocalTime()
                    OSArchitecture = '64-bit'; ProductType = [uint32]3; NumberOfProcessors = [uint32]$h.sockets
                })
        }
        'root/cimv2:Win32_ComputerSystem' {
            $h = Invoke-LabRpc -Method 'host.get'
            New-LabCimInstance $Namespace $ClassName ([ordered]@{
                    Name = $h.computerName; Domain = $h.domain; PartOfDomain = $true; DNSHostName = $h.name
                    TotalPhysicalMemory = [uint64]$h.memoryTotalBytes; NumberOfProcessors = [uint32]$h.sockets
                    NumberOfLogicalProcessors = [uint32]$h.logicalProcessors; Manufacturer = 'Aether-V lab'; Model = 'Simulated Hyper-V host'
                })
        }
        'root/cimv2:Win32_Processor' {
            $h = Invoke-LabRpc -Method 'host.get'
            for ($i = 0; $i -lt $h.sockets; $i++) {
                New-LabCimInstance $Namespace $ClassName ([ordered]@{
                        DeviceID = 'CPU' + $i; SocketDesignation = 'CPU' + $i; Name = 'Lab Xeon CPU @ 2.40GHz'
                        NumberOfCores = [uint32]$h.coresPerSocket; NumberOfLogicalProcessors = [uint32]($h.logicalProcessors / $h.sockets)
                        NumberOfEnabledCore = [uint32]$h.coresPerSocket; MaxClockSpeed = [uint32]2400; Architecture = [uint16]9
                    })
            }
        }
        'root/MSCluster:MSCluster_Cluster' {
            $c = Invoke-LabRpc -Method 'cluster.get'
            New-LabCimInstance $Namespace $ClassName ([ordered]@{ Name = $c.name; Fqdn = $c.name + '.' + $c.domain; Id = $c.id })
        }
        'root/MSCluster:MSCluster_Node' {
            $c = Invoke-LabRpc -Method 'cluster.get'
            foreach ($node in @($c.nodes)) { New-LabCimInstance $Namespace $ClassName ([ordered]@{ Name = $node.name; State = [uint32]0; NodeWeight = [uint32]1 }) }
        }
        'root/virtualization/v2:Msvm_ComputerSystem' {
            $h = Invoke-LabRpc -Method 'host.get'
            # The host itself is one instance of the class, as on Windows.
            New-LabCimInstance $Namespace $ClassName ([ordered]@{
                    Name = $h.computerName; ElementName = $h.computerName; Caption = 'Hosting Computer System'; Description = 'Microsoft Hosting Computer System'
                    EnabledState = [uint16]2; HealthState = [uint16]5; CreationClassName = 'Msvm_ComputerSystem'; OnTimeInMilliseconds = $null
                })
            foreach ($vm in @(Invoke-LabRpc -Method 'vm.list')) {
                New-LabCimInstance $Namespace $ClassName ([ordered]@{
                        Name = ([string]$vm.id).ToUpperInvariant(); ElementName = $vm.name; Caption = 'Virtual Machine'; Description = 'Microsoft Virtual Machine'
                        EnabledState = [uint16]$script:EnabledState[[string]$vm.state]; HealthState = [uint16]5; CreationClassName = 'Msvm_ComputerSystem'
                        OnTimeInMilliseconds = [uint64]($vm.uptimeSeconds * 1000)
                    })
            }
        }
        'root/virtualization/v2:Msvm_KvpExchangeComponent' {
            foreach ($vm in @(Invoke-LabRpc -Method 'kvp.list')) {
                # A device of the running VM: a VM that is off or saved has none.
                if (-not $vm.active) { continue }
                $id = ([string]$vm.vmId).ToUpperInvariant()
                New-LabCimInstance $Namespace $ClassName ([ordered]@{
                        SystemName = $id; SystemCreationClassName = 'Msvm_ComputerSystem'; CreationClassName = 'Msvm_KvpExchangeComponent'
                        DeviceID = 'Microsoft:' + $id + '\KvpExchange'; ElementName = 'Key-Value Pair Exchange'; EnabledState = [uint16]2
                        GuestIntrinsicExchangeItems = (ConvertTo-KvpXmlList -Items $vm.guestIntrinsic -Source 2)
                        GuestExchangeItems = (ConvertTo-KvpXmlList -Items $vm.guest -Source 1)
                    })
            }
        }
        'root/virtualization/v2:Msvm_KvpExchangeComponentSettingData' {
            foreach ($vm in @(Invoke-LabRpc -Method 'kvp.list')) {
                $id = ([string]$vm.vmId).ToUpperInvariant()
                New-LabCimInstance $Namespace $ClassName ([ordered]@{
                        InstanceID = 'Microsoft:' + $id + '\5F9D8E8E-3B4A-4C2B-9E3F-0D6A1B2C3D4E'; ElementName = 'Key-Value Pair Exchange'; Caption = 'Key-Value Pair Exchange'
                        HostExchangeItems = (ConvertTo-KvpXmlList -Items $vm.host -Source 0); HostOnlyItems = [string[]]@()
                    })
            }
        }
        'root/virtualization/v2:Msvm_VirtualSystemManagementService' {
            # An empty VM listing: answered only where the namespace exists and the caller has rights.
            $null = Invoke-LabRpc -Method 'vm.list' -Params @{ ids = @() }
            $h = Invoke-LabRpc -Method 'host.get'
            New-LabCimInstance $Namespace $ClassName ([ordered]@{
                    Name = 'vmms'; ElementName = 'Virtual System Management Service'; Caption = 'Virtual System Management Service'
                    SystemName = $h.computerName; SystemCreationClassName = 'Msvm_ComputerSystem'; CreationClassName = 'Msvm_VirtualSystemManagementService'
                    EnabledState = [uint16]2; Started = $true
                })
        }
        default { throw (New-LabVirtualizationException -Kind 'InvalidArgument' -Message 'Invalid class') }
    }
}

function New-LabJobInstance {
    param($Job)
    return (New-LabCimInstance $script:V2 'Msvm_ConcreteJob' ([ordered]@{
                InstanceID = [string]$Job.id; JobState = [uint16]$Job.jobState; ErrorCode = [uint16]$Job.errorCode
                ErrorDescription = [string]$Job.errorDescription; PercentComplete = [uint16]$(if ($Job.jobState -eq 7) { 100 } else { 0 })
                Caption = 'KVP item operation'; JobType = [uint16]0
            }))
}

$script:Namespaces = @{ 'root/cimv2' = 'root/cimv2'; 'root/mscluster' = 'root/MSCluster'; 'root/virtualization/v2' = 'root/virtualization/v2' }

function Get-CimInstance {
    [CmdletBinding(DefaultParameterSetName = 'ClassNameComputerSet')]
    param(
        [Parameter(ParameterSetName = 'ClassNameComputerSet', Mandatory = $true, Position = 0)][string]$ClassName,
        [Parameter(ParameterSetName = 'CimInstanceComputerSet', Mandatory = $true, Position = 0, ValueFromPipeline = $true)][Alias('CimInstance')][psobject]$InputObject,
        [Parameter(ParameterSetName = 'QueryComputerSet', Mandatory = $true)][string]$Query,
        [Parameter(ParameterSetName = 'ClassNameComputerSet')][Parameter(ParameterSetName = 'QueryComputerSet')][string]$Namespace = 'root/cimv2',
        [Parameter(ParameterSetName = 'ClassNameComputerSet')][string]$Filter,
        [string[]]$Property,
        [string[]]$ComputerName,
        [uint32]$OperationTimeoutSec,
        [switch]$Shallow,
        [switch]$KeyOnly
    )
    process {
        $class = $script:CimCmd + 'GetCimInstanceCommand'
        if ($PSCmdlet.ParameterSetName -eq 'CimInstanceComputerSet') {
            Get-LabRefreshedInstance -Cmdlet $PSCmdlet -Class $class -InputObject $InputObject
            return
        }
        if ($PSCmdlet.ParameterSetName -eq 'QueryComputerSet') {
            $m = [regex]::Match($Query, '^\s*select\s+\*\s+from\s+(\w+)(?:\s+where\s+(.+?))?\s*$', 'IgnoreCase')
            if (-not $m.Success) { Write-CimFailure -Cmdlet $PSCmdlet -Failure 'InvalidQuery' -Class $class -Target $Query -Terminating }
            $ClassName = $m.Groups[1].Value
            $Filter = $m.Groups[2].Value
        }
        $ns = $script:Namespaces[$Namespace.Replace('\', '/').ToLowerInvariant()]
        if (-not $ns) { Write-CimFailure -Cmdlet $PSCmdlet -Failure 'InvalidNamespace' -Class $class -Target $Namespace -Terminating }
        $test = $null
        if ($Filter) {
            # The simple WQL filters scripts use: Property = 'value' (strings compare case-insensitively).
            $f = [regex]::Match($Filter, '^\s*(\w+)\s*=\s*(?:''([^'']*)''|"([^"]*)"|(\d+))\s*$')
            if (-not $f.Success) { Write-CimFailure -Cmdlet $PSCmdlet -Failure 'InvalidQuery' -Class $class -Target $Filter -Terminating }
            $test = @{ Name = $f.Groups[1].Value; Value = ($f.Groups[2].Value + $f.Groups[3].Value + $f.Groups[4].Value) }
        }
        try {
            $instances = @(Get-LabClassInstances -Namespace $ns -ClassName $ClassName)
        } catch {
            $failure = Get-CimFailureOf -Exception $_.Exception
            if ($failure -eq 'InvalidParameter') { $failure = 'InvalidClass' }
            # MSCluster exists only on cluster nodes: on another host its namespace is missing.
            Write-CimFailure -Cmdlet $PSCmdlet -Failure $failure -Class $class -Target $(if ($failure -eq 'InvalidClass') { $ns + ':' + $ClassName } else { $ns }) -Terminating
        }
        foreach ($instance in $instances) {
            if ($null -ne $test) {
                $p = $instance.PSObject.Properties[$test.Name]
                if ($null -eq $p) { Write-CimFailure -Cmdlet $PSCmdlet -Failure 'InvalidQuery' -Class $class -Target $Filter -Terminating }
                if ([string]$p.Value -ne $test.Value) { continue }
            }
            $instance
        }
    }
}

function Get-LabRefreshedInstance {
    # Get-CimInstance -InputObject: the instance as it is now (a job's progress, a VM's state).
    param($Cmdlet, [string]$Class, $InputObject)
    $typeName = @($InputObject.PSObject.TypeNames | Where-Object { $_ -like 'Microsoft.Management.Infrastructure.CimInstance#*/*' })
    if ($typeName.Count -eq 0) { Write-CimFailure -Cmdlet $Cmdlet -Failure 'InvalidParameter' -Class $Class -Terminating }
    $className = $typeName[0].Substring($typeName[0].LastIndexOf('/') + 1)
    $namespace = $typeName[0].Substring($typeName[0].IndexOf('#') + 1)
    $namespace = $namespace.Substring(0, $namespace.LastIndexOf('/'))
    try {
        if ($className -eq 'Msvm_ConcreteJob') {
            return (New-LabJobInstance (Invoke-LabRpc -Method 'job.get' -Params @{ id = [string]$InputObject.InstanceID }))
        }
        $key = @('Name', 'InstanceID', 'SystemName', 'DeviceID') | Where-Object { $null -ne $InputObject.PSObject.Properties[$_] } | Select-Object -First 1
        $now = @(Get-LabClassInstances -Namespace $namespace -ClassName $className | Where-Object { [string]$_.$key -eq [string]$InputObject.$key })
    } catch {
        Write-CimFailure -Cmdlet $Cmdlet -Failure (Get-CimFailureOf -Exception $_.Exception -WhenNotFound 'NotFound') -Class $Class -Terminating
    }
    if ($now.Count -eq 0) { Write-CimFailure -Cmdlet $Cmdlet -Failure 'NotFound' -Class $Class -Terminating }
    return $now[0]
}

function Invoke-CimMethod {
    [CmdletBinding(DefaultParameterSetName = 'CimInstanceComputerSet')]
    param(
        [Parameter(ParameterSetName = 'CimInstanceComputerSet', Mandatory = $true, Position = 0, ValueFromPipeline = $true)][Alias('CimInstance')][psobject]$InputObject,
        [Parameter(ParameterSetName = 'ClassNameComputerSet', Mandatory = $true, Position = 0)][string]$ClassName,
        [Parameter(ParameterSetName = 'ClassNameComputerSet')][string]$Namespace = 'root/cimv2',
        [Parameter(Mandatory = $true, Position = 2)][Alias('Name')][string]$MethodName,
        [Parameter(Position = 1)][System.Collections.IDictionary]$Arguments,
        [string[]]$ComputerName,
        [uint32]$OperationTimeoutSec
    )
    process {
        $class = $script:CimCmd + 'InvokeCimMethodCommand'
        $isService = $PSCmdlet.ParameterSetName -eq 'CimInstanceComputerSet' -and @($InputObject.PSObject.TypeNames) -contains ('Microsoft.Management.Infrastructure.CimInstance#' + $script:V2 + '/Msvm_VirtualSystemManagementService')
        $verb = @{ AddKvpItems = 'kvp.add'; RemoveKvpItems = 'kvp.remove'; ModifyKvpItems = 'kvp.modify' }[$MethodName]
        if (-not $isService -or -not $verb) { Write-CimFailure -Cmdlet $PSCmdlet -Failure 'InvalidMethod' -Class $class -Target $MethodName -Terminating }
        $target = $null
        $dataItems = $null
        if ($null -ne $Arguments) { $target = $Arguments['TargetSystem']; $dataItems = $Arguments['DataItems'] }
        if ($null -eq $target -or $null -eq $target.PSObject.Properties['Name'] -or $null -eq $dataItems) {
            Write-CimFailure -Cmdlet $PSCmdlet -Failure 'InvalidParameter' -Class $class -Target $MethodName -Terminating
        }
        $items = New-Object System.Collections.Generic.List[object]
        foreach ($xml in @($dataItems)) {
            # Hyper-V rejects a data item it cannot parse with "Invalid parameter" (32773), no job.
            try {
                $doc = [xml][string]$xml
                $name = $doc.SelectSingleNode("/INSTANCE/PROPERTY[@NAME='Name']/VALUE")
                $data = $doc.SelectSingleNode("/INSTANCE/PROPERTY[@NAME='Data']/VALUE")
                if ($null -eq $name) { throw 'no Name' }
                $items.Add(@{ name = $name.InnerText; data = $(if ($null -ne $data) { $data.InnerText } else { '' }) })
            } catch {
                return (New-LabMethodResult -Method $MethodName -ReturnValue 32773 -Job $null)
            }
        }
        try {
            $answer = Invoke-LabRpc -Method $verb -Params @{ vmId = [string]$target.Name; items = $items.ToArray() }
        } catch {
            Write-CimFailure -Cmdlet $PSCmdlet -Failure (Get-CimFailureOf -Exception $_.Exception -WhenNotFound 'NotFound') -Class $class -Target $MethodName -Terminating
        }
        # The method returns "job started" with the job still running; a refresh shows its end.
        $job = New-LabJobInstance $answer.job
        $job.JobState = [uint16]4
        $job.PercentComplete = [uint16]0
        return (New-LabMethodResult -Method $MethodName -ReturnValue $answer.returnValue -Job $job)
    }
}

function New-LabMethodResult {
    param([string]$Method, [uint32]$ReturnValue, $Job)
    $result = [pscustomobject][ordered]@{ Job = $Job; ReturnValue = [uint32]$ReturnValue; PSComputerName = $null }
    $result.PSObject.TypeNames.Insert(0, 'Microsoft.Management.Infrastructure.CimMethodResult#Msvm_VirtualSystemManagementService#' + $Method)
    return $result
}

# ---- services ---------------------------------------------------------------------------------

function Get-Service {
    [CmdletBinding(DefaultParameterSetName = 'Default')]
    param(
        [Parameter(ParameterSetName = 'Default', Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)][Alias('ServiceName')][string[]]$Name,
        [Parameter(ParameterSetName = 'DisplayName', Mandatory = $true)][string[]]$DisplayName,
        [string[]]$Include,
        [string[]]$Exclude
    )
    process {
        $class = 'Microsoft.PowerShell.Commands.GetServiceCommand'
        $all = @(Invoke-LabRpc -Method 'service.list' | Sort-Object { $_.name } | ForEach-Object {
                $service = [pscustomobject][ordered]@{
                    Status = [System.ServiceProcess.ServiceControllerStatus]$_.status; Name = [string]$_.name; DisplayName = [string]$_.displayName
                    ServiceName = [string]$_.name; StartType = [System.ServiceProcess.ServiceStartMode]::Automatic; MachineName = '.'
                    CanStop = ($_.status -eq 'Running'); ServiceType = [System.ServiceProcess.ServiceType]::Win32OwnProcess
                }
                $service.PSObject.TypeNames.Insert(0, 'System.ServiceProcess.ServiceController')
                $service
            })
        $byDisplay = $PSCmdlet.ParameterSetName -eq 'DisplayName'
        $wanted = if ($byDisplay) { $DisplayName } elseif ($Name) { $Name } else { @('*') }
        $seen = @{}
        foreach ($pattern in $wanted) {
            $hits = @($all | Where-Object { $(if ($byDisplay) { $_.DisplayName } else { $_.Name }) -like $pattern })
            if ($hits.Count -eq 0 -and -not [System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($pattern)) {
                $what = if ($byDisplay) { 'display name' } else { 'service name' }
                $ex = [Microsoft.PowerShell.Commands.ServiceCommandException]::new(('Cannot find any service with ' + $what + " '" + $pattern + "'."), $pattern)
                $id = if ($byDisplay) { 'NoServiceFoundForGivenDisplayName' } else { 'NoServiceFoundForGivenName' }
                $PSCmdlet.WriteError([AetherV.Lab.Errors]::Record($ex, $id, $class, 'ObjectNotFound', $pattern))
            }
            foreach ($hit in $hits) {
                if ($seen.ContainsKey($hit.Name)) { continue }
                if ($Include -and -not @($Include | Where-Object { $hit.Name -like $_ }).Count) { continue }
                if ($Exclude -and @($Exclude | Where-Object { $hit.Name -like $_ }).Count) { continue }
                $seen[$hit.Name] = $true
                $hit
            }
        }
    }
}
