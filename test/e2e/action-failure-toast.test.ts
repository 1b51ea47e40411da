import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startLab, type Lab } from '../lab';
import { setJobKnobs } from '../lab/agent/jobs';
import { launchChromium } from '../support/browser';
import type { RunningCli } from '../support/cli';
import { serveApp } from '../support/served-app';
import { tempDir } from '../support/temp';
import { openBySearch } from '../support/ui-actions';

const poll = { polling: 100, timeout: 45_000 } as const;

// Issue 12 item 6: a power action the host refuses shows a toast naming the VM and the host's
// reason, and stays in the notification centre, instead of the pending note just vanishing.
describe('a failed power action in the browser (aether-v serve, Chromium)', () => {
  const data = tempDir();
  let lab: Lab;
  let cli: RunningCli;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    lab = await startLab({ hosts: 1, vmsPerHost: 3, seed: 29, clusters: 0 });
    for (const vm of lab.host('hv01').model.vms) vm.state = 'Off';
    setJobKnobs(lab.host('hv01'), { actionMs: 300 });
    const app = await serveApp(data.dir, { hosts: lab.hosts, settings: { inventory: { fullSyncIntervalS: 3600, quickSyncIntervalS: 3600 } } });
    cli = app.cli;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(app.url);
    await page.waitForFunction(() => document.querySelector('[data-testid="figure-vms"]')?.textContent === '3', undefined, poll);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await cli?.stop();
    await lab?.close();
    data.cleanup();
  });

  test('Start on a VM the host already runs: a toast with the reason, and the notification in the bell', async () => {
    const vm = lab.host('hv01').model.vms[0]!;
    await openBySearch(page, vm.name);
    await page.waitForFunction(() => document.querySelector('[data-testid="state-badge"]')?.getAttribute('data-state') === 'Off', undefined, poll);
    // Started behind the app's back: the app still shows Off, the host refuses a second start.
    vm.state = 'Running';
    await page.getByTestId('vm-action-start').click();
    const title = `Could not start ${vm.name}`;
    await page.waitForFunction((t) => Array.from(document.querySelectorAll('.toast')).some((el) => el.textContent!.includes(t)), title, poll);
    const toast = (await page.locator('.toast', { hasText: title }).first().textContent()) ?? '';
    expect(toast).toMatch(new RegExp(`${title}: hv01: INVALID_STATE: `));
    expect(await page.locator('.toast-error', { hasText: title }).count()).toBe(1);
    // The pending note is gone and the notification stays in the notification centre.
    await page.waitForFunction(() => !document.querySelector('[data-testid="vm-pending"]'), undefined, poll);
    await page.getByTestId('bell').click();
    await page.waitForFunction((t) => document.body.textContent!.includes(t), title, poll);
  }, 60_000);
});
