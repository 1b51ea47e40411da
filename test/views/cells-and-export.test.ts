import { describe, expect, test } from 'vitest';
import { cellText, CELL_COLUMNS, type CellContext } from '../../src/shared/vm-cells';
import { csvField, encodeCsv, encodeJson, encodeTsv, exportTable, guardFormula } from '../../src/shared/table-export';
import { sortVms } from '../../src/shared/vm-sort';
import { makeHost, makeVm } from '../renderer/fixtures';

const NOW = Date.parse('2026-12-04T12:00:00Z');
const host = makeHost('h1', { cluster: 'CLU-A' }, { lastSuccessAt: '2026-12-04T11:59:18Z', lastQuickAt: null });
const ctx: CellContext = {
  hostName: (id) => (id === 'h1' ? 'hv01' : id),
  clusterOf: (id) => (id === 'h1' ? 'CLU-A' : null),
  host: (id) => (id === 'h1' ? host : undefined),
  reach: () => ({ key: 'h1:x', rdp: 'open', ssh: 'closed', address: '10.0.0.5', rdpAddress: '10.0.0.5', sshAddress: null, checkedAt: '2026-12-04T11:58:00Z' }) as never,
  reachEnabled: true,
  now: NOW,
};

describe('cellText: the words of every VM table cell', () => {
  const vm = makeVm('h1', 1, {
    name: 'web-01',
    state: 'Running',
    cpuPercent: 28.6,
    memoryAssignedMb: 5734,
    memoryDemandMb: 4096,
    memoryStartupMb: 2048,
    uptimeS: 3 * 86_400 + 4 * 3600 + 120,
    processorCount: 4,
    operatingSystem: 'Windows Server 2022',
    generation: 2,
    diskCount: 3,
    createdAt: '2024-01-02T03:04:05Z',
    ipAddresses: ['10.0.0.5', 'fe80::1'],
    heartbeat: 'LostCommunication',
    checkpointCount: 2,
    oldestCheckpointAt: new Date(NOW - 12 * 86_400_000 - 3_600_000).toISOString(),
    observedAt: '2026-12-04T11:58:00Z',
    tags: ['prod', 'web'],
  });
  const expected: Record<(typeof CELL_COLUMNS)[number], string> = {
    tags: 'prod, web',
    name: 'web-01',
    state: 'Running',
    host: 'hv01',
    cluster: 'CLU-A',
    cpu: '29 %',
    memory: '5.6 GB',
    demand: '4.0 GB',
    startup: '2.0 GB',
    vcpu: '4',
    uptime: '3 d 4 h',
    os: 'Windows Server 2022',
    generation: '2',
    disks: '3',
    created: new Date('2024-01-02T03:04:05Z').toLocaleDateString(),
    ip: '10.0.0.5',
    heartbeat: 'Lost communication',
    checkpoints: '2',
    checkpointAge: '12 d',
    observed: 'observed 42 s ago', // the host's sync (11:59:18) is later than the VM's own observation
    rdp: 'Open',
    ssh: 'Closed',
  };
  test.each(CELL_COLUMNS.map((c) => [c]))('%s', (column) => {
    expect(cellText(column, vm, ctx)).toBe(expected[column]);
  });

  test('an Off VM, pending operations, a placeholder, a stale row, unknowns', () => {
    const off = makeVm('h2', 2, { state: 'Off', cpuPercent: 0, memoryAssignedMb: 0, uptimeS: 0, processorCount: null, operatingSystem: null, ipAddresses: [], heartbeat: null, oldestCheckpointAt: null, createdAt: null });
    for (const c of ['cpu', 'memory', 'uptime', 'vcpu', 'os', 'ip', 'heartbeat', 'checkpointAge', 'created', 'cluster', 'rdp', 'ssh'] as const) expect(cellText(c, off, ctx), c).toBe('—');
    expect(cellText('host', off, ctx)).toBe('h2'); // a host not in the settings shows its id
    const pending = { action: 'stop', desiredState: 'Off', requestedAt: '', deadline: '', unconfirmed: true } as const;
    expect(cellText('state', makeVm('h1', 3, { state: 'Running', pending }), ctx)).toBe('Running → Off (unconfirmed)');
    expect(cellText('state', makeVm('h1', 3, { state: 'Running', pending: { ...pending, action: 'move', desiredState: null, unconfirmed: false } }), ctx)).toBe('Running Moving…');
    expect(cellText('state', makeVm('h1', 4, { state: 'Creating', placeholder: true }), ctx)).toBe('Creating (not yet on host)');
    expect(cellText('observed', makeVm('h1', 5, { stale: true, staleSince: '2026-12-04T11:57:00Z' }), ctx)).toBe('stale since 3 min ago');
    expect(cellText('rdp', makeVm('h1', 6, { state: 'Running' }), { ...ctx, reach: () => undefined })).toBe('…');
    expect(cellText('rdp', makeVm('h1', 6, { state: 'Running' }), { ...ctx, reachEnabled: false })).toBe('—');
  });
});

describe('encoding', () => {
  test('CSV: RFC 4180 quoting, CRLF, a BOM, doubled quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(encodeCsv(['Name', 'Notes'], [['web, 01', 'x']])).toBe('\uFEFFName,Notes\r\n"web, 01",x\r\n');
  });

  test('formula injection: = + - @ (and a leading tab or CR) get a leading quote in CSV and TSV, not in JSON', () => {
    for (const bad of ['=cmd|/c calc!A1', '+1', '-2+3', '@SUM(A1)', '\tx']) expect(guardFormula(bad)).toBe(`'${bad}`);
    expect(guardFormula('—')).toBe('—'); // the "unknown" dash is not a minus
    expect(guardFormula('web-01')).toBe('web-01');
    expect(csvField('=1+2,3')).toBe('"\'=1+2,3"');
    expect(encodeTsv(['Name'], [['=HYPERLINK("x")']])).toBe("Name\r\n'=HYPERLINK(\"x\")\r\n");
    expect(JSON.parse(encodeJson(['name'], [['=1+2']]))).toEqual([{ name: '=1+2' }]);
  });

  test('TSV: tabs and line breaks inside a value become one space; CRLF rows', () => {
    expect(encodeTsv(['A', 'B'], [['one\ttwo', 'l1\r\nl2']])).toBe('A\tB\r\none two\tl1 l2\r\n');
  });

  test('exportTable: header of titles, the rows in the given order, JSON keyed by column id', () => {
    const vms = [makeVm('h1', 1, { name: 'b' }), makeVm('h1', 2, { name: 'a, "quoted"' })];
    expect(exportTable(vms, ['name', 'host'], ctx, 'csv')).toBe('\uFEFFName,Host\r\nb,hv01\r\n"a, ""quoted""",hv01\r\n');
    expect(JSON.parse(exportTable(vms, ['name', 'vcpu'], ctx, 'json'))).toEqual([
      { name: 'b', vcpu: '2' },
      { name: 'a, "quoted"', vcpu: '2' },
    ]);
    expect(exportTable([], ['name'], ctx, 'tsv')).toBe('Name\r\n');
  });

  test('sortVms: the table order, ties broken by name', () => {
    const vms = [makeVm('h1', 1, { name: 'c', processorCount: 2 }), makeVm('h1', 2, { name: 'a', processorCount: 4 }), makeVm('h1', 3, { name: 'b', processorCount: 2 })];
    expect(sortVms(vms, 'vcpu', 'desc', ctx).map((v) => v.name)).toEqual(['a', 'b', 'c']);
    expect(sortVms(vms, 'vcpu', 'asc', ctx).map((v) => v.name)).toEqual(['b', 'c', 'a']);
  });
});
