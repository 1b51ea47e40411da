import { isIP, Socket } from 'node:net';

export type ConnectOutcome = 'open' | 'closed';

/** One TCP connect attempt; tests inject their own to record every target. */
export type ConnectFn = (address: string, port: number, timeoutMs: number) => Promise<ConnectOutcome>;

/**
 * open when the three-way handshake completes within `timeoutMs`; closed when it is refused, times
 * out or fails otherwise. The socket is destroyed at once: nothing is sent to the guest.
 */
export const tcpConnect: ConnectFn = (address, port, timeoutMs) =>
  new Promise((resolve) => {
    const socket = new Socket();
    let settled = false;
    const finish = (outcome: ConnectOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    // A timer rather than socket.setTimeout: that one measures idleness and starts only once
    // the connect is under way; this one bounds the whole attempt.
    const timer = setTimeout(() => finish('closed'), timeoutMs);
    socket.once('error', () => finish('closed'));
    socket.connect({ host: address, port, family: isIP(address) }, () => finish('open'));
  });

const MAX_TARGETS_PER_VM = 8;

/**
 * The addresses of a VM worth probing, in the order its host reported them: IPv4 and IPv6 only
 * (anything else is not an address and is never handed to a socket), without link-local
 * (fe80::/10, 169.254.0.0/16: they need an interface and lead nowhere from this workstation),
 * unspecified, multicast or broadcast ones, and at most eight.
 */
export function probeTargets(addresses: readonly string[]): string[] {
  const targets: string[] = [];
  for (const raw of addresses) {
    const address = raw.trim();
    const family = isIP(address);
    if (family === 4 ? !usableV4(address) : family === 6 ? !usableV6(address) : true) continue;
    if (!targets.includes(address)) targets.push(address);
    if (targets.length === MAX_TARGETS_PER_VM) break;
  }
  return targets;
}

function usableV4(address: string): boolean {
  const [a, b] = address.split('.').map(Number) as [number, number];
  if (a === 0 || (a === 169 && b === 254) || a >= 224) return false;
  return true;
}

function usableV6(address: string): boolean {
  const lower = address.toLowerCase();
  if (lower === '::' || /^fe[89ab]/.test(lower) || lower.startsWith('ff')) return false;
  // A zone index (fe80::1%eth0) is link-scoped by definition.
  return !lower.includes('%');
}

/** True for 127.0.0.0/8 and ::1: what tests and the demo may ever probe. */
export function isLoopbackAddress(address: string): boolean {
  if (isIP(address) === 4) return address.startsWith('127.');
  return address === '::1' || /^::ffff:127\./i.test(address);
}
