import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { startCli, type RunningCli } from '../support/cli';

describe('npm run demo (browser mode)', () => {
  let cli: RunningCli;
  let browser: Browser;
  let url: string;

  beforeAll(async () => {
    cli = startCli(['demo', '--hosts', '3', '--vms', '4', '--browser']);
    url = await cli.pageUrl();
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await cli?.stop();
  });

  test('prints a URL whose page shows the app with the lab hosts configured', async () => {
    expect(cli.stdout()).toMatch(/Simulated lab: 3 hosts × 4 VMs on 127\.0\.0\.1/);
    expect(cli.stdout()).not.toMatch(/Downloading Electron/);
    const page = await browser.newPage();
    await page.goto(url);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[role=treeitem][aria-level="2"]').length === 3, undefined, { polling: 100 });
    await page.getByTestId('nav-settings').click();
    const list = page.getByTestId('host-list');
    await list.getByText('http://127.0.0.1:', { exact: false }).first().waitFor();
    expect(await list.locator('li').count()).toBe(3);
  });

  test('stops cleanly on SIGTERM', async () => {
    const code = await cli.stop('SIGTERM');
    expect(code).toBe(0);
  });
});
