// The simulated Hyper-V, FailoverClusters and Windows modules in real PowerShell against the lab's
// host model: types and enum values, error records, the model following cmdlets, KVP through the
// CIM commands, cluster cmdlets on clustered and standalone hosts. A pwsh start costs about a
// second, so one script runs every check (switching hosts through AETHERV_LAB_HOST) and prints one
// JSON object; a second, small one loads the precompiled types as the lab's launcher does.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findPowerShell } from '../../support/prereqs';
import { setJobKnobs } from '../agent/jobs';
import { hostPublish, type KvpPool } from '../agent/jobs/kvp-guest';
import { SimHost } from '../host';
import { generateLabModel } from '../model';
import type { SimVm } from '../model/types';
import { handleHyperVRpc, HyperVRpcError, setHyperVSimKnobs } from './hyperv-rpc';
import { startLabRpcServer, type LabRpcServer } from './rpc-server';

const HERE = dirname(fileURLToPath(import.meta.url));
/** States in which Hyper-V reports a guest's IP addresses (the guest's integration services answer). */
const GUEST_UP = ['Running', 'Stopping', 'Saving', 'Pausing', 'Resuming'];
const run = promisify(execFile);

// Every value a script needs arrives in T_* environment variables; the script text is fixed.
const MAIN_SCRIPT = String.raw`
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
function Err($record) {
    $inner = $record.Exception.InnerException
    [ordered]@{ id = $record.FullyQualifiedErrorId; category = [string]$record.CategoryInfo.Category; activity = $record.CategoryInfo.Activity
        type = $record.Exception.GetType().FullName; inner = $(if ($inner) { $inner.GetType().FullName } else { $null }); message = $record.Exception.Message }
}
function Catch([scriptblock]$Block) { try { $null = & $Block; return $null } catch { return (Err $_) } }
function Items($xmlList) {
    $map = [ordered]@{}
    foreach ($x in @($xmlList)) {
        $d = [xml]$x
        $map[$d.SelectSingleNode("/INSTANCE/PROPERTY[@NAME='Name']/VALUE").InnerText] = $d.SelectSingleNode("/INSTANCE/PROPERTY[@NAME='Data']/VALUE").InnerText
    }
    return $map
}
Import-Module Hyper-V
Import-Module FailoverClusters
Import-Module $env:T_WINDOWS_MODULE -DisableNameChecking
$out = [ordered]@{}
$out.enums = [ordered]@{
    FastSavingCritical = [int][Microsoft.HyperV.PowerShell.VMState]::FastSavingCritical; Off = [int][Microsoft.HyperV.PowerShell.VMState]::Off
    OkApplicationsUnknown = [int][Microsoft.HyperV.PowerShell.VMHeartbeatStatus]::OkApplicationsUnknown
    Access = [int][Microsoft.HyperV.PowerShell.VMNetworkAdapterVlanMode]::Access; SCSI = [int][Microsoft.HyperV.PowerShell.ControllerType]::SCSI
    Dynamic = [int][Microsoft.Vhd.PowerShell.VhdType]::Dynamic; VHDX = [int][Microsoft.Vhd.PowerShell.VhdFormat]::VHDX
    VirtualMachineGroup = [int][Microsoft.FailoverClusters.PowerShell.GroupType]::VirtualMachine
}

# Host facts first: the power actions below move free memory (and back).
$os = Get-CimInstance -ClassName Win32_OperatingSystem
$out.win32 = [ordered]@{ freeKiB = $os.FreePhysicalMemory; freeType = $os.FreePhysicalMemory.GetType().Name
    totalBytes = (Get-CimInstance -ClassName Win32_ComputerSystem).TotalPhysicalMemory
    logical = (Get-CimInstance -ClassName Win32_Processor | Measure-Object -Property NumberOfLogicalProcessors -Sum).Sum }

$out.many = @(Get-VM | ForEach-Object { [ordered]@{ name = $_.Name; id = $_.Id.ToString(); state = [string]$_.State; value = [int]$_.State; type = $_.GetType().FullName } })
$running = Get-VM -Id $env:T_RUNNING_ID
$out.running = [ordered]@{ json = (ConvertTo-Json -InputObject ([ordered]@{ State = $running.State; Heartbeat = $running.Heartbeat }) -Compress)
    isRunning = ($running.State -eq 'Running'); memoryAssigned = $running.MemoryAssigned; uptime = $running.Uptime.GetType().FullName; clustered = $running.IsClustered }
$out.nonAscii = @(Get-VM -Name $env:T_NON_ASCII | ForEach-Object { $_.Name })
$out.wildcardNone = @(Get-VM -Name 'zz-no-such-*').Count
$out.getVmMissing = Catch { Get-VM -Name 'no-such-vm' }
$out.getVmMissingId = Catch { Get-VM -Id '00000000-0000-0000-0000-000000000001' }
$out.nics = @(Get-VMNetworkAdapter -VMName * | ForEach-Object { [ordered]@{ vmId = $_.VMId.ToString(); id = $_.Id; switch = $_.SwitchName
    mac = $_.MacAddress; ips = @($_.IPAddresses); mode = [string]$_.VlanSetting.OperationMode; vlan = $_.VlanSetting.AccessVlanId } })
$drives = @(Get-VMHardDiskDrive -VMName *)
$vhds = @(Get-VHD -Path @($env:T_MISSING_VHD, $drives[0].Path) -ErrorAction SilentlyContinue -ErrorVariable vhdErrors)
$out.vhd = [ordered]@{ drives = $drives.Count; count = $vhds.Count; path = $vhds[0].Path; size = $vhds[0].Size; sizeType = $vhds[0].Size.GetType().Name
    errors = @($vhdErrors | ForEach-Object { Err $_ }) }

$env:AETHERV_LAB_HOST = 'hv02'
$out.zero = [ordered]@{ vms = @(Get-VM).Count; adapters = @(Get-VMNetworkAdapter -VMName *).Count; drives = @(Get-VMHardDiskDrive -VMName *).Count }
$env:AETHERV_LAB_HOST = 'hv04'
$one = Get-VM
$out.one = [ordered]@{ isArray = ($one -is [array]); name = $one.Name }
$env:AETHERV_LAB_HOST = 'hv01'

$id = $env:T_ACTION_ID
$steps = [ordered]@{}
Start-VM -VM (Get-VM -Id $id); $steps.start = [string](Get-VM -Id $id).State
Start-VM -VM (Get-VM -Id $id) -WarningVariable warned -WarningAction SilentlyContinue; $steps.startAgain = [string]$warned[0]
Suspend-VM -Name (Get-VM -Id $id).Name; $steps.suspend = [string](Get-VM -Id $id).State
$steps.shutdownPaused = Catch { Stop-VM -VM (Get-VM -Id $id) -Force }
Resume-VM -VM (Get-VM -Id $id); $steps.resume = [string](Get-VM -Id $id).State
Save-VM -VM (Get-VM -Id $id); $steps.save = [string](Get-VM -Id $id).State
Stop-VM -VM (Get-VM -Id $id) -TurnOff -Force; $steps.turnoff = [string](Get-VM -Id $id).State
$steps.resetOff = Catch { Restart-VM -VM (Get-VM -Id $id) -Force }
$steps.removeUnconfirmed = Catch { Remove-VM -VM (Get-VM -Id $id) }
$out.actions = $steps

$broken = Get-VM -Id $env:T_BROKEN_ID
# PowerShell swallows an exception thrown by a .NET property getter: the read gives $null.
$out.throwing = [ordered]@{ name = $broken.Name; read = $broken.MemoryDemand; json = ($broken | Select-Object -Property Name, MemoryDemand | ConvertTo-Json -Compress)
    getter = (Catch { $broken.GetType().GetProperty('MemoryDemand').GetValue($broken) }) }

$ns = 'root/virtualization/v2'
$upper = $env:T_RUNNING_ID.ToUpperInvariant()
$system = @(Get-CimInstance -Namespace $ns -ClassName Msvm_ComputerSystem | Where-Object { $_.Name -eq $upper })[0]
$service = Get-CimInstance -Namespace $ns -ClassName Msvm_VirtualSystemManagementService
$item = '<INSTANCE CLASSNAME="Msvm_KvpExchangeDataItem"><PROPERTY NAME="Data" TYPE="string"><VALUE>' + [Security.SecurityElement]::Escape($env:T_KVP_VALUE) +
    '</VALUE></PROPERTY><PROPERTY NAME="Name" TYPE="string"><VALUE>lab.test</VALUE></PROPERTY><PROPERTY NAME="Source" TYPE="uint16"><VALUE>0</VALUE></PROPERTY></INSTANCE>'
$added = Invoke-CimMethod -InputObject $service -MethodName 'AddKvpItems' -Arguments @{ TargetSystem = $system; DataItems = [string[]]@($item) }
$again = Invoke-CimMethod -InputObject $service -MethodName 'AddKvpItems' -Arguments @{ TargetSystem = $system; DataItems = [string[]]@($item) }
$againJob = Get-CimInstance -InputObject $again.Job
$settings = @(Get-CimInstance -Namespace $ns -ClassName Msvm_KvpExchangeComponentSettingData | Where-Object { $_.InstanceID.StartsWith('Microsoft:' + $upper) })
$components = @(Get-CimInstance -Namespace $ns -ClassName Msvm_KvpExchangeComponent)
$component = @($components | Where-Object { $_.SystemName -eq $upper })[0]
$out.kvp = [ordered]@{ returnValue = $added.ReturnValue; returnType = $added.ReturnValue.GetType().Name; runningJob = $added.Job.JobState
    jobState = (Get-CimInstance -InputObject $added.Job).JobState; duplicateState = $againJob.JobState; duplicateError = $againJob.ErrorDescription
    typeName = $system.PSObject.TypeNames[0]; host = (Items $settings[0].HostExchangeItems); guest = (Items $component.GuestExchangeItems)
    intrinsic = (Items $component.GuestIntrinsicExchangeItems); offVmComponents = @($components | Where-Object { $_.SystemName -eq $env:T_ACTION_ID.ToUpperInvariant() }).Count }

$out.cluster = [ordered]@{ name = (Get-Cluster).Name; nodes = @(Get-ClusterNode | ForEach-Object { $_.Name })
    cim = (Get-CimInstance -Namespace 'root/MSCluster' -ClassName 'MSCluster_Cluster').Name; service = [string](Get-Service -Name 'ClusSvc').Status }
$group = Add-ClusterVirtualMachineRole -VMId $env:T_ROLE_ID
$out.cluster.group = [ordered]@{ name = $group.Name; type = [string]$group.GroupType; clustered = (Get-VM -Id $env:T_ROLE_ID).IsClustered }
$out.cluster.addAgain = Catch { Add-ClusterVirtualMachineRole -VMId $env:T_ROLE_ID }
Remove-ClusterGroup -VMId $env:T_ROLE_ID -RemoveResources -Force
$out.cluster.afterRemove = (Get-VM -Id $env:T_ROLE_ID).IsClustered

$env:AETHERV_LAB_HOST = 'hv04'
$out.standalone = [ordered]@{ getCluster = (Catch { Get-Cluster }); cim = (Catch { Get-CimInstance -Namespace 'root/MSCluster' -ClassName 'MSCluster_Cluster' })
    service = (Catch { Get-Service -Name 'ClusSvc' }); vmms = [string](Get-Service -Name 'vmms').Status }
$env:AETHERV_LAB_HOST = 'hv03'
$out.denied = [ordered]@{ getVm = (Catch { Get-VM }); cim = (Catch { Get-CimInstance -Namespace $ns -ClassName 'Msvm_ComputerSystem' })
    cluster = (Catch { Get-Cluster }); os = (Get-CimInstance -ClassName Win32_OperatingSystem).Caption }
$out | ConvertTo-Json -Depth 8 -Compress
`;

