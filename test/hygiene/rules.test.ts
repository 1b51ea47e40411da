import { describe, expect, test } from 'vitest';
import {
  compareVersions,
  configVersionBehind,
  evaluateHygiene,
  isLinkLocal,
  isSnoozed,
  longSaved,
  memoryPinned,
  notClusteredOnClusterNode,
  oldCheckpoint,
  runningWithoutHeartbeat,
  type HygieneHostFacts,
  type HygieneVmFacts,
} from '../../src/shared/hygiene/rules';

const NOW = Date.parse('2026-12-04T12:00:00Z');
const T = { checkpointDays: 7, heartbeatMinutes: 10, savedDays: 7 };
const ago = (ms: number) => new Date(NOW - ms).toISOString();
const MIN = 60_000;
const DAY = 86_400_000;

function vm(over: Partial<HygieneVmFacts> = {}): HygieneVmFacts {
  return {
    hostId: 'h1',
    vmId: 'v1',
    name: 'web-01',
    state: 'Running',
    heartbeat: 'OkApplicationsHealthy',
    stateSince: ago(DAY),
    heartbeatSince: ago(DAY),
    oldestCheckpointAt: null,
    checkpointCount: 0,
    configurationVersion: '10.0',
    clustered: false,
    dynamicMemory: false,
    memoryAssignedMb: 2048,
    memoryDemandMb: 1024,
    memoryMaxMb: 4096,
    macAddresses: [],
    ipAddresses: [],
    ...over,
  };
}
const host = (over: Partial<HygieneHostFacts> = {}): HygieneHostFacts => ({ hostId: 'h1', name: 'hv01', cluster: null, defaultVmVersion: '10.0', ...over });

describe('old checkpoints', () => {
  test('older than the limit is found, with the count; at or under the limit is not', () => {
    expect(oldCheckpoint(vm({ oldestCheckpointAt: ago(8 * DAY), checkpointCount: 3 }), T, NOW)).toBe('oldest of 3 checkpoints is 8 days old (limit 7)');
    expect(oldCheckpoint(vm({ oldestCheckpointAt: ago(7 * DAY), checkpointCount: 1 }), T, NOW)).toBeNull();
    expect(oldCheckpoint(vm(), T, NOW)).toBeNull();
  });
});

describe('running without heartbeat', () => {
  test('lost communication, no contact and no value while Running, for longer than the limit', () => {
    for (const heartbeat of ['LostCommunication', 'NoContact', null]) {
      expect(runningWithoutHeartbeat(vm({ heartbeat, heartbeatSince: ago(11 * MIN) }), T, NOW), String(heartbeat)).toMatch(/^Running with .* for 11 minutes \(limit 10\)$/);
    }
  });
  test('counts from the later of the state and heartbeat changes: a VM started 5 minutes ago is not yet a finding', () => {
    expect(runningWithoutHeartbeat(vm({ heartbeat: 'LostCommunication', heartbeatSince: ago(DAY), stateSince: ago(5 * MIN) }), T, NOW)).toBeNull();
  });
  test('a healthy heartbeat, another state, or no known time is not a finding', () => {
    expect(runningWithoutHeartbeat(vm({ heartbeatSince: ago(DAY) }), T, NOW)).toBeNull();
    expect(runningWithoutHeartbeat(vm({ state: 'Off', heartbeat: null }), T, NOW)).toBeNull();
    expect(runningWithoutHeartbeat(vm({ heartbeat: null, stateSince: null, heartbeatSince: null }), T, NOW)).toBeNull();
  });
});

describe('saved for long', () => {
  test('Saved since more than the limit', () => {
    expect(longSaved(vm({ state: 'Saved', stateSince: ago(9 * DAY) }), T, NOW)).toBe('Saved for 9 days (limit 7)');
    expect(longSaved(vm({ state: 'Saved', stateSince: ago(6 * DAY) }), T, NOW)).toBeNull();
    expect(longSaved(vm({ state: 'Saved', stateSince: ago(7.5 * DAY) }), T, NOW)).toBe('Saved for 7.5 days (limit 7)');
    expect(longSaved(vm({ state: 'Saved', stateSince: ago(45.7 * DAY) }), T, NOW)).toBe('Saved for 45 days (limit 7)');
    expect(longSaved(vm({ state: 'Off', stateSince: ago(90 * DAY) }), T, NOW)).toBeNull();
  });
});

describe('configuration version', () => {
  test('versions compare as numbers, not text', () => {
    expect(compareVersions('9.0', '10.0')).toBe(-1);
    expect(compareVersions('10.0', '9.0')).toBe(1);
    expect(compareVersions('11.0', '11')).toBe(0);
    expect(compareVersions('8.3', '8.10')).toBe(-1);
    expect(compareVersions('v10', '10.0')).toBeNull();
  });
  test('behind the host default is found; equal, newer, unknown or a host without a default is not', () => {
    expect(configVersionBehind(vm({ configurationVersion: '9.0' }), host())).toBe('configuration version 9.0, host default 10.0');
    expect(configVersionBehind(vm({ configurationVersion: '10.0' }), host())).toBeNull();
    expect(configVersionBehind(vm({ configurationVersion: '11.0' }), host())).toBeNull();
    expect(configVersionBehind(vm({ configurationVersion: null }), host())).toBeNull();
    expect(configVersionBehind(vm({ configurationVersion: '5.0' }), host({ defaultVmVersion: null }))).toBeNull();
  });
});

