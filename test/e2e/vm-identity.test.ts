import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { labHostInput, startLab, type Lab } from '../lab';
import type { SimVm } from '../lab/model';
import { launchChromium } from '../support/browser';
import type { RunningCli } from '../support/cli';
import { serveApp } from '../support/served-app';
import { tempDir } from '../support/temp';
import { wsCall } from '../support/ws-call';

const poll = { polling: 100, timeout: 45_000 } as const;
// Screenshots for the look-at-every-page pass, only when asked (AETHERV_SHOTS=<dir>).
const SHOTS = process.env.AETHERV_SHOTS;

/** The tree as the admin reads it: each row's level, key and text, in order. */
async function treeRows(page: Page): Promise<Array<{ level: number; key: string; text: string }>> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll('[role=treeitem]')).map((r) => ({
      level: Number(r.getAttribute('aria-level')),
      key: (r.getAttribute('data-testid') ?? '').replace(/^tree-/, ''),
      text: r.querySelector('.tree-label')?.textContent ?? '',
    })),
  );
}

/** The group (level-1 row) each host row sits under. */
async function groupOfHosts(page: Page): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let group = '';
  for (const row of await treeRows(page)) {
    if (row.level === 1) group = row.text;
    if (row.level === 2) out.set(row.key.slice(2), group);
  }
  return out;
}