// The launcher's way: the types precompiled once, loaded from the DLL; LabRpc imported by three modules.
const DLL_SCRIPT = String.raw`
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Add-Type -TypeDefinition ([IO.File]::ReadAllText($env:T_TYPES_SOURCE)) -OutputAssembly $env:T_DLL_OUT -OutputType Library
& $env:T_PWSH -NoProfile -NonInteractive -Command {
    $ErrorActionPreference = 'Stop'
    Import-Module Hyper-V; Import-Module FailoverClusters; Import-Module $env:T_WINDOWS_MODULE -DisableNameChecking
    [ordered]@{ location = [Microsoft.HyperV.PowerShell.VirtualMachine].Assembly.Location; vms = @(Get-VM).Count } | ConvertTo-Json -Compress
} | Select-Object -Last 1
`;

type Json = Record<string, unknown>;
interface ErrorInfo {
  id: string;
  category: string;
  activity: string;
  type: string;
  inner: string | null;
  message: string;
}

describe('simulated Hyper-V modules in real PowerShell', () => {
  let server: LabRpcServer;
  let hosts: SimHost[];
  let work: string;
  let out: Json;
  const pwsh = findPowerShell();
  const byName = (name: string) => hosts.find((h) => h.name === name)!;

  const env = (extra: Record<string, string>) => ({
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NO_COLOR: '1',
    POWERSHELL_TELEMETRY_OPTOUT: '1',
    PSModulePath: join(HERE, 'modules'),
    AETHERV_LAB_RPC: server.url,
    AETHERV_LAB_TOKEN: server.token,
    AETHERV_LAB_HOST: 'hv01',
    COMPUTERNAME: 'HV01',
    T_WINDOWS_MODULE: join(HERE, 'modules', 'AetherV.LabWindows'),
    ...extra,
  });

  const runScript = async (script: string, extra: Record<string, string>): Promise<Json> => {
    const { stdout } = await run(pwsh, ['-NoProfile', '-NonInteractive', '-Command', script], { env: env(extra), timeout: 45_000, maxBuffer: 16 * 1024 * 1024 });
    const last = stdout.trim().split('\n').pop() ?? '';
    return JSON.parse(last) as Json;
  };

  let actionVm: SimVm;
  let runningVm: SimVm;
  let brokenVm: SimVm;
  let roleVm: SimVm;
  let freeMiBBefore: number;

  beforeAll(async () => {
    // hv01–hv03 form cluster CLU-A, hv04 is standalone.
    const model = generateLabModel({ hosts: 4, vmsPerHost: 5, seed: 21, clusters: 1 });
    hosts = model.hosts.map((m, i) => new SimHost({ model: m, credentials: { username: 'Administrator', password: 'x' }, allowUnencrypted: true, seed: i }));
    const [hv01, hv02, hv03, hv04] = hosts as [SimHost, SimHost, SimHost, SimHost];
    hv02.model.vms = [];
    hv04.model.vms = hv04.model.vms.slice(0, 1);
    setHyperVSimKnobs(hv03, { accessDenied: true });
    [, , actionVm, runningVm, brokenVm] = hv01.model.vms as [SimVm, SimVm, SimVm, SimVm, SimVm];
    Object.assign(actionVm, { state: 'Off', memoryAssignedMiB: 0, cpuUsagePercent: 0, operatingSystem: null });
    for (const nic of actionVm.nics) nic.ipAddresses = [];
    Object.assign(runningVm, { state: 'Running', memoryAssignedMiB: runningVm.memoryStartupMiB, operatingSystem: 'Windows Server 2019 Standard', osFamily: 'windows' });
    runningVm.kvp = { host: {}, guest: { 'lab.guest': 'välue <1> & 2' } };
    setHyperVSimKnobs(hv01, { throwingProperty: { vmId: brokenVm.id, property: 'MemoryDemand' } });
    roleVm = brokenVm;
    roleVm.isClustered = false;
    setJobKnobs(hv01, { actionMs: 20 });
    freeMiBBefore = hv01.model.memoryAvailableMiB;
    server = await startLabRpcServer((name) => hosts.find((h) => h.name.toLowerCase() === name.toLowerCase()));
    work = mkdtempSync(join(tmpdir(), 'aetherv-hyperv-module-'));
    out = await runScript(MAIN_SCRIPT, {
      T_RUNNING_ID: runningVm.id,
      T_ACTION_ID: actionVm.id,
      T_BROKEN_ID: brokenVm.id,
      T_ROLE_ID: roleVm.id,
      T_NON_ASCII: hv01.model.vms[0]!.name,
      T_MISSING_VHD: 'D:\\Hyper-V\\gone\\missing.vhdx',
      T_KVP_VALUE: 'a <b> & "c" – ü',
    });
  }, 60_000);

  afterAll(async () => {
    await server?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('types carry the real names and enum values; JSON writes an enum as its number', () => {
    expect(out.enums).toEqual({ FastSavingCritical: 32796, Off: 3, OkApplicationsUnknown: 5, Access: 1, SCSI: 1, Dynamic: 3, VHDX: 3, VirtualMachineGroup: 111 });
    const many = out.many as Array<{ state: string; value: number; type: string }>;
    expect(new Set(many.map((v) => v.type))).toEqual(new Set(['Microsoft.HyperV.PowerShell.VirtualMachine']));
    const values: Record<string, number> = { Running: 2, Off: 3, Stopping: 4, Saved: 6, Paused: 9, Starting: 10, Saving: 32773, Pausing: 32776, Resuming: 32777, Other: 1 };
    for (const vm of many) expect(vm.value, vm.state).toBe(values[vm.state]);
    expect(out.running).toEqual({
      json: '{"State":2,"Heartbeat":5}',
      isRunning: true,
      memoryAssigned: runningVm.memoryStartupMiB * 1024 * 1024,
      uptime: 'System.TimeSpan',
      clustered: true,
    });
  });

  test('Get-VM lists many, one and zero VMs; names round trip; a missing name is the real error', () => {
    const hv01 = byName('hv01');
    const many = out.many as Array<{ name: string; id: string }>;
    expect(many.map((v) => [v.name, v.id])).toEqual(hv01.model.vms.map((v) => [v.name, v.id]));
    expect(out.nonAscii).toEqual([hv01.model.vms[0]!.name]);
    expect(out.wildcardNone).toBe(0);
    expect(out.zero).toEqual({ vms: 0, adapters: 0, drives: 0 });
    expect(out.one).toEqual({ isArray: false, name: byName('hv04').model.vms[0]!.name });
    expect(out.getVmMissing).toMatchObject({
      id: 'InvalidParameter,Microsoft.HyperV.PowerShell.Commands.GetVM',
      category: 'InvalidArgument',
      activity: 'Get-VM',
      type: 'Microsoft.HyperV.PowerShell.VirtualizationException',
      message: 'Hyper-V was unable to find a virtual machine with name "no-such-vm".',
    });
    expect(out.getVmMissingId).toMatchObject({ id: 'InvalidParameter,Microsoft.HyperV.PowerShell.Commands.GetVM', category: 'InvalidArgument' });
  });

  test('adapters, disks and Get-VHD present the model; a missing VHD path errors while the others come out', () => {
    const hv01 = byName('hv01');
    const expected = hv01.model.vms.flatMap((vm) =>
      vm.nics.map((n) => ({ vmId: vm.id, id: n.id, switch: n.switchName, mac: n.macAddress, ips: GUEST_UP.includes(vm.state) ? n.ipAddresses : [], mode: n.vlan ? 'Access' : 'Untagged', vlan: n.vlan ?? 0 })),
    );
    expect(out.nics).toEqual(expected);
    const disk = hv01.model.vms.find((v) => v.disks.length)!.disks[0]!;
    expect(out.vhd).toMatchObject({ drives: hv01.model.vms.reduce((n, v) => n + v.disks.length, 0), count: 1, path: disk.path, size: disk.capacityBytes, sizeType: 'UInt64' });
    expect((out.vhd as { errors: ErrorInfo[] }).errors).toEqual([
      expect.objectContaining({ id: 'InvalidParameter,Microsoft.Vhd.PowerShell.Cmdlets.GetVHD', category: 'InvalidArgument', message: "'D:\\Hyper-V\\gone\\missing.vhdx' is not an existing virtual hard disk file." }),
    ]);
  });

  test('power actions walk the model through Hyper-V states; illegal ones give the real error', () => {
    expect(out.actions).toMatchObject({
      start: 'Running',
      startAgain: 'The virtual machine is already in the specified state.',
      suspend: 'Paused',
      shutdownPaused: { id: 'InvalidState,Microsoft.HyperV.PowerShell.Commands.StopVM', category: 'InvalidOperation', type: 'Microsoft.HyperV.PowerShell.VirtualizationException' },
      resume: 'Running',
      save: 'Saved',
      turnoff: 'Off',
      resetOff: { id: 'InvalidState,Microsoft.HyperV.PowerShell.Commands.RestartVM', category: 'InvalidOperation' },
    });
    expect((out.actions as { removeUnconfirmed: ErrorInfo }).removeUnconfirmed.message).toMatch(/NonInteractive mode/);
    expect(actionVm).toMatchObject({ state: 'Off', memoryAssignedMiB: 0, operatingSystem: null });
    expect(actionVm.nics.every((n) => /^00155D[0-9A-F]{6}$/.test(n.macAddress))).toBe(true);
    expect(byName('hv01').model.memoryAvailableMiB).toBe(freeMiBBefore);
    expect(out.win32).toEqual({
      freeKiB: freeMiBBefore * 1024,
      freeType: 'UInt64',
      totalBytes: byName('hv01').model.memoryTotalMiB * 1024 * 1024,
      logical: byName('hv01').model.logicalProcessors,
    });
  });

  test('a property whose getter throws on a broken host (PowerShell reads it as null)', () => {
    expect(out.throwing).toMatchObject({
      name: brokenVm.name,
      read: null,
      json: JSON.stringify({ Name: brokenVm.name, MemoryDemand: null }),
      getter: { type: 'System.Management.Automation.MethodInvocationException', inner: 'Microsoft.HyperV.PowerShell.VirtualizationException' },
    });
    expect((out.throwing as { getter: ErrorInfo }).getter.message).toContain('The WMI provider returned an invalid result');
  });

  test('KVP items round trip through the CIM commands and the model', () => {
    expect(out.kvp).toEqual({
      returnValue: 4096,
      returnType: 'UInt32',
      runningJob: 4,
      jobState: 7,
      duplicateState: 10,
      duplicateError: `Failed to add the KVP item 'lab.test' to '${runningVm.name}': an item with that name already exists.`,
      typeName: 'Microsoft.Management.Infrastructure.CimInstance#root/virtualization/v2/Msvm_ComputerSystem',
      host: { 'lab.test': 'a <b> & "c" – ü' },
      guest: { 'lab.guest': 'välue <1> & 2' },
      intrinsic: expect.objectContaining({ OSName: 'Windows Server 2019 Standard', FullyQualifiedDomainName: runningVm.name }),
      offVmComponents: 0,
    });
    expect(runningVm.kvp!.host).toEqual({ 'lab.test': 'a <b> & "c" – ü' });
  });

  test('cluster cmdlets on a clustered host, and their errors on a standalone one', () => {
    expect(out.cluster).toEqual({
      name: 'CLU-A',
      nodes: ['hv01'],
      cim: 'CLU-A',
      service: 'Running',
      group: { name: roleVm.name, type: 'VirtualMachine', clustered: true },
      addAgain: expect.objectContaining({ category: 'ResourceExists', type: 'Microsoft.FailoverClusters.PowerShell.ClusterCmdletException' }),
      afterRemove: false,
    });
    expect(roleVm.isClustered).toBe(false);
    const standalone = out.standalone as Record<string, ErrorInfo | string>;
    expect(standalone.getCluster).toMatchObject({ id: 'ClusterEndpointNotRegistered,Microsoft.FailoverClusters.PowerShell.GetClusterCommand', category: 'ConnectionError' });
    expect(standalone.cim).toMatchObject({ id: 'HRESULT 0x8004100e,Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand', category: 'MetadataError', message: 'Invalid namespace ' });
    expect(standalone.service).toMatchObject({ id: 'NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.GetServiceCommand', category: 'ObjectNotFound' });
    expect(standalone.vmms).toBe('Running');
  });

  test('a host that denies access: Hyper-V, virtualization CIM and cluster calls fail, Win32 still answers', () => {
    const denied = out.denied as Record<string, ErrorInfo | string>;
    expect(denied.getVm).toMatchObject({
      id: 'AccessDenied,Microsoft.HyperV.PowerShell.Commands.GetVM',
      category: 'PermissionDenied',
      message: "You do not have the required permission to complete this task. Contact the administrator of the authorization policy for the computer 'HV03'.",
    });
    expect(denied.cim).toMatchObject({ id: 'HRESULT 0x80041003,Microsoft.Management.Infrastructure.CimCmdlets.GetCimInstanceCommand', category: 'PermissionDenied', message: 'Access denied ' });
    expect(denied.cluster).toMatchObject({ category: 'PermissionDenied' });
    expect(denied.os).toBe('Microsoft Windows Server 2022 Datacenter');
  });

  test('the precompiled types load from a DLL, once, whichever module comes first', async () => {
    const result = await runScript(DLL_SCRIPT, {
      T_TYPES_SOURCE: join(HERE, 'types', 'HyperV.cs'),
      T_DLL_OUT: join(work, 'types.dll'),
      AETHERV_LAB_TYPES_DLL: join(work, 'types.dll'),
      T_PWSH: pwsh,
    });
    expect(result).toEqual({ location: join(work, 'types.dll'), vms: byName('hv01').model.vms.length });
  }, 45_000);
});

describe('lab side: the simulated guest and Hyper-V rules (no PowerShell)', () => {
  const HOST_STATE = 'hlvmm.meta.host_provisioning_system_state';
  const GUEST_STATE = 'hlvmm.meta.guest_provisioning_system_state';
  const model = generateLabModel({ hosts: 1, vmsPerHost: 0, seed: 3, clusters: 0 });
  const host = new SimHost({ model: model.hosts[0]!, credentials: { username: 'a', password: 'b' }, allowUnencrypted: true, seed: 1 });
  setJobKnobs(host, { actionMs: 5 });
  const rpc = (method: string, params: Record<string, unknown> = {}) => handleHyperVRpc(host, method, params) as Promise<Record<string, unknown>>;
  const until = async (check: () => boolean, what: string) => {
    for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
    if (!check()) throw new Error(`timed out waiting for ${what}`);
  };

  async function newRunningVm(name: string): Promise<SimVm> {
    const facts = await rpc('vm.new', { name, generation: 2, memoryStartupBytes: 2 * 1024 ** 3, switchName: 'vSwitch-Prod' });
    await rpc('vm.action', { id: facts.id as string, action: 'start' });
    return host.model.vms.find((v) => v.id === facts.id)!;
  }

  async function provision(vm: SimVm, tamper: boolean): Promise<void> {
    const add = (name: string, data: string) => rpc('kvp.add', { vmId: vm.id, items: [{ name, data }] });
    await add('hlvmm.meta.version', '1.2.0');
    await add(HOST_STATE, 'waitingforpublickey');
    await until(() => vm.kvp?.guest[GUEST_STATE] === 'waitingforaeskey', 'the guest key');
    const pool: KvpPool = new Map();
    hostPublish(pool, vm.kvp!.guest['hlvmm.meta.guest_provisioning_public_key']!, { guest_la_uid: 'admin', guest_la_pw: 'S3cret!', guest_v4_ip_addr: '10.9.8.7', guest_host_name: vm.name });
    if (tamper) pool.set('hlvmm.meta.provisioning_system_checksum', 'AAAA');
    for (const [name, data] of pool) await add(name, data);
    await rpc('kvp.remove', { vmId: vm.id, items: [{ name: HOST_STATE, data: '' }] });
    await add(HOST_STATE, 'provisioningdatapublished');
    await until(() => ['provisioningapplied', 'provisioningfailed'].includes(vm.kvp?.guest[GUEST_STATE] ?? ''), 'the guest result');
  }

  test('New-VM adds a VM with one adapter; the guest publishes its key, unwraps, verifies and applies', async () => {
    const vm = await newRunningVm('prov-ok');
    expect(vm.nics).toHaveLength(1);
    expect(vm.nics[0]!.macAddress).toMatch(/^00155D[0-9A-F]{6}$/);
    await provision(vm, false);
    expect(vm.kvp!.guest[GUEST_STATE]).toBe('provisioningapplied');
    expect(vm.nics[0]!.ipAddresses).toEqual(['127.9.8.7']); // the lab reports guests on loopback (labGuestAddress)
  });

  test('a checksum that does not match: provisioningfailed with "error validating:checksum"', async () => {
    const vm = await newRunningVm('prov-bad');
    await provision(vm, true);
    expect(vm.kvp!.guest).toMatchObject({ [GUEST_STATE]: 'provisioningfailed', 'hlvmm.meta.guest_provisioning_error': 'error validating:checksum' });
  });

  test('Hyper-V refuses to delete a running VM and to start one without memory', async () => {
    const vm = await newRunningVm('busy');
    await expect(rpc('vm.remove', { id: vm.id })).rejects.toMatchObject({ kind: 'InvalidState' });
    await rpc('vm.action', { id: vm.id, action: 'turnoff' });
    setJobKnobs(host, { notEnoughMemory: true });
    await expect(rpc('vm.action', { id: vm.id, action: 'start' })).rejects.toBeInstanceOf(HyperVRpcError);
    setJobKnobs(host, { notEnoughMemory: false });
    await rpc('vm.remove', { id: vm.id });
    expect(host.model.vms.some((v) => v.id === vm.id)).toBe(false);
  });

  test('knobs: a throwing property must be a VirtualMachine property', () => {
    expect(() => setHyperVSimKnobs(host, { throwingProperty: { vmId: 'x', property: 'NoSuchProperty' } })).toThrow(RangeError);
  });
});
