/**
 * Which URL hosts are told to download from, and waiting (bounded) until the artifact server
 * answers its health check there before any host is asked to download.
 */
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

export interface AdvertiseChoice {
  baseUrl: string;
  /** How the URL was chosen, for the log and diagnostics. */
  reason: string;
}

/**
 * The setting wins; otherwise a specific bind address is what hosts must use, and a wildcard bind
 * advertises the first non-internal IPv4 (a guess: the README explains when to set the URL).
 */
export function chooseAdvertisedBaseUrl(
  setting: string,
  bindAddress: string,
  port: number,
  interfaces: ReturnType<typeof networkInterfaces> = networkInterfaces(),
): AdvertiseChoice {
  if (setting.trim() !== '')
    return {
      baseUrl: setting.trim().replace(/\/+$/, ''),
      reason: 'from settings (artifactServer.advertisedBaseUrl)',
    };
  const wildcard = bindAddress === '0.0.0.0' || bindAddress === '::';
  if (!wildcard) {
    const host = isIP(bindAddress) === 6 ? `[${bindAddress}]` : bindAddress;
    return { baseUrl: `http://${host}:${port}`, reason: `the bind address ${bindAddress}` };
  }
  for (const [name, addresses] of Object.entries(interfaces)) {
    const found = (addresses ?? []).find((a) => a.family === 'IPv4' && !a.internal);
    if (found)
      return {
        baseUrl: `http://${found.address}:${port}`,
        reason: `first non-internal IPv4 (${name}); set artifactServer.advertisedBaseUrl if hosts cannot reach it`,
      };
  }
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    reason:
      'no non-internal IPv4 found: only hosts on this workstation can download; set artifactServer.advertisedBaseUrl',
  };
}

/** Polls `${baseUrl}/healthz` until it answers 200 or `timeoutMs` passes; true when healthy. */
export async function waitForHealth(
  baseUrl: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !signal?.aborted) {
    try {
      const response = await fetch(`${baseUrl}/healthz`, {
        signal: AbortSignal.timeout(Math.max(100, Math.min(2_000, deadline - Date.now()))),
      });
      await response.arrayBuffer();
      if (response.status === 200) return true;
    } catch {
      // Not up (or not reachable at the advertised address) yet: poll again.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}
