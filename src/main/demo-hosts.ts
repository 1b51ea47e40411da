import type { Backend } from './backend';
import type { HostInput } from '../shared/contract';

/**
 * `aether-v demo` hands the lab's hosts to the app through AETHERV_DEMO_HOSTS (JSON HostInput[]),
 * so no password is ever written to a file in clear, and the ports its guests answer RDP/SSH on
 * through AETHERV_DEMO_GUEST_PORTS (JSON {rdpPort, sshPort}). Hosts already configured are left alone.
 */
export async function importDemoHosts(backend: Backend, env: NodeJS.ProcessEnv): Promise<number> {
  const raw = env.AETHERV_DEMO_HOSTS;
  if (!raw) return 0;
  delete env.AETHERV_DEMO_HOSTS;
  const inputs = JSON.parse(raw) as HostInput[];
  // The lab's guests answer RDP/SSH on free ports of their loopback addresses: probe those.
  const guestPorts = env.AETHERV_DEMO_GUEST_PORTS;
  delete env.AETHERV_DEMO_GUEST_PORTS;
  if (guestPorts) {
    const { rdpPort, sshPort } = JSON.parse(guestPorts) as { rdpPort: number; sshPort: number };
    // A lab with no guest of a kind (e.g. 1 VM per host, Off) listens on none: port 0 means "keep the default".
    const reachability = { ...(rdpPort > 0 ? { rdpPort } : {}), ...(sshPort > 0 ? { sshPort } : {}) };
    if (Object.keys(reachability).length) {
      const result = await backend.invoke('settings.update', { reachability });
      if (!result.ok) throw new Error(`demo guest ports: ${result.error.message}`);
    }
  }
  const existing = backend.services.hosts.list();
  let added = 0;
  for (const input of inputs) {
    if (existing.some((h) => h.address === input.address.toLowerCase() && h.port === input.port)) continue;
    const result = await backend.invoke('hosts.add', input);
    if (!result.ok) throw new Error(`demo host ${input.displayName}: ${result.error.message}`);
    added++;
  }
  return added;
}
