import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { commandNames, commands, type Failure } from '../../src/shared/contract';
import { startTestBackend } from '../support/backend';

type TestBackend = Awaited<ReturnType<typeof startTestBackend>>;

describe('contract', () => {
  let t: TestBackend;
  beforeAll(async () => {
    t = await startTestBackend();
  });
  afterAll(() => t.close());

  test('every command has exactly one handler, or is unavailable only because its service is not built', () => {
    const sources = t.backend.handlerSources;
    expect(Object.keys(sources).sort()).toEqual([...commandNames].sort());
    const states = new Map(t.backend.services.health().services.map((s) => [s.name, s.state]));
    for (const name of commandNames) {
      if (sources[name] !== 'unavailable') continue;
      const area = name.split('.')[0]!;
      expect(states.get(area), `${name} has no handler although ${area} is running`).toBe('not-built');
    }
  });

  test('every command declares a request schema, a response schema and a summary', () => {
    for (const name of commandNames) {
      expect(commands[name].request, name).toBeTypeOf('object');
      expect(commands[name].response, name).toBeTypeOf('object');
      expect(commands[name].summary.length, name).toBeGreaterThan(10);
    }
  });

  test('an unknown command is refused with a stable code', async () => {
    const result = (await t.backend.invoke('hosts.drop', {})) as Failure;
    expect(result.ok).toBe(false);
    expect(result.error.code).toBe('UNKNOWN_COMMAND');
  });

  test('a request with missing, unknown or malformed fields names each field', async () => {
    const missing = (await t.backend.invoke('hosts.add', { displayName: 'x' })) as Failure;
    expect(missing.error.code).toBe('VALIDATION_FAILED');
    const fields = missing.error.details!.fields!.map((f) => f.field).sort();
    expect(fields).toEqual(['address', 'password', 'username']);

    const unknown = (await t.backend.invoke('settings.update', { theme: 'dark', colour: 'red' })) as Failure;
    expect(unknown.error.details!.fields).toEqual([{ field: 'colour', message: 'is not a known field; remove it' }]);

    const bounds = (await t.backend.invoke('settings.update', { inventory: { fullSyncIntervalS: 5 } })) as Failure;
    expect(bounds.error.message).toBe('inventory.fullSyncIntervalS: must be seconds between full syncs, 60–86400');

    const badPort = (await t.backend.invoke('hosts.add', {
      displayName: 'hv',
      address: 'hv01',
      port: 70000,
      username: 'a',
      password: 'b',
    })) as Failure;
    expect(badPort.error.details!.fields).toEqual([{ field: 'port', message: 'must be a TCP port, 1–65535 (5985 for HTTP, 5986 for HTTPS)' }]);

    const notAnObject = (await t.backend.invoke('hosts.list', 'everything')) as Failure;
    expect(notAnObject.error.code).toBe('VALIDATION_FAILED');
  });

  test('an address with a scheme, port or spaces is refused with the hint', async () => {
    for (const address of ['http://hv01', 'hv01:5985', 'hv 01', 'hv01/wsman', '-hv01', '']) {
      const result = (await t.backend.invoke('hosts.add', { displayName: 'hv', address, username: 'a', password: 'b' })) as Failure;
      expect(result.ok, address).toBe(false);
      expect(result.error.details!.fields!.find((f) => f.field === 'address')?.message, address).toMatch(/host name or IP address/);
    }
  });

  test('diagnostics show the scheduler lanes and every service state', async () => {
    const metrics = (await t.backend.invoke('diagnostics.metrics', {})) as { ok: true; data: { groups: { name: string; rows: { lane?: string }[] }[]; services: { name: string }[] } };
    const lanes = metrics.data.groups.find((g) => g.name === 'Scheduler lanes')!;
    expect(lanes.rows.map((r) => r.lane)).toEqual(['INVENTORY', 'DEPLOYMENT', 'JOB', 'CONTROL']);
    expect(metrics.data.services.map((s) => s.name)).toEqual(expect.arrayContaining(['settings', 'notifications', 'scheduler', 'deployment', 'inventory', 'jobs']));
  });

  test('responses match their schemas (validated by the backend in tests)', async () => {
    for (const name of ['app.info', 'app.health', 'settings.get', 'hosts.list', 'notifications.list', 'diagnostics.metrics'] as const) {
      const result = await t.backend.invoke(name, {});
      expect(result.ok, `${name}: ${JSON.stringify(result)}`).toBe(true);
    }
    for (const topic of ['hosts', 'notifications', 'health'] as const) {
      const result = await t.backend.invoke('events.snapshot', { topic });
      expect(result.ok, topic).toBe(true);
    }
  });
});
