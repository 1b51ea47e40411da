import type { HostInput } from '../../src/shared/contract';
import type { LabHostInfo } from './index';

/** A lab host as the app's host entry: plain HTTP with NTLM (sealed), the lab's credentials. */
export function labHostInput(info: LabHostInfo, options: { withCluster?: boolean } = {}): HostInput & { port: number; transport: 'http'; auth: 'ntlm' } {
  const url = new URL(info.httpUrl);
  return {
    displayName: info.name,
    address: url.hostname,
    port: Number(url.port),
    transport: 'http',
    auth: 'ntlm',
    username: info.username,
    password: info.password,
    ...(options.withCluster !== false && info.cluster ? { cluster: info.cluster } : {}),
  };
}
