/** The renderer's reachability words and the VM table's "RDP reachable" filter and sort. */
import { describe, expect, test } from 'vitest';
import type { InventoryVm, VmReach } from '../../src/shared/contract';
import { filterAndSort, type TableContext } from '../../src/renderer/components/vm-table/table-model';
import { reachCell, statusText } from '../../src/renderer/features/connect/reach-words';

const vm = (name: string, state: InventoryVm['state'], ipAddresses: string[]) => ({ key: `h:${name}`, vmId: name, hostId: 'h', name, state, ipAddresses }) as unknown as InventoryVm;
const reach = (key: string, rdp: VmReach['rdp'], ssh: VmReach['ssh'], address: string | null): VmReach => ({
  key,
  rdp,
  ssh,
  address,
  rdpAddress: rdp === 'open' ? address : null,
  sshAddress: ssh === 'open' ? address : null,
  checkedAt: '2026-01-01T00:00:00.000Z',
});

describe('reachability in the VM table and on the VM page', () => {
  const vms = [vm('win', 'Running', ['127.1.0.10']), vm('lin', 'Running', ['127.1.0.11']), vm('dark', 'Running', ['127.1.0.12']), vm('off', 'Off', [])];
  const results = new Map([
    ['h:win', reach('h:win', 'open', 'closed', '127.1.0.10')],
    ['h:lin', reach('h:lin', 'closed', 'open', '127.1.0.11')],
    ['h:dark', reach('h:dark', 'closed', 'closed', null)],
  ]);
  const ctx: TableContext = { vms: new Map(vms.map((v) => [v.key, v])), hostName: (h) => h, clusterOf: () => undefined, reach: (k) => results.get(k) };
  const keys = vms.map((v) => v.key);

  test('filters by RDP reachable, SSH reachable and Running but neither; sorts open first', () => {
    const byName = { column: 'name', dir: 'asc' } as const;
    expect(filterAndSort(keys, { reach: 'rdp' }, byName, ctx)).toEqual(['h:win']);
    expect(filterAndSort(keys, { reach: 'ssh' }, byName, ctx)).toEqual(['h:lin']);
    expect(filterAndSort(keys, { reach: 'none' }, byName, ctx)).toEqual(['h:dark']); // Running, neither answered
    expect(filterAndSort(keys, {}, { column: 'rdp', dir: 'asc' }, ctx)[0]).toBe('h:win');
  });

  test('cells and the status line say why nothing is known', () => {
    expect(reachCell(vms[0]!, results.get('h:win'), 'rdp', true)).toMatchObject({ text: 'Open', state: 'open' });
    expect(reachCell(vms[0]!, results.get('h:win'), 'ssh', true)).toMatchObject({ text: 'Closed', state: 'closed' });
    expect(reachCell(vms[3]!, undefined, 'rdp', true)).toMatchObject({ text: '—', title: 'Not probed: the VM is Off' });
    expect(reachCell(vms[0]!, results.get('h:win'), 'rdp', false)).toMatchObject({ text: '—', title: expect.stringContaining('probing is off') });
    expect(statusText(vms[3]!, undefined, true)).toBe('No IP address reported: the VM is off or its integration services do not report one.');
    expect(statusText(vms[2]!, results.get('h:dark'), true)).toMatch(/^None of its addresses \(127\.1\.0\.12\) answered RDP or SSH from this workstation \(checked .* ago\)\.$/);
    expect(statusText(vms[0]!, results.get('h:win'), true)).toMatch(/^Reachable at 127\.1\.0\.10 /);
    expect(statusText(vms[0]!, undefined, true)).toBe('Checking RDP and SSH on 127.1.0.10…');
  });
});
