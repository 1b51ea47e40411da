// Reachability: RDP and SSH of Running VMs probed from this workstation (TCP connects to the
// addresses their hosts report, bounded and cached), published on the 'reachability' topic; and
// the connect actions: a .rdp file opened with the desktop's handler, the Hyper-V console.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ContractError, ErrorCode, type InventoryDelta, type InventorySnapshotWire, type InventoryVm } from '../../shared/contract';
import { decodeInventorySnapshot } from '../../shared/inventory-wire';
import { rdpFileName, rdpFileText } from '../../shared/rdp-file';
import type { ServiceContext, ServiceModule, StartedService } from '../service-module';
import { consoleArgs, detachedSpawn, rdpOpener, thisPlatform, vmconnect, type Platform, type Spawner } from './launch';
import { ReachabilityProber } from './prober';
import type { ConnectFn } from './tcp-probe';

export { ReachabilityProber, type ProbedVm, type ProberStats, type ReachDelta } from './prober';
export { isLoopbackAddress, probeTargets, tcpConnect, type ConnectFn, type ConnectOutcome } from './tcp-probe';
export { consoleArgs, rdpOpener, vmconnect, type Platform, type Spawner } from './launch';

export interface ReachabilityModuleOptions {
  /** The TCP connect (tests record every target through it). */
  connect?: ConnectFn;
  /** Starts mstsc/open/xdg-open and vmconnect (tests record the argument arrays). */
  spawn?: Spawner;
  platform?: Platform;
  /** How often due VMs and changed settings are looked at (tests shorten it). */
  tickMs?: number;
  /** Where .rdp files are written (default: the OS temporary folder). */
  tempDir?: string;
}

export interface ReachabilityApi {
  prober: ReachabilityProber;
}

export function createReachabilityModule(options: ReachabilityModuleOptions = {}): ServiceModule {
  return { name: 'reachability', start: (ctx) => startReachability(ctx, options) };
}

export const reachabilityModule = createReachabilityModule();

type KnownVm = Pick<InventoryVm, 'key' | 'hostId' | 'vmId' | 'name' | 'state' | 'ipAddresses'>;

async function startReachability(ctx: ServiceContext, options: ReachabilityModuleOptions): Promise<StartedService> {
  const settings = () => ctx.settings.getSettings().reachability;
  const platform = options.platform ?? thisPlatform;
  const spawnProgram = options.spawn ?? detachedSpawn;
  const prober = new ReachabilityProber({
    settings,
    connect: options.connect,
    tickMs: options.tickMs,
    publish: (delta) => ctx.hub.publishTopicDelta('reachability', delta),
  });
  ctx.hub.registerSource('reachability', () => prober.snapshot());
  // No guest is contacted while the app starts (the first paint of the cached inventory comes first).
  prober.pause();
  void (ctx.hostContact ?? Promise.resolve()).then(() => prober.resume());

  // The VMs as the inventory last described them: names for the .rdp file and the console.
  const known = new Map<string, KnownVm>();
  const remember = (vm: InventoryVm) => known.set(vm.key, { key: vm.key, hostId: vm.hostId, vmId: vm.vmId, name: vm.name, state: vm.state, ipAddresses: vm.ipAddresses });
  // Like metrics, this module starts before the inventory and learns the cached VMs from its first snapshot.
  const unsubscribe = ctx.hub.subscribe((event) => {
    if (event.topic !== 'inventory') return;
    if (event.kind === 'snapshot') {
      const { vms } = decodeInventorySnapshot(event.payload as InventorySnapshotWire);
      known.clear();
      vms.forEach(remember);
      prober.reset(vms);
      return;
    }
    const delta = event.payload as InventoryDelta;
    for (const vm of delta.vms.upsert) {
      remember(vm);
      prober.upsert(vm);
    }
    for (const key of delta.vms.remove) {
      known.delete(key);
      prober.remove(key);
    }
  }, ['inventory']);

  const vmOf = (hostId: string, vmId: string): KnownVm => {
    const vm = known.get(`${hostId}:${vmId.toLowerCase()}`) ?? known.get(`${hostId}:${vmId}`);
    if (!vm) throw new ContractError(ErrorCode.NotFound, `No VM ${vmId} on host ${hostId} in the inventory; it may have been deleted. Refresh the host.`);
    return vm;
  };
  let tempRoot: string | undefined;

  return {
    name: 'reachability',
    api: { prober } satisfies ReachabilityApi,
    status: () => {
      const s = prober.stats();
      const config = settings();
      return {
        name: 'reachability',
        state: 'running',
        detail: config.enabled
          ? `RDP ${config.rdpPort}, SSH ${config.sshPort}: ${s.results} VMs checked, ${s.queued} waiting; ${s.probes} connects so far, at most ${s.maxInFlight} at once`
          : 'probing is off (reachability.enabled)',
      };
    },
    metrics: () => [{ name: 'reachability', rows: [{ ...prober.stats() }] }],
    handlers: {
      'connect.info': () => {
        const found = vmconnect(platform);
        return { vmconnect: { available: found.path !== null, reason: found.reason } };
      },
      'connect.rdp': async ({ hostId, vmId }) => {
        const vm = vmOf(hostId, vmId);
        const reach = prober.get(vm.key);
        if (!reach?.rdpAddress) throw new ContractError(ErrorCode.Unavailable, noRdpReason(vm, settings().enabled));
        tempRoot ??= mkdtempSync(path.join(options.tempDir ?? os.tmpdir(), 'aether-v-rdp-'));
        const folder = path.join(tempRoot, vm.vmId);
        mkdirSync(folder, { recursive: true, mode: 0o700 });
        const filename = rdpFileName(vm.name);
        const file = path.join(folder, filename);
        writeFileSync(file, rdpFileText(reach.rdpAddress, settings().rdpPort), { mode: 0o600 });
        const opener = rdpOpener(platform, file);
        await spawnProgram(opener.file, opener.args);
        ctx.log.info('opened an RDP file', { vm: vm.name, address: reach.rdpAddress });
        return { address: reach.rdpAddress, filename, path: file };
      },
      'connect.console': async ({ hostId, vmId }) => {
        const vm = vmOf(hostId, vmId);
        const found = vmconnect(platform);
        if (!found.path) throw new ContractError(ErrorCode.Unavailable, found.reason);
        const host = ctx.settings.getHost(hostId);
        if (!host) throw new ContractError(ErrorCode.NotFound, `No host with id ${hostId}; it may have been removed. Reload the hosts list.`);
        await spawnProgram(found.path, consoleArgs(host.address, vm.name, vm.vmId));
        return { host: host.address, vmName: vm.name };
      },
    },
    async stop() {
      unsubscribe();
      prober.close();
      // The .rdp files were read by the client when it opened them; none outlives the app.
      if (tempRoot) rmSync(tempRoot, { recursive: true, force: true });
    },
  };
}

/** Why there is nothing to open, in the words the VM page uses. */
export function noRdpReason(vm: Pick<KnownVm, 'name' | 'state' | 'ipAddresses'>, enabled: boolean): string {
  if (vm.ipAddresses.length === 0) return `No IP address reported for ${vm.name}: the VM is off or its integration services do not report one.`;
  if (vm.state !== 'Running') return `${vm.name} is ${vm.state}: start it to connect.`;
  if (!enabled) return `${vm.name}: reachability probing is off (Settings), so no address is known to answer RDP.`;
  return `${vm.name}: none of its addresses (${vm.ipAddresses.join(', ')}) answered on the RDP port from this workstation.`;
}
