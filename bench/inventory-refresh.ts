/**
 * Full-refresh benchmark of the inventory backend: N lab hosts × M VMs over NTLM-sealed WinRM,
 * through the real inventory service (scheduler, RemoteHosts, agent client, parser, SQLite store).
 *
 * Three processes, as in use: the lab hosts run in one child process, the backend in another
 * (settings, secrets, hub, notifications, scheduler, RemoteHosts and the inventory service, started
 * the way the composition root starts them), and this process only orchestrates. So `rss_mb` is
 * the backend process alone, holding every VM, and the lab never competes with it for a core
 * more than a real fleet would compete for the network.
 *
 * `npx tsx bench/inventory-refresh.ts [hosts] [vmsPerHost]` prints one JSON line;
 * bench/inventory.ts imports `measureFullRefresh`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { build } from 'esbuild';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LabHostInfo } from '../test/lab';
import { tempDir } from '../test/support/temp';
import { configureHosts } from '../test/inventory/support/harness';
import { AGENT_VERSION, APP_VERSION } from '../src/main/version';
import type { BackendRefreshFigures } from './inventory-backend';

const INSTALL_DIR = 'C:\\ProgramData\\Aether-V\\agent';
const SELF = fileURLToPath(import.meta.url);
const HERE = path.dirname(SELF);
const TSX = path.join(HERE, '..', 'node_modules', '.bin', 'tsx');

export type FullRefreshResult = BackendRefreshFigures;

/** Lab child: start the lab hosts, print their addresses as JSON lines, run until stdin closes. */
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

/**
 * Bundles bench/inventory-backend.ts (with src/main) into one file, packages left external, so
 * the backend child runs bundled code on plain Node like the app's main process does.
 */
async function bundleBackend(outDir: string): Promise<string> {
  const outfile = path.join(outDir, 'inventory-backend.mjs');
  await build({
    entryPoints: [path.join(HERE, 'inventory-backend.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    packages: 'external',
    outfile,
    // Bundled code resolves package.json and agent/ relative to itself: build next to the repo.
    define: { __APP_VERSION__: JSON.stringify(APP_VERSION), __AGENT_VERSION__: JSON.stringify(AGENT_VERSION) },
    logLevel: 'warning',
  });
  return outfile;
}

/** Feeds the child's stdout lines to `onLine` until `until(line)` holds; rejects if it exits first. */
function readLines(child: ChildProcess, what: string, onLine: (line: string) => void, until: (line: string) => boolean): Promise<void> {
  const lines = createInterface({ input: child.stdout! });
  return new Promise<void>((resolve, reject) => {
    const early = (code: number | null) => reject(new Error(`${what} exited before it finished (code ${code})`));
    child.once('exit', early);
    lines.on('line', (line) => {
      onLine(line);
      if (until(line)) {
        child.off('exit', early);
        resolve();
      }
    });
  });
}

async function startLabChild(hosts: number, vmsPerHost: number): Promise<{ infos: LabHostInfo[]; stop(): void }> {
  const child = spawn(TSX, [SELF, '--lab-child', String(hosts), String(vmsPerHost)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const infos: LabHostInfo[] = [];
  await readLines(
    child,
    'the lab child',
    (line) => line.startsWith('{') && infos.push(JSON.parse(line) as LabHostInfo),
    (line) => line === 'READY',
  );
  return { infos, stop: () => child.stdin!.end() };
}

async function runBackend(dataDir: string, bundle: string): Promise<FullRefreshResult> {
  // Node 24 from the `node` devDependency (this process already runs on it).
  const child = spawn(process.execPath, [...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []), bundle, dataDir], { stdio: ['ignore', 'pipe', 'inherit'], cwd: path.join(HERE, '..') });
  let result: FullRefreshResult | undefined;
  await readLines(
    child,
    'the backend child',
    (line) => {
      if (line.startsWith('RESULT ')) result = JSON.parse(line.slice('RESULT '.length)) as FullRefreshResult;
    },
    (line) => line.startsWith('RESULT '),
  );
  return result!;
}

export async function measureFullRefresh(options: { hosts?: number; vmsPerHost?: number } = {}): Promise<FullRefreshResult> {
  const lab = await startLabChild(options.hosts ?? 500, options.vmsPerHost ?? 20);
  const temp = tempDir('aetherv-bench-inventory-');
  const bundleDir = mkdtempSync(path.join(HERE, '..', 'node_modules', '.cache-bench-'));
  try {
    const bundle = await bundleBackend(bundleDir);
    await configureHosts(temp.dir, lab.infos);
    return await runBackend(temp.dir, bundle);
  } finally {
    lab.stop();
    temp.cleanup();
    rmSync(bundleDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === SELF) {
  if (process.argv[2] === '--lab-child') {
    await runLabChild(Number(process.argv[3]), Number(process.argv[4]));
  } else {
    const result = await measureFullRefresh({ hosts: Number(process.argv[2] ?? 500), vmsPerHost: Number(process.argv[3] ?? 20) });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  }
}
