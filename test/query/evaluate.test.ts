import { describe, expect, test } from 'vitest';
import type { InventoryVm } from '../../src/shared/contract';
import { compileQuery, parseQuery, type QueryContext } from '../../src/shared/query';
import { makeVm } from '../renderer/fixtures';

const NOW = Date.parse('2026-06-01T00:00:00Z');
const DAY = 86_400;
const HOSTS: Record<string, { name: string; cluster: string | null }> = {
  h1: { name: 'hv01', cluster: 'CLU-A' },
  h2: { name: 'hv02', cluster: 'CLU-A' },
  h3: { name: 'hv10', cluster: null },
};
const TAGS: Record<string, string[]> = { 'web 01': ['prod', 'Frontend'] };

const ctx: QueryContext = {
  hostName: (h) => HOSTS[h]?.name ?? h,
  clusterOf: (h) => HOSTS[h]?.cluster ?? null,
  tags: (vm) => TAGS[vm.name] ?? [],
  now: NOW,
};

const GB = 1024;
// A small fleet with one VM per interesting case; every test asserts exactly which names match.
const VMS: InventoryVm[] = [
  makeVm('h1', 1, { name: 'web 01', state: 'Running', memoryAssignedMb: 12 * GB, cpuPercent: 70, processorCount: 4, uptimeS: 40 * DAY, heartbeat: 'OkApplicationsHealthy', operatingSystem: 'Windows Server 2022 Datacenter', osFamily: 'windows', createdAt: '2026-05-01T00:00:00Z', ipAddresses: ['10.0.0.1'], checkpointCount: 2, notes: 'Owner: platform team' }),
  makeVm('h1', 2, { name: 'db-01', state: 'Running', memoryAssignedMb: 8 * GB, cpuPercent: 5, processorCount: 8, uptimeS: 10 * DAY, heartbeat: 'LostCommunication', operatingSystem: 'Windows Server 2019 Standard', osFamily: 'windows', createdAt: '2025-01-01T00:00:00Z', ipAddresses: ['10.0.0.2', 'fe80::2'], checkpointCount: 0, notes: null }),
  makeVm('h2', 3, { name: 'DB-Archive', state: 'Off', memoryAssignedMb: 0, cpuPercent: 0, processorCount: 2, uptimeS: 0, heartbeat: null, operatingSystem: null, osFamily: 'unknown', createdAt: null, ipAddresses: [], checkpointCount: 5, notes: 'Migrated from VMware\nTicket OPS-1234' }),
  makeVm('h2', 4, { name: 'ubuntu-ci', state: 'Saved', memoryAssignedMb: null, cpuPercent: null, processorCount: null, uptimeS: null, heartbeat: null, operatingSystem: 'Ubuntu 22.04.4 LTS', osFamily: 'linux', createdAt: '2026-05-31T12:00:00Z', ipAddresses: ['192.168.1.5'], checkpointCount: 1, stale: true }),
  makeVm('h3', 5, { name: 'web-02', state: 'Running', memoryAssignedMb: 512, cpuPercent: 95, processorCount: 1, uptimeS: 15 * 60, heartbeat: 'OkApplicationsCritical', operatingSystem: 'Windows 11 Enterprise', osFamily: 'windows', createdAt: '2026-05-30T00:00:00Z', ipAddresses: ['10.0.1.7'], checkpointCount: 0 }),
];

function names(text: string): string[] {
  const parsed = parseQuery(text);
  if (!parsed.ok) throw new Error(`${text}: ${parsed.error.message}`);
  const test = compileQuery(parsed.query);
  return VMS.filter((vm) => test(vm, ctx)).map((vm) => vm.name);
}

describe('the four examples of issue 16', () => {
  test('state:running host:hv0* mem>8GB: running, on hv01–hv09, more than 8 GB assigned', () => {
    expect(names('state:running host:hv0* mem>8GB')).toEqual(['web 01']);
  });
  test('-state:off os:windows heartbeat:lost: LostCommunication on a Windows VM that is not off', () => {
    expect(names('-state:off os:windows heartbeat:lost')).toEqual(['db-01']);
  });
  test('name:"web 01" OR name:db*: either, case-insensitively', () => {
    expect(names('name:"web 01" OR name:db*')).toEqual(['web 01', 'db-01', 'DB-Archive']);
  });
  test('cluster:CLU-A vcpu>=4 uptime>30d', () => {
    expect(names('cluster:CLU-A vcpu>=4 uptime>30d')).toEqual(['web 01']);
  });
});

