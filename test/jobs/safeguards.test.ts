import { describe, expect, test } from 'vitest';
import { checkSubmissionSafeguards, estimateFreeMemoryGb, SubmissionRefused, type SubmissionView } from '../../src/main/jobs';
import type { HostReadiness } from '../../src/main/deployment/api';
import type { HostView, InventorySnapshot } from '../../src/shared/contract';

/** A view over real data structures: host views, a readiness map, an inventory snapshot, a pending list. */
function viewOver(world: { hosts: HostView[]; readiness: Map<string, HostReadiness>; inventory: InventorySnapshot; pending: { hostId: string; vmName: string }[] }): SubmissionView {
  return {
    host: (id) => world.hosts.find((h) => h.id === id),
    agentReadiness: (id) => world.readiness.get(id),
    vmNamesOnHost: (id) => world.inventory.vms.filter((v) => v.hostId === id).map((v) => v.name),
    hostMemoryAvailableGb: (id) => world.inventory.hosts.find((h) => h.hostId === id)?.memoryAvailableGb,
    pendingVmNames: (id) => world.pending.filter((p) => p.hostId === id).map((p) => p.vmName),
  };
}

const host = (id: string, status: HostView['status'], enabled = true): HostView => ({
  id,
  displayName: id.toUpperCase(),
  address: `${id}.lab.local`,
  port: 5986,
  transport: 'https',
  auth: 'ntlm',
  allowUnencryptedBasic: false,
  username: 'LAB\\admin',
  enabled,
  hasPassword: true,
  status,
});

const vm = (hostId: string, name: string) =>
  ({ key: `${hostId}:${name}`, vmId: name, hostId, name, state: 'Running' }) as unknown as InventorySnapshot['vms'][number];
const invHost = (hostId: string, memoryAvailableGb: number | null) => ({ hostId, memoryAvailableGb }) as unknown as InventorySnapshot['hosts'][number];

function world() {
  return {
    hosts: [host('hv01', 'connected'), host('hv02', 'preparing'), host('hv03', 'unreachable'), host('hv04', 'connected', false), host('hv05', 'connected')],
    readiness: new Map<string, HostReadiness>([
      ['hv01', { state: 'ready', agentVersion: '1.0.0' }],
      ['hv02', { state: 'preparing', reason: 'copying agent files' }],
      ['hv05', { state: 'newer', agentVersion: '9.0.0', reason: 'the host runs a newer agent (9.0.0) than this app' }],
    ]),
    inventory: { hosts: [invHost('hv01', 32), invHost('hv05', null)], vms: [vm('hv01', 'Web01'), vm('hv05', 'db01')] },
    pending: [{ hostId: 'hv01', vmName: 'App07' }],
  };
}

const refusal = (fn: () => unknown): SubmissionRefused => {
  try {
    fn();
  } catch (error) {
    if (error instanceof SubmissionRefused) return error;
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('submission safeguards', () => {
  const view = viewOver(world());
  const check = (hostId: string, vmName = 'new01', memoryGB = 4) => checkSubmissionSafeguards({ hostId, vmName, memoryGB }, view);

  test('a connected host with a ready agent and a free name passes without warnings', () => {
    expect(check('hv01')).toEqual({ warnings: [] });
  });

  test.each([
    ['an unknown host', 'nope', 'HOST_NOT_FOUND', /Host nope is not configured/],
    ['a disabled host', 'hv04', 'HOST_DISABLED', /Host HV04 is disabled/],
    ['an unreachable host', 'hv03', 'HOST_NOT_CONNECTED', /Host HV03 is not connected \(unreachable\)/],
    ['a host whose agent is deploying', 'hv02', 'AGENT_NOT_READY', /still being deployed to HV02 \(copying agent files\)/],
    ['a host with a newer agent', 'hv05', 'AGENT_NOT_READY', /agent on HV05 cannot run jobs: the host runs a newer agent/],
  ])('refuses %s with a clear error', (_name, hostId, code, message) => {
    const error = refusal(() => check(hostId));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  test('a connected host without deployment running is refused (agent state unknown)', () => {
    const error = refusal(() => checkSubmissionSafeguards({ hostId: 'hv01', vmName: 'x', memoryGB: 1 }, { ...view, agentReadiness: () => undefined }));
    expect(error.code).toBe('AGENT_NOT_READY');
  });

  test('the VM name must be free on the host, case-insensitively', () => {
    const error = refusal(() => check('hv01', 'WEB01'));
    expect(error).toMatchObject({ code: 'VM_NAME_EXISTS', field: 'vmName' });
    expect(error.message).toBe('A VM named WEB01 already exists on HV01; choose another name.');
  });

  test('the VM name must not be in a pending job for the host, case-insensitively', () => {
    expect(refusal(() => check('hv01', 'app07'))).toMatchObject({ code: 'VM_NAME_PENDING', field: 'vmName' });
    // The same name on another host is fine (names are unique per host).
    const other = viewOver({ ...world(), readiness: new Map([['hv05', { state: 'ready', agentVersion: '1.0.0' }]]) });
    expect(checkSubmissionSafeguards({ hostId: 'hv05', vmName: 'app07', memoryGB: 1 }, other).warnings).toHaveLength(1);
  });

  test('asking for more memory than the host has free is a warning, not a refusal', () => {
    expect(check('hv01', 'big01', 48).warnings).toEqual(['HV01 has about 32 GiB of memory free and the VM asks for 48 GiB; it may fail to start.']);
    expect(check('hv01', 'fits01', 32).warnings).toEqual([]);
  });

  test('unknown free memory is said plainly', () => {
    const readyHv05 = viewOver({ ...world(), readiness: new Map([['hv05', { state: 'ready', agentVersion: '1.0.0' }]]) });
    expect(checkSubmissionSafeguards({ hostId: 'hv05', vmName: 'n', memoryGB: 2 }, readyHv05).warnings[0]).toMatch(/Free memory on HV05 is not known yet/);
  });
});

describe('free memory estimate', () => {
  const hostOf = (memoryGb: number | null, memoryAvailableGb: number | null = null) =>
    ({ hostId: 'hv01', memoryGb, memoryAvailableGb }) as unknown as InventorySnapshot['hosts'][number];
  const guest = (state: string, memoryAssignedMb: number | null, memoryStartupMb: number | null, hostId = 'hv01') =>
    ({ hostId, state, memoryAssignedMb, memoryStartupMb }) as unknown as InventorySnapshot['vms'][number];

  test('a host that reports its free memory is believed', () => {
    expect(estimateFreeMemoryGb(hostOf(64, 20), [guest('Running', 8192, 4096)])).toBe(20);
  });

  test('otherwise: physical memory minus what running VMs hold (assigned, else startup)', () => {
    const vms = [
      guest('Running', 8192, 4096), // 8 GiB assigned
      guest('Paused', null, 2048), // 2 GiB at startup, not yet observed
      guest('Off', 16384, 16384), // holds nothing
      guest('Saved', 4096, 4096), // holds nothing
      guest('Running', 8192, 8192, 'hv02'), // another host
    ];
    expect(estimateFreeMemoryGb(hostOf(64), vms)).toBe(54);
  });

  test('never negative; unknown when the total is unknown', () => {
    expect(estimateFreeMemoryGb(hostOf(4), [guest('Running', 8192, 8192)])).toBe(0);
    expect(estimateFreeMemoryGb(hostOf(null), [])).toBeUndefined();
    expect(estimateFreeMemoryGb(undefined, [])).toBeUndefined();
  });
});
