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
 * `npx tsx bench/inventory-refresh.ts [hosts] [vmsPerHost] [roundTripMs] [agentRunMs]` prints one JSON line;
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

export type FullRefreshResult = BackendRefreshFigures & {
  /** The most commands any lab host ran at once during the run (the per-host cap, seen by the hosts). */
  lab_max_commands_per_host: number | null;
};

/**
 * How the lab hosts behave like real ones (every host the same): `roundTripMs` delays each HTTP
 * response (the network round trip, lab knob latencyMs) and `agentRunMs` is how long each agent
 * inventory operation runs on the host (full and quick; inventory knob delayMs), during which the
 * client's Receive long-polls as on Windows.
 */
export interface LabLatency {
  roundTripMs: number;
  agentRunMs: number;
}

export const NO_LATENCY: LabLatency = { roundTripMs: 0, agentRunMs: 0 };
/** What the issue calls real hosts: 20 ms round trips plus 2 s per agent run. */
export const REAL_HOST_LATENCY: LabLatency = { roundTripMs: 20, agentRunMs: 2000 };

export interface FullRefreshOptions {
  hosts?: number;
  vmsPerHost?: number;
  latency?: LabLatency;
  /** Keep the backend's data directory (its inventory.db) for later measurements; the caller removes it. */
  keepDataDir?: string;
  /** Lab child processes the hosts are spread over (one Node process may not serve thousands of hosts fast enough). */
  labProcesses?: number;
}

