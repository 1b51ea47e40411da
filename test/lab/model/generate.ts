/**
 * Builds a lab inventory from {hosts, vmsPerHost, seed, clusters}. Everything random comes from one
 * seeded Prng, so a seed is a complete description of a lab (tests and bug reports can quote it).
 */
import { addGeneratedCheckpoints } from './checkpoints';
import { Prng } from './prng';
import type { LabModel, LabModelOptions, SimDisk, SimHostModel, SimNic, SimVm, VmState } from './types';

// Names that exercise non-ASCII handling end to end (UTF-8 over WinRS, JSON, SQLite, the UI).
// The first host always gets the first two, so every lab with ≥ 2 VMs contains them.
export const NON_ASCII_VM_NAMES = ['Überwachung-01', '测试-db', 'Données-compta', 'Prüfstand-02', 'テスト-web'] as const;

const ROLES = ['web', 'sql', 'dc', 'app', 'build-agent', 'fileserver', 'jump', 'mon', 'cache', 'ci-runner', 'rds', 'print'];

const OS_CHOICES: ReadonlyArray<{ name: string; family: 'windows' | 'linux' }> = [
  { name: 'Windows Server 2022 Datacenter', family: 'windows' },
  { name: 'Windows Server 2019 Standard', family: 'windows' },
  { name: 'Windows Server 2016 Datacenter', family: 'windows' },
  { name: 'Windows 11 Enterprise', family: 'windows' },
  { name: 'Ubuntu 22.04.4 LTS', family: 'linux' },
  { name: 'Debian GNU/Linux 12 (bookworm)', family: 'linux' },
  { name: 'Red Hat Enterprise Linux 9.3 (Plow)', family: 'linux' },
];

// Weighted so most VMs run, with every state the UI must render still present in bigger labs.
const STATE_WEIGHTS: ReadonlyArray<[VmState, number]> = [
  ['Running', 60],
  ['Off', 20],
  ['Saved', 6],
  ['Paused', 4],
  ['Starting', 2],
  ['Stopping', 2],
  ['Saving', 1],
  ['Pausing', 1],
  ['Resuming', 1],
  ['Unknown', 1],
];

const SWITCHES = ['vSwitch-Prod', 'vSwitch-Mgmt', 'vSwitch-Backup'];
const CONFIG_VERSIONS = ['8.0', '9.0', '10.0', '11.0'];
const GIB = 1024 ** 3;

function pickState(rng: Prng): VmState {
  const total = STATE_WEIGHTS.reduce((sum, [, w]) => sum + w, 0);
  let roll = rng.int(1, total);
  for (const [state, weight] of STATE_WEIGHTS) {
    roll -= weight;
    if (roll <= 0) return state;
  }
  return 'Running';
}

function clusterName(index: number): string {
  return `CLU-${String.fromCharCode(65 + (index % 26))}${index >= 26 ? Math.floor(index / 26) : ''}`;
}

function hostName(index: number): string {
  return `hv${String(index + 1).padStart(2, '0')}`;
}

function makeVmName(rng: Prng, hostIndex: number, vmIndex: number, used: Set<string>): string {
  if (hostIndex === 0 && vmIndex < 2) return NON_ASCII_VM_NAMES[vmIndex];
  if (rng.chance(0.08)) {
    const candidate = rng.pick(NON_ASCII_VM_NAMES.slice(2));
    if (!used.has(candidate)) return candidate;
  }
  for (let n = 1; ; n++) {
    const candidate = `${rng.pick(ROLES)}-${String(rng.int(1, 40) + n - 1).padStart(2, '0')}`;
    if (!used.has(candidate)) return candidate;
  }
}

function makeDisks(rng: Prng, vmId: string, vmName: string, hostIndex: number): SimDisk[] {
  const count = rng.int(1, 3);
  const disks: SimDisk[] = [];
  for (let i = 0; i < count; i++) {
    const capacityGiB = rng.pick([40, 60, 127, 200, 500]);
    const diskType = rng.pick(['Dynamic', 'Dynamic', 'Fixed', 'Differencing'] as const);
    const fileSizeBytes = diskType === 'Fixed' ? capacityGiB * GIB + 4 * 1024 * 1024 : Math.round(capacityGiB * GIB * (0.05 + rng.next() * 0.7));
    const name = i === 0 ? `${vmName}.vhdx` : `${vmName}-data${i}.vhdx`;
    const volume = hostIndex % 2 === 0 ? 'C:\\ClusterStorage\\Volume1' : 'D:\\Hyper-V';
    disks.push({
      id: `Microsoft:${vmId.toUpperCase()}\\${rng.guid().toUpperCase()}\\0\\${i}\\D`,
      name,
      path: `${volume}\\${vmName}\\Virtual Hard Disks\\${name}`,
      diskType,
      capacityBytes: capacityGiB * GIB,
      fileSizeBytes,
    });
  }
  return disks;
}

