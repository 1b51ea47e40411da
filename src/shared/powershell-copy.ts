import type { VmOperation } from './contract/vm-operations';
import type { VmOperationParams } from './contract/vm-operation-params';

/**
 * "Copy as PowerShell" (issue 16 item 7): the Hyper-V PowerShell an admin could run from their own
 * workstation to do what an app operation does. One generator per operation in a
 * `Record<VmOperation, …>`, so an operation added to the table without one fails to compile.
 *
 * Every value the user or the host chose (names, notes, paths, switch names) becomes a
 * single-quoted literal through psQuote; only numbers and fixed keywords are written bare. The text
 * is for reading and pasting: it never runs inside the app.
 *
 * Pure and renderer-safe (type imports only).
 */

/**
 * A single-quoted PowerShell literal. Inside one, PowerShell ends the string at any of ' and the
 * typographic quotes U+2018–U+201B, and reads a doubled quote as one of its second character: so
 * each such character is doubled as itself, and the literal reads back exactly the input.
 */
export function psQuote(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201A\u201B]/g, (q) => q + q)}'`;
}

/** The VM an operation is about, as the renderer knows it from the inventory. */
export interface PsVmTarget {
  vmId: string;
  vmName: string;
  /** What `-ComputerName` gets: the host's configured address. */
  computerName: string;
  /** False when another VM on the same host has the same name: then the VM is addressed by `-Id`. */
  nameUnique: boolean;
}

/** Where a move goes: the cluster of the VM's host and the target node's name. */
export interface PsMoveTarget {
  cluster: string | null;
  node: string;
}

/** Parameters per operation: the edit operations' own, delete's options, nothing for power actions. */
export type PsParams = { [K in VmOperation]: K extends keyof VmOperationParams ? VmOperationParams[K] : K extends 'delete' ? { deleteDisks: boolean; force?: boolean } : Record<string, never> };

export interface PsContext {
  /** The cluster and node name of the move's target host (only `move` asks). */
  moveTarget?(targetHostId: string): PsMoveTarget | null;
}

/** A value the command needs is not filled in yet (a dialog half typed): names the field. */
export class PsIncomplete extends Error {
  override name = 'PsIncomplete';
  constructor(readonly field: string) {
    super(`Fill in ${field} first: the command needs it`);
  }
}

function need<T>(value: T | undefined | null, field: string): T {
  if (value === undefined || value === null || (typeof value === 'number' && !Number.isFinite(value)) || value === '') throw new PsIncomplete(field);
  return value;
}

const whole = (value: unknown, field: string): number => {
  const n = need(value as number | undefined, field);
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new PsIncomplete(field);
  return n;
};

/**
 * A cmdlet applied to the VM: by name when that is unambiguous on the host (the cmdlet's own
 * `-Name`/`-VMName`), else the VM object from `Get-VM -Id` piped in (every cmdlet used here takes
 * it from the pipeline).
 */
function onVm(t: PsVmTarget, cmdlet: string, nameParam: '-Name' | '-VMName', rest = ''): string {
  const tail = rest ? ` ${rest}` : '';
  if (t.nameUnique) return `${cmdlet} -ComputerName ${psQuote(t.computerName)} ${nameParam} ${psQuote(t.vmName)}${tail}`;
  return `${getVm(t)} | ${cmdlet}${tail}`;
}

const getVm = (t: PsVmTarget): string => `Get-VM -ComputerName ${psQuote(t.computerName)} -Id ${psQuote(t.vmId)}`;

/** A device of the VM (disk, adapter) picked by the id the VM page shows. */
const device = (t: PsVmTarget, getter: 'Get-VMHardDiskDrive' | 'Get-VMNetworkAdapter', id: string): string => `${onVm(t, getter, '-VMName')} | Where-Object Id -eq ${psQuote(id)}`;

const checkpoint = (t: PsVmTarget, id: string): string => `Get-VMSnapshot -ComputerName ${psQuote(t.computerName)} -Id ${psQuote(id)}`;

const vlanCommand = (vlan: number | null): string => (vlan === null ? 'Set-VMNetworkAdapterVlan -Untagged' : `Set-VMNetworkAdapterVlan -Access -VlanId ${whole(vlan, 'VLAN')}`);

type Generator<K extends VmOperation> = (t: PsVmTarget, p: Partial<PsParams[K]>, ctx: PsContext) => string[];

