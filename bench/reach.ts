/**
 * bench:reach — RDP/SSH reachability of 1,000 lab VMs probed from this machine against the lab's
 * guest listeners (open, closed, and silent ones that exercise the connect timeout), with the
 * default concurrency and timeout. One JSON line; exits non-zero if any probe targeted an address
 * that is not loopback or not a VM's reported address, or the concurrency bound was exceeded.
 *
 *   npm run bench:reach [-- --vms 1000 --concurrency 32 --timeout-ms 1500]
 */
import os from 'node:os';
import { DEFAULT_SETTINGS, type ReachabilitySettings } from '../src/shared/contract';
import { isLoopbackAddress, ReachabilityProber, tcpConnect, type ConnectFn } from '../src/main/reachability';
import { generateLabModel } from '../test/lab/model';
import { startGuestListeners } from '../test/lab/guest-listeners';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const vmsTotal = arg('vms', 1_000);
const hosts = 4;
const model = generateLabModel({ hosts, vmsPerHost: Math.ceil(vmsTotal / hosts), seed: 1, clusters: 0 });
const vms = model.hosts.flatMap((h) => h.vms.map((vm) => ({ key: `${h.name}:${vm.id}`, state: vm.state, ipAddresses: vm.ipAddresses })));
const guests = await startGuestListeners(model.hosts, { max: 400, maxSilent: 24 });

const settings: ReachabilitySettings = {
  ...DEFAULT_SETTINGS.reachability,
  rdpPort: guests.rdpPort,
  sshPort: guests.sshPort,
  concurrency: arg('concurrency', DEFAULT_SETTINGS.reachability.concurrency),
  timeoutMs: arg('timeout-ms', DEFAULT_SETTINGS.reachability.timeoutMs),
};
const reported = new Set(vms.flatMap((v) => v.ipAddresses));
const strays: string[] = [];
let inFlight = 0;
let maxInFlight = 0;
const connect: ConnectFn = async (address, port, timeoutMs) => {
  if (!isLoopbackAddress(address) || !reported.has(address)) strays.push(address);
  maxInFlight = Math.max(maxInFlight, ++inFlight);
  try {
    return await tcpConnect(address, port, timeoutMs);
  } finally {
    inFlight--;
  }
};

const prober = new ReachabilityProber({ settings: () => settings, publish: () => undefined, connect, tickMs: 3_600_000 });
const started = performance.now();
prober.reset(vms);
await prober.idle();
const durationMs = Math.round(performance.now() - started);
const results = prober.snapshot();
prober.close();
await guests.close();

const figures = {
  bench: 'reach',
  vms: vms.length,
  running_with_address: vms.filter((v) => v.state === 'Running' && v.ipAddresses.length).length,
  probes: prober.stats().probes,
  duration_ms: durationMs,
  concurrency: settings.concurrency,
  max_sockets_at_once: maxInFlight,
  timeout_ms: settings.timeoutMs,
  listeners_open: guests.listening.filter((s) => s.kind === 'open').length,
  listeners_silent: guests.listening.filter((s) => s.kind === 'silent').length,
  listeners_skipped: guests.skipped.length,
  rdp_open: results.filter((r) => r.rdp === 'open').length,
  ssh_open: results.filter((r) => r.ssh === 'open').length,
  non_loopback_or_unreported_targets: strays.length,
  cores: os.availableParallelism(),
};
console.log(JSON.stringify(figures));
const failures = [
  ...(strays.length ? [`${strays.length} probes targeted addresses no VM reported or outside 127.0.0.0/8: ${[...new Set(strays)].slice(0, 5).join(', ')}`] : []),
  ...(maxInFlight > settings.concurrency ? [`${maxInFlight} sockets were open at once, above the concurrency bound ${settings.concurrency}`] : []),
  ...(figures.listeners_open + figures.listeners_silent === 0 || figures.rdp_open + figures.ssh_open !== figures.listeners_open ? [`found ${figures.rdp_open + figures.ssh_open} open ports, the lab has ${figures.listeners_open} open listeners`] : []),
];
for (const failure of failures) console.error(`bench:reach failed: ${failure}`);
process.exit(failures.length ? 1 : 0);
