/**
 * The simulated Hyper-V lab: several hosts on loopback ports, each a real WS-Man endpoint (Basic,
 * NTLM with sealing, HTTPS) backed by a seeded inventory model. Tests and `aether-v lab` start it here.
 */
import { mkdirSync } from 'node:fs';
import { SimHost } from './host';
import { generateLabModel } from './model';
import { createLabCertificate } from './wsman/cert';
import { installAgentSimulation } from './agent';
import { registerLabHosts } from './agent/lab-hosts';
import { LAB_DRIVES, startRealPowerShell } from './pwsh/runtime';

export interface LabOptions {
  hosts?: number;
  vmsPerHost?: number;
  seed?: number;
  clusters?: number;
  https?: boolean;
  allowUnencryptedBasic?: boolean;
  username?: string;
  password?: string;
  /**
   * Run the real agent: every powershell.exe command starts a real PowerShell process (pwsh) with
   * the simulated Hyper-V modules over this lab's host model, and each host's files are on disk.
   * Without it the TypeScript stand-ins in test/lab/agent answer (fast, for many hosts).
   */
  realAgent?: boolean;
}

/** Golden images every real-agent host has, so vm.create finds a file to copy. */
export const LAB_GOLDEN_IMAGES = ['D:\\Images\\ws2022.vhdx', 'D:\\Images\\ubuntu-22.04.vhdx'];

export interface LabHostInfo {
  name: string;
  cluster?: string;
  httpUrl: string;
  httpsUrl?: string;
  username: string;
  password: string;
  certFingerprintSha256?: string;
  caPem?: string;
  /** With realAgent: the folder holding this host's drives (`C`, `D`) on this machine. */
  diskRoot?: string;
}

export interface Lab {
  hosts: LabHostInfo[];
  host(name: string): SimHost;
  close(): Promise<void>;
}

const LIMITS = { hosts: [0, 64], vmsPerHost: [0, 500], clusters: [0, 16] } as const;

function bounded(name: keyof typeof LIMITS, value: number): number {
  const [min, max] = LIMITS[name];
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`lab option ${name}=${value} must be an integer ${min}–${max}`);
  return value;
}

export async function startLab(options: LabOptions = {}): Promise<Lab> {
  const hostsCount = bounded('hosts', options.hosts ?? 3);
  const model = generateLabModel({
    hosts: hostsCount,
    vmsPerHost: bounded('vmsPerHost', options.vmsPerHost ?? 8),
    seed: options.seed ?? 1,
    clusters: bounded('clusters', options.clusters ?? 1),
  });
  const credentials = { username: options.username ?? 'Administrator', password: options.password ?? 'Lab-Passw0rd!' };
  const certificate = options.https ? await createLabCertificate(model.hosts.map((h) => h.name)) : undefined;
  const simHosts = model.hosts.map(
    (hostModel, index) =>
      new SimHost({ model: hostModel, credentials, allowUnencrypted: options.allowUnencryptedBasic ?? false, certificate, seed: (options.seed ?? 1) * 1000 + index }),
  );
  for (const host of simHosts) installAgentSimulation(host);
  // Nodes of a cluster reach each other (VM moves): one registry for the stand-in and the simulated modules.
  registerLabHosts(simHosts);
  const byName = new Map(simHosts.map((h) => [h.name.toLowerCase(), h]));
  const real = options.realAgent ? await startRealPowerShell((name) => byName.get(name.toLowerCase())) : undefined;
  if (real) {
    for (const host of simHosts) {
      host.files.attachDisk(real.hostRoot(host), LAB_DRIVES);
      // WinRS starts commands in the user's profile folder; the bootstrap changes to it.
      mkdirSync(host.files.realPath(`C:\\Users\\${credentials.username.replace(/^.*\\/, '')}`)!, { recursive: true });
      for (const image of LAB_GOLDEN_IMAGES) host.files.put(image, `lab golden image ${image}\n`);
      host.realPowerShell = real;
    }
  }
  try {
    for (const host of simHosts) await host.listen();
  } catch (error) {
    await Promise.all(simHosts.map((h) => h.close()));
    await real?.close();
    throw error;
  }
  return {
    hosts: simHosts.map((h) => ({
      name: h.name,
      cluster: h.model.cluster,
      httpUrl: h.httpUrl,
      httpsUrl: h.httpsUrl,
      username: credentials.username,
      password: credentials.password,
      certFingerprintSha256: certificate?.fingerprintSha256,
      caPem: certificate?.certPem,
      ...(real ? { diskRoot: real.hostRoot(h) } : {}),
    })),
    host(name: string): SimHost {
      const host = byName.get(name.toLowerCase());
      if (!host) throw new Error(`lab has no host "${name}"; hosts are ${[...byName.keys()].join(', ')}`);
      return host;
    },
    async close(): Promise<void> {
      await Promise.all(simHosts.map((h) => h.close()));
      await real?.close();
    },
  };
}

export { SimHost } from './host';
export { VirtualFileSystem } from './files';
export { DEFAULT_KNOBS, type HostKnobs, type HostStats } from './knobs';
export { generateLabModel, NON_ASCII_VM_NAMES, Prng } from './model';
export type { LabModel, SimCluster, SimDisk, SimHostModel, SimNic, SimVm, VmState } from './model';
export type { ScriptHandler, ScriptHandlerContext } from './shell/types';
export { labHostInput } from './host-input';
