import { afterAll, beforeAll, test } from 'vitest';
import { startFleet, type Fleet } from './support';
import { setInventoryKnobs } from '../lab/agent/inventory';
import { createLabCertificate } from '../lab/wsman/cert';
import { labHostInput } from '../lab';
import { configureHosts, installAgent, startHarness } from '../inventory/support/harness';
import { startLab } from '../lab';
import { tempDir } from '../support/temp';

test('module harness: hang and storm', async () => {
  const temp = tempDir();
  const lab = await startLab({ hosts: 2, vmsPerHost: 3, clusters: 0, seed: 3 });
  for (const i of lab.hosts) installAgent(lab, i.name);
  const ids = await configureHosts(temp.dir, lab.hosts);
  const h = await startHarness(temp.dir, { backgroundLoops: false }, { lanes: { INVENTORY: { timeoutMs: 1500 } } });
  await h.api.initialRefresh;
  await lab.host('hv01').setKnobs({ hang: true });
  let t = Date.now();
  console.log('hang', await h.api.refresh(ids.get('hv01')!), Date.now() - t, h.api.snapshot().hosts.find((x) => x.hostId === ids.get('hv01'))!.sync.lastError, h.notifications.map((n) => n.title + ' | ' + n.message));
  await lab.host('hv01').setKnobs({ hang: false });
  t = Date.now();
  console.log('after hang', await h.api.refresh(ids.get('hv01')!), Date.now() - t, lab.host('hv01').stats);
  lab.host('hv02').replyFaults.set({ kind: 'timed-out', on: 'receive', count: 1_000_000 });
  t = Date.now();
  console.log('storm', await h.api.refresh(ids.get('hv02')!), Date.now() - t, h.api.snapshot().hosts.find((x) => x.hostId === ids.get('hv02'))!.sync.lastError, lab.host('hv02').replyFaults.hits);
  lab.host('hv02').replyFaults.clear();
  console.log('after storm', await h.api.refresh(ids.get('hv02')!));
  await h.close(); await lab.close(); temp.cleanup();
}, 60_000);

test('https pin', async () => {
  const f = await startFleet({ hosts: 2, https: true });
  const info = f.info('hv02');
  const url = new URL(info.httpsUrl!);
  const view = await f.ok<any>('hosts.add', { displayName: 'hv02-tls', address: '127.0.0.1', port: Number(url.port), transport: 'https', auth: 'ntlm', username: info.username, password: info.password, tlsFingerprintSha256: info.certFingerprintSha256 });
  await f.inventory.refresh(view.id);
  console.log('tls sync', f.inventory.snapshot().hosts.find((x) => x.hostId === view.id)!.sync.state);
  const cert = await createLabCertificate(['hv02']);
  f.lab.host('hv02').replaceCertificate(cert);
  const r = await f.inventory.refresh(view.id);
  console.log('after rotate', r, f.inventory.snapshot().hosts.find((x) => x.hostId === view.id)!.sync.lastError, f.notifications.slice(-1));
  await f.close();
}, 60_000);

test('clock', async () => {
  const f = await startFleet({ hosts: 2 });
  const host = f.lab.host('hv02');
  setInventoryKnobs(host, { clockOffsetMs: 86_400_000 });
  console.log('fwd', await f.refresh('hv02'), f.sync('hv02'));
  setInventoryKnobs(host, { clockOffsetMs: 0 });
  host.model.vms[0]!.name = 'renamed';
  console.log('back', await f.refresh('hv02'), f.sync('hv02'), f.inventory.snapshot().vms.find((v) => v.vmId === host.model.vms[0]!.id)!.name);
  await f.close();
}, 60_000);
