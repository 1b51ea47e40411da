/**
 * Credentials go only where the admin sent them: an edit that changes where (or how) a saved
 * password is sent needs the password again; `hasPassword` is what the secret store really
 * holds; no password in a cache key, an error text or a log line; a job's secrets are forgotten
 * by the maskers when the job ends.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { SecretMasker } from '../../src/main/jobs/redact';
import { EncryptedFileSecretStore, keyFileCipher } from '../../src/main/secrets/secret-store';
import { credentialBoundChanges, SECRET_MASK, type Failure, type HostView, type JobInputSchema, type JobRecord, type JobSubmitResponse, type Metrics, type Ok } from '../../src/shared/contract';
import { labHostInput, startLab, type Lab } from '../lab';
import { setJobKnobs } from '../lab/agent/jobs';
import { startJobsHarness, waitFor, windowsVmFields, WINDOWS_SECRETS, type JobsHarness } from '../jobs/support';
import { startTestBackend } from '../support/backend';
import { filesContaining, tempDir } from '../support/temp';

// A quote and a backslash: the JSON-escaped form (Hv\"Pa\\ss) differs from the typed one.
const PASSWORD = 'Hv"Pa\\ss-Secret-731';
const escapedForms = (secret: string) => [secret, JSON.stringify(secret).slice(1, -1), JSON.stringify(JSON.stringify(secret)).slice(2, -2)];

type TestBackend = Awaited<ReturnType<typeof startTestBackend>>;
const open: TestBackend[] = [];
const backend = async (dataDir?: string) => {
  // No service modules: nothing contacts hosts by itself, so every connection below is the test's own.
  const t = await startTestBackend({ modules: [], ...(dataDir ? { dataDir } : {}) });
  open.push(t);
  return t;
};
afterEach(async () => {
  for (const t of open.splice(0)) await t.backend.close();
});

const addHost = async (t: TestBackend, extra: Record<string, unknown> = {}) => {
  const added = (await t.backend.invoke('hosts.add', { displayName: 'HV 01', address: 'hv01.corp.local', username: 'CORP\\admin', password: PASSWORD, ...extra })) as Ok<HostView>;
  expect(added.ok).toBe(true);
  return added.data;
};
const storedHosts = (dataDir: string) => JSON.parse(readFileSync(path.join(dataDir, 'settings.json'), 'utf8')).hosts as Record<string, unknown>[];

/** A TCP listener that only counts who connects: where a password would go if it were sent. */
async function trap(): Promise<{ port: number; connections: () => number; close(): Promise<void> }> {
  let count = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    count++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    connections: () => count,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('changing where a saved password is sent needs the password again', () => {
  const cases: { field: string; label: RegExp; start?: Record<string, unknown>; patch: Record<string, unknown> }[] = [
    { field: 'address', label: /changing the address of HV 01 needs the password again/, patch: { address: 'evil.example.net' } },
    { field: 'port', label: /changing the port of/, patch: { port: 15986 } },
    { field: 'transport', label: /changing the transport of/, patch: { transport: 'http' } },
    { field: 'auth', label: /changing the authentication of/, patch: { auth: 'basic' } },
    { field: 'allowUnencryptedBasic', label: /changing the "allow unencrypted Basic" of/, start: { transport: 'http', auth: 'ntlm' }, patch: { allowUnencryptedBasic: true } },
    // A new pin trusts another server at the same address.
    { field: 'tlsFingerprintSha256', label: /changing the pinned certificate of/, patch: { tlsFingerprintSha256: 'AB'.repeat(32) } },
  ];

  for (const c of cases) {
    test(`${c.field}: refused without the password, naming the field; nothing stored changes; accepted with it`, async () => {
      const t = await backend();
      const host = await addHost(t, c.start);
      const before = storedHosts(t.dataDir);
      const refused = (await t.backend.invoke('hosts.update', { id: host.id, ...c.patch })) as Failure;
      expect(refused.ok).toBe(false);
      expect(refused.error.code).toBe('VALIDATION_FAILED');
      expect(refused.error.message).toMatch(c.label);
      expect(refused.error.details?.fields?.map((f) => f.field)).toEqual(['password', c.field]);
      expect(storedHosts(t.dataDir)).toEqual(before);
      expect(t.backend.services.hosts.list()[0]).toMatchObject({ address: host.address, port: host.port, transport: host.transport, auth: host.auth });

      const accepted = (await t.backend.invoke('hosts.update', { id: host.id, ...c.patch, password: 'New-Passw0rd-for-there' })) as Ok<HostView>;
      expect(accepted.ok).toBe(true);
      expect(accepted.data).toMatchObject(c.patch);
      expect((await t.backend.services.hosts.credentials(host.id)).password).toBe('New-Passw0rd-for-there');
    });
  }

  test('several fields at once are all named; the form resending unchanged values, or changing name, user, cluster or enabled, needs no password', async () => {
    const t = await backend();
    const host = await addHost(t);
    const both = (await t.backend.invoke('hosts.update', { id: host.id, address: '127.0.0.9', port: 1234 })) as Failure;
    expect(both.error.message).toMatch(/changing the address and port of HV 01/);
    // What the Settings form sends on save: every field, the address as typed (case differs).
    const resent = await t.backend.invoke('hosts.update', {
      id: host.id,
      displayName: 'HV One',
      address: 'HV01.Corp.Local',
      port: 5986,
      transport: 'https',
      auth: 'ntlm',
      allowUnencryptedBasic: false,
      username: 'CORP\\other',
      enabled: false,
      cluster: 'C1',
    });
    expect(resent.ok).toBe(true);
    expect((await t.backend.services.hosts.credentials(host.id)).password).toBe(PASSWORD);
  });

  test('one rule for the form and the backend', () => {
    const stored = { address: 'hv01', port: 5986, transport: 'https', auth: 'ntlm', allowUnencryptedBasic: false } as const;
    expect(credentialBoundChanges(stored, { ...stored })).toEqual([]);
    expect(credentialBoundChanges(stored, { ...stored, port: 5985, auth: 'basic' })).toEqual(['port', 'auth']);
    // Colons and letter case are how a fingerprint is written, not another pin.
    const pinned = { ...stored, tlsFingerprintSha256: 'AB'.repeat(32) };
    expect(credentialBoundChanges(pinned, { ...pinned, tlsFingerprintSha256: 'ab:'.repeat(31) + 'ab' })).toEqual([]);
    expect(credentialBoundChanges(pinned, { ...pinned, tlsFingerprintSha256: 'CD'.repeat(32) })).toEqual(['tlsFingerprintSha256']);
  });

  test('a refused edit sends nothing to the new address; the same edit with the password does go there', async () => {
    const lab: Lab = await startLab({ hosts: 1, vmsPerHost: 0, password: 'Lab-Passw0rd-41' });
    const elsewhere = await trap();
    try {
      const t = await backend();
      const added = (await t.backend.invoke('hosts.add', labHostInput(lab.hosts[0]!))) as Ok<HostView>;
      expect(added.ok).toBe(true);
      const refused = (await t.backend.invoke('hosts.update', { id: added.data.id, address: '127.0.0.1', port: elsewhere.port })) as Failure;
      expect(refused.error.code).toBe('VALIDATION_FAILED');
      // The stored entry still leads to the lab host, with the saved password.
      const tested = (await t.backend.invoke('hosts.testConnection', { id: added.data.id })) as Ok<{ ok: boolean }>;
      expect(tested.data.ok).toBe(true);
      const client = await t.backend.services.remote.client(added.data.id);
      expect((await client.exec('hostname', [])).exitCode).toBe(0);
      expect(elsewhere.connections()).toBe(0);

      const moved = await t.backend.invoke('hosts.update', { id: added.data.id, address: '127.0.0.1', port: elsewhere.port, password: 'typed-again-for-there' });
      expect(moved.ok).toBe(true);
      const failed = (await t.backend.invoke('hosts.testConnection', { id: added.data.id })) as Ok<{ ok: boolean }>;
      expect(failed.data.ok).toBe(false);
      expect(elsewhere.connections()).toBeGreaterThan(0);
    } finally {
      await elsewhere.close();
      await lab.close();
    }
  });
});

describe('hasPassword tells what the secret store holds', () => {
  test('a password missing from the store, or one that no longer decrypts, is "no password", with an error saying what to do', async () => {
    const data = tempDir();
    try {
      let t = await backend(data.dir);
      const first = await addHost(t);
      const second = await addHost(t, { displayName: 'HV 02', address: 'hv02.corp.local' });
      expect(t.backend.services.hosts.list().map((h) => h.hasPassword)).toEqual([true, true]);
      await t.backend.close();
      open.splice(0);

      // The entry is gone from secrets.json (restored from an old backup, edited by hand…).
      const secretsFile = path.join(data.dir, 'secrets.json');
      const secrets = JSON.parse(readFileSync(secretsFile, 'utf8'));
      delete secrets.entries[`host:${first.id}`];
      writeFileSync(secretsFile, JSON.stringify(secrets));
      t = await backend(data.dir);
      const views = Object.fromEntries(t.backend.services.hosts.list().map((h) => [h.id, h.hasPassword]));
      expect(views).toEqual({ [first.id]: false, [second.id]: true });
      const missing = (await t.backend.invoke('hosts.testConnection', { id: first.id })) as Failure;
      expect(missing.error.code).toBe('NOT_FOUND');
      expect(missing.error.message).toBe('Host HV 01: no stored password. Edit the host in Settings and enter it again.');
      await t.backend.close();
      open.splice(0);

      // The key was replaced: the ciphertexts are there but cannot be decrypted.
      writeFileSync(path.join(data.dir, 'secret.key'), randomBytes(32), { mode: 0o600 });
      t = await backend(data.dir);
      expect(t.backend.services.hosts.list().map((h) => h.hasPassword)).toEqual([false, false]);
      const unreadable = (await t.backend.invoke('hosts.testConnection', { id: second.id })) as Failure;
      expect(unreadable.error.code).toBe('NOT_FOUND');
      expect(unreadable.error.message).toMatch(/^Host HV 02: the stored password can no longer be decrypted .* enter it again\.$/);

      const fixed = (await t.backend.invoke('hosts.update', { id: second.id, password: 'Entered-Again-1' })) as Ok<HostView>;
      expect(fixed.data.hasPassword).toBe(true);
      expect(t.backend.services.hosts.list().find((h) => h.id === first.id)!.hasPassword).toBe(false);
    } finally {
      data.cleanup();
    }
  });

  test('a write that fails with a full disk changes nothing: the old password stays readable and later writes still work', async () => {
    const data = tempDir();
    try {
      const file = path.join(data.dir, 'secrets.json');
      const store = new EncryptedFileSecretStore(file, keyFileCipher(path.join(data.dir, 'secret.key')));
      await store.put('host:a', 'first-password');
      // The store writes a temp file, then renames it: that temp file is on a full "disk".
      const temp = `${file}.${process.pid}.tmp`;
      symlinkSync('/dev/full', temp);
      await expect(store.put('host:a', 'second-password')).rejects.toMatchObject({ code: 'ENOSPC' });
      symlinkSync('/dev/full', temp); // the failed write removed its temp file (here: the link)
      await expect(store.put('host:b', 'other')).rejects.toMatchObject({ code: 'ENOSPC' });
      expect(await store.get('host:a')).toBe('first-password');
      expect(store.has('host:b')).toBe(false);
      const reopened = new EncryptedFileSecretStore(file, keyFileCipher(path.join(data.dir, 'secret.key')));
      expect(await reopened.get('host:a')).toBe('first-password');

      rmSync(temp, { force: true });
      await store.put('host:b', 'other');
      expect(store.has('host:b')).toBe(true);
      expect(await new EncryptedFileSecretStore(file, keyFileCipher(path.join(data.dir, 'secret.key'))).get('host:b')).toBe('other');
    } finally {
      data.cleanup();
    }
  });
});

describe('no plaintext password in a cache key, an error text or a log line', () => {
  test('the WinRM client cache is keyed by a digest: the same password reuses the client, a new one replaces it', async () => {
    const t = await backend();
    const host = await addHost(t);
    const remote = t.backend.services.remote;
    const a = await remote.client(host.id);
    expect(await remote.client(host.id)).toBe(a);
    const cache = (remote as unknown as { clients: Map<string, { fingerprint: string }> }).clients;
    const keys = JSON.stringify([...cache.entries()].map(([id, entry]) => [id, entry.fingerprint]));
    for (const form of escapedForms(PASSWORD)) expect(keys).not.toContain(form);
    expect(keys).not.toContain(Buffer.from(PASSWORD).toString('base64'));
    await t.backend.invoke('hosts.update', { id: host.id, password: 'Replaced-Pw-88' });
    expect(await remote.client(host.id)).not.toBe(a);
  });

  test('a host password is masked in every log line (typed and JSON-escaped), from the moment it is given and after a restart once it is read', async () => {
    const data = tempDir();
    try {
      let t = await backend(data.dir);
      const host = await addHost(t, { address: '127.0.0.1', port: 1, transport: 'http' });
      t.backend.log.warn(`careless ${PASSWORD}`, { body: JSON.stringify({ password2: PASSWORD, text: `x${PASSWORD}` }), nested: [{ e: new Error(PASSWORD) }] });
      await t.backend.close();
      open.splice(0);

      t = await backend(data.dir);
      // A connection test reads the password (and fails: nothing listens on port 1).
      const tested = (await t.backend.invoke('hosts.testConnection', { id: host.id })) as Ok<{ ok: boolean; message: string }>;
      expect(tested.data.ok).toBe(false);
      for (const form of escapedForms(PASSWORD)) expect(tested.data.message).not.toContain(form);
      t.backend.log.error('after restart', { detail: `pw=${PASSWORD}`, json: JSON.stringify([PASSWORD]) });
      await t.backend.close();
      open.splice(0);

      const log = readFileSync(path.join(data.dir, 'logs', 'app.log'), 'utf8');
      for (const form of escapedForms(PASSWORD)) expect(log).not.toContain(form);
      expect(log).toContain('careless ********');
      expect(log).toContain('pw=********');
      expect(filesContaining(data.dir, PASSWORD)).toEqual([]);
    } finally {
      data.cleanup();
    }
  });

  test('an error message that would quote a stored password is masked at the contract boundary', async () => {
    const t = await backend();
    await addHost(t);
    // A password pasted into the wrong box: the name of another host holds it.
    await addHost(t, { displayName: `HV ${'Pasted-Pw-5521'}`, address: 'hv02.corp.local', password: 'Pasted-Pw-5521' });
    const conflict = (await t.backend.invoke('hosts.add', { displayName: 'dup', address: 'hv02.corp.local', username: 'u', password: 'whatever-1' })) as Failure;
    expect(conflict.error.code).toBe('CONFLICT');
    expect(conflict.error.message).toBe('address: hv02.corp.local:5986 is already configured as "HV ********"; edit that entry instead');
    expect(JSON.stringify(conflict)).not.toContain('Pasted-Pw-5521');
  });
});

describe('the job masker', () => {
  test('masks a job’s secrets as typed and JSON-escaped, and forgets them when told the job ended', () => {
    const masker = new SecretMasker();
    masker.add('job-1', [PASSWORD]);
    masker.add('job-2', ['Other-Secret-9']);
    const line = `agent said ${JSON.stringify({ adminPassword: PASSWORD })} and ${PASSWORD}`;
    expect(masker.mask(line)).toBe(`agent said {"adminPassword":"${SECRET_MASK}"} and ${SECRET_MASK}`);
    expect(masker.maskValue({ result: [`${PASSWORD}`] })).toEqual({ result: [SECRET_MASK] });
    masker.forget('job-1');
    expect(masker.heldJobs).toBe(1);
    expect(masker.mask(PASSWORD)).toBe(PASSWORD);
    expect(masker.mask('Other-Secret-9')).toBe(SECRET_MASK);
  });

  describe('on a lab host (real backend, real agent stand-in)', () => {
    let lab: Lab;
    let h: JobsHarness;
    beforeAll(async () => {
      lab = await startLab({ hosts: 1, vmsPerHost: 0, seed: 12, clusters: 0 });
      h = await startJobsHarness(lab);
    }, 90_000);
    afterAll(async () => {
      await h?.close();
      await lab?.close();
    });

    test('a create job’s secrets are masked while it runs and forgotten by the job masker and the log when it ends', async () => {
      // The log's own count, as Diagnostics shows it.
      const maskedByLog = async () => (await h.ok<Metrics>('diagnostics.metrics', {})).groups.find((g) => g.name === 'App log')!.rows[0]!.maskedSecrets as number;
      const base = await maskedByLog();
      setJobKnobs(lab.host('hv01'), { echoSecret: true, stepMs: 20 });
      const version = (await h.ok<JobInputSchema>('jobs.schema', {})).version;
      const { job } = await h.ok<JobSubmitResponse>('jobs.submit', { schemaVersion: version, hostId: h.hostIds.get('hv01'), imageOsFamily: 'windows', fields: windowsVmFields('mask-01') });
      expect(await maskedByLog()).toBe(base + 2);
      expect(h.jobs.core.masker.heldJobs).toBe(1);
      await waitFor(() => ['succeeded', 'failed'].includes(h.job(job.id)?.state ?? ''), 30_000, 'the job to end');
      const done = h.job(job.id) as JobRecord;
      expect(done.state).toBe('succeeded');
      expect(h.lines(job.id).find((l) => l.text.startsWith('debug: local admin'))?.text).toBe(`debug: local admin labadmin / ${SECRET_MASK}`);
      expect(h.jobs.core.masker.heldJobs).toBe(0);
      expect(await maskedByLog()).toBe(base);
      h.jobs.core.store.flush();
      for (const secret of Object.values(WINDOWS_SECRETS)) expect(filesContaining(h.dataDir, secret)).toEqual([]);
    }, 60_000);
  });
});