/** Lab child: start the lab hosts, print their addresses as JSON lines, run until stdin closes. */
async function runLabChild(hosts: number, vmsPerHost: number, latency: LabLatency, part: number, parts: number): Promise<void> {
  const { SimHost } = await import('../test/lab/host');
  const { generateLabModel } = await import('../test/lab/model');
  const { installAgentSimulation } = await import('../test/lab/agent');
  const { setInventoryKnobs } = await import('../test/lab/agent/inventory');
  const credentials = { username: 'Administrator', password: 'Lab-Passw0rd!' };
  // Every child generates the same fleet (same seed) and serves its share, so names and clusters
  // do not depend on how many processes serve them.
  const model = generateLabModel({ hosts, vmsPerHost, seed: 1, clusters: Math.ceil(hosts / 16) });
  const sims = model.hosts.flatMap((m, i) => (i % parts === part ? [new SimHost({ model: m, credentials, allowUnencrypted: false, seed: 1000 + i })] : []));
  for (const sim of sims) {
    installAgentSimulation(sim);
    sim.files.put(`${INSTALL_DIR}\\Invoke-AgentOperation.ps1`, Buffer.from('# agent'));
    await sim.setKnobs({ latencyMs: latency.roundTripMs });
    setInventoryKnobs(sim, { delayMs: latency.agentRunMs });
    await sim.listen();
    const info: LabHostInfo = { name: sim.name, cluster: sim.model.cluster, httpUrl: sim.httpUrl, ...credentials };
    process.stdout.write(`${JSON.stringify(info)}\n`);
  }
  process.stdout.write('READY\n');
  process.stdin.resume();
  // Before it exits, the lab says the most commands any one host ran at once: the per-host cap as
  // the hosts saw it (the scheduler's INVENTORY hostLimit), measured where a host would feel it.
  process.stdin.on('end', () => {
    process.stdout.write(`MAXCMD ${Math.max(0, ...sims.map((s) => s.stats.maxConcurrentCommands))}\n`);
    void Promise.all(sims.map((s) => s.close())).then(() => process.exit(0));
  });
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

interface LabHandle {
  infos: LabHostInfo[];
  /** Shuts the lab; resolves with the most commands one host ran at once (null if not told). */
  stop(): Promise<number | null>;
}

/** One lab child serving every `parts`-th host starting at `part`. */
async function startLabChild(hosts: number, vmsPerHost: number, latency: LabLatency, part: number, parts: number): Promise<LabHandle> {
  const child = spawn(TSX, [SELF, '--lab-child', String(hosts), String(vmsPerHost), JSON.stringify(latency), String(part), String(parts)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const infos: LabHostInfo[] = [];
  await readLines(
    child,
    'the lab child',
    (line) => line.startsWith('{') && infos.push(JSON.parse(line) as LabHostInfo),
    (line) => line === 'READY',
  );
  let maxCommands: number | null = null;
  child.stdout!.on('data', (chunk: Buffer) => {
    const match = /MAXCMD (\d+)/.exec(chunk.toString());
    if (match) maxCommands = Number(match[1]);
  });
  const exited = new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
  return {
    infos,
    stop: async () => {
      child.stdin!.end();
      await exited;
      return maxCommands;
    },
  };
}

/** The lab over `parts` child processes; hosts listed in the fleet's order. */
async function startLab(hosts: number, vmsPerHost: number, latency: LabLatency, parts: number): Promise<LabHandle> {
  const started = await Promise.allSettled(Array.from({ length: parts }, (_, part) => startLabChild(hosts, vmsPerHost, latency, part, parts)));
  const labs = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const stop = async () => {
    const maxima = await Promise.all(labs.map((l) => l.stop()));
    return maxima.some((m) => m === null) ? null : Math.max(0, ...(maxima as number[]));
  };
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    await stop();
    throw (failed as PromiseRejectedResult).reason;
  }
  const infos = labs.flatMap((l) => l.infos).sort((a, b) => a.name.localeCompare(b.name));
  return { infos, stop };
}

async function runBackend(dataDir: string, bundle: string, expectedHosts: number): Promise<BackendRefreshFigures> {
  // Node 24 from the `node` devDependency (this process already runs on it).
  const child = spawn(process.execPath, [...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []), bundle, dataDir, String(expectedHosts)], { stdio: ['ignore', 'pipe', 'inherit'], cwd: path.join(HERE, '..') });
  let result: BackendRefreshFigures | undefined;
  await readLines(
    child,
    'the backend child',
    (line) => {
      if (line.startsWith('RESULT ')) result = JSON.parse(line.slice('RESULT '.length)) as BackendRefreshFigures;
    },
    (line) => line.startsWith('RESULT '),
  );
  return result!;
}

/**
 * Starts the lab (N hosts × M VMs, `latency` on every host) and a backend on an empty data
 * directory listing them, and returns the backend's figures. `failed_hosts` counts every configured
 * host that did not end fresh (failed, never contacted, deferred, preparing), so a run is whole
 * only when it is 0.
 */
export async function measureFullRefresh(options: FullRefreshOptions = {}): Promise<FullRefreshResult> {
  const hosts = options.hosts ?? 500;
  const lab = await startLab(hosts, options.vmsPerHost ?? 20, options.latency ?? NO_LATENCY, options.labProcesses ?? 1);
  const temp = options.keepDataDir ? { dir: options.keepDataDir, cleanup: () => undefined } : tempDir('aetherv-bench-inventory-');
  const bundleDir = mkdtempSync(path.join(HERE, '..', 'node_modules', '.cache-bench-'));
  let stopped = false;
  try {
    if (lab.infos.length !== hosts) throw new Error(`the lab started ${lab.infos.length} of ${hosts} hosts`);
    const bundle = await bundleBackend(bundleDir);
    await configureHosts(temp.dir, lab.infos);
    const figures = await runBackend(temp.dir, bundle, hosts);
    const maxCommands = await lab.stop();
    stopped = true;
    return { ...figures, lab_max_commands_per_host: maxCommands };
  } finally {
    if (!stopped) await lab.stop();
    temp.cleanup();
    rmSync(bundleDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === SELF) {
  if (process.argv[2] === '--lab-child') {
    await runLabChild(Number(process.argv[3]), Number(process.argv[4]), JSON.parse(process.argv[5]!) as LabLatency, Number(process.argv[6] ?? 0), Number(process.argv[7] ?? 1));
  } else {
    // `[hosts] [vmsPerHost] [roundTripMs] [agentRunMs]`
    const latency: LabLatency = { roundTripMs: Number(process.argv[4] ?? 0), agentRunMs: Number(process.argv[5] ?? 0) };
    const result = await measureFullRefresh({ hosts: Number(process.argv[2] ?? 500), vmsPerHost: Number(process.argv[3] ?? 20), latency });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(result.failed_hosts === 0 ? 0 : 1);
  }
}
