/**
 * Issue 13 items 5–7 in the browser (`aether-v serve` as a subprocess, Chromium, two lab hosts on
 * different ports): an edit form's Test connection tests the values typed, not the saved ones;
 * field errors clear when fixed; TLS failures and a wrong password are said in words at the right
 * step; the Create VM form refuses a gateway outside the subnet, a broadcast address and a switch
 * the host does not have (Check and Create both); "Last seen" is one time; Retry shows progress.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import type { HostView, JobListResponse } from '../../src/shared/contract';
import { DEFAULT_SETTINGS } from '../../src/shared/contract';
import { startLab, type Lab } from '../lab';
import { launchChromium } from '../support/browser';
import type { RunningCli } from '../support/cli';
import { serveApp } from '../support/served-app';
import { tempDir } from '../support/temp';
import { fillCreateVmForm, windowsCreateValues } from '../support/ui-actions';
import { wsCall } from '../support/ws-call';

const poll = { polling: 100, timeout: 45_000 };
const SHOTS = process.env.AETHERV_SHOTS;

describe('host form, network input and freshness (aether-v serve + Chromium)', () => {
  const data = tempDir();
  let lab: Lab;
  let cli: RunningCli;
  let url: string;
  let browser: Browser;
  let page: Page;
  let form: Locator;

  beforeAll(async () => {
    lab = await startLab({ hosts: 2, vmsPerHost: 3, clusters: 0, seed: 17, password: 'E2e-Two-Labs-Passw0rd!' });
    ({ cli, url } = await serveApp(data.dir, { hosts: [lab.hosts[0]!], settings: { inventory: { ...DEFAULT_SETTINGS.inventory, quickSyncIntervalS: 5 } } }));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(url);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    // The first host is deployed, connected and inventoried before anything else.
    await page.waitForFunction(() => document.body.textContent!.includes('Connected'), undefined, poll);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await cli?.stop();
    await lab?.close();
    data.cleanup();
  });

  const [first, second] = [() => lab.hosts[0]!, () => lab.hosts[1]!];
  const portOf = (u: string) => new URL(u).port;
  const report = () => form.getByTestId('connection-report');
  const reportLines = async () => (await report().locator('li').allTextContents()).map((t) => t.trim());
  const testConnection = async () => {
    await form.getByRole('button', { name: 'Test connection' }).click();
    await report().waitFor();
    await page.waitForFunction(() => !document.querySelector('form.host-form button[type=submit]')?.hasAttribute('disabled'), undefined, poll);
  };
  const hosts = async () => (await wsCall(url, 'hosts.list', {})).data as HostView[];

  test('5: an edit form tests its own values — another port reaches the second lab host — while the saved entry stays', async () => {
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('host-list').locator('li').filter({ hasText: first().name }).getByRole('button', { name: 'Edit' }).click();
    form = page.getByRole('form', { name: `Edit ${first().name}` });
    await form.getByLabel('Port', { exact: true }).fill(portOf(second().httpUrl));
    await form.getByLabel('Password (required again)').fill(second().password);
    await testConnection();
    const lines = await reportLines();
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^✓ Reach WinRM \(Identify, no password sent\) \(\d+ ms\): WS-Man/);
    expect(lines[1]).toMatch(new RegExp(`^✓ Sign in and run a command \\(\\d+ ms\\): signed in as ${first().username}; host name ${second().name.toUpperCase()}$`));
    // Only tested: the saved entry still points at the first host.
    expect((await hosts())[0]).toMatchObject({ displayName: first().name, port: Number(portOf(first().httpUrl)) });
  });

  test('5: a wrong password is reported at the sign-in step, after an Identify that passed', async () => {
    await form.getByLabel('Password (required again)').fill('not-the-password');
    await testConnection();
    const lines = await reportLines();
    expect(lines[0]).toMatch(/^✓ Reach WinRM/);
    expect(lines[1]).toMatch(/^✗ Sign in and run a command \(\d+ ms\): .*access denied for user 'Administrator'/);
    expect(lines).toHaveLength(2);
    expect(await report().locator('p').textContent()).toMatch(new RegExp(`^${first().name}: signing in \\(running a command\\) failed — `));
  });

  test('5: HTTPS against an HTTP port is said in words, not OpenSSL text', async () => {
    await form.getByLabel('Transport').selectOption('https');
    await form.getByLabel('Password (required again)').fill(second().password);
    await testConnection();
    const text = await report().textContent();
    expect(text).toMatch(/✗ Reach WinRM \(Identify, no password sent\) \(\d+ ms\): TLS with 127\.0\.0\.1:\d+ failed: the port answered in plain HTTP, not HTTPS — choose the HTTP transport for this port, or the HTTPS port \(usually 5986\)/);
    expect(text).not.toMatch(/wrong version number|SSL routines|EPROTO/);
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/host-form-tls-1440.png`, fullPage: true });
  });

  test('5: a field error clears as soon as that field is edited', async () => {
    await form.getByLabel('Transport').selectOption('http');
    await form.getByLabel('Password (required again)').fill('');
    await form.getByRole('button', { name: 'Save' }).click();
    const passwordError = form.getByTestId(/-password$/);
    await passwordError.waitFor();
    expect(await form.getByTestId('host-form-error').count()).toBe(1);
    expect(await form.getByLabel('Password (required again)').getAttribute('aria-invalid')).toBe('true');
    await form.getByLabel('Password (required again)').fill('x');
    await passwordError.waitFor({ state: 'detached' });
    expect(await form.getByTestId('host-form-error').count()).toBe(0);
    expect(await form.getByLabel('Password (required again)').getAttribute('aria-invalid')).toBe('false');

    // A value the backend refuses (a port out of range): its error goes when the port is edited.
    await form.getByLabel('Port', { exact: true }).fill('70000');
    await form.getByRole('button', { name: 'Save' }).click();
    const portError = form.getByTestId(/-port$/);
    await portError.waitFor();
    await form.getByLabel('Port', { exact: true }).fill(portOf(first().httpUrl));
    await portError.waitFor({ state: 'detached' });
    await form.getByRole('button', { name: 'Cancel' }).click();
    expect((await hosts())[0]).toMatchObject({ port: Number(portOf(first().httpUrl)) });
  });

  test('6: Check and Create refuse a broadcast address, a gateway outside the subnet and a switch the host lacks, each at its field', async () => {
    await fillCreateVmForm(page, first().name, {
      ...windowsCreateValues('net-e2e-01', { adminPassword: 'Net-Adm1n-Pw-77', joinPassword: 'Net-J0in-Pw-77' }),
      ipv4Address: '10.20.30.255',
      ipv4Gateway: '10.20.31.1',
      switchName: 'vSwitch-Nope',
    });
    await page.getByTestId('create-vm-check').click();
    const errorOf = (id: string) => page.getByTestId(`error-job-${id}`);
    await errorOf('switchName').waitFor();
    expect(await errorOf('ipv4Address').textContent()).toMatch(/^is the broadcast address of 10\.20\.30\.0\/24 \(not usable by a VM\); choose an address from 10\.20\.30\.1 to 10\.20\.30\.254/);
    expect(await errorOf('ipv4Gateway').textContent()).toMatch(/^is outside the VM's subnet 10\.20\.30\.0\/24/);
    expect(await errorOf('switchName').textContent()).toMatch(new RegExp(`^is not a virtual switch of ${first().name} \\(its inventory reports vSwitch-`));
    expect(await page.getByTestId('create-vm-result').textContent()).toContain('3 problems found');
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/create-vm-network-1440.png`, fullPage: true });

    // Create sends it anyway: the backend refuses it the same way, and no job exists.
    await page.locator('#job-ipv4Address').fill('10.20.30.41');
    await errorOf('ipv4Address').waitFor({ state: 'detached' });
    await page.getByTestId('create-vm-submit').click();
    await errorOf('switchName').waitFor();
    await errorOf('ipv4Gateway').waitFor();
    expect(((await wsCall(url, 'jobs.list', {})).data as JobListResponse).total).toBe(0);

    await page.locator('#job-ipv4Gateway').fill('10.20.30.1');
    await page.locator('#job-switchName').fill('vSwitch-Prod');
    await page.getByTestId('create-vm-check').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="create-vm-result"]')?.textContent?.includes('All values are valid'), undefined, poll);
  });

  test("7: the host page's Last seen is its latest contact — the same time as the newest sync shown", async () => {
    await page.getByRole('treeitem', { name: new RegExp(first().name) }).first().click();
    await page.getByRole('heading', { name: first().name }).waitFor();
    // A quick sync (every 5 s here) newer than the startup's full sync.
    await page.waitForFunction(() => /status \d+ s ago/.test(document.querySelector('[data-testid="host-facts"]')!.textContent!), undefined, poll);
    const { lastSeen, status } = await page.evaluate(() => {
      const facts = document.querySelector('[data-testid="host-facts"]')!;
      const dd = (label: string) => Array.from(facts.querySelectorAll('dt')).find((dt) => dt.textContent === label)!.nextElementSibling!.textContent!;
      return { lastSeen: dd('Last seen'), status: /status (\d+ s ago)/.exec(dd('Inventory'))![1] };
    });
    expect(lastSeen).toBe(status);
    // Item 6's switch rule judges against this list: every switch the host has (Get-VMSwitch).
    expect(await page.getByTestId('host-switches').textContent()).toBe(lab.host(first().name).model.virtualSwitches.join(', '));
  });

  test('7: Retry now stays busy until the attempt finished, then says it refreshed', async () => {
    const host = lab.host(first().name);
    await host.setKnobs({ unreachable: true });
    await page.getByTestId('host-refresh').click();
    const banner = page.getByTestId('host-unreachable');
    await banner.waitFor({ timeout: 45_000 });
    expect(await banner.textContent()).toMatch(/next retry (in \d+ s|now)/);
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/host-unreachable-1440.png`, fullPage: true });

    // Back, but slow: the attempt takes seconds, and the button shows it the whole time.
    await host.setKnobs({ unreachable: false, latencyMs: 700 });
    await page.getByTestId('host-retry').click();
    expect(await page.getByTestId('host-retry').textContent()).toBe('Retrying…');
    expect(await page.getByTestId('host-retry').isDisabled()).toBe(true);
    await page.waitForTimeout(1_000);
    expect(await page.getByTestId('host-retry').textContent()).toBe('Retrying…');
    await page.waitForFunction(
      (name) => Array.from(document.querySelectorAll('.toast')).some((t) => t.textContent!.includes(`${name}: refreshed, inventory up to date.`)),
      first().name,
      poll,
    );
    await banner.waitFor({ state: 'detached' });
    await host.setKnobs({ latencyMs: 0 });
  });
});