// hv01 and hv02 form one cluster and both list a VM with the same ID (an imported copy that kept
// its ID); hv03 is standalone, labelled "Lab B" in Settings; hv02 is labelled "Rack 4".
describe('VM identity and cluster membership in the browser (two lab hosts with the same VM ID in one cluster)', () => {
  const data = tempDir();
  let lab: Lab;
  let cli: RunningCli;
  let url: string;
  let browser: Browser;
  let page: Page;
  let original: SimVm;
  let copy: SimVm;
  let cluster: string;
  const ids = new Map<string, string>();
  const keyOf = (host: string, vm: SimVm) => `${ids.get(host)}:${vm.id}`;

  beforeAll(async () => {
    lab = await startLab({ hosts: 3, vmsPerHost: 3, seed: 41, clusters: 1 });
    cluster = lab.host('hv01').model.cluster!;
    original = lab.host('hv01').model.vms[0]!;
    copy = { ...structuredClone(original), name: `${original.name}-copy`, state: 'Off', ipAddresses: [] };
    lab.host('hv02').model.vms.push(copy);
    ({ cli, url } = await serveApp(data.dir, { hosts: [lab.hosts[0]!], settings: { inventory: { fullSyncIntervalS: 60, quickSyncIntervalS: 5 } } }));
    const labels: Record<string, string> = { hv02: 'Rack 4', hv03: 'Lab B' };
    for (const info of lab.hosts.slice(1)) {
      const added = await wsCall(url, 'hosts.add', { ...labHostInput(info, { withCluster: false }), cluster: labels[info.name] });
      expect(added.ok, JSON.stringify(added.error)).toBe(true);
    }
    const hosts = (await wsCall(url, 'hosts.list', {})).data as Array<{ id: string; displayName: string }>;
    for (const h of hosts) ids.set(h.displayName, h.id);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(url);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await cli?.stop();
    await lab?.close();
    data.cleanup();
  });

  const expandHost = async (host: string) => {
    const row = page.getByTestId(`tree-h:${ids.get(host)}`);
    await row.waitFor();
    if ((await row.getAttribute('aria-expanded')) !== 'true') {
      await row.focus();
      await page.keyboard.press('ArrowRight');
    }
  };

  /** Both rows, each under its own host, each with its own name: what must hold after every sync. */
  const expectBothRows = async () => {
    await page.getByTestId(`tree-v:${keyOf('hv01', original)}`).waitFor();
    await page.getByTestId(`tree-v:${keyOf('hv02', copy)}`).waitFor();
    expect(await page.getByTestId(`tree-v:${keyOf('hv01', original)}`).textContent()).toContain(original.name);
    expect(await page.getByTestId(`tree-v:${keyOf('hv02', copy)}`).textContent()).toContain(copy.name);
  };

  test('both VMs with the same ID are shown, each under its own host, and stay there over several refreshes', async () => {
    const total = lab.hosts.reduce((n, h) => n + lab.host(h.name).model.vms.length, 0);
    await page.waitForFunction((n) => document.querySelector('[data-testid="vm-table-summary"]')?.textContent === `${n} VMs`, total, poll);
    await expandHost('hv01');
    await expandHost('hv02');
    await expectBothRows();
    // Count every appearance of either row while refreshes run: a flip shows up as a gap.
    await page.evaluate(([a, b]) => {
      const w = window as unknown as { flips: number };
      w.flips = 0;
      const check = () => {
        if (!document.querySelector(`[data-testid="tree-v:${a}"]`) || !document.querySelector(`[data-testid="tree-v:${b}"]`)) w.flips++;
      };
      new MutationObserver(check).observe(document.body, { subtree: true, childList: true, attributes: true });
    }, [keyOf('hv01', original), keyOf('hv02', copy)] as const);
    for (let round = 1; round <= 4; round++) {
      // A marker renamed on each node proves that round's syncs of both landed.
      const markers = ['hv01', 'hv02'].map((h) => {
        const vm = lab.host(h).model.vms.find((v) => v.id !== original.id)!;
        vm.name = `tick-${h}-${round}`;
        return vm.name;
      });
      const refreshed = await wsCall(url, 'inventory.refresh', {});
      expect(refreshed.ok).toBe(true);
      for (const m of markers) await page.getByRole('treeitem', { name: new RegExp(`^.*${m}`) }).waitFor({ timeout: 30_000 });
      await expectBothRows();
      if (round === 2) {
        // A reload starts from the stored snapshot: still two rows.
        await page.reload();
        await expandHost('hv01');
        await expandHost('hv02');
        await expectBothRows();
        await page.evaluate(([a, b]) => {
          const w = window as unknown as { flips: number };
          w.flips = 0;
          new MutationObserver(() => {
            if (!document.querySelector(`[data-testid="tree-v:${a}"]`) || !document.querySelector(`[data-testid="tree-v:${b}"]`)) w.flips++;
          }).observe(document.body, { subtree: true, childList: true, attributes: true });
        }, [keyOf('hv01', original), keyOf('hv02', copy)] as const);
      }
    }
    expect(await page.evaluate(() => (window as unknown as { flips: number }).flips)).toBe(0);
    // Search by the GUID finds both, each with its host.
    await page.getByLabel('Search everywhere').fill(original.id);
    await page.getByRole('option', { name: new RegExp(copy.name) }).waitFor();
    const options = await page.getByRole('option').allTextContents();
    expect(options.filter((o) => o.includes(original.name)).length).toBe(2);
    await page.keyboard.press('Escape');
  });

  test('each VM page is its own (host in the URL key), with the cluster the tree shows', async () => {
    await page.getByTestId(`tree-v:${keyOf('hv02', copy)}`).click();
    await page.getByRole('heading', { name: copy.name }).waitFor();
    const facts = page.getByTestId('vm-facts');
    expect(await facts.textContent()).toContain('hv02');
    expect(await page.getByTestId('vm-cluster').textContent()).toMatch(new RegExp(`^${cluster} · `));
    expect(await page.getByTestId('state-badge').first().getAttribute('data-state')).toBe('Off');
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/vm-copy-1440-light.png` });
    await page.getByTestId(`tree-v:${keyOf('hv01', original)}`).click();
    await page.getByRole('heading', { name: original.name }).waitFor();
    expect(await page.getByTestId('vm-cluster').textContent()).toMatch(new RegExp(`^${cluster} · `));
    expect(await page.getByTestId('state-badge').first().getAttribute('data-state')).toBe(original.state);
  });

  test('cluster label rule: the tree groups by reported cluster; the Settings label is shown beside, never as a cluster', async () => {
    const groups = await groupOfHosts(page);
    expect(groups.get(ids.get('hv01')!)).toBe(cluster);
    expect(groups.get(ids.get('hv02')!)).toBe(cluster);
    expect(groups.get(ids.get('hv03')!)).toBe('Standalone hosts');
    expect((await treeRows(page)).filter((r) => r.level === 1).map((r) => r.text)).not.toContain('Lab B');
    await page.getByTestId(`tree-h:${ids.get('hv03')}`).click();
    await page.getByRole('heading', { name: 'hv03' }).waitFor();
    expect(await page.getByTestId('cluster-membership').textContent()).toBe('None (standalone host) · labelled “Lab B” in Settings');
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/host-standalone-1440-light.png` });
    await page.getByTestId(`tree-h:${ids.get('hv02')}`).click();
    await page.getByRole('heading', { name: 'hv02' }).waitFor();
    expect(await page.getByTestId('cluster-membership').textContent()).toBe(`${cluster} · labelled “Rack 4” in Settings`);
    await page.getByTestId(`tree-h:${ids.get('hv01')}`).click();
    await page.getByRole('heading', { name: 'hv01' }).waitFor();
    expect(await page.getByTestId('cluster-membership').textContent()).toBe(cluster);
  });

  test('a real move (gone from hv01, listed by hv02) is one row on hv02, and an open VM page follows it', async () => {
    const vm = lab.host('hv01').model.vms.find((v) => v.id !== original.id && !v.name.startsWith('tick-'))!;
    await expandHost('hv01');
    await page.getByTestId(`tree-v:${keyOf('hv01', vm)}`).click();
    await page.getByRole('heading', { name: vm.name }).waitFor();
    // The migration's window: hv02 lists it while hv01 still does (two rows), then hv01 lets go.
    lab.host('hv02').model.vms.push(structuredClone(vm));
    expect((await wsCall(url, 'inventory.refresh', { hostId: ids.get('hv02') })).ok).toBe(true);
    await expandHost('hv02');
    await page.getByTestId(`tree-v:${keyOf('hv02', vm)}`).waitFor({ timeout: 30_000 });
    lab.host('hv01').model.vms = lab.host('hv01').model.vms.filter((v) => v.id !== vm.id);
    expect((await wsCall(url, 'inventory.refresh', { hostId: ids.get('hv01') })).ok).toBe(true);
    await page.getByTestId(`tree-v:${keyOf('hv01', vm)}`).waitFor({ state: 'detached', timeout: 30_000 });
    expect(await page.locator(`[data-testid^="tree-v:"][data-testid$=":${vm.id}"]`).count()).toBe(1);
    // Still on the VM's page, now showing it on hv02.
    await page.getByRole('heading', { name: vm.name }).waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="vm-facts"] dd button')?.textContent === 'hv02', undefined, poll);
  });

  test('re-pointing hv02 at a standalone machine moves it out of the cluster in the tree, host page and VM page', async () => {
    delete lab.host('hv02').model.cluster;
    expect((await wsCall(url, 'inventory.refresh', { hostId: ids.get('hv02') })).ok).toBe(true);
    await page.waitForFunction(
      ([id]) => {
        let group = '';
        for (const r of Array.from(document.querySelectorAll('[role=treeitem]'))) {
          if (r.getAttribute('aria-level') === '1') group = r.querySelector('.tree-label')?.textContent ?? '';
          if (r.getAttribute('data-testid') === `tree-h:${id}`) return group === 'Standalone hosts';
        }
        return false;
      },
      [ids.get('hv02')!] as const,
      poll,
    );
    await page.getByTestId(`tree-h:${ids.get('hv02')}`).click();
    await page.getByRole('heading', { name: 'hv02' }).waitFor();
    expect(await page.getByTestId('cluster-membership').textContent()).toBe('None (standalone host) · labelled “Rack 4” in Settings');
    await expandHost('hv02');
    await page.getByTestId(`tree-v:${keyOf('hv02', copy)}`).click();
    await page.getByRole('heading', { name: copy.name }).waitFor();
    expect(await page.getByTestId('vm-cluster').textContent()).toBe('None (standalone host)');
  });

  test('screenshots at 1024 and 1440 px in both themes (VM page and host page)', async () => {
    for (const theme of ['light', 'dark'] as const) {
      expect((await wsCall(url, 'settings.update', { theme })).ok).toBe(true);
      for (const width of [1024, 1440]) {
        await page.setViewportSize({ width, height: 800 });
        await page.reload();
        await page.waitForFunction((t) => document.documentElement.dataset.theme === t, theme, poll);
        await expandHost('hv01');
        await page.getByTestId(`tree-v:${keyOf('hv01', original)}`).click();
        await page.getByTestId('vm-cluster').waitFor();
        if (SHOTS) await page.screenshot({ path: `${SHOTS}/vm-${width}-${theme}.png` });
        await page.getByTestId(`tree-h:${ids.get('hv03')}`).click();
        await page.getByTestId('cluster-membership').waitFor();
        if (SHOTS) await page.screenshot({ path: `${SHOTS}/host-${width}-${theme}.png` });
        // Nothing of the facts overflows its box.
        const overflow = await page.evaluate(() =>
          Array.from(document.querySelectorAll('[data-testid="host-facts"] dd, [data-testid="vm-facts"] dd')).filter((e) => e.scrollWidth > e.clientWidth + 1).length,
        );
        expect(overflow).toBe(0);
      }
    }
  });
});