describe('each field', () => {
  test('free text: any part of the name, an IP, the GUID or the notes; several words are ANDed', () => {
    expect(names('web')).toEqual(['web 01', 'web-02']);
    expect(names('10.0.0')).toEqual(['web 01', 'db-01']);
    expect(names(VMS[3]!.vmId.slice(-12).toUpperCase())).toEqual(['ubuntu-ci']);
    expect(names('vmware')).toEqual(['DB-Archive']);
    expect(names('ops-1234 archive')).toEqual(['DB-Archive']);
    expect(names('"platform team"')).toEqual(['web 01']);
    expect(names('w*02')).toEqual(['web-02']);
  });

  test('name, state (and state:stale), host by name or id, cluster', () => {
    expect(names('name:WEB*')).toEqual(['web 01', 'web-02']);
    expect(names('name:web')).toEqual([]); // without * a field matches the whole value
    expect(names('state:RUNNING')).toEqual(['web 01', 'db-01', 'web-02']);
    expect(names('state:s*')).toEqual(['ubuntu-ci']);
    expect(names('state:stale')).toEqual(['ubuntu-ci']);
    expect(names('host:hv1*')).toEqual(['web-02']);
    expect(names('host:h2')).toEqual(['DB-Archive', 'ubuntu-ci']);
    expect(names('cluster:clu-a')).toEqual(['web 01', 'db-01', 'DB-Archive', 'ubuntu-ci']);
    expect(names('-cluster:*')).toEqual(['web-02']);
  });

  test('os: the family or any part of the OS name; ip: whole addresses with wildcards; tag; notes', () => {
    expect(names('os:windows')).toEqual(['web 01', 'db-01', 'web-02']);
    expect(names('os:linux')).toEqual(['ubuntu-ci']);
    expect(names('os:2019')).toEqual(['db-01']);
    expect(names('os:"server 20*"')).toEqual(['web 01', 'db-01']);
    expect(names('ip:10.0.*')).toEqual(['web 01', 'db-01', 'web-02']);
    expect(names('ip:10.0.0')).toEqual([]);
    expect(names('ip:fe80::2')).toEqual(['db-01']);
    expect(names('tag:frontend')).toEqual(['web 01']);
    expect(names('tag:p*')).toEqual(['web 01']);
    expect(names('notes:ticket')).toEqual(['DB-Archive']);
  });

  test('heartbeat: Hyper-V values, their words, short words, and none', () => {
    expect(names('heartbeat:lost')).toEqual(['db-01']);
    expect(names('heartbeat:LostCommunication')).toEqual(['db-01']);
    expect(names('heartbeat:"lost communication"')).toEqual(['db-01']);
    expect(names('heartbeat:ok')).toEqual(['web 01', 'web-02']);
    expect(names('heartbeat:critical')).toEqual(['web-02']);
    expect(names('heartbeat:none')).toEqual(['DB-Archive', 'ubuntu-ci']);
  });

  test('numbers with units; a VM without the value never matches a comparison', () => {
    expect(names('mem>=8GB')).toEqual(['web 01', 'db-01']);
    expect(names('mem=8')).toEqual(['db-01']);
    expect(names('mem<=512MB')).toEqual(['DB-Archive', 'web-02']);
    expect(names('mem>0.01TB')).toEqual(['web 01']);
    expect(names('cpu>50%')).toEqual(['web 01', 'web-02']);
    expect(names('vcpu<2')).toEqual(['web-02']);
    expect(names('uptime<12h')).toEqual(['DB-Archive', 'web-02']);
    expect(names('uptime>=15m uptime<1h')).toEqual(['web-02']);
    expect(names('uptime>1w')).toEqual(['web 01', 'db-01']);
    expect(names('age>365d')).toEqual(['db-01']);
    expect(names('age<1d')).toEqual(['ubuntu-ci']);
    expect(names('age<=48h')).toEqual(['ubuntu-ci', 'web-02']);
    expect(names('age<48h')).toEqual(['ubuntu-ci']); // web-02 is exactly 48 h old
    expect(names('checkpoints>0')).toEqual(['web 01', 'DB-Archive', 'ubuntu-ci']);
    expect(names('checkpoints:0')).toEqual(['db-01', 'web-02']);
  });
});

describe('structure', () => {
  test('negation, OR precedence and parentheses', () => {
    expect(names('-state:running')).toEqual(['DB-Archive', 'ubuntu-ci']);
    expect(names('state:running name:db* OR name:web*')).toEqual(['web 01', 'db-01', 'web-02']);
    expect(names('(state:running name:db*) OR name:web*')).toEqual(['web 01', 'db-01', 'web-02']);
    expect(names('state:off OR state:saved vcpu>1')).toEqual(['DB-Archive']);
    expect(names('-(state:off OR state:saved)')).toEqual(['web 01', 'db-01', 'web-02']);
    expect(names('--state:off')).toEqual(['DB-Archive']);
    expect(names('')).toHaveLength(VMS.length);
  });

  test('host names come from the context each time: a renamed host is matched by its new name', () => {
    const parsed = parseQuery('host:renamed');
    if (!parsed.ok) throw new Error(parsed.error.message);
    const test = compileQuery(parsed.query);
    expect(VMS.filter((vm) => test(vm, ctx))).toHaveLength(0);
    const renamed: QueryContext = { ...ctx, hostName: (h) => (h === 'h3' ? 'renamed' : ctx.hostName(h)) };
    expect(VMS.filter((vm) => test(vm, renamed)).map((vm) => vm.name)).toEqual(['web-02']);
  });
});