const GENERATORS: { [K in VmOperation]: Generator<K> } = {
  start: (t) => [onVm(t, 'Start-VM', '-Name')],
  shutdown: (t) => [onVm(t, 'Stop-VM', '-Name')],
  turnoff: (t) => [onVm(t, 'Stop-VM', '-Name', '-TurnOff -Force')],
  // Restart-VM is a reset, like the app's restart (not a guest shutdown).
  restart: (t) => [onVm(t, 'Restart-VM', '-Name', '-Force')],
  save: (t) => [onVm(t, 'Save-VM', '-Name')],
  pause: (t) => [onVm(t, 'Suspend-VM', '-Name')],
  resume: (t) => [onVm(t, 'Resume-VM', '-Name')],

  delete: (t, p) => {
    // A VM that is not Off is turned off first, as the app's forced delete does.
    const off = p.force ? [onVm(t, 'Stop-VM', '-Name', '-TurnOff -Force')] : [];
    if (!p.deleteDisks) return [...off, onVm(t, 'Remove-VM', '-Name', '-Force')];
    // The paths are read before the VM is gone; the files live on the host, so they are deleted there.
    // Unlike the app, this does not keep a disk another VM also uses: check before running it.
    return [
      '# Unlike the app, this also deletes a disk file another VM uses: check the paths first.',
      `$vm = ${t.nameUnique ? `Get-VM -ComputerName ${psQuote(t.computerName)} -Name ${psQuote(t.vmName)}` : getVm(t)}`,
      '$paths = @($vm | Get-VMHardDiskDrive | ForEach-Object Path)',
      ...(p.force ? ['$vm | Stop-VM -TurnOff -Force'] : []),
      '$vm | Remove-VM -Force',
      `Invoke-Command -ComputerName ${psQuote(t.computerName)} -ScriptBlock { param($files) Remove-Item -LiteralPath $files } -ArgumentList (, $paths)`,
    ];
  },

  processors: (t, p) => [onVm(t, 'Set-VMProcessor', '-VMName', `-Count ${whole(p.count, 'the processor count')}`)],
  memory: (t, p) => {
    const parts = [`-StartupBytes ${whole(p.startupMb, 'the startup memory')}MB`, `-DynamicMemoryEnabled $${need(p.dynamic, 'dynamic memory') ? 'true' : 'false'}`];
    if (p.dynamic) {
      if (p.minimumMb !== undefined) parts.push(`-MinimumBytes ${whole(p.minimumMb, 'the minimum memory')}MB`);
      if (p.maximumMb !== undefined) parts.push(`-MaximumBytes ${whole(p.maximumMb, 'the maximum memory')}MB`);
      if (p.bufferPercent !== undefined) parts.push(`-Buffer ${whole(p.bufferPercent, 'the memory buffer')}`);
    }
    return [onVm(t, 'Set-VMMemory', '-VMName', parts.join(' '))];
  },
  // Empty notes are a value (clearing them), not a missing one.
  notes: (t, p) => {
    if (typeof p.notes !== 'string') throw new PsIncomplete('the notes');
    return [onVm(t, 'Set-VM', '-Name', `-Notes ${psQuote(p.notes)}`)];
  },

  'disk.add': (t, p) => {
    if (p.mode === 'existing') return [onVm(t, 'Add-VMHardDiskDrive', '-VMName', `-Path ${psQuote(need(p.path, 'the disk path'))}`)];
    if (p.mode !== 'new') throw new PsIncomplete('new or existing disk');
    const size = whole(p.sizeGb, 'the disk size');
    // The app names the file <VM name>-disk<N>.vhdx (first free N); this picks N = 2, adjust if taken.
    const file = `${t.vmName}-disk2.vhdx`;
    const folder = p.folder ? psQuote(p.folder) : `(Get-VMHost -ComputerName ${psQuote(t.computerName)}).VirtualHardDiskPath`;
    return [
      '# The app takes the first free <VM name>-disk<N>.vhdx; this names it -disk2: change it if that file exists.',
      `$path = Join-Path ${folder} ${psQuote(file)}`,
      `New-VHD -ComputerName ${psQuote(t.computerName)} -Path $path -SizeBytes ${size}GB -Dynamic`,
      onVm(t, 'Add-VMHardDiskDrive', '-VMName', '-Path $path'),
    ];
  },
  'disk.expand': (t, p) => [
    `${device(t, 'Get-VMHardDiskDrive', need(p.diskId, 'the disk'))} | ForEach-Object { Resize-VHD -ComputerName ${psQuote(t.computerName)} -Path $_.Path -SizeBytes ${whole(p.sizeGb, 'the new size')}GB }`,
  ],
  'disk.remove': (t, p) => {
    const pick = `$disk = ${device(t, 'Get-VMHardDiskDrive', need(p.diskId, 'the disk'))}`;
    if (!p.deleteFile) return [pick, '$disk | Remove-VMHardDiskDrive'];
    return [pick, '$disk | Remove-VMHardDiskDrive', `Invoke-Command -ComputerName ${psQuote(t.computerName)} -ScriptBlock { param($file) Remove-Item -LiteralPath $file } -ArgumentList $disk.Path`];
  },

  'nic.add': (t, p) => {
    const mac = p.macAddress ? ` -StaticMacAddress ${psQuote(p.macAddress.replace(/[-:]/g, '').toUpperCase())}` : '';
    const add = onVm(t, 'Add-VMNetworkAdapter', '-VMName', `-SwitchName ${psQuote(need(p.switchName, 'the virtual switch'))}${mac}`);
    const vlan = p.vlan ?? null;
    return [vlan === null ? add : `${add} -Passthru | ${vlanCommand(vlan)}`];
  },
  'nic.update': (t, p) => {
    const lines = [`$nic = ${device(t, 'Get-VMNetworkAdapter', need(p.nicId, 'the network adapter'))}`];
    if (p.switchName !== undefined) lines.push(`$nic | Connect-VMNetworkAdapter -SwitchName ${psQuote(need(p.switchName, 'the virtual switch'))}`);
    if (p.vlan !== undefined) lines.push(`$nic | ${vlanCommand(p.vlan)}`);
    if (lines.length === 1) throw new PsIncomplete('the virtual switch or VLAN');
    return lines;
  },
  'nic.remove': (t, p) => [`${device(t, 'Get-VMNetworkAdapter', need(p.nicId, 'the network adapter'))} | Remove-VMNetworkAdapter`],

  'checkpoint.create': (t, p) => {
    const create = onVm(t, 'Checkpoint-VM', '-Name', `-SnapshotName ${psQuote(need(p.name, 'the checkpoint name'))}`);
    if (p.type !== 'production') return [create];
    // The app sets the type for the one call and puts it back; this leaves the VM on ProductionOnly.
    return ['# The app puts the checkpoint type back afterwards; this leaves the VM on ProductionOnly.', onVm(t, 'Set-VM', '-Name', '-CheckpointType ProductionOnly'), create];
  },
  'checkpoint.apply': (t, p) => [`${checkpoint(t, need(p.checkpointId, 'the checkpoint'))} | Restore-VMSnapshot -Confirm:$false`],
  'checkpoint.rename': (t, p) => [`${checkpoint(t, need(p.checkpointId, 'the checkpoint'))} | Rename-VMSnapshot -NewName ${psQuote(need(p.name, 'the new name'))}`],
  'checkpoint.delete': (t, p) => [`${checkpoint(t, need(p.checkpointId, 'the checkpoint'))} | Remove-VMSnapshot${p.subtree ? ' -IncludeAllChildSnapshots' : ''} -Confirm:$false`],

  move: (t, p, ctx) => {
    const target = ctx.moveTarget?.(need(p.targetHostId, 'the target host')) ?? null;
    if (!target) throw new PsIncomplete('the target host');
    const cluster = need(target.cluster, "the VM's cluster");
    const type = need(p.migrationType, 'the migration type') === 'live' ? 'Live' : 'Quick';
    const vm = t.nameUnique ? `-Name ${psQuote(t.vmName)}` : `-VMId ${psQuote(t.vmId)}`;
    return [`Move-ClusterVirtualMachineRole -Cluster ${psQuote(cluster)} ${vm} -Node ${psQuote(target.node)} -MigrationType ${type}`];
  },
};

