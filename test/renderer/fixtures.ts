import type { HostView, InventoryHost, InventoryVm } from '../../src/shared/contract';

/** Synthetic inventory rows shaped exactly like the contract's, for renderer tests. */
export function makeVm(hostId: string, i: number, over: Partial<InventoryVm> = {}): InventoryVm {
  const vmId = `${hostId}-0000-4000-8000-${String(i).padStart(12, '0')}`;
  return {
    key: `${hostId}:${vmId}`,
    vmId,
    hostId,
    name: `vm-${hostId}-${String(i).padStart(4, '0')}`,
    state: i % 3 === 0 ? 'Off' : 'Running',
    cpuPercent: i % 100,
    memoryAssignedMb: 1024 * ((i % 8) + 1),
    memoryDemandMb: 900,
    uptimeS: i * 60,
    heartbeat: 'OkApplicationsHealthy',
    observedAt: new Date(Date.now() - 42_000).toISOString(),
    processorCount: 2,
    memoryStartupMb: 2048,
    dynamicMemory: true,
    generation: 2,
    operatingSystem: 'Windows Server 2022',
    osFamily: 'windows',
    createdAt: '2024-01-02T03:04:05Z',
    clustered: false,
    ipAddresses: [`10.${hostId.length}.${Math.floor(i / 250)}.${(i % 250) + 1}`],
    diskCount: 1,
    checkpointCount: 0,
    oldestCheckpointAt: null,
    notes: null,
    detailsHash: `hash-${i}`,
    stale: false,
    staleSince: null,
    placeholder: false,
    pending: null,
    ...over,
  };
}

export function makeHost(hostId: string, over: Partial<InventoryHost> = {}, sync: Partial<InventoryHost['sync']> = {}): InventoryHost {
  return {
    hostId,
    computerName: hostId.toUpperCase(),
    cluster: null,
    cpuCores: 32,
    memoryGb: 256,
    memoryAvailableGb: 100,
    switches: null,
    ...over,
    sync: {
      state: 'fresh',
      lastAttemptAt: new Date().toISOString(),
      lastSuccessAt: new Date().toISOString(),
      lastQuickAt: null,
      consecutiveFailures: 0,
      nextAttemptAt: null,
      lastError: null,
      generation: 1,
      avgDurationMs: 300,
      slow: false,
      ...sync,
    },
  };
}

export function makeHostView(id: string, over: Partial<HostView> = {}): HostView {
  return {
    id,
    displayName: id.toUpperCase(),
    address: `${id}.lab.local`,
    port: 5985,
    transport: 'http',
    auth: 'ntlm',
    allowUnencryptedBasic: false,
    username: 'LAB\\admin',
    enabled: true,
    hasPassword: true,
    status: 'connected',
    ...over,
  };
}

/** `hosts` hosts × `perHost` VMs. */
export function fleet(hosts: number, perHost: number): { hosts: InventoryHost[]; vms: InventoryVm[]; views: HostView[] } {
  const out = { hosts: [] as InventoryHost[], vms: [] as InventoryVm[], views: [] as HostView[] };
  for (let h = 0; h < hosts; h++) {
    const id = `hv${String(h).padStart(2, '0')}`;
    out.hosts.push(makeHost(id, { cluster: h % 2 === 0 ? 'CL-A' : null }));
    out.views.push(makeHostView(id));
    for (let i = 0; i < perHost; i++) out.vms.push(makeVm(id, i));
  }
  return out;
}
