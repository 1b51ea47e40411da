/**
 * Fault catalogue scenarios about what the admin is told: a reply cut off names the host, a DNS
 * failure points at the name, a damaged jobs.db is said in the bell (docs/reliability.md).
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/temp';
import { expectNamesHost, type Fleet, startFleet, useInvalidOnlyResolver } from './support';

describe('fault catalogue: what the admin is told', () => {
  const temp = tempDir();
  let f: Fleet;

  beforeAll(async () => {
    f = await startFleet({ hosts: 6, seed: 101, dataDir: temp.dir });
  });
  afterAll(async () => {
    await f?.close();
    temp.cleanup();
  });

  it('scenario 06: connection reset mid-Receive — the error names the host', async () => {
    f.lab.host('hv03').replyFaults.set({ kind: 'reset-mid-reply', on: 'receive', count: 1 });
    expect(await f.refresh('hv03')).toBe('failed');
    // Before: "connection closed before the HTTP response was complete", with no host in it.
    expectNamesHost(f.sync('hv03').lastError, f.info('hv03'));
    await f.heal('hv03');
  });

  describe('with a resolver that knows no .invalid name', () => {
    let resolver: ReturnType<typeof useInvalidOnlyResolver>;
    beforeAll(() => {
      resolver = useInvalidOnlyResolver();
    });
    afterAll(() => resolver.restore());

    it('scenario 15: DNS failure — says to check the name, not the WinRM service', async () => {
      const info = f.info('hv06');
      await f.ok('hosts.update', { id: f.idOf('hv06'), address: 'hv06.invalid', password: info.password });
      const deadline = Date.now() + 15_000;
      while (!/hv06\.invalid/.test(f.hostView('hv06').lastError ?? '') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      // Before: "… (DNS lookup failed) — is the WinRM service running and TCP 5985/5986 open in the firewall?"
      expect(f.hostView('hv06').lastError).toMatch(/DNS lookup failed\) — .*(name|DNS|address)/);
      await f.ok('hosts.update', { id: f.idOf('hv06'), address: '127.0.0.1', password: info.password });
    });
  });

  it('scenario 18: corrupt database — a damaged jobs file is told in the bell, like the inventory file', async () => {
    const file = path.join(temp.dir, 'jobs.db');
    await f.restartBackend(() => {
      for (const suffix of ['-wal', '-shm']) if (existsSync(file + suffix)) writeFileSync(file + suffix, '');
      writeFileSync(file, 'not a jobs database '.repeat(100));
    });
    // Before, only app.log said so and the job history was silently empty.
    const notices = f.backend.services.notifications.list();
    expect(notices.some((n) => /job/i.test(n.title + n.message) && /corrupt|damaged|could not be read|moved aside|kept as/i.test(n.title + n.message))).toBe(true);
  });
});
