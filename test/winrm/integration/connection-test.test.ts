/**
 * Settings' "Test connection" against the simulated lab over real sockets: the three steps
 * (Identify, `hostname`, the vmms check) and, when one fails, exactly which one and why — both
 * through testHostConnection and through the backend contract (hosts.testConnection).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testHostConnection } from '../../../src/main/hosts/connection-test';
import type { ConnectionTestResult, HostView } from '../../../src/shared/contract';
import { labHostInput, startLab, type Lab, type LabHostInfo } from '../../lab';
import { startTestBackend } from '../../support/backend';

let lab: Lab;

beforeAll(async () => {
  lab = await startLab({ hosts: 4, vmsPerHost: 1 });
});

afterAll(async () => {
  await lab?.close();
});

function target(info: LabHostInfo, overrides: { password?: string } = {}) {
  return { ...labHostInput(info, { withCluster: false }), allowUnencryptedBasic: false, password: overrides.password ?? info.password };
}

function stepsOf(result: ConnectionTestResult): string[] {
  return result.steps.map((s) => `${s.step}:${s.ok ? 'ok' : 'failed'}`);
}

describe('testHostConnection against the lab', () => {
  it('passes Identify, hostname and the Hyper-V check on a Hyper-V host', async () => {
    const info = lab.hosts[0];
    const result = await testHostConnection(target(info));
    expect(result.ok).toBe(true);
    expect(stepsOf(result)).toEqual(['identify:ok', 'command:ok', 'hyperv:ok']);
    expect(result.steps[0].detail).toMatch(/Microsoft Corporation/);
    expect(result.steps[1].detail).toContain(info.name.toUpperCase());
    expect(result.steps[2].detail).toMatch(/running/i);
    expect(result.message).toBe(`${info.name}: connected, Hyper-V ready`);
    // The throwaway client deleted its shell on the way out.
    expect(lab.host(info.name).stats.openShells).toBe(0);
  });

  it('a wrong password passes the anonymous Identify and fails at sign-in with the AuthFailed message', async () => {
    const info = lab.hosts[1];
    const result = await testHostConnection(target(info, { password: 'not-the-password' }));
    expect(result.ok).toBe(false);
    // Identify is anonymous (as Windows answers it), so the 401 comes at sign-in, and is said there.
    expect(stepsOf(result)).toEqual(['identify:ok', 'command:failed']);
    const failed = result.steps.filter((s) => !s.ok);
    expect(result.message).toMatch(/signing in \(running a command\) failed — .*access denied/);
    expect(failed[0].detail).toMatch(/access denied for user 'Administrator'/);
    expect(failed[0].detail).toContain('LocalAccountTokenFilterPolicy');
    expect(result.message).toMatch(new RegExp(`^${info.name}: .*failed — `));
    expect(result.message).not.toContain('not-the-password');
    expect(lab.host(info.name).stats.authFailures).toBeGreaterThan(0);
  });

  it('an unreachable host fails at identify with HostUnreachable', async () => {
    const info = lab.hosts[2];
    const host = lab.host(info.name);
    await host.setKnobs({ unreachable: true });
    try {
      const result = await testHostConnection(target(info), { timeoutMs: 5_000 });
      expect(result.ok).toBe(false);
      expect(stepsOf(result)).toEqual(['identify:failed']);
      expect(result.steps[0].detail).toMatch(/^cannot reach 127\.0\.0\.1:\d+ \(.*refused.*\) — is the WinRM service running/);
      expect(result.message).toMatch(/reaching WinRM \(Identify, no password sent\) failed/);
    } finally {
      await host.setKnobs({ unreachable: false });
    }
  });

  it('a host without Hyper-V fails the hyperv step with an actionable message', async () => {
    const info = lab.hosts[3];
    const host = lab.host(info.name);
    await host.setKnobs({ hyperV: false });
    try {
      const result = await testHostConnection(target(info));
      expect(result.ok).toBe(false);
      expect(stepsOf(result)).toEqual(['identify:ok', 'command:ok', 'hyperv:failed']);
      expect(result.steps[2].detail).toContain("Cannot find any service with service name 'vmms'.");
      expect(result.steps[2].detail).toMatch(/install the Hyper-V role/);
      expect(result.message).toMatch(/the Hyper-V check failed/);
    } finally {
      await host.setKnobs({ hyperV: true });
    }
  });
});

describe('hosts.testConnection through the backend contract', () => {
  it('tests a stored lab host, reports the steps and updates the host status', async () => {
    const app = await startTestBackend();
    try {
      const info = lab.hosts[0];
      const t = target(info);
      const added = await app.backend.invoke('hosts.add', {
        displayName: 'Lab host',
        address: t.address,
        port: t.port,
        transport: 'http',
        auth: 'ntlm',
        username: t.username,
        password: t.password,
      });
      expect(added.ok).toBe(true);
      const id = (added as { ok: true; data: HostView }).data.id;

      const ok = await app.backend.invoke('hosts.testConnection', { id });
      expect(ok.ok).toBe(true);
      const okResult = (ok as { ok: true; data: ConnectionTestResult }).data;
      expect(stepsOf(okResult)).toEqual(['identify:ok', 'command:ok', 'hyperv:ok']);
      const listed = async () => ((await app.backend.invoke('hosts.list', {})) as { ok: true; data: HostView[] }).data.find((h) => h.id === id)!;
      expect((await listed()).status).toBe('connected');
      expect((await listed()).lastSeenAt).toBeDefined();

      // A changed password: the stored host now fails, and its status says so.
      expect((await app.backend.invoke('hosts.update', { id, password: 'wrong-password' })).ok).toBe(true);
      const bad = await app.backend.invoke('hosts.testConnection', { id });
      expect(bad.ok).toBe(true);
      const badResult = (bad as { ok: true; data: ConnectionTestResult }).data;
      expect(badResult.ok).toBe(false);
      expect(badResult.steps.find((s) => !s.ok)?.detail).toMatch(/access denied/);
      const after = await listed();
      expect(after.status).toBe('unreachable');
      expect(after.lastError).toMatch(/access denied/);

      // A draft (not yet saved) is tested the same way.
      const draft = await app.backend.invoke('hosts.testConnection', {
        draft: { displayName: 'Draft', address: t.address, port: t.port, transport: 'http', auth: 'ntlm', username: t.username, password: t.password },
      });
      expect(stepsOf((draft as { ok: true; data: ConnectionTestResult }).data)).toEqual(['identify:ok', 'command:ok', 'hyperv:ok']);
    } finally {
      await app.close();
    }
  });

  it('an edit form is tested with its values: another port reaches another host; the stored password never goes somewhere new', async () => {
    const app = await startTestBackend();
    try {
      const [first, second] = [target(lab.hosts[0]), target(lab.hosts[1])];
      const added = await app.backend.invoke('hosts.add', {
        displayName: 'Edited',
        address: first.address,
        port: first.port,
        transport: 'http',
        auth: 'ntlm',
        username: first.username,
        password: 'a-wrong-saved-password',
      });
      const id = (added as { ok: true; data: HostView }).data.id;
      const edited = (patch: Record<string, unknown>) => app.backend.invoke('hosts.testConnection', { edited: { id, ...patch } });
      const data = (r: unknown) => (r as { ok: true; data: ConnectionTestResult }).data;

      // The typed password is tested, not the saved (wrong) one.
      const typed = data(await edited({ password: first.password }));
      expect(stepsOf(typed)).toEqual(['identify:ok', 'command:ok', 'hyperv:ok']);
      // The second host's port with its password: the test reaches the second host, not the saved one.
      const moved = data(await edited({ port: second.port, password: second.password }));
      expect(moved.steps[1].detail).toContain(lab.hosts[1].name.toUpperCase());
      // Nothing typed and nothing credential-bound changed: the saved password is used (and is wrong).
      const saved = data(await edited({ displayName: 'Renamed only' }));
      expect(stepsOf(saved)).toEqual(['identify:ok', 'command:failed']);
      // A new port without a password is refused before anything is sent to it.
      const authFailuresBefore = lab.host(lab.hosts[1].name).stats.authFailures;
      const refused = await edited({ port: second.port });
      expect(refused.ok).toBe(false);
      expect((refused as { ok: false; error: { code: string; message: string; details?: { fields?: { field: string }[] } } }).error).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: { fields: [{ field: 'password' }] },
      });
      expect((refused as { ok: false; error: { message: string } }).error.message).toMatch(/changing the port of Edited needs the password again.*test again$/);
      expect(lab.host(lab.hosts[1].name).stats.authFailures).toBe(authFailuresBefore);
      // The edit was only tested: the stored entry is unchanged.
      const listed = ((await app.backend.invoke('hosts.list', {})) as { ok: true; data: HostView[] }).data.find((h) => h.id === id)!;
      expect(listed).toMatchObject({ displayName: 'Edited', port: first.port });
    } finally {
      await app.close();
    }
  });
});
