/**
 * Fault catalogue (docs/reliability.md): a host that goes away, refuses the account, changes its
 * password, runs out of shells, or runs an agent that misbehaves or is newer than the app. Each
 * scenario breaks one lab host under a real backend and checks the error the admin sees and that
 * nothing already stored is lost, then heals the host and checks that it recovers.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentApi } from '../../src/main/deployment/api';
import { WinrmClient } from '../../src/main/winrm';
import { setAgentFaults } from '../lab/agent/faults';
import { presetAgentVersion } from '../lab/deploy/knobs';
import { filesContaining } from '../support/temp';
import { expectNamesHost, startFleet, waitFor, type Fleet } from './support';

const INSTALL_DIR = 'C:\\ProgramData\\Aether-V\\agent';

describe('fault catalogue: hosts and agents', () => {
  let f: Fleet;

  beforeAll(async () => {
    f = await startFleet({ hosts: 6, seed: 31 });
  });
  afterAll(async () => f?.close());

  /** The one error notification a failed host raises, naming it in the title. */
  function theNotice(name: string, since: number, title = `Host ${name} unreachable`) {
    const notices = f.noticesFor(name, since).filter((n) => n.level === 'error');
    expect(notices.map((n) => n.title)).toEqual([title]);
    expect(notices[0]!.message).toMatch(/last known values, marked stale; retrying automatically \(next in \d+ s\)\.$/);
    return notices[0]!;
  }

  it('scenario 01: host down', async () => {
    const since = f.notifications.length;
    await f.lab.host('hv02').setKnobs({ unreachable: true });
    expect(await f.refresh('hv02')).toBe('failed');
    theNotice('hv02', since);
    // The host stays down: the next attempt says what was tried and what to check, without a second notification.
    expect(await f.refresh('hv02')).toBe('failed');
    const sync = f.sync('hv02');
    expect(sync).toMatchObject({ state: 'error', consecutiveFailures: 2 });
    expect(sync.nextAttemptAt).not.toBeNull();
    expect(sync.lastError).toMatch(/^cannot reach 127\.0\.0\.1:\d+ \(connection refused\) — is the WinRM service running and TCP 5985\/5986 open in the firewall\?$/);
    expectNamesHost(sync.lastError, f.info('hv02'));
    expect(f.hostView('hv02')).toMatchObject({ status: 'unreachable', lastError: sync.lastError });
    expect(f.noticesFor('hv02', since)).toHaveLength(1);
    await f.expectNothingLost(['hv02']);
    // The other hosts are untouched.
    expect(f.sync('hv03').state).toBe('fresh');

    await f.heal('hv02');
    expect(f.noticesFor('hv02', since).map((n) => n.title)).toContain('Host hv02 recovered');
  });

  it('scenario 03: authentication failure', async () => {
    const since = f.notifications.length;
    await f.lab.host('hv03').setKnobs({ authFailure: true });
    expect(await f.refresh('hv03')).toBe('failed');
    const notice = theNotice('hv03', since);
    const sync = f.sync('hv03');
    expect(sync.lastError).toMatch(/access denied for user 'Administrator' — check the password; the account must be a local administrator on the host/);
    expectNamesHost(sync.lastError, f.info('hv03'));
    expect(notice.message).toContain("access denied for user 'Administrator'");
    // The stored password appears in no error, notification or log line.
    const password = f.info('hv03').password;
    expect(JSON.stringify([sync, f.hostView('hv03'), f.notifications])).not.toContain(password);
    expect(readFileSync(path.join(f.dataDir, 'logs', 'app.log'), 'utf8')).not.toContain(password);
    await f.expectNothingLost(['hv03']);
    await f.heal('hv03');
  });

  it('scenario 04: password changed on the host', async () => {
    const since = f.notifications.length;
    const newPassword = 'N3w-Rotated-Passw0rd!';
    f.lab.host('hv04').changePassword(newPassword);
    expect(await f.refresh('hv04')).toBe('failed');
    theNotice('hv04', since);
    expect(f.sync('hv04').lastError).toMatch(/access denied for user 'Administrator' — check the password/);
    await f.expectNothingLost(['hv04']);

    // The admin enters the new password: the next refresh uses it, nothing else about the host changed.
    await f.ok('hosts.update', { id: f.idOf('hv04'), password: newPassword });
    expect(await f.refresh('hv04')).toBe('refreshed');
    expect(f.sync('hv04')).toMatchObject({ state: 'fresh', lastError: null });
    expect(f.hostView('hv04')).toMatchObject({ status: 'connected', hasPassword: true });
    await f.expectNothingLost([]);
    // Neither password is readable anywhere in the data folder (the secret store encrypts it).
    expect(filesContaining(f.dataDir, newPassword)).toEqual([]);
    expect(filesContaining(f.dataDir, f.info('hv04').password)).toEqual([]);
  });

  it('scenario 11: shell quota exceeded', async () => {
    const since = f.notifications.length;
    const host = f.lab.host('hv05');
    const info = f.info('hv05');
    // Another tool holds the only shell the host allows this account, after a WinRM restart dropped ours.
    await host.setKnobs({ maxShells: 1 });
    host.restartWinrm();
    const other = new WinrmClient({ endpoint: info.httpUrl, auth: 'ntlm', username: info.username, password: info.password });
    try {
      expect((await other.exec('echo', ['holding the shell'])).exitCode).toBe(0);
      expect(await f.refresh('hv05')).toBe('failed');
      theNotice('hv05', since);
      const sync = f.sync('hv05');
      expect(sync.lastError).toMatch(/WS-Man fault during Create \(code 2150859173\): .*maximum number of 1 concurrent shells.*Close existing shells or raise the quota for this user/);
      expectNamesHost(sync.lastError, info);
      await f.expectNothingLost(['hv05']);
    } finally {
      await other.close();
    }
    // The other tool let go: the quota has room again and the host recovers.
    expect(await f.refresh('hv05')).toBe('refreshed');
    await f.heal('hv05');
  });

  it('scenario 20: agent output that is not JSON', async () => {
    const since = f.notifications.length;
    const host = f.lab.host('hv06');
    setAgentFaults(host, { resultNotJson: true });
    expect(await f.refresh('hv06')).toBe('failed');
    // The host answered: the title says its agent's report is unusable, not that it is unreachable.
    theNotice('hv06', since, 'Host hv06: agent report unusable');
    expect(f.sync('hv06').lastError).toBe("host hv06: the agent's inventory result is not JSON; the host answered, but its agent report is unusable — force redeploy of the agent on this host, or update this app if the agent is newer");
    expect(f.hostView('hv06').status).toBe('connected');
    await f.expectNothingLost(['hv06']);

    // No result line at all (the script stopped early) is told apart from a broken one.
    setAgentFaults(host, { resultNotJson: false, noResult: true });
    expect(await f.refresh('hv06')).toBe('failed');
    expect(f.sync('hv06').lastError).toMatch(/^host hv06: the agent's inventory gave no result \(exit 1\); the host answered, but its agent report is unusable — force redeploy/);
    expect(f.noticesFor('hv06', since).filter((n) => n.level === 'error')).toHaveLength(1);
    await f.expectNothingLost(['hv06']);
    await f.heal('hv06');
  });

  it('scenario 20: agent output that is not JSON — not called unreachable, and says what to do', async () => {
    const since = f.notifications.length;
    setAgentFaults(f.lab.host('hv06'), { resultNotJson: true });
    expect(await f.refresh('hv06')).toBe('failed');
    // The host answered: "unreachable" sends the admin to check the network.
    expect(f.hostView('hv06').status).not.toBe('unreachable');
    expect(f.noticesFor('hv06', since).map((n) => n.title)).not.toContain('Host hv06 unreachable');
    expect(f.sync('hv06').lastError).toMatch(/redeploy|update|report/i);
    await f.heal('hv06');
  });

  it('scenario 21: agent newer than the app', async () => {
    const since = f.notifications.length;
    // Another, newer Aether-V upgraded the agent; the app notices at its next check of the host.
    presetAgentVersion(f.lab.host('hv02'), INSTALL_DIR, '99.0.0');
    const deployment = f.backend.modules.get('deployment')!.api as DeploymentApi;
    deployment.invalidate(f.idOf('hv02'), 'the catalogue asked for a check');
    await waitFor(() => deployment.readiness(f.idOf('hv02')).state === 'newer', 15_000, 'deployment to find the newer agent');
    expect(await f.refresh('hv02')).toBe('failed');
    const sync = f.sync('hv02');
    expect(sync.lastError).toMatch(/^host hv02: agent newer than this app \(99\.0\.0 > [\d.]+\): another Aether-V may manage this host; update this app or force redeploy$/);
    // It answers, so it is "not refreshed", never "unreachable".
    expect(f.hostView('hv02').status).toBe('connected');
    theNotice('hv02', since, 'Host hv02 not refreshed');
    await f.expectNothingLost(['hv02']);

    // What the message says to do works: a force redeploy replaces it and the host is fresh again.
    await f.ok('deployment.redeploy', { hostId: f.idOf('hv02') });
    await waitFor(() => f.sync('hv02').state === 'fresh', 30_000, 'hv02 fresh after the force redeploy');
    await f.expectNothingLost([]);
  });
});
