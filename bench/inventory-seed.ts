/**
 * Seeds a data directory's inventory.db with cached VMs by one real refresh against a lab, so the
 * first-paint and frame benchmarks start from a store the app itself wrote.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_SETTINGS } from '../src/shared/contract';
import { createBackend } from '../src/main/backend';
import { labHostInput, startLab, type LabHostInfo } from '../test/lab';

export const SEED_HOSTS = Number(process.env.BENCH_PAINT_HOSTS ?? 20);
export const SEED_VMS_PER_HOST = Number(process.env.BENCH_PAINT_VMS ?? 500);

const log = (line: string) => process.stderr.write(`[bench:inventory] ${line}\n`);

/** One real refresh against a lab fills {dataDir}/inventory.db; returns how many VMs it holds. */
export async function seedStore(dataDir: string): Promise<number> {
  const lab = await startSeedLab();
  const settings = { ...DEFAULT_SETTINGS, artifactServer: { bindAddress: '127.0.0.1', port: 0, advertisedBaseUrl: '' } };
  writeFileSync(path.join(dataDir, 'settings.json'), JSON.stringify({ schemaVersion: 1, settings, hosts: [] }));
  const backend = await createBackend({ dataDir, runtime: 'browser' });
  try {
    for (const h of lab.hosts) {
      const added = await backend.invoke('hosts.add', labHostInput(h));
      if (!added.ok) throw new Error(`adding ${h.name}: ${added.error.message}`);
    }
    const api = backend.modules.get('inventory')?.api as { refresh?: (hostId?: string) => Promise<Record<string, string>> } | undefined;
    if (!api?.refresh) throw new Error('the inventory module is not running (src/main/inventory is still a placeholder)');
    const started = performance.now();
    const expected = SEED_HOSTS * SEED_VMS_PER_HOST;
    // Adding a host starts its refresh; refresh() answers "deferred" for a host already refreshing,
    // so ask again until every VM is in the store.
    let vms = 0;
    for (let round = 0; round < 60 && vms < expected; round++) {
      const outcomes = await api.refresh();
      log(`seed refresh round ${round + 1}: ${JSON.stringify(countBy(Object.values(outcomes)))}`);
      const stats = await backend.invoke('inventory.syncStats', {});
      if (!stats.ok) throw new Error(stats.error.message);
      vms = (stats.data as { totals: { vms: number } }).totals.vms;
      if (vms < expected) await new Promise((r) => setTimeout(r, 1000));
    }
    log(`seeded ${vms} VMs from ${lab.hosts.length} hosts in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return vms;
  } finally {
    await backend.close();
    await lab.close();
  }
}

/**
 * startLab caps its size (64 hosts × 500 VMs, what tests need); the 50,000-VM store of bench:scale
 * (e.g. BENCH_PAINT_HOSTS=100 BENCH_PAINT_VMS=500) is served by the same simulated hosts, built here.
 */
async function startSeedLab(): Promise<{ hosts: LabHostInfo[]; close(): Promise<void> }> {
  if (SEED_HOSTS <= 64 && SEED_VMS_PER_HOST <= 500) return startLab({ hosts: SEED_HOSTS, vmsPerHost: SEED_VMS_PER_HOST, seed: 5, clusters: 4 });
  const { SimHost } = await import('../test/lab/host');
  const { generateLabModel } = await import('../test/lab/model');
  const { installAgentSimulation } = await import('../test/lab/agent');
  const credentials = { username: 'Administrator', password: 'Lab-Passw0rd!' };
  const model = generateLabModel({ hosts: SEED_HOSTS, vmsPerHost: SEED_VMS_PER_HOST, seed: 5, clusters: Math.max(4, Math.ceil(SEED_HOSTS / 16)) });
  const sims = model.hosts.map((m, i) => new SimHost({ model: m, credentials, allowUnencrypted: false, seed: 5000 + i }));
  const close = () => Promise.all(sims.map((s) => s.close())).then(() => undefined);
  try {
    for (const sim of sims) {
      installAgentSimulation(sim);
      await sim.listen();
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { hosts: sims.map((sim) => ({ name: sim.name, cluster: sim.model.cluster, httpUrl: sim.httpUrl, ...credentials })), close };
}

function countBy(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

