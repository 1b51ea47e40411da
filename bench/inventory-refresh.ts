/**
 * Full-refresh benchmark of the inventory backend: N lab hosts × M VMs over NTLM-sealed WinRM,
 * through the real inventory service (scheduler, RemoteHosts, agent client, parser, SQLite store).
 *
 * The lab runs in a child process so `rss_mb` is the backend's own memory holding every VM.
 * `npx tsx bench/inventory-refresh.ts [hosts] [vmsPerHost]` prints one JSON line;
 * bench/inventory.ts imports `measureFullRefresh`.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LabHostInfo } from '../test/lab';
import { tempDir } from '../test/support/temp';
import { configureHosts, startHarness } from '../test/inventory/support/harness';

const INSTALL_DIR = 'C:\\ProgramData\\Aether-V\\agent';
const SELF = fileURLToPath(import.meta.url);

export interface FullRefreshResult {
  refresh_hosts: number;
  refresh_vms: number;
  full_refresh_s: number;
  /** A second full refresh with warm connections and an unchanged inventory (nothing written). */
  warm_refresh_s: number;
  rss_mb: number;
  /** RSS of this process before the service started (tsx, test support, the configured hosts). */
  rss_before_mb: number;
  failed_hosts: number;
}

/** Child side: start the lab hosts, print their addresses as JSON lines, run until stdin closes. */
async function runLabChild(hosts: number, vmsPerHost: number): Promise<void> {
  const { SimHost } = await import('../test/lab/host');
  const { generateLabModel } = await import('../test/lab/model');
  const { installAgentSimulation } = await import('../test/lab/agent');
  const credentials = { username: 'Administrator', password: 'Lab-Passw0rd!' };
  const model = generateLabModel({ hosts, vmsPerHost, seed: 1, clusters: Math.ceil(hosts / 16) });
  const sims = model.hosts.map((m, i) => new SimHost({ model: m, credentials, allowUnencrypted: false, seed: 1000 + i }));
  for (const sim of sims) {
    installAgentSimulation(sim);
    sim.files.put(`${INSTALL_DIR}\\Invoke-AgentOperation.ps1`, Buffer.from('# agent'));
    await sim.listen();
    const info: LabHostInfo = { name: sim.name, cluster: sim.model.cluster, httpUrl: sim.httpUrl, ...credentials };
    process.stdout.write(`${JSON.stringify(info)}\n`);
  }
  process.stdout.write('READY\n');
  process.stdin.resume();
  process.stdin.on('end', () => void Promise.all(sims.map((s) => s.close())).then(() => process.exit(0)));
}

async function startLabChild(hosts: number, vmsPerHost: number): Promise<{ infos: LabHostInfo[]; stop(): void }> {
  const tsx = path.join(path.dirname(SELF), '..', 'node_modules', '.bin', 'tsx');
  const child = spawn(tsx, [SELF, '--lab-child', String(hosts), String(vmsPerHost)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const infos: LabHostInfo[] = [];
  const lines = createInterface({ input: child.stdout! });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`lab child exited early (code ${code})`)));
    lines.on('line', (line) => {
      if (line === 'READY') resolve();
      else if (line.startsWith('{')) infos.push(JSON.parse(line) as LabHostInfo);
    });
  });
  child.removeAllListeners('exit');
  return { infos, stop: () => child.stdin!.end() };
}

export async function measureFullRefresh(options: { hosts?: number; vmsPerHost?: number } = {}): Promise<FullRefreshResult> {
  const hosts = options.hosts ?? 500;
  const vmsPerHost = options.vmsPerHost ?? 20;
  const lab = await startLabChild(hosts, vmsPerHost);
  const temp = tempDir('aetherv-bench-inventory-');
  try {
    await configureHosts(temp.dir, lab.infos);
    const started = performance.now();
    // AETHERV_BENCH_INVENTORY_LANE=<n> starts the INVENTORY lane at n slots (an experiment; the
    // app uses the scheduler's defaults, which is what the reported figures measure by default).
    const lane = Number(process.env.AETHERV_BENCH_INVENTORY_LANE ?? 0);
    const scheduler = lane > 0 ? { lanes: { INVENTORY: { concurrency: lane, maxConcurrency: Math.max(lane, 16) } } } : {};
    const rssBefore = process.memoryUsage().rss / 2 ** 20;
    const h = await startHarness(temp.dir, { backgroundLoops: false }, scheduler);
    await h.api.initialRefresh;
    const fullRefreshS = (performance.now() - started) / 1000;
    const warmStart = performance.now();
    await h.api.refresh();
    const warmRefreshS = (performance.now() - warmStart) / 1000;
    const snapshot = h.api.snapshot();
    global.gc?.();
    const rssMb = process.memoryUsage().rss / 2 ** 20;
    const result: FullRefreshResult = {
      refresh_hosts: snapshot.hosts.filter((x) => x.sync.state === 'fresh').length,
      refresh_vms: snapshot.vms.length,
      full_refresh_s: Number(fullRefreshS.toFixed(2)),
      warm_refresh_s: Number(warmRefreshS.toFixed(2)),
      rss_mb: Math.round(rssMb),
      rss_before_mb: Math.round(rssBefore),
      failed_hosts: snapshot.hosts.filter((x) => x.sync.state === 'error').length,
    };
    await h.close();
    return result;
  } finally {
    lab.stop();
    temp.cleanup();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === SELF) {
  if (process.argv[2] === '--lab-child') {
    await runLabChild(Number(process.argv[3]), Number(process.argv[4]));
  } else {
    const hosts = Number(process.argv[2] ?? 500);
    const vmsPerHost = Number(process.argv[3] ?? 20);
    const result = await measureFullRefresh({ hosts, vmsPerHost });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  }
}
