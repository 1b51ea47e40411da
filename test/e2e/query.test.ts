import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import type { Lab } from '../lab';
import { toGiB, vmHeartbeat, vmUptimeSeconds } from '../lab/agent/inventory';
import type { SimHostModel, SimVm } from '../lab/model';
import { startServedLab, type ServedLab } from '../support/served-app';
import { tempDir } from '../support/temp';

// Issue 16 item 1: the four example queries typed into the overview's VM table against the demo
// lab's data (seed 1, 4 hosts × 12 VMs, hv01–hv03 in CLU-A, as `aether-v demo` starts it). The
// expected rows come from the lab model with the lab's own rules, never from the app.

const poll = { polling: 100, timeout: 30_000 } as const;
// Screenshots for the look-at-every-page pass, only when asked (AETHERV_SHOTS=<dir>).
const SHOTS = process.env.AETHERV_SHOTS;
const DAY_S = 86_400;

type Row = { host: SimHostModel; vm: SimVm };

/** What each example means, written against the lab model (memory as the agent reports it: GiB with two decimals). */
const EXAMPLES: Array<{ query: string; expect: (r: Row) => boolean }> = [
  {
    query: 'state:running host:hv0* mem>8GB',
    expect: ({ host, vm }) => vm.state === 'Running' && host.name.toLowerCase().startsWith('hv0') && toGiB(vm.memoryAssignedMiB * 1024 * 1024) > 8,
  },
  {
    query: '-state:off os:windows heartbeat:lost',
    expect: ({ vm }) => vm.state !== 'Off' && (vm.osFamily === 'windows' || /windows/i.test(vm.operatingSystem ?? '')) && vmHeartbeat(vm) === 'LostCommunication',
  },
  {
    query: 'name:"web 01" OR name:db*',
    expect: ({ vm }) => vm.name.toLowerCase() === 'web 01' || vm.name.toLowerCase().startsWith('db'),
  },
  {
    query: 'cluster:CLU-A vcpu>=4 uptime>30d',
    expect: ({ host, vm }) => host.cluster === 'CLU-A' && vm.processorCount >= 4 && vmUptimeSeconds(vm) > 30 * DAY_S,
  },
];

/**
 * The demo lab has no VM named "web 01" or "db…", no lost heartbeat and no uptime over 30 days
 * (its VMs booted up to 30 days before it started): give it a few, so every example selects rows.
 */
function seedExamples(lab: Lab): void {
  const hosts = lab.hosts.map((h) => lab.host(h.name).model);
  hosts[0]!.vms[4]!.name = 'web 01';
  hosts[1]!.vms[3]!.name = 'db-01';
  const rows = hosts.flatMap((host) => host.vms.map((vm) => ({ host, vm })));
  for (const { vm } of rows.filter(({ vm }) => vm.state === 'Running' && vm.osFamily === 'windows').slice(0, 2)) vm.guestUnresponsive = true;
  const longRunning = rows.filter(({ host, vm }) => host.cluster === 'CLU-A' && vm.state === 'Running' && vm.processorCount >= 4).slice(0, 3);
  for (const { vm } of longRunning) vm.bootedAt = new Date(Date.now() - 45 * DAY_S * 1000).toISOString();
}

/** VM GUIDs of the rows the table shows (row keys are `${hostId}:${vmId}`). */
async function shownVmIds(page: Page): Promise<string[]> {
  const keys = await page.locator('[data-testid="vm-table"] [role="row"][data-key]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key')!));
  return keys.map((k) => k.slice(k.lastIndexOf(':') + 1)).sort();
}

describe('query language in the overview table (demo lab, aether-v serve, Chromium)', () => {
  const data = tempDir();
  let app: ServedLab;
  let page: Page;
  let rows: Row[];

  beforeAll(async () => {
    app = await startServedLab(data.dir, { lab: { hosts: 4, vmsPerHost: 12, seed: 1 }, viewport: { width: 1400, height: 1000 }, prepare: seedExamples });
    page = app.page;
    rows = app.lab.hosts.flatMap((h) => app.lab.host(h.name).model.vms.map((vm) => ({ host: app.lab.host(h.name).model, vm })));
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.locator('[data-testid="vm-table-summary"]', { hasText: new RegExp(`^${rows.length} VMs$`) }).waitFor({ timeout: 60_000 });
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    data.cleanup();
  });

  test('each example shows exactly the lab VMs it describes; a wrong query shows its error and the rows stay', async () => {
    const box = page.getByTestId('vm-query');
    expect(await box.getAttribute('placeholder')).toContain('state:running');
    for (const example of EXAMPLES) {
      const expected = rows.filter(example.expect).map((r) => r.vm.id).sort();
      expect(expected.length, `the lab gives "${example.query}" something to find`).toBeGreaterThan(0);
      await box.fill(example.query);
      await page.locator('[data-testid="vm-table-summary"]', { hasText: new RegExp(`^${expected.length} of ${rows.length} VMs`) }).waitFor(poll);
      expect(await shownVmIds(page), example.query).toEqual(expected);
    }

    // The last example's rows stay while the query is wrong; the unit is marked and named.
    const before = await shownVmIds(page);
    await box.fill('cluster:CLU-A vcpu>=4 uptime>30x');
    const error = page.getByTestId('vm-query-error');
    await error.waitFor(poll);
    expect(await error.locator('mark').textContent()).toBe('x');
    expect(await error.textContent()).toContain("unit 'x' does not fit 'uptime'");
    expect(await box.getAttribute('aria-invalid')).toBe('true');
    expect(await shownVmIds(page)).toEqual(before);
    if (SHOTS) await page.locator('[data-testid="vm-table"]').screenshot({ path: path.join(SHOTS, 'query-error.png') });

    // Escape clears the box: every VM again.
    await box.press('Escape');
    await page.locator('[data-testid="vm-table-summary"]', { hasText: new RegExp(`^${rows.length} VMs`) }).waitFor(poll);
    expect(await error.count()).toBe(0);
  });

  test('the header search takes the same query and lists the matching VMs', async () => {
    const search = page.getByRole('searchbox', { name: 'Search everywhere' });
    const example = EXAMPLES[2]!;
    const expected = rows.filter(example.expect).map((r) => r.vm.name).sort();
    await search.fill(example.query);
    const options = page.locator('.search-results [role="option"][data-kind="vm"]');
    await page.waitForFunction((n) => document.querySelectorAll('.search-results [role="option"][data-kind="vm"]').length === n, expected.length, poll);
    const labels = await options.evaluateAll((items) => items.map((li) => li.childNodes[2]?.textContent?.trim() ?? ''));
    expect(labels.sort()).toEqual(expected);
    await search.fill('name:"web 01" OR');
    expect(await page.getByTestId('search-query-error').textContent()).toContain("expected a term after 'OR'");
    await search.press('Escape');
  });
});
