import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, expect, test } from 'vitest';
import { DEFAULT_SETTINGS } from '../../src/shared/contract';
import { launchChromium } from '../support/browser';
import { startCli, type RunningCli } from '../support/cli';
import { tempDir } from '../support/temp';

const data = tempDir();
let cli: RunningCli | undefined;
let browser: Browser | undefined;
afterAll(async () => {
  await browser?.close();
  await cli?.stop();
  data.cleanup();
});

test('faults the backend survived appear live on the Diagnostics page, and the app keeps working', async () => {
  const settings = { ...DEFAULT_SETTINGS, artifactServer: { bindAddress: '127.0.0.1', port: 0, advertisedBaseUrl: '' } };
  writeFileSync(path.join(data.dir, 'settings.json'), JSON.stringify({ schemaVersion: 1, settings, hosts: [] }));
  cli = startCli(['serve', '--data-dir', data.dir], { AETHERV_INJECT_FAULTS: 'uncaught,rejection' });
  const url = await cli.pageUrl();
  browser = await launchChromium();
  const page = await browser.newPage();
  await page.goto(url);
  await page.getByRole('button', { name: 'Diagnostics' }).click();
  await page.getByRole('heading', { name: 'Faults' }).waitFor();
  const rows = page.getByTestId('faults').locator('tbody tr');
  await rows.nth(1).waitFor({ timeout: 30_000 });
  const kinds = (await rows.locator('td:first-child').allTextContents()).sort();
  expect(kinds).toEqual(['Uncaught error', 'Unhandled rejection']);
  await expect(page.getByTestId('connection').textContent()).resolves.toBe('Connected');
  // Still serving: another view loads its data.
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('add-host').waitFor();
  expect(cli.child.exitCode).toBeNull();
}, 120_000);