function makeNics(rng: Prng, vmId: string, hostIndex: number, vmIndex: number, online: boolean): SimNic[] {
  const count = rng.chance(0.1) ? 0 : rng.int(1, 2);
  const nics: SimNic[] = [];
  for (let i = 0; i < count; i++) {
    const vlan = rng.chance(0.5) ? rng.pick([10, 20, 30, 100]) : null;
    const ips = online ? [`10.${hostIndex + 1}.${i}.${10 + vmIndex}`] : [];
    if (online && rng.chance(0.3)) ips.push(`fd00:${hostIndex + 1}::${(10 + vmIndex).toString(16)}`);
    nics.push({
      id: `Microsoft:${vmId.toUpperCase()}\\${rng.guid().toUpperCase()}`,
      name: i === 0 ? 'Network Adapter' : `Network Adapter ${i + 1}`,
      switchName: rng.chance(0.05) ? null : SWITCHES[i % SWITCHES.length],
      vlan,
      macAddress: `00155D${rng.hex(6)}`,
      ipAddresses: ips,
    });
  }
  return nics;
}

/** A guest's load (% of its own vCPUs) as Hyper-V reports it: % of the host's logical processors, at least 1 when busy. */
export function hostShare(guestLoadPercent: number, vcpus: number, logicalProcessors: number): number {
  if (guestLoadPercent <= 0) return 0;
  return Math.max(1, Math.round((guestLoadPercent * vcpus) / logicalProcessors));
}

/** One VM, as the generator makes them; exported so the lab's churn helpers add VMs of the same kind. */
export function makeVm(rng: Prng, hostIndex: number, vmIndex: number, used: Set<string>): SimVm {
  const id = rng.guid();
  const name = makeVmName(rng, hostIndex, vmIndex, used);
  used.add(name);
  const state = pickState(rng);
  const online = state === 'Running' || state === 'Stopping' || state === 'Pausing' || state === 'Saving';
  const os = rng.pick(OS_CHOICES);
  const dynamic = rng.chance(0.6);
  const startup = rng.pick([1024, 2048, 4096, 8192, 16384]);
  const minimum = dynamic ? Math.min(512, startup) : startup;
  const maximum = dynamic ? startup * rng.pick([2, 4]) : 1048576;
  const assigned = online ? (dynamic ? rng.int(minimum, Math.min(maximum, startup * 2)) : startup) : 0;
  const created = new Date(Date.UTC(2019, 0, 1) + rng.int(0, 5 * 365) * 86_400_000 + rng.int(0, 86_399) * 1000);
  const nics = makeNics(rng, id, hostIndex, vmIndex, online);
  const ips = [...new Set(nics.flatMap((n) => n.ipAddresses))];
  return {
    id,
    name,
    state,
    cpuUsagePercent: state === 'Running' ? rng.int(0, 95) : 0,
    memoryAssignedMiB: assigned,
    memoryStartupMiB: startup,
    memoryMinimumMiB: minimum,
    memoryMaximumMiB: maximum,
    dynamicMemoryEnabled: dynamic,
    processorCount: rng.pick([1, 2, 2, 4, 4, 8]),
    generation: rng.chance(0.8) ? 2 : 1,
    configurationVersion: rng.pick(CONFIG_VERSIONS),
    notes: rng.chance(0.3) ? rng.pick(['Owner: platform team', 'Do not shut down during business hours', 'Migrated from VMware\nTicket OPS-1234', 'Zuständig: Überwachungsteam']) : null,
    operatingSystem: online ? os.name : null,
    osFamily: online ? os.family : null,
    creationTime: created.toISOString(),
    ipAddresses: ips,
    disks: makeDisks(rng, id, name, hostIndex),
    nics,
  };
}

/** Generates the whole lab. Pure: same options, same model. */
export function generateLabModel(options: LabModelOptions): LabModel {
  const hostsCount = Math.max(0, Math.floor(options.hosts));
  const clustersCount = Math.max(0, Math.min(Math.floor(options.clusters), hostsCount));
  const rng = new Prng(options.seed);
  // With several hosts, the last one stays standalone so both kinds of host are always present.
  const clusteredHosts = clustersCount > 0 && hostsCount >= 3 ? hostsCount - 1 : clustersCount > 0 ? hostsCount : 0;
  const clusters = Array.from({ length: clustersCount }, (_, i) => ({ name: clusterName(i), hosts: [] as string[] }));
  const hosts: SimHostModel[] = [];
  for (let h = 0; h < hostsCount; h++) {
    const name = hostName(h);
    const cluster = h < clusteredHosts ? clusters[h % clustersCount] : undefined;
    cluster?.hosts.push(name);
    const used = new Set<string>();
    const vms = Array.from({ length: Math.max(0, Math.floor(options.vmsPerHost)) }, (_, v) => makeVm(rng, h, v, used));
    const memoryTotalMiB = rng.pick([256, 384, 512, 768]) * 1024;
    const inUse = vms.reduce((sum, vm) => sum + vm.memoryAssignedMiB, 0) + 8192;
    const logicalProcessors = rng.pick([32, 48, 64, 96, 128]);
    // Hyper-V's CPUUsage is a share of the whole host, not of the VM's own processors: a VM with
    // 4 vCPUs busy at 50 % on a 64-processor host reports 3 %. The VM was made with its load inside
    // the guest; convert it here, where the host's size is known (no extra draw: seeds keep their models).
    for (const vm of vms) vm.cpuUsagePercent = hostShare(vm.cpuUsagePercent, vm.processorCount, logicalProcessors);
    addGeneratedCheckpoints(vms, options.seed);
    hosts.push({
      name,
      cluster: cluster?.name,
      logicalProcessors,
      memoryTotalMiB,
      memoryAvailableMiB: Math.max(1024, memoryTotalMiB - inUse),
      virtualSwitches: [...SWITCHES],
      vms,
    });
  }
  return { seed: options.seed, clusters, hosts };
}
