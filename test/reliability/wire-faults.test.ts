/**
 * Fault catalogue (docs/reliability.md): what a broken network or a hostile host puts on the wire —
 * a connection cut in the middle of a Receive, XML that is not well-formed or carries an entity
 * bomb, a certificate that changed under its pin, a name that no longer resolves. Each scenario
 * breaks one lab host under a real backend, checks the error and that nothing stored was lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentApi } from '../../src/main/deployment/api';
import { createLabCertificate } from '../lab/wsman/cert';
import { expectNamesHost, type Fleet, startFleet, useInvalidOnlyResolver, waitFor } from './support';

describe('fault catalogue: broken replies', () => {
  let f: Fleet;

  beforeAll(async () => {
    f = await startFleet({ hosts: 5, seed: 41 });
  });
  afterAll(async () => f?.close());

  /** Refreshes a host whose next reply is broken: failed, one notification naming the host. */
  async function expectBrokenReply(name: string): Promise<string> {
    const since = f.notifications.length;
    expect(await f.refresh(name)).toBe('failed');
    const notices = f.noticesFor(name, since).filter((n) => n.level === 'error');
    expect(notices.map((n) => n.title)).toEqual([`Host ${name} unreachable`]);
    expect(notices[0]!.message).toMatch(/last known values, marked stale; retrying automatically/);
    expect(f.sync(name).state).toBe('error');
    await f.expectNothingLost([name]);
    return f.sync(name).lastError ?? '';
  }

  it('scenario 06: connection reset mid-Receive', async () => {
    const host = f.lab.host('hv02');
    host.replyFaults.set({ kind: 'reset-mid-reply', on: 'receive', count: 1 });
    const error = await expectBrokenReply('hv02');
    expect(host.replyFaults.hits).toBe(1);
    expect(error).toMatch(/connection closed before the HTTP response was complete/);
    // The next Receive gets a whole reply: the host recovers on its next refresh, with no click.
    expect(await f.refresh('hv02')).toBe('refreshed');
    await f.heal('hv02');
  });

  it('scenario 07: malformed XML', async () => {
    f.lab.host('hv03').replyFaults.set({ kind: 'malformed-xml', on: 'receive', count: 1 });
    const error = await expectBrokenReply('hv03');
    expect(error).toMatch(/^127\.0\.0\.1:\d+: reply to Receive is not well-formed XML: /);
    expectNamesHost(error, f.info('hv03'));
    await f.heal('hv03');
  });

  it('scenario 09: entity-bomb XML', async () => {
    f.lab.host('hv04').replyFaults.set({ kind: 'entity-bomb', on: 'receive', count: 1 });
    const error = await expectBrokenReply('hv04');
    // Refused before parsing: nothing is expanded.
    expect(error).toMatch(/^127\.0\.0\.1:\d+: reply to Receive contains a DTD or entity declaration, which WS-Man never sends — refusing to parse it$/);
    expectNamesHost(error, f.info('hv04'));
    await f.heal('hv04');
  });

  describe('with a resolver that knows no .invalid name', () => {
    let resolver: ReturnType<typeof useInvalidOnlyResolver>;
    beforeAll(() => {
      resolver = useInvalidOnlyResolver();
    });
    afterAll(() => resolver.restore());

    it('scenario 15: DNS failure', async () => {
      const info = f.info('hv05');
      const since = f.notifications.length;
      // The host's DNS record is gone: its name no longer resolves.
      await f.ok('hosts.update', { id: f.idOf('hv05'), address: 'hv05.invalid', password: info.password });
      // A changed address makes deployment check the agent there first; that check meets the failure.
      const deployment = f.backend.modules.get('deployment')!.api as DeploymentApi;
      await waitFor(() => deployment.readiness(f.idOf('hv05')).state === 'error', 15_000, 'the agent check at the new address to fail');
      expect(await f.refresh('hv05')).toBe('failed');
      expect(new Set(resolver.asked)).toEqual(new Set(['hv05.invalid']));
      expect(f.sync('hv05').lastError).toMatch(/^host hv05: cannot reach hv05\.invalid:\d+ \(DNS lookup failed\)/);
      expect(f.hostView('hv05').lastError).toMatch(/^cannot reach hv05\.invalid:\d+ \(DNS lookup failed\)/);
      expect(f.noticesFor('hv05', since).map((n) => n.title)).toEqual(['Host hv05 unreachable']);
      expect(f.hostView('hv05')).toMatchObject({ status: 'unreachable', address: 'hv05.invalid' });

      // The admin puts the right address back: nothing was lost meanwhile, and the host recovers.
      await f.ok('hosts.update', { id: f.idOf('hv05'), address: '127.0.0.1', password: info.password });
      await f.expectNothingLost(['hv05']);
      await f.heal('hv05');
      expect(new Set(resolver.asked)).toEqual(new Set(['hv05.invalid']));
    });
  });
});

describe('fault catalogue: HTTPS with a pinned certificate', () => {
  let f: Fleet;

  beforeAll(async () => {
    f = await startFleet({ hosts: 2, seed: 43, https: true, pinned: true });
  });
  afterAll(async () => f?.close());

  it('scenario 14: certificate changed under a pin', async () => {
    const info = f.info('hv02');
    const since = f.notifications.length;
    expect(f.hostView('hv02')).toMatchObject({ transport: 'https', tlsFingerprintSha256: info.certFingerprintSha256!.replace(/:/g, '') });
    // The host now presents another certificate (reinstalled, or a machine in the middle).
    f.lab.host('hv02').replaceCertificate(await createLabCertificate(['hv02']));
    expect(await f.refresh('hv02')).toBe('failed');
    const error = f.sync('hv02').lastError ?? '';
    const pinned = info.certFingerprintSha256!.replace(/:/g, '').toLowerCase();
    expect(error).toMatch(new RegExp(`^TLS with 127\\.0\\.0\\.1:\\d+ failed: server certificate does not match the pinned fingerprint \\(expected SHA-256 ${pinned}, server presented [0-9a-f]{64}\\) — if the host's certificate was renewed on purpose, pin the new fingerprint in the host's settings; otherwise something else is answering at this address$`));
    expectNamesHost(error, info, info.httpsUrl);
    expect(f.noticesFor('hv02', since).filter((n) => n.level === 'error').map((n) => n.title)).toEqual(['Host hv02 unreachable']);
    // Nothing was sent over the unverified connection, and nothing stored was lost.
    expect(f.lab.host('hv02').stats.authFailures).toBe(0);
    await f.expectNothingLost(['hv02']);
    // Still refused on every retry: the pin is never silently replaced.
    expect(await f.refresh('hv02')).toBe('failed');
    expect(f.hostView('hv02').tlsFingerprintSha256).toBe(pinned.toUpperCase());
    expect(f.sync('hv02').state).toBe('error');
    // The other host, with its own unchanged certificate, is fine.
    expect(await f.refresh('hv01')).toBe('refreshed');
  });
});
