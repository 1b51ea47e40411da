// @vitest-environment jsdom
import { act } from 'react';
import { describe, expect, test } from 'vitest';
import { VmTable } from '../../src/renderer/components/vm-table/VmTable';
import { searchWithQuery } from '../../src/renderer/features/search/search-index';
import { InventoryModel } from '../../src/renderer/stores/inventory-model';
import { domPerTest, loadFleet } from './dom-harness';
import { fleet } from './fixtures';

const dom = domPerTest();

function type(input: HTMLInputElement, value: string) {
  act(() => {
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(input, value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

describe('the VM table query box', () => {
  // fleet(): i % 3 === 0 is Off, memory 1–8 GB by i % 8, hosts hv00–hv02, hv00 and hv02 in CL-A.
  const f = fleet(3, 12);
  const expected = (test: (vm: (typeof f.vms)[number]) => boolean) => f.vms.filter(test).map((vm) => vm.key).sort();
  const shown = () => dom.rows().map((r) => r.dataset.key!).sort();

  test('filters by the query, ANDed with the drop-downs; a wrong query shows its error and keeps the rows; Escape clears', () => {
    loadFleet(f);
    dom.render(<VmTable scope={{ kind: 'all' }} height={3000} />);
    const box = dom.container.querySelector<HTMLInputElement>('[data-testid="vm-query"]')!;
    expect(box.placeholder).toContain('state:running');

    type(box, 'state:running mem>4GB');
    const good = expected((vm) => vm.state === 'Running' && vm.memoryAssignedMb! > 4096);
    expect(good.length).toBeGreaterThan(0);
    expect(shown()).toEqual(good);

    // The host drop-down narrows the query's result further.
    const host = dom.container.querySelector<HTMLSelectElement>('select[aria-label="Host"]')!;
    act(() => {
      host.value = 'hv01';
      host.dispatchEvent(new Event('change', { bubbles: true }));
    });
    expect(shown()).toEqual(expected((vm) => vm.hostId === 'hv01' && vm.state === 'Running' && vm.memoryAssignedMb! > 4096));
    act(() => {
      host.value = '';
      host.dispatchEvent(new Event('change', { bubbles: true }));
    });

    type(box, 'state:running mem>');
    const error = dom.container.querySelector('[data-testid="vm-query-error"]')!;
    expect(error.textContent).toContain("expected a value after 'mem>'");
    expect(error.querySelector('mark')!.textContent).toBe('mem>');
    expect(box.getAttribute('aria-invalid')).toBe('true');
    expect(shown()).toEqual(good); // the last good result stays

    type(box, 'memm>3');
    expect(dom.container.querySelector('[data-testid="vm-query-error"]')!.textContent).toContain('did you mean mem?');

    act(() => void box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true })));
    expect(box.value).toBe('');
    expect(dom.container.querySelector('[data-testid="vm-query-error"]')).toBeNull();
    expect(shown()).toHaveLength(f.vms.length);
  });
});

describe('the header search with a query', () => {
  const f = fleet(3, 12);
  const model = new InventoryModel();
  model.replace({ hosts: f.hosts, vms: f.vms });
  const clusterByHost = new Map(f.hosts.map((h) => [h.hostId, h.cluster ?? undefined]));

  test('a query lists the matching VMs by name with the full count; plain words search as before; a wrong query gives its error', () => {
    const found = searchWithQuery('cluster:CL-A -state:off', f.views, model, clusterByHost);
    const expected = f.vms.filter((vm) => (vm.hostId === 'hv00' || vm.hostId === 'hv02') && vm.state !== 'Off');
    expect(found.matched).toBe(expected.length);
    expect(found.hits.map((h) => h.label)).toEqual(expected.map((vm) => vm.name).sort().slice(0, 40));
    expect(found.hits.every((h) => h.kind === 'vm')).toBe(true);

    const plain = searchWithQuery('hv01', f.views, model, clusterByHost);
    expect(plain.matched).toBeUndefined();
    expect(plain.hits[0]).toMatchObject({ kind: 'host', label: 'HV01' });

    expect(searchWithQuery('host:hv0* OR', f.views, model, clusterByHost).error).toMatchObject({ message: "expected a term after 'OR'", start: 10, end: 12 });
  });
});
