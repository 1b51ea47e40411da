// @vitest-environment jsdom
import { describe, expect, test } from 'vitest';
import { VM_COLUMNS, cellContext } from '../../src/renderer/components/vm-table/columns';
import type { TableContext } from '../../src/renderer/components/vm-table/table-model';
import { useReachability } from '../../src/renderer/features/connect/reach-store';
import { cellText, CELL_COLUMNS, COLUMN_TITLES } from '../../src/shared/vm-cells';
import { domPerTest, loadFleet } from './dom-harness';
import { fleet } from './fixtures';

const dom = domPerTest();

describe('the VM table renders exactly cellText in every column', () => {
  test("the table has exactly the formatter's columns and titles", () => {
    expect(VM_COLUMNS.map((c) => c.id)).toEqual([...CELL_COLUMNS]);
    for (const c of VM_COLUMNS) expect(c.label).toBe(COLUMN_TITLES[c.id]);
  });

  test('every column, for running, off, pending and stale VMs', () => {
    const f = fleet(2, 6);
    const model = loadFleet(f);
    const [first, second] = f.vms;
    const probed = { key: first!.key, rdp: 'open', ssh: 'closed', address: first!.ipAddresses[0], rdpAddress: first!.ipAddresses[0], sshAddress: null, checkedAt: new Date().toISOString() };
    useReachability.setState({ byKey: new Map([[first!.key, probed as never]]), version: 1 });
    const ctx: TableContext = { vms: model.vms, hostName: (h) => `name-${h}`, clusterOf: () => 'CLU', host: (h) => model.hosts.get(h), reach: (k) => useReachability.getState().byKey.get(k) };
    const pending = { ...second!, state: 'Running' as const, pending: { action: 'stop', desiredState: 'Off' as const, requestedAt: '', deadline: '', unconfirmed: true } };
    const stale = { ...f.vms[2]!, stale: true, staleSince: new Date(Date.now() - 200_000).toISOString() };
    for (const vm of [first!, pending, stale, f.vms[3]!]) {
      for (const column of VM_COLUMNS) {
        if (column.id === 'name') continue; // the row draws the name as a link: its text is vm.name
        dom.render(<div data-testid="cell">{column.render(vm, ctx)}</div>);
        const shown = dom.container.querySelector('[data-testid="cell"]')!.textContent;
        expect(shown, `${column.id} of ${vm.name}`).toBe(cellText(column.id, vm, cellContext(ctx, Date.now())));
      }
    }
  });
});
