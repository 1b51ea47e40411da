import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Failure, JobInputSchema, JobValidateResponse, Ok } from '../../src/shared/contract';
import { startTestBackend } from '../support/backend';
import { filesContaining } from '../support/temp';
import { windowsForm } from './fixtures';

type TestBackend = Awaited<ReturnType<typeof startTestBackend>>;

describe('jobs commands through the backend', () => {
  let t: TestBackend;
  beforeAll(async () => {
    t = await startTestBackend();
  });
  afterAll(() => t.close());

  test('the jobs service runs and reports its schema and queue', () => {
    const jobs = t.backend.services.health().services.find((s) => s.name === 'jobs')!;
    expect(jobs.state).toBe('running');
    expect(jobs.detail).toMatch(/^schema vm-create v1; 0 job\(s\) running, 0 waiting; 0 in history$/);
    expect(t.backend.services.health().problems.filter((p) => /schema/i.test(p))).toEqual([]);
  });

  test('jobs.schema returns the schema with its version (and passes the response contract)', async () => {
    const result = (await t.backend.invoke('jobs.schema', {})) as Ok<JobInputSchema>;
    expect(result.ok).toBe(true);
    expect(result.data.version).toBe(1);
    expect(result.data.fields.find((f) => f.id === 'adminPassword')?.type).toBe('secret');
  });

  test('jobs.validate returns cleaned values with secrets masked', async () => {
    const result = (await t.backend.invoke('jobs.validate', { schemaVersion: 1, imageOsFamily: 'windows', fields: windowsForm() })) as Ok<JobValidateResponse>;
    expect(result.ok).toBe(true);
    expect(result.data).toMatchObject({ valid: true, schemaVersion: 1, values: { cpuCount: 4, adminPassword: '••••••' } });
  });

  test('jobs.validate returns every field error', async () => {
    const result = (await t.backend.invoke('jobs.validate', {
      schemaVersion: 1,
      imageOsFamily: 'linux',
      fields: windowsForm({ ipv4Address: '10.0.0.300', domainName: 'corp.example.com', extra: 1 }),
    })) as Ok<JobValidateResponse>;
    expect(result.data.valid).toBe(false);
    if (result.data.valid) return;
    expect(result.data.errors.map((e) => `${e.field}:${e.rule}`).sort()).toEqual(['domainName:applicability', 'extra:unknown', 'ipv4Address:ipv4', 'ipv4Gateway:variants', 'ipv4PrefixLength:variants']);
  });

  test('a stale schema version is refused with a message saying to reload the form', async () => {
    const result = (await t.backend.invoke('jobs.validate', { schemaVersion: 2, imageOsFamily: 'windows', fields: {} })) as Failure;
    expect(result.ok).toBe(false);
    expect(result.error).toEqual({ code: 'SCHEMA_OUT_OF_DATE', message: 'the form is out of date (schema v2, app has v1): reload the form' });
  });

  test('with a host, the check says what a submission would meet now', async () => {
    const host = (await t.backend.invoke('hosts.add', { displayName: 'HV-Check', address: 'hv-check.lab.local', username: 'LAB\\admin', password: 'Host-Pw-99' })) as Ok<{ id: string }>;
    const result = (await t.backend.invoke('jobs.validate', { schemaVersion: 1, hostId: host.data.id, imageOsFamily: 'windows', fields: windowsForm() })) as Ok<JobValidateResponse>;
    expect(result.data.valid).toBe(true);
    // The host cannot be reached (no such machine): depending on how far deployment got, it is
    // "not connected" or "still being deployed"; either way the check says so, naming the host.
    expect(result.data.warnings).toHaveLength(1);
    expect(result.data.warnings[0]).toMatch(/^A submission would be refused now: (Host HV-Check is not connected|The agent is still being deployed to HV-Check|The agent on HV-Check)/);
  });

  test('validated secrets are written nowhere in the data dir (app log included)', async () => {
    await t.backend.invoke('jobs.validate', { schemaVersion: 1, imageOsFamily: 'windows', fields: windowsForm({ cpuCount: 'x' }) });
    expect(filesContaining(t.dataDir, 'Adm1n-Secret-7731')).toEqual([]);
    expect(filesContaining(t.dataDir, 'job input schema loaded').length).toBeGreaterThan(0); // the scan sees the log
  });
});
