/**
 * The lab's hosts, known to each other: a VM moved between nodes of a cluster leaves one host's
 * model and appears in another's, whether the TypeScript stand-in (agent/jobs/move.ts) or the
 * simulated FailoverClusters module (pwsh/hyperv-rpc.ts) moves it. startLab registers its hosts
 * once; a host started on its own (unit tests) knows only itself until registered with others.
 */
import type { SimHost } from '../host';

const peersOf = new WeakMap<SimHost, readonly SimHost[]>();

/** Makes `hosts` known to each other (one lab). */
export function registerLabHosts(hosts: readonly SimHost[]): void {
  const all = [...hosts];
  for (const host of all) peersOf.set(host, all);
}

/** Every host of `host`'s lab, itself included. */
export function labHostsOf(host: SimHost): readonly SimHost[] {
  return peersOf.get(host) ?? [host];
}

/** The other nodes of `host`'s cluster (none when it is in no cluster). */
export function clusterPeers(host: SimHost): SimHost[] {
  const cluster = host.model.cluster;
  if (!cluster) return [];
  return labHostsOf(host).filter((h) => h !== host && h.model.cluster === cluster);
}

/** The lab host whose computer name (or lab name, or FQDN) is `node`, in any cluster. */
export function findLabHost(host: SimHost, node: string): SimHost | undefined {
  const wanted = node.trim().toLowerCase().split('.')[0];
  return labHostsOf(host).find((h) => h.model.name.toLowerCase() === wanted || h.computerName.toLowerCase() === wanted);
}
