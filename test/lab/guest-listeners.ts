/**
 * The lab's guests answering RDP and SSH: TCP listeners on some Running VMs' loopback addresses, so
 * the app's reachability probes find open, closed and silent (dropped) ports without leaving this
 * machine. Which VMs listen is a pure function of the model (guestListenerPlan), bounded in count.
 */
import { createServer, Socket, type Server } from 'node:net';
import { Worker } from 'node:worker_threads';
import { isLoopbackV4 } from './model/addresses';
import type { SimHostModel, SimVm } from './model/types';

export type GuestService = 'rdp' | 'ssh';

/**
 * open: accepts (SSH sends its banner); closed: nothing listens, the connect is refused at once;
 * silent: the port's accept queue is full and never drained, so a connect hangs like one a
 * firewall drops, and the prober's timeout decides.
 */
export type GuestListenerKind = 'open' | 'silent';

export interface GuestListenerSpec {
  hostName: string;
  vmId: string;
  vmName: string;
  service: GuestService;
  kind: GuestListenerKind;
  address: string;
}

export interface GuestListenerOptions {
  /** Port for RDP listeners; 0 picks a free one (the first listener's) and reports it. Default 0. */
  rdpPort?: number;
  /** Port for SSH listeners; 0 picks a free one. Default 0. */
  sshPort?: number;
  /** Listeners at most (open + silent); the rest of the VMs answer "closed". Default 64. */
  max?: number;
  /** Silent ports at most (each holds a worker thread). Default 2. */
  maxSilent?: number;
}

export interface GuestListeners {
  rdpPort: number;
  sshPort: number;
  /** What listens, as bound (a spec whose address could not be bound is left out and named in `skipped`). */
  listening: GuestListenerSpec[];
  skipped: { spec: GuestListenerSpec; reason: string }[];
  /** Connections accepted by the open listeners so far. */
  accepted(): number;
  close(): Promise<void>;
}

const SERVICE_OF_FAMILY: Record<string, GuestService> = { windows: 'rdp', linux: 'ssh' };

/**
 * Running Windows VMs listen for RDP, Running Linux VMs for SSH, on their last reported loopback
 * address (a VM with two addresses is then reachable only on its second: "first reachable" is not
 * just "first"). Every 5th such VM listens on nothing (a guest firewall: closed), every 7th is
 * silent while `maxSilent` lasts. Off, saved and paused VMs never listen.
 */
export function guestListenerPlan(hosts: readonly SimHostModel[], options: GuestListenerOptions = {}): GuestListenerSpec[] {
  const max = options.max ?? 64;
  let silentLeft = options.maxSilent ?? 2;
  const plan: GuestListenerSpec[] = [];
  let eligible = 0;
  for (const host of hosts) {
    for (const vm of host.vms) {
      if (plan.length >= max) return plan;
      const service = listensFor(vm);
      const address = [...vm.ipAddresses].reverse().find(isLoopbackV4);
      if (!service || !address) continue;
      eligible++;
      if (eligible % 5 === 0) continue;
      const silent = eligible % 7 === 0 && silentLeft > 0;
      if (silent) silentLeft--;
      plan.push({ hostName: host.name, vmId: vm.id, vmName: vm.name, service, kind: silent ? 'silent' : 'open', address });
    }
  }
  return plan;
}

function listensFor(vm: SimVm): GuestService | undefined {
  if (vm.state !== 'Running' || !vm.osFamily) return undefined;
  return SERVICE_OF_FAMILY[vm.osFamily];
}

