/**
 * The artifact server's exposure: which address it listens on (only the one hosts use) and how
 * refused requests reach the log (at a bounded rate). See artifact-server.ts for why.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { ArtifactLogEvent } from './artifact-server';

export const WILDCARDS: ReadonlySet<string> = new Set(['0.0.0.0', '::']);

/** Every address of this workstation (loopback: the whole 127.0.0.0/8 and ::1). */
function isLocalAddress(address: string): boolean {
  if (isIP(address) === 4 && address.startsWith('127.')) return true;
  if (address === '::1') return true;
  return Object.values(networkInterfaces()).some((list) => (list ?? []).some((a) => a.address === address));
}

/**
 * Where to listen: a specific bind address as set; a wildcard narrowed to the advertised host's
 * address when that is an address of this workstation (an IP, or a name resolving to one). When
 * hosts reach us through an address we do not own (NAT, a port forward), the wildcard stays and
 * the reason is returned for the log.
 */
export async function chooseListenAddress(host: string, advertisedHost: string): Promise<{ address: string; reason: string }> {
  if (!WILDCARDS.has(host)) return { address: host, reason: 'the bind address setting' };
  const bare = advertisedHost.replace(/^\[|\]$/g, '');
  let candidates: string[] = [];
  if (isIP(bare)) candidates = [bare];
  else {
    try {
      candidates = (await lookup(bare, { all: true })).map((a) => a.address);
    } catch {
      candidates = [];
    }
  }
  const local = candidates.find(isLocalAddress);
  if (local) return { address: local, reason: `the address hosts use (${advertisedHost})` };
  return {
    address: host,
    reason: `${advertisedHost} is not an address of this workstation (NAT or port forward?), so listening on all addresses; set artifactServer.bindAddress to narrow it`,
  };
}

/**
 * Logs refused requests at most once per interval: the first at once, later ones counted and
 * reported in one line with the next refusal (or when the interval ends), so a scanner hammering
 * the port costs a line per interval, not a line per request.
 */
export function refusalLogger(log: (event: ArtifactLogEvent) => void, intervalMs: number, now: () => number = Date.now) {
  let windowStart = -Infinity;
  let suppressed = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    if (!suppressed) return;
    log({ level: 'warn', message: `Refused ${suppressed} more request(s) in the last ${Math.round(intervalMs / 1000)} s (not logged one by one)` });
    suppressed = 0;
    windowStart = now();
  };
  return {
    refused(event: ArtifactLogEvent): void {
      if (now() - windowStart >= intervalMs) {
        if (timer) clearTimeout(timer);
        const extra = suppressed ? ` (and ${suppressed} more refused since the last line)` : '';
        suppressed = 0;
        timer = undefined;
        windowStart = now();
        log({ ...event, message: event.message + extra });
        return;
      }
      suppressed++;
      if (!timer) {
        timer = setTimeout(flush, Math.max(0, windowStart + intervalMs - now()));
        timer.unref();
      }
    },
    close(): void {
      if (timer) clearTimeout(timer);
      flush();
    },
  };
}
