import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startLab, type Lab } from '../lab';
import { setInventoryKnobs } from '../lab/agent/inventory';
import { launchChromium } from '../support/browser';
import type { RunningCli } from '../support/cli';
import { serveApp } from '../support/served-app';
import { tempDir } from '../support/temp';
import { openBySearch } from '../support/ui-actions';

const poll = { polling: 100, timeout: 45_000 } as const;

// Issue 16 items 7 and 8 in the browser against the lab: the sync health page and Refresh all,
// the host's warnings on the VM page, and Copy as PowerShell to the real clipboard.
describe('sync health, agent warnings and Copy as PowerShell (aether-v serve, Chromium)', () => {
  const data = tempDir();
  let lab: Lab;
  let cli: RunningCli;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    lab = await startLab({ hosts: 1, vmsPerHost: 3, seed: 31, clusters: 0 });
    for (const vm of lab.host('hv01').model.vms) vm.state = 'Running';
    const vm = lab.host('hv01').model.vms[0]!;
    setInventoryKnobs(lab.host('hv01'), { warnings: { host: ['Checkpoint query failed: The operation timed out'], vms: { [vm.id]: ['Guest OS (KVP) query failed: no answer'] } } });
    const app = await serveApp(data.dir, { hosts: lab.hosts, settings: { inventory: { fullSyncIntervalS: 3600, quickSyncIntervalS: 3600 } } });
    cli = app.cli;
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, permissions: ['clipboard-read', 'clipboard-write'] });
    page = await context.newPage();
    await page.goto(app.url);
    await page.waitForFunction(() => document.querySelector('[data-testid="figure-vms"]')?.textContent === '3', undefined, poll);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await cli?.stop();
    await lab?.close();
    data.cleanup();
  });

  test('the sync health page lists the host with its warning; Refresh all refreshes it and counts it', async () => {
    await page.getByTestId('nav-sync-health').click();
    const row = page.locator('[data-testid="health-row"]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="health-row"]').length === 1, undefined, poll);
    expect(await row.locator('td').nth(1).textContent()).toBe('fresh');
    expect(await row.textContent()).toContain('Checkpoint query failed: The operation timed out');
    // The warning is gone from the next inventory: Refresh all reads it, the row follows.
    setInventoryKnobs(lab.host('hv01'), { warnings: { host: [], vms: { [lab.host('hv01').model.vms[0]!.id]: ['Guest OS (KVP) query failed: no answer'] } } });
    await page.getByTestId('refresh-all').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="refresh-progress"]')?.textContent === 'Refreshed 1 of 1 hosts.', undefined, poll);
    await page.waitForFunction(() => !document.querySelector('[data-testid="health-row"]')!.textContent!.includes('Checkpoint query failed'), undefined, poll);
  }, 60_000);

  test("the VM page shows the VM's warning, and Copy as PowerShell puts the command on the clipboard", async () => {
    const vm = lab.host('hv01').model.vms[0]!;
    await openBySearch(page, vm.name);
    await page.waitForFunction(() => document.querySelector('[data-testid="vm-warnings"]')?.textContent?.includes('Guest OS (KVP) query failed: no answer'), undefined, poll);
    expect(await page.getByTestId('vm-warnings').textContent()).toContain('The host reported:');
    await page.getByTestId('copy-ps-open').click();
    const preview = await page.getByTestId('ps-preview').inputValue();
    expect(preview).toMatch(new RegExp(`^Stop-VM -ComputerName '[^']+' -Name '${vm.name}'$`));
    await page.getByTestId('copy-ps-copy').click();
    await page.waitForFunction(() => Array.from(document.querySelectorAll('.toast')).some((el) => el.textContent!.includes('Copied the PowerShell for shut down')), undefined, poll);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(preview);
  }, 60_000);
});
