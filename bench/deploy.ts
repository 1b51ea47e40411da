/**
 * bench:deploy — deploys the agent to 50 fresh lab hosts through the real backend (artifact
 * server on 127.0.0.1, NTLM-sealed WinRM, the DEPLOYMENT lane) and prints one JSON line last.
 * A host's time runs from its first state change (check queued) to ready, so it includes waiting
 * for a lane slot; `p50_install_s` is the installer command alone (from its scheduler start).
 * `cap` is the DEPLOYMENT lane's maximum concurrency; `max_concurrent_seen` counts installer runs
 * in flight at once across the lab; `per_host_max_seen` is the most commands one host ran at once.
 */
import { createHash } from 'node:crypto';
import type { DeploymentApi, HostReadiness } from '../src/main/deployment';
import { buildAgentManifest } from '../src/main/deployment/manifest';
import { resolveAgentDir } from '../src/main/deployment/scripts';
import { DEFAULT_SCHEDULER_CONFIG } from '../src/main/tasks';
import { labDeployConcurrency } from '../test/lab/deploy';
import { INSTALL_DIR, startDeployLab } from '../test/deployment/support';

const HOSTS = Number(process.env.BENCH_HOSTS ?? 50);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  const manifest = await buildAgentManifest(resolveAgentDir());
  labDeployConcurrency.max = 0;
  let started = 0;
  const firstSeen = new Map<string, number>();
  const readyAt = new Map<string, number>();
  let off: (() => void) | undefined;
  const fx = await startDeployLab({
    hosts: HOSTS,
    prepare: (_lab, backend) => {
      const api = backend.modules.get('deployment')!.api as DeploymentApi;
      off = api.onChange((hostId: string, readiness: HostReadiness) => {
        const now = performance.now();
        if (!firstSeen.has(hostId)) firstSeen.set(hostId, now);
        if (readiness.state === 'ready' && !readyAt.has(hostId)) readyAt.set(hostId, now);
      });
      // The clock starts when the first host is added (lab and backend startup are not counted).
      started = performance.now();
    },
  });
  const status = await fx.settled(300_000);
  const total_s = (performance.now() - started) / 1000;
  off?.();

  let verified = 0;
  for (const info of fx.lab.hosts) {
    const host = fx.lab.host(info.name);
    const ok = manifest.files.every((f) => {
      const content = host.files.get(`${INSTALL_DIR}\\${f.name}`);
      return content !== undefined && createHash('sha256').update(content).digest('hex') === f.sha256;
    });
    if (ok) verified++;
  }
  const durations = [...readyAt.entries()]
    .map(([id, at]) => (at - (firstSeen.get(id) ?? started)) / 1000)
    .sort((a, b) => a - b);
  const installs = status.hosts.map((h) => (h.lastDurationMs ?? 0) / 1000).sort((a, b) => a - b);
  const perHostMax = Math.max(...fx.lab.hosts.map((h) => fx.lab.host(h.name).stats.maxConcurrentCommands));
  const lane = DEFAULT_SCHEDULER_CONFIG.lanes.DEPLOYMENT;
  const cap = lane.maxConcurrency;
  const hostCap = lane.hostLimit ?? DEFAULT_SCHEDULER_CONFIG.hostConcurrency;
  await fx.close();

  const result = {
    hosts: HOSTS,
    verified_hosts: verified,
    ready_hosts: status.summary.ready,
    failed_hosts: status.summary.failed,
    files_per_host: manifest.files.length,
    total_s: Math.round(total_s * 100) / 100,
    p50_host_s: Math.round(percentile(durations, 50) * 1000) / 1000,
    p95_host_s: Math.round(percentile(durations, 95) * 1000) / 1000,
    p50_install_s: Math.round(percentile(installs, 50) * 1000) / 1000,
    cap,
    max_concurrent_seen: labDeployConcurrency.max,
    per_host_cap: hostCap,
    per_host_max_seen: perHostMax,
    cap_exceeded: labDeployConcurrency.max > cap || perHostMax > hostCap,
  };
  process.stdout.write(
    `deployed agent ${manifest.agentVersion} (${manifest.files.length} files) to ${HOSTS} lab hosts\n`,
  );
  process.stdout.write(JSON.stringify(result) + '\n');
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench:deploy failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
