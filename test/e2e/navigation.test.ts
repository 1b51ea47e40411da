import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { startLab, type Lab } from '../lab';
import { launchChromium } from '../support/browser';
import type { RunningCli } from '../support/cli';
import { serveApp } from '../support/served-app';
import { tempDir } from '../support/temp';
import { VM_EDIT_OPERATIONS } from '../../src/shared/contract/vm-operations';

const poll = { polling: 100, timeout: 45_000 } as const;

/** The route part of the page's URL. */
const hashOf = (page: Page) => page.evaluate(() => location.hash);
const mainScrollTop = (page: Page) => page.evaluate(() => document.querySelector('[data-testid=main]')!.scrollTop);
const headerLabels = (page: Page) => page.locator('.vm-head [role=columnheader] button.sort').allTextContents();
/** A menu's items by action id (labels of destructive actions may end in "…" when they ask first). */
// The power actions and the rest; the edits, checkpoints and move (issue 15) are listed after them, greyed when not allowed.
const menuIds = (menu: Locator) =>
  menu.getByRole('menuitem').evaluateAll((items, edits) => items.map((i) => i.getAttribute('data-testid')!.replace(/^menu-/, '')).filter((id) => !edits.includes(id)), VM_EDIT_OPERATIONS as string[]);

describe('navigation, context menus and VM table columns (lab, aether-v serve, Chromium)', () => {
  const data = tempDir();
  let lab: Lab;
  let cli: RunningCli;
  let url: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let total = 0;

  beforeAll(async () => {
    lab = await startLab({ hosts: 3, vmsPerHost: 10, seed: 31, clusters: 1 });
    total = lab.hosts.reduce((n, h) => n + lab.host(h.name).model.vms.length, 0);
    ({ cli, url } = await serveApp(data.dir, { hosts: lab.hosts, settings: { inventory: { fullSyncIntervalS: 60, quickSyncIntervalS: 5 } } }));
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 600 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(url).origin });
    page = await context.newPage();
    await page.goto(url);
    await page.waitForFunction((n) => document.querySelector('[data-testid="figure-vms"]')?.textContent === String(n), total, poll);
    await page.waitForFunction(() => document.querySelector('[data-testid="figure-connected"]')?.textContent === '3', undefined, poll);
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await cli?.stop();
    await lab?.close();
    data.cleanup();
  });

  test('every page has a URL: reload keeps the page, Back and Forward walk the history', { timeout: 60_000 }, async () => {
    const host = lab.hosts[1]!;
    const vm = lab.host(host.name).model.vms[0]!;
    await page.getByRole('treeitem', { name: new RegExp(host.name) }).first().click();
    await page.getByRole('heading', { name: host.name }).waitFor();
    expect(await hashOf(page)).toMatch(/^#\/hosts\//);
    await page.locator('[role=row][data-key]', { hasText: vm.name }).getByRole('button', { name: vm.name }).click();
    await page.getByRole('heading', { name: vm.name }).waitFor();
    expect(await hashOf(page)).toMatch(/^#\/vms\//);
    // The token stays in the URL: a reload reconnects and reopens the VM's page.
    expect(page.url()).toContain('token=');
    await page.reload();
    await page.getByRole('heading', { name: vm.name }).waitFor();

    await page.getByTestId('nav-settings').click();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    expect(await hashOf(page)).toBe('#/settings');
    await page.goBack();
    await page.getByRole('heading', { name: vm.name }).waitFor();
    await page.goBack();
    await page.getByRole('heading', { name: host.name }).waitFor();
    await page.goForward();
    await page.getByRole('heading', { name: vm.name }).waitFor();
    // A hash that names no page opens the overview.
    await page.goto(url.replace(/#.*$/, '') + '#/no-such-page');
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    expect(await hashOf(page)).toBe('#/');
  });

  test('a copied link opens the same page in a new tab', async () => {
    const host = lab.hosts[2]!;
    const vm = lab.host(host.name).model.vms[1]!;
    await page.getByRole('searchbox', { name: 'Search everywhere' }).fill(vm.name);
    await page.getByRole('option', { name: new RegExp(vm.name) }).first().waitFor();
    await page.getByRole('searchbox', { name: 'Search everywhere' }).press('Enter');
    await page.getByRole('heading', { name: vm.name }).waitFor();
    // Copied from the tree's context menu.
    await page.getByRole('treeitem', { name: new RegExp(host.name) }).first().click({ button: 'right' });
    await page.getByRole('menuitem', { name: 'Copy link' }).click();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[^#]+#\/hosts\//);
    const second = await context.newPage();
    await second.goto(copied);
    await second.getByRole('heading', { name: host.name, level: 1 }).waitFor();
    // And the address bar's own URL of a VM page does the same.
    await second.goto(page.url());
    await second.getByRole('heading', { name: vm.name }).waitFor();
    await second.close();
  });

  test('each page keeps its own scroll position', async () => {
    await page.getByRole('button', { name: 'Aether-V' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    const max = await page.evaluate(() => {
      const main = document.querySelector('[data-testid=main]')!;
      return main.scrollHeight - main.clientHeight;
    });
    expect(max).toBeGreaterThan(150); // the overview at 600 px high scrolls
    const target = Math.min(max, 260);
    await page.evaluate((top) => (document.querySelector('[data-testid=main]')!.scrollTop = top), target);
    await page.waitForTimeout(300);
    await page.getByRole('treeitem', { name: new RegExp(lab.hosts[0]!.name) }).first().click();
    await page.getByRole('heading', { name: lab.hosts[0]!.name }).waitFor();
    expect(await mainScrollTop(page)).toBe(0); // a page not scrolled before opens at its top
    await page.evaluate(() => (document.querySelector('[data-testid=main]')!.scrollTop = 90));
    await page.waitForTimeout(300);
    const hostTop = await mainScrollTop(page);
    await page.goBack();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.waitForFunction((t) => Math.abs(document.querySelector('[data-testid=main]')!.scrollTop - t) <= 1, target, poll);
    await page.goForward();
    await page.getByRole('heading', { name: lab.hosts[0]!.name }).waitFor();
    await page.waitForFunction((t) => Math.abs(document.querySelector('[data-testid=main]')!.scrollTop - t) <= 1, hostTop, poll);
    // A reload keeps it too.
    await page.reload();
    await page.getByRole('heading', { name: lab.hosts[0]!.name }).waitFor();
    await page.waitForFunction((t) => Math.abs(document.querySelector('[data-testid=main]')!.scrollTop - t) <= 1, hostTop, poll);
  });

  test('right-click on a VM row lists the actions its state allows, and runs one', { timeout: 90_000 }, async () => {
    const host = lab.hosts[0]!;
    const model = lab.host(host.name).model;
    const running = model.vms.find((v) => v.state === 'Running')!;
    const off = model.vms.find((v) => v.state === 'Off')!;
    await page.getByRole('treeitem', { name: new RegExp(host.name) }).first().click();
    await page.getByRole('heading', { name: host.name }).waitFor();

    await page.locator('[role=row][data-key]', { hasText: off.name }).click({ button: 'right', position: { x: 300, y: 10 } });
    const menu = page.getByRole('menu', { name: off.name });
    await menu.waitFor();
    expect(await menuIds(menu)).toEqual(['open', 'start', 'delete', 'copy-link', 'copy-ps']);
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });

    await page.locator('[role=row][data-key]', { hasText: running.name }).click({ button: 'right', position: { x: 300, y: 10 } });
    const runningMenu = page.getByRole('menu', { name: running.name });
    await runningMenu.waitFor();
    expect(await menuIds(runningMenu)).toEqual(['open', 'shutdown', 'turnoff', 'restart', 'save', 'pause', 'delete', 'copy-link', 'copy-ps']);
    // Processors need the VM Off: listed, greyed, with the table's reason.
    const processors = runningMenu.getByTestId('menu-processors');
    expect(await processors.getAttribute('aria-disabled')).toBe('true');
    expect(await processors.getAttribute('title')).toContain('must be Off');
    await runningMenu.getByRole('menuitem', { name: 'Pause' }).click();
    // The action really ran on the host, and the table follows.
    await expect.poll(() => model.vms.find((v) => v.id === running.id)?.state, { timeout: 30_000, interval: 200 }).toBe('Paused');
    await page.waitForFunction(
      (name) => Array.from(document.querySelectorAll('[role=row][data-key]')).some((r) => r.textContent!.includes(name) && r.querySelector('[data-state="Paused"]')),
      running.name,
      poll,
    );

    // The tree's VM nodes offer the same menu: a Paused VM can be resumed.
    const hostNode = page.getByRole('treeitem', { name: new RegExp(host.name) }).first();
    if ((await hostNode.getAttribute('aria-expanded')) !== 'true') await hostNode.locator('.twisty').click();
    await page.getByRole('treeitem', { name: new RegExp(running.name) }).first().click({ button: 'right' });
    const treeMenu = page.getByRole('menu', { name: running.name });
    await treeMenu.waitFor();
    expect(await menuIds(treeMenu)).toEqual(['open', 'start', 'turnoff', 'resume', 'delete', 'copy-link', 'copy-ps']);
    await treeMenu.getByRole('menuitem', { name: 'Resume' }).click();
    await expect.poll(() => model.vms.find((v) => v.id === running.id)?.state, { timeout: 30_000, interval: 200 }).toBe('Running');
  });

  test('a host node\'s menu refreshes the host', async () => {
    const host = lab.hosts[1]!;
    await page.getByRole('treeitem', { name: new RegExp(host.name) }).first().click({ button: 'right' });
    const menu = page.getByRole('menu', { name: host.name });
    await menu.waitFor();
    expect(await menu.getByRole('menuitem').allTextContents()).toEqual([`Open ${host.name}`, 'Refresh now', 'Edit in Settings', 'Copy link']);
    await menu.getByRole('menuitem', { name: 'Refresh now' }).click();
    await page.waitForFunction((name) => Array.from(document.querySelectorAll('.toast')).some((t) => t.textContent!.includes(`Refreshing ${name}`)), host.name, poll);
  });

  test('double-click on a VM row opens the VM', async () => {
    const host = lab.hosts[2]!;
    const vm = lab.host(host.name).model.vms[3]!;
    await page.getByRole('treeitem', { name: new RegExp(host.name) }).first().click();
    await page.getByRole('heading', { name: host.name }).waitFor();
    // With the table's top scrolled out of view: a click must not scroll the page under the second click.
    await page.locator('[role=row][data-key]', { hasText: vm.name }).scrollIntoViewIfNeeded();
    await page.evaluate(() => document.querySelector('[data-testid=main]')!.scrollBy(0, 200));
    await page.locator('[role=row][data-key]', { hasText: vm.name }).dblclick({ position: { x: 300, y: 10 } });
    await page.getByRole('heading', { name: vm.name }).waitFor();
    expect(await hashOf(page)).toMatch(/^#\/vms\//);
  });

  test('tree and table colour a VM state alike', async () => {
    const host = lab.hosts[0]!;
    await page.getByRole('treeitem', { name: new RegExp(host.name) }).first().click();
    await page.getByRole('heading', { name: host.name }).waitFor();
    const hostNode = page.getByRole('treeitem', { name: new RegExp(host.name) }).first();
    if ((await hostNode.getAttribute('aria-expanded')) !== 'true') await hostNode.locator('.twisty').click();
    const colours = await page.evaluate(() => {
      const out: Record<string, string[]> = {};
      for (const row of Array.from(document.querySelectorAll('[role=row][data-key]'))) {
        const name = row.querySelector('.vm-name')!.textContent!;
        const state = row.querySelector('[data-state]')!.getAttribute('data-state')!;
        const tableDot = getComputedStyle(row.querySelector('[data-state] .dot')!).backgroundColor;
        const treeNode = Array.from(document.querySelectorAll('[role=treeitem][aria-level="3"]')).find((n) => n.textContent === name);
        const treeDot = treeNode ? getComputedStyle(treeNode.querySelector('.dot')!).backgroundColor : 'missing';
        (out[state] ??= []).push(tableDot, treeDot);
      }
      return out;
    });
    expect(Object.keys(colours).length).toBeGreaterThanOrEqual(2); // Running and Off at least
    const perState = Object.values(colours).map((list) => new Set(list));
    for (const set of perState) expect(set.size).toBe(1); // tree and table agree for every VM of a state
    expect(new Set(perState.map((s) => [...s][0])).size).toBe(perState.length); // and states differ
  });

  test('the column chooser adds and removes columns, remembered across a reload', async () => {
    await page.getByRole('button', { name: 'Aether-V' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    expect(await headerLabels(page)).toEqual(['Name ▲', 'State', 'Host', 'CPU', 'Memory', 'IP address', 'Freshness']);
    await page.getByTestId('columns-button').click();
    await page.getByTestId('column-vcpu').check();
    await page.getByTestId('column-uptime').check();
    await page.getByTestId('column-os').check();
    await page.getByTestId('column-ip').uncheck();
    await page.keyboard.press('Escape');
    expect(await headerLabels(page)).toEqual(['Name ▲', 'State', 'Host', 'CPU', 'Memory', 'vCPU', 'Uptime', 'OS', 'Freshness']);
    // The cells follow: a VM's vCPU count from the lab.
    const vm = lab.host(lab.hosts[0]!.name).model.vms[0]!;
    const row = page.locator('[role=row][data-key]', { hasText: vm.name }).first();
    await page.getByRole('searchbox', { name: 'Filter by name or IP' }).fill(vm.name);
    expect(await row.locator('[data-column=vcpu]').textContent()).toBe(String(vm.processorCount));
    await page.reload();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.locator('.vm-head').waitFor();
    expect(await headerLabels(page)).toEqual(['Name ▲', 'State', 'Host', 'CPU', 'Memory', 'vCPU', 'Uptime', 'OS', 'Freshness']);
    // Other VM tables show the same choice.
    await page.getByRole('treeitem', { name: new RegExp(lab.hosts[0]!.name) }).first().click();
    await page.getByRole('heading', { name: lab.hosts[0]!.name }).waitFor();
    expect(await headerLabels(page)).toContain('vCPU');
  });

  test('column widths drag wider, remembered across a reload', async () => {
    const head = page.locator('.vm-head [data-column=host]');
    const before = (await head.boundingBox())!.width;
    const handle = (await page.getByTestId('resize-host').boundingBox())!;
    await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
    await page.mouse.down();
    await page.mouse.move(handle.x + 40, handle.y + handle.height / 2, { steps: 4 });
    await page.mouse.move(handle.x + 80, handle.y + handle.height / 2, { steps: 4 });
    await page.mouse.up();
    const after = (await head.boundingBox())!.width;
    expect(after).toBeGreaterThan(before + 60);
    // Rows follow the header.
    const cell = (await page.locator('[role=row][data-key] [data-column=host]').first().boundingBox())!.width;
    expect(Math.abs(cell - after)).toBeLessThanOrEqual(1);
    await page.reload();
    await page.locator('.vm-head [data-column=host]').waitFor();
    expect(Math.abs((await page.locator('.vm-head [data-column=host]').boundingBox())!.width - after)).toBeLessThanOrEqual(1);
    // Reset restores the defaults (and clears the choice for the next tests).
    await page.getByTestId('columns-button').click();
    await page.getByTestId('columns-reset').click();
    expect(await headerLabels(page)).toEqual(['Name ▲', 'State', 'Host', 'CPU', 'Memory', 'IP address', 'Freshness']);
    expect(Math.abs((await page.locator('.vm-head [data-column=host]').boundingBox())!.width - before)).toBeLessThanOrEqual(1);
  });

  test('at 1024 px no page clips the main layout sideways, and the overview shows its VM table', { timeout: 60_000 }, async () => {
    const narrow = await context.newPage();
    await narrow.setViewportSize({ width: 1024, height: 768 });
    await narrow.goto(url.replace(/#.*$/, ''));
    await narrow.getByRole('heading', { name: 'Overview' }).waitFor();
    await narrow.locator('[role=row][data-key]').first().waitFor();
    // The VM table starts within the first screen.
    const tableTop = (await narrow.getByTestId('vm-table').boundingBox())!.y;
    expect(tableTop).toBeLessThan(768 - 120);
    const host = lab.hosts[0]!;
    const vmKey = (await narrow.locator('[role=row][data-key]').first().getAttribute('data-key'))!;
    const pages = ['#/', `#/hosts/${encodeURIComponent(lab.hosts.length ? (await hostId(narrow, host.name)) : '')}`, `#/vms/${encodeURIComponent(vmKey)}`, '#/clusters/' + encodeURIComponent(lab.hosts.find((h) => h.cluster)!.cluster!), '#/jobs', '#/settings', '#/diagnostics', '#/create-vm'];
    for (const hash of pages) {
      await narrow.evaluate((h) => (location.hash = h), hash);
      await narrow.waitForTimeout(400);
      const overflow = await narrow.evaluate(() =>
        ['.app', '.header', '.body', '.main', '.sidebar-scroll']
          .map((s) => document.querySelector(s)!)
          .filter((el) => el.scrollWidth > el.clientWidth)
          .map((el) => `${el.className}: ${el.scrollWidth} > ${el.clientWidth}`),
      );
      expect(overflow, hash).toEqual([]);
    }
    // Every column shown: the table scrolls sideways inside its own frame, the page does not.
    await narrow.evaluate(() => (location.hash = '#/'));
    await narrow.getByTestId('columns-button').click();
    for (const id of ['cluster', 'demand', 'startup', 'vcpu', 'uptime', 'os', 'generation', 'disks', 'created', 'heartbeat']) await narrow.getByTestId(`column-${id}`).check();
    await narrow.keyboard.press('Escape');
    const wide = await narrow.evaluate(() => {
      const frame = document.querySelector('[data-testid=vm-grid-frame]')!;
      const main = document.querySelector('.main')!;
      return { frame: frame.scrollWidth > frame.clientWidth, main: main.scrollWidth - main.clientWidth };
    });
    expect(wide).toEqual({ frame: true, main: 0 });
    await narrow.getByTestId('columns-button').click();
    await narrow.getByTestId('columns-reset').click();
    await narrow.close();
  });

  test('keyboard hints say Ctrl off macOS', async () => {
    expect(await page.getByRole('searchbox', { name: 'Search everywhere' }).getAttribute('placeholder')).toContain('Ctrl+K');
    expect(await page.getByTestId('open-palette').getAttribute('title')).toContain('Ctrl+Shift+P');
    expect(await page.locator('.header').textContent()).not.toContain('⌘');
  });
});

/** A host's id, from its tree node's link target (the host page's URL). */
async function hostId(page: Page, name: string): Promise<string> {
  await page.getByRole('treeitem', { name: new RegExp(name) }).first().click();
  await page.getByRole('heading', { name }).waitFor();
  return decodeURIComponent((await hashOf(page)).replace('#/hosts/', ''));
}