export async function startGuestListeners(hosts: readonly SimHostModel[], options: GuestListenerOptions = {}): Promise<GuestListeners> {
  const plan = guestListenerPlan(hosts, options);
  const ports: Record<GuestService, number> = { rdp: options.rdpPort ?? 0, ssh: options.sshPort ?? 0 };
  const servers: Server[] = [];
  const sockets = new Set<Socket>();
  const listening: GuestListenerSpec[] = [];
  const skipped: GuestListeners['skipped'] = [];
  let accepted = 0;

  const open = plan.filter((s) => s.kind === 'open');
  for (const spec of open) {
    const server = createServer((socket) => {
      accepted++;
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
      // An SSH server speaks first; an RDP server waits for the client's request.
      if (spec.service === 'ssh') socket.write('SSH-2.0-AetherV_Lab\r\n');
      socket.setTimeout(5_000, () => socket.destroy());
    });
    try {
      ports[spec.service] = await listen(server, spec.address, ports[spec.service]);
      servers.push(server);
      listening.push(spec);
    } catch (error) {
      skipped.push({ spec, reason: (error as Error).message });
    }
  }

  const silentSpecs: GuestListenerSpec[] = [];
  for (const spec of plan.filter((s) => s.kind === 'silent')) {
    try {
      // No open listener chose the port yet: take one that is free on this address.
      if (ports[spec.service] === 0) ports[spec.service] = await freePort(spec.address);
      silentSpecs.push(spec);
    } catch (error) {
      skipped.push({ spec, reason: (error as Error).message });
    }
  }
  const silent = silentSpecs.length ? await startSilentPorts(silentSpecs.map((s) => ({ address: s.address, port: ports[s.service] }))) : undefined;
  silentSpecs.forEach((spec, i) => {
    const problem = silent?.problems[i];
    if (problem) skipped.push({ spec, reason: problem });
    else listening.push(spec);
  });

  return {
    rdpPort: ports.rdp,
    sshPort: ports.ssh,
    listening,
    skipped,
    accepted: () => accepted,
    async close() {
      for (const socket of sockets) socket.destroy();
      await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
      await silent?.close();
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

async function freePort(host: string): Promise<number> {
  const probe = createServer();
  const port = await listen(probe, host, 0);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/**
 * Silent ports: listening sockets whose accept queue (backlog 1) is filled and never drained. They
 * live in a worker thread that blocks (Atomics.wait) once they listen, so nothing ever accepts;
 * the kernel then drops further SYNs, and a connect hangs until the client gives up.
 */
const SILENT_WORKER = `
const { workerData, parentPort } = require('node:worker_threads');
const net = require('node:net');
const { targets, flag } = workerData;
const servers = [];
const problems = [];
let pending = targets.length;
const done = () => {
  if (--pending > 0) return;
  parentPort.postMessage({ problems });
  // Block this thread's event loop: its listening sockets are never accepted from again.
  Atomics.wait(flag, 0, 0);
  for (const s of servers) s.close();
  process.exit(0);
};
targets.forEach((t, i) => {
  const server = net.createServer();
  server.once('error', (e) => { problems[i] = e.message; done(); });
  server.listen({ host: t.address, port: t.port, backlog: 1, exclusive: true }, () => { servers.push(server); problems[i] = null; done(); });
});
`;

export async function startSilentPorts(targets: { address: string; port: number }[]): Promise<{ problems: (string | null)[]; close(): Promise<void> }> {
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(SILENT_WORKER, { eval: true, workerData: { targets, flag } });
  const { problems } = await new Promise<{ problems: (string | null)[] }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  // Fill each accept queue (backlog 1 holds two finished handshakes on Linux); these connects
  // complete, the next ones hang.
  const fillers: Socket[] = [];
  await Promise.all(
    targets.flatMap((t, i) =>
      problems[i]
        ? []
        : [0, 1].map(
            () =>
              new Promise<void>((resolve) => {
                const socket = new Socket();
                fillers.push(socket);
                socket.on('error', () => resolve());
                socket.setTimeout(500, () => resolve());
                socket.connect({ host: t.address, port: t.port }, () => resolve());
              }),
          ),
    ),
  );
  return {
    problems,
    async close() {
      for (const socket of fillers) socket.destroy();
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => void worker.terminate().then(() => resolve()), 2_000);
        worker.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