/**
 * The PowerShell for one operation on one VM, one statement per line. `params` may be half filled
 * (a dialog being typed): a value the command needs and lacks throws PsIncomplete naming it.
 */
export function powerShellFor<K extends VmOperation>(op: K, target: PsVmTarget, params: Partial<PsParams[K]> = {}, ctx: PsContext = {}): string {
  const generate = GENERATORS[op] as Generator<K>;
  return generate(target, params, ctx).join('\n');
}

export interface PsBulkItem {
  hostLabel: string;
  target: PsVmTarget;
}

/**
 * One script for a selection: grouped by host (hosts and, within one, VMs in the order given), a
 * comment line naming each host, then its VMs' commands. Comments never carry a raw line break.
 */
export function powerShellForSelection<K extends VmOperation>(op: K, items: readonly PsBulkItem[], params: Partial<PsParams[K]> = {}, ctx: PsContext = {}): string {
  const byHost = new Map<string, PsBulkItem[]>();
  for (const item of items) {
    const key = item.target.computerName;
    const list = byHost.get(key);
    if (list) list.push(item);
    else byHost.set(key, [item]);
  }
  const blocks: string[] = [];
  for (const list of byHost.values()) {
    const label = list[0]!.hostLabel.replace(/[\r\n]+/g, ' ');
    const count = list.length === 1 ? '1 VM' : `${list.length} VMs`;
    blocks.push([`# ${label} (${count})`, ...list.map((item) => powerShellFor(op, item.target, params, ctx))].join('\n'));
  }
  return blocks.join('\n\n');
}
