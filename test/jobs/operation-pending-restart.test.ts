import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { InventoryApi } from '../../src/main/inventory';
import { InventoryStore, defaultSync } from '../../src/main/store';
import { configureHosts } from '../inventory/support/harness';
import { startLab, type Lab } from '../lab';
import { startTestBackend } from '../support/backend';
import { tempDir } from '../support/temp';

// Issue 15: an edit's pending note is cleared by its job (after the refresh that follows it). A
// job never survives a restart, so a note left on disk by a crash or quit would stay forever;
// the next start clears it. A move's note stays: the VM may still show on its target.
const VM = '0b7a1c2d-3e4f-4a5b-8c6d-7e8f90a1b2c3';
const OTHER = '1c8b2d3e-4f5a-4b6c-9d7e-8f90a1b2c3d4';
let lab: Lab;
const temp = tempDir();

beforeAll(async () => {
  lab = await startLab({ hosts: 1, vmsPerHost: 1, seed: 9, clusters: 0 });
});
afterAll(async () => {
  await lab?.close();
  temp.cleanup();
});

test("at start, an edit's pending note whose job did not survive is cleared; a move's is kept", async () => {
  const ids = await configureHosts(temp.dir, lab.hosts);
  const hostId = ids.get('hv01')!;
  const seeded = InventoryStore.open(path.join(temp.dir, 'inventory.db'));
  seeded.syncConfiguredHosts([{ id: hostId }]);
  const config = { processorCount: 2, memoryStartupMb: 2048, memoryMinMb: null, memoryMaxMb: null, dynamicMemory: false, generation: 2, configurationVersion: '10.0', notes: null, operatingSystem: null, createdAt: null, clustered: false, ipAddresses: [], disks: [], nics: [] };
  seeded.applyFull(
    hostId,
    {
      host: { computerName: 'HV01', cluster: null, cpuCores: 8, memoryGb: 64, memoryAvailableGb: null, switches: null, warnings: [] },
      vms: [VM, OTHER].map((vmId, i) => ({ vmId, name: `vm-${i}`, state: 'Off' as const, config })),
      observedAt: new Date().toISOString(),
      agentTimestamp: null,
      complete: true,
      keep: { nics: false, disks: false, os: false },
    },
    { ...defaultSync(), state: 'fresh', lastSuccessAt: new Date().toISOString() },
  );
  const at = new Date().toISOString();
  const later = new Date(Date.now() + 3_600_000).toISOString();
  seeded.addPending({ hostId, vmId: VM, action: 'disk.add', desiredState: null, requestedAt: at, deadline: later, jobId: 'job-that-died' });
  seeded.addPending({ hostId, vmId: OTHER, action: 'move', desiredState: null, requestedAt: at, deadline: later, jobId: 'move-that-died', targetHostId: 'somewhere' });
  seeded.close();

  // No host is contacted (a refresh would tombstone these made-up VMs): only the start's own sweep acts.
  const app = await startTestBackend({ dataDir: temp.dir, hostContact: new Promise<void>(() => undefined) });
  try {
    const inventory = app.backend.modules.get('inventory')!.api as InventoryApi;
    expect(inventory.listPending().map((p) => [p.vmId, p.action])).toEqual([[OTHER, 'move']]);
    expect(inventory.snapshot().vms.find((v) => v.vmId === VM)?.pending ?? null).toBeNull();
  } finally {
    await app.close();
  }
}, 60_000);
