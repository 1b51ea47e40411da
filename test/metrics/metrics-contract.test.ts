import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Backend } from '../../src/main/backend';
import { createMetricsModule } from '../../src/main/metrics';
import { startTestBackend } from '../support/backend';

const VM = '11111111-2222-3333-4444-555555555555';

describe('metrics commands at the contract boundary', () => {
  let backend: Backend;
  let close: () => Promise<void>;
  let hostId: string;

  beforeAll(async () => {
    ({ backend, close } = await startTestBackend({ modules: [createMetricsModule()] }));
    const added = await backend.invoke('hosts.add', { displayName: 'hv1', address: '127.0.0.1', port: 5985, transport: 'http', auth: 'ntlm', username: 'u', password: 'p' });
    expect(added.ok, JSON.stringify(!added.ok && added.error)).toBe(true);
    hostId = (added as { data: { id: string } }).data.id;
  });
  afterAll(async () => close?.());

  const fields = (result: Awaited<ReturnType<Backend['invoke']>>) => (result.ok ? [] : ((result.error.details as { fields?: Array<{ field: string }> })?.fields ?? []).map((f) => f.field));

  test('a host and a VM with no samples yet answer with empty columns and the retention', async () => {
    const result = await backend.invoke('metrics.history', { kind: 'host', hostId });
    expect(result).toEqual({ ok: true, data: { t: [], cpuPercent: [], memoryAssignedMb: [], memoryDemandMb: [], memoryUsedMb: [], retentionHours: 48 } });
    const forVm = await backend.invoke('metrics.history', { kind: 'vm', hostId, vmId: VM, sinceMs: 0 });
    expect(forVm.ok).toBe(true);
    expect(await backend.invoke('metrics.trends', { sinceMs: 0 })).toEqual({ ok: true, data: { hosts: [] } });
  });

  test('bad requests are refused naming the field', async () => {
    const badKind = await backend.invoke('metrics.history', { kind: 'cluster', hostId });
    expect(badKind.ok ? '' : badKind.error.code).toBe('VALIDATION_FAILED');
    expect(fields(badKind)).toContain('kind');
    const badSince = await backend.invoke('metrics.history', { kind: 'host', hostId, sinceMs: -5 });
    expect(fields(badSince)).toContain('sinceMs');
    const badVm = await backend.invoke('metrics.history', { kind: 'vm', hostId, vmId: 'web-01' });
    expect(fields(badVm)).toContain('vmId');
    const extra = await backend.invoke('metrics.history', { kind: 'host', hostId, sql: 'DROP TABLE samples' });
    expect(extra.ok).toBe(false);
    const noVm = await backend.invoke('metrics.history', { kind: 'vm', hostId });
    expect(noVm.ok ? '' : noVm.error.message).toMatch(/vmId: is required/);
    const vmOnHost = await backend.invoke('metrics.history', { kind: 'host', hostId, vmId: VM });
    expect(fields(vmOnHost)).toEqual(['vmId']);
    const trends = await backend.invoke('metrics.trends', {});
    expect(fields(trends)).toContain('sinceMs');
  });

  test('an unknown host is NOT_FOUND, said in words', async () => {
    const result = await backend.invoke('metrics.history', { kind: 'host', hostId: 'gone' });
    expect(result.ok ? '' : result.error.code).toBe('NOT_FOUND');
    expect(result.ok ? '' : result.error.message).toMatch(/No host with id gone/);
  });

  test('the retention setting is validated like every other setting', async () => {
    const bad = await backend.invoke('settings.update', { metrics: { retentionHours: 0 } });
    expect(fields(bad)).toContain('metrics.retentionHours');
    const good = await backend.invoke('settings.update', { metrics: { retentionHours: 24 } });
    expect(good.ok).toBe(true);
    const read = await backend.invoke('metrics.history', { kind: 'host', hostId });
    expect(read.ok && (read.data as { retentionHours: number }).retentionHours).toBe(24);
  });
});
