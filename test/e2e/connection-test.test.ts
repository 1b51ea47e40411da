/**
 * Settings' "Test connection" end to end: the simulated lab runs in this process, `aether-v serve`
 * runs as a real subprocess, and Chromium drives the Settings form against a lab host over
 * NTLM-sealed HTTP — three passing steps, then a wrong password failing at sign-in (Identify is
 * anonymous, as Windows answers it).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { startLab, type Lab, type LabHostInfo } from '../lab';
import { launchChromium } from '../support/browser';
import type { RunningCli } from '../support/cli';
import { serveApp } from '../support/served-app';
import { filesContaining, tempDir } from '../support/temp';

describe('Settings › Test connection against a lab host (aether-v serve + Chromium)', () => {
  const data = tempDir();
  let lab: Lab;
  let info: LabHostInfo;
  let cli: RunningCli;
  let browser: Browser;
  let page: Page;
  let form: Locator;

  beforeAll(async () => {
    lab = await startLab({ hosts: 1, vmsPerHost: 1, password: 'E2e-Lab-Passw0rd!' });
    info = lab.hosts[0];
    // Artifact server on a free port, so this file never clashes with another test's backend.
    const { cli: started, url } = await serveApp(data.dir);
    cli = started;
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(url);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await cli?.stop();
    await lab?.close();
    data.cleanup();
  });

  const report = () => page.getByTestId('connection-report');
  const reportLines = async () => (await report().locator('li').allTextContents()).map((t) => t.trim());

  test('a lab host over HTTP + NTLM passes all three steps', async () => {
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('add-host').click();
    form = page.getByRole('form', { name: 'Add host' });
    const url = new URL(info.httpUrl);
    await form.getByLabel('Display name').fill('Lab HV');
    await form.getByLabel('Address', { exact: true }).fill(url.hostname);
    await form.getByLabel('Transport').selectOption('http');
    await form.getByLabel('Port', { exact: true }).fill(url.port);
    await form.getByLabel('Authentication').selectOption('ntlm');
    await form.getByLabel('User name').fill(info.username);
    await form.getByLabel('Password').fill(info.password);
    await form.getByRole('button', { name: 'Test connection' }).click();
    await report().locator('li').nth(2).waitFor();
    const lines = await reportLines();
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^✓ Reach WinRM \(Identify, no password sent\) \(\d+ ms\): WS-Man/);
    expect(lines[1]).toMatch(new RegExp(`^✓ Sign in and run a command \\(\\d+ ms\\): signed in as ${info.username}; host name ${info.name.toUpperCase()}`));
    expect(lines[2]).toMatch(/^✓ Hyper-V check \(\d+ ms\): Hyper-V management service is running/);
    expect(await report().locator('p').textContent()).toBe('Lab HV: connected, Hyper-V ready');
  });

  test('a wrong password shows which step failed and why', async () => {
    await form.getByLabel('Password').fill('definitely-wrong');
    await form.getByRole('button', { name: 'Test connection' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="connection-report"] li.failed') !== null, undefined, { polling: 100 });
    const lines = await reportLines();
    const failed = lines.filter((l) => l.startsWith('✗'));
    expect(failed).toHaveLength(1);
    expect(lines[lines.length - 1]).toBe(failed[0]);
    expect(failed[0]).toMatch(/^✗ Sign in and run a command \(\d+ ms\): .*access denied for user 'Administrator'/);
    expect(await report().locator('p').textContent()).toMatch(/^Lab HV: signing in \(running a command\) failed — .*access denied/);
  });

  test('saving the host keeps the password only encrypted', async () => {
    await form.getByLabel('Password').fill(info.password);
    await form.getByRole('button', { name: 'Add host' }).click();
    await page.getByTestId('host-list').getByText('Lab HV').waitFor();
    expect(filesContaining(data.dir, info.password)).toEqual([]);
    expect(filesContaining(data.dir, 'definitely-wrong')).toEqual([]);
  });
});