describe('not clustered on a cluster node', () => {
  test('only a non-clustered VM on a host that reports a cluster', () => {
    expect(notClusteredOnClusterNode(vm(), host({ cluster: 'CLU-A' }))).toContain('CLU-A');
    expect(notClusteredOnClusterNode(vm({ clustered: true }), host({ cluster: 'CLU-A' }))).toBeNull();
    expect(notClusteredOnClusterNode(vm(), host())).toBeNull();
  });
});

describe('dynamic memory pinned at its maximum', () => {
  test('dynamic, assigned within 1% of the maximum and demand at least assigned', () => {
    expect(memoryPinned(vm({ dynamicMemory: true, memoryAssignedMb: 4060, memoryDemandMb: 4060, memoryMaxMb: 4096 }))).toMatch(/assigned 4060 MB of a 4096 MB maximum/);
    expect(memoryPinned(vm({ dynamicMemory: true, memoryAssignedMb: 4000, memoryDemandMb: 5000, memoryMaxMb: 4096 }))).toBeNull();
    expect(memoryPinned(vm({ dynamicMemory: true, memoryAssignedMb: 4096, memoryDemandMb: 4000, memoryMaxMb: 4096 }))).toBeNull();
    expect(memoryPinned(vm({ dynamicMemory: false, memoryAssignedMb: 4096, memoryDemandMb: 5000, memoryMaxMb: 4096 }))).toBeNull();
    expect(memoryPinned(vm({ dynamicMemory: true, memoryAssignedMb: 4096, memoryDemandMb: 5000, memoryMaxMb: null }))).toBeNull();
  });
});

describe('duplicate addresses', () => {
  const hosts = new Map([
    ['h1', host()],
    ['h2', host({ hostId: 'h2', name: 'hv02', cluster: 'CLU-A' })],
  ]);
  test('a MAC on two VMs of two hosts is one finding naming both, whatever its spelling', () => {
    const out = evaluateHygiene({
      vms: [vm({ macAddresses: ['00155D010203'] }), vm({ hostId: 'h2', vmId: 'v2', name: 'db-01', macAddresses: ['00-15-5d-01-02-03'] }), vm({ vmId: 'v3', macAddresses: ['00155D0000FF'] })],
      hosts,
      thresholds: T,
      now: NOW,
    }).filter((f) => f.check === 'duplicate-mac');
    expect(out).toHaveLength(1);
    expect(out[0]!.vms.map((v) => v.vmId)).toEqual(['v1', 'v2']);
    expect(out[0]!.hostIds).toEqual(['h1', 'h2']);
    expect(out[0]!.clusters).toEqual(['CLU-A']);
  });
  test('an IP on two VMs is found; link-local is not; loopback is (the lab uses it)', () => {
    expect(isLinkLocal('fe80::1')).toBe(true);
    expect(isLinkLocal('169.254.3.4')).toBe(true);
    expect(isLinkLocal('127.0.0.5')).toBe(false);
    const out = evaluateHygiene({
      vms: [vm({ ipAddresses: ['127.16.0.5', 'fe80::1'] }), vm({ vmId: 'v2', ipAddresses: ['127.16.0.5', 'FE80::1'] })],
      hosts,
      thresholds: T,
      now: NOW,
    }).filter((f) => f.check === 'duplicate-ip');
    expect(out.map((f) => f.id)).toEqual(['duplicate-ip:127.16.0.5']);
  });
  test('the same address twice on one VM is not a duplicate', () => {
    const out = evaluateHygiene({ vms: [vm({ macAddresses: ['00155D010203', '00155D010203'], ipAddresses: ['10.0.0.1', '10.0.0.1'] })], hosts, thresholds: T, now: NOW });
    expect(out).toEqual([]);
  });
});

describe('orphan disks and snoozes', () => {
  test('each scanned file is a finding of its host', () => {
    const out = evaluateHygiene({
      vms: [],
      hosts: new Map([['h1', host({ cluster: 'CLU-A' })]]),
      thresholds: T,
      now: NOW,
      orphanScans: new Map([['h1', [{ path: 'D:\\VMs\\old.vhdx', sizeGb: 12.5, lastWriteTime: ago(40 * DAY) }]]]),
    });
    expect(out).toEqual([expect.objectContaining({ id: 'orphan-disk:h1:d:\\vms\\old.vhdx', check: 'orphan-disk', hostIds: ['h1'], clusters: ['CLU-A'], vms: [] })]);
  });
  test('a timed snooze holds until its time; "until it changes" holds while the fingerprint is the same', () => {
    const [finding] = evaluateHygiene({ vms: [vm({ state: 'Saved', stateSince: ago(9 * DAY) })], hosts: new Map([['h1', host()]]), thresholds: T, now: NOW });
    expect(isSnoozed(finding!, { findingId: finding!.id, until: new Date(NOW + 1000).toISOString(), fingerprint: 'x' }, NOW)).toBe(true);
    expect(isSnoozed(finding!, { findingId: finding!.id, until: new Date(NOW - 1000).toISOString(), fingerprint: 'x' }, NOW)).toBe(false);
    expect(isSnoozed(finding!, { findingId: finding!.id, until: null, fingerprint: finding!.fingerprint }, NOW)).toBe(true);
    expect(isSnoozed(finding!, { findingId: finding!.id, until: null, fingerprint: 'older' }, NOW)).toBe(false);
    expect(isSnoozed(finding!, undefined, NOW)).toBe(false);
  });
});
