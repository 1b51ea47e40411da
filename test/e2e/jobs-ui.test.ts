import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startLab, type Lab } from '../lab';
import { setJobKnobs } from '../lab/agent/jobs';
import { launchChromium } from '../support/browser';
import type { RunningCli } from '../support/cli';
import { serveApp } from '../support/served-app';
import { filesContaining, tempDir } from '../support/temp';
import { fillCreateVmForm, openBySearch, windowsCreateValues } from '../support/ui-actions';

/** One contract call over the browser-mode WebSocket, the way the renderer makes it. */

const poll = { polling: 100, timeout: 45_000 } as const;
const ADMIN_PASSWORD = 'Ui-Adm1n-Secret-7731';
const JOIN_PASSWORD = 'Ui-J0in-Secret-5520';
const NEW_VM = 'web-ui-01';

describe('jobs UI end to end (lab in this process, aether-v serve, Chromium)', () => {
  const data = tempDir();
  let lab: Lab;
  let cli: RunningCli;
  let url: string;
  let browser: Browser;
  let page: Page;
  let watcher: Page;
  let createJobId = '';

  beforeAll(async () => {
    lab = await startLab({ hosts: 2, vmsPerHost: 6, seed: 23, clusters: 0 });
    // Slow enough to watch: each create step 1.2 s, power transitions 2 s.
    for (const h of lab.hosts) setJobKnobs(lab.host(h.name), { stepMs: 1200, actionMs: 2000 });
    const app = await serveApp(data.dir, { hosts: lab.hosts, settings: { inventory: { fullSyncIntervalS: 60, quickSyncIntervalS: 5 } } });
    cli = app.cli;
    url = app.url;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
    watcher = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url);
    await watcher.goto(url);
    // Agents deployed and every VM inventoried.
    const total = lab.hosts.reduce((n, h) => n + lab.host(h.name).model.vms.length, 0);
    await page.waitForFunction((n) => document.querySelector('[data-testid="figure-vms"]')?.textContent === String(n), total, poll);
    await page.waitForFunction(() => document.querySelector('[data-testid="figure-connected"]')?.textContent === '2', undefined, poll);
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await cli?.stop();
    await lab?.close();
    data.cleanup();
  });

  test('create a Windows VM with static IP and domain join: live output on its job page, Creating then Running', async () => {
    const host = lab.hosts[0]!;
    // A second tab watches the host's VM table for the placeholder and then the real VM.
    await watcher.getByRole('treeitem', { name: new RegExp(host.name) }).first().click();
    await watcher.getByRole('heading', { name: host.name }).waitFor();

    await fillCreateVmForm(page, host.name, windowsCreateValues(NEW_VM, { adminPassword: ADMIN_PASSWORD, joinPassword: JOIN_PASSWORD }));
    await page.getByTestId('create-vm-submit').click();

    // The job's page opens; the secrets are shown masked in its parameters.
    await page.getByTestId('job-detail').waitFor();
    createJobId = (await page.getByTestId('job-detail').getAttribute('data-job-id'))!;
    expect(await page.getByTestId('job-parameters').textContent()).toContain('Administrator password••••••');
    expect(await page.getByTestId('job-parameters').textContent()).not.toContain(ADMIN_PASSWORD);

    // The placeholder appears at once in the other tab.
    await watcher.waitForFunction(
      (name) => Array.from(document.querySelectorAll('[role=row][data-key]')).some((r) => r.textContent!.includes(name) && r.querySelector('[data-state="Creating"]')),
      NEW_VM,
      poll,
    );
    // Output streams while the job is still running: lines appear before it finishes.
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid="job-output"] .job-line').length >= 2 && document.querySelector('[data-testid="job-state"]')?.getAttribute('data-state') === 'running',
      undefined,
      poll,
    );
    const early = await page.locator('[data-testid="job-output"] .job-line').count();
    await page.waitForFunction(() => document.querySelector('[data-testid="job-state"]')?.getAttribute('data-state') === 'succeeded', undefined, { polling: 100, timeout: 90_000 });
    const final = await page.locator('[data-testid="job-output"] .job-line').count();
    expect(final).toBeGreaterThan(early);
    // Lines are in seq order without gaps.
    const seqs = await page.locator('[data-testid="job-output"] .job-line').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))));
    expect(seqs).toEqual(seqs.map((_, i) => i));
    expect(await page.locator('[data-testid="job-output"]').textContent()).toContain('Copying image');

    // Search within the output highlights matches.
    await page.getByTestId('output-search').fill('copying image');
    expect(await page.locator('[data-testid="job-output"] mark').count()).toBeGreaterThanOrEqual(1);

    // The real VM replaces the placeholder and runs.
    await watcher.waitForFunction(
      (name) => Array.from(document.querySelectorAll('[role=row][data-key]')).some((r) => r.textContent!.includes(name) && r.querySelector('[data-state="Running"]') && !r.classList.contains('placeholder')),
      NEW_VM,
      poll,
    );
    expect(filesContaining(data.dir, ADMIN_PASSWORD)).toEqual([]);
    expect(filesContaining(data.dir, JOIN_PASSWORD)).toEqual([]);

    // The notification centre's entry for the job opens the job's page.
    await page.getByTestId('nav-jobs').click();
    await page.getByTestId('bell').click();
    await page.getByTestId('notification-job').first().click();
    await page.waitForFunction((id) => document.querySelector('[data-testid="job-detail"]')?.getAttribute('data-job-id') === id, createJobId, poll);
  }, 150_000);

  test("stop a VM from its page: the pending label shows at once, then the host's state confirms it", async () => {
    const vm = lab.host(lab.hosts[1]!.name).model.vms.find((v) => v.state === 'Running')!;
    await openBySearch(page, vm.name);
    expect(await page.getByTestId('vm-action-start').isDisabled()).toBe(true);
    await page.getByTestId('vm-action-shutdown').click();
    // Shut down asks first (confirm-actions.test.ts covers the question itself).
    await page.getByTestId('confirm-ok').click();
    await page.getByTestId('vm-pending').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('vm-pending').textContent()).toMatch(/^Stopping… requested \d\d:\d\d/);
    await page.waitForFunction(() => document.querySelector('[data-testid="state-badge"]')?.getAttribute('data-state') === 'Off' && !document.querySelector('[data-testid="vm-pending"]'), undefined, poll);
    expect(await page.getByTestId('vm-action-start').isEnabled()).toBe(true);
    expect(await page.getByTestId('vm-action-shutdown').isDisabled()).toBe(true);
  }, 90_000);

  test('bulk stop across both hosts: the preview skips VMs already off; Run opens the per-item results', async () => {
    await page.getByRole('button', { name: 'Aether-V' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.locator('.vm-grid').focus();
    await page.keyboard.press('Control+a');
    await page.getByTestId('bulk-bar').waitFor();
    await page.getByTestId('bulk-shutdown').click();
    await page.getByTestId('bulk-preview').waitFor({ timeout: 15_000 });
    const items = await page.getByTestId('bulk-item').evaluateAll((rows) => rows.map((r) => ({ name: r.children[0]!.textContent, willRun: r.getAttribute('data-will-run'), skip: r.getAttribute('data-skip') })));
    const all = lab.hosts.flatMap((h) => lab.host(h.name).model.vms);
    expect(items).toHaveLength(all.length);
    for (const vm of all) {
      const row = items.find((i) => i.name === vm.name)!;
      if (vm.state === 'Off') expect(row, vm.name).toMatchObject({ willRun: 'false', skip: 'ALREADY_IN_STATE' });
      if (vm.state === 'Running') expect(row, vm.name).toMatchObject({ willRun: 'true' });
    }
    const willRun = items.filter((i) => i.willRun === 'true').length;
    expect(await page.getByTestId('bulk-summary').textContent()).toContain(`${willRun} will run`);
    await page.getByTestId('bulk-run').click();
    await page.getByTestId('job-detail').waitFor();
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="bulk-result"]').length === n, willRun, poll);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="bulk-result"][data-state="succeeded"]').length === n, willRun, { polling: 100, timeout: 60_000 });
    expect(await page.getByTestId('bulk-retry').isDisabled()).toBe(true);
  }, 120_000);

  test("export the create job's .log from its page; the jobs list filters by type", async () => {
    await page.getByTestId('nav-jobs').click();
    await page.getByRole('heading', { name: 'Jobs' }).waitFor();
    await page.getByTestId('jobs-filter-type').selectOption('vm.create');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="job-row"]').length === 1, undefined, poll);
    // Every job matching the filter as a zip (base64 from the backend, decoded into a Blob).
    const [zip] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-zip').click()]);
    expect(zip.suggestedFilename()).toMatch(/\.zip$/);
    const bytes = readFileSync((await zip.path())!);
    expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK');
    expect(bytes.includes(Buffer.from(`${createJobId}.log`))).toBe(true);
    await page.locator(`[data-testid="job-row"][data-job-id="${createJobId}"] button.link`).click();
    await page.getByTestId('job-detail').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-log').click()]);
    expect(download.suggestedFilename()).toMatch(/\.log$/);
    const text = readFileSync((await download.path())!, 'utf8');
    expect(text).toContain(createJobId);
    expect(text).toContain('Copying image');
    expect(text).not.toContain(ADMIN_PASSWORD);
    expect(text).not.toContain(JOIN_PASSWORD);
  }, 60_000);

  test('command palette (Ctrl+Shift+P): the actions allowed for the VM on screen, and navigation, by keyboard', async () => {
    const off = lab.hosts.flatMap((h) => lab.host(h.name).model.vms).find((v) => v.state === 'Off')!;
    await openBySearch(page, off.name);
    // The lab may have just shut it down (the bulk test): the palette offers what the app has
    // observed, so wait until the app shows it off with nothing pending.
    await page.waitForFunction(() => document.querySelector('[data-testid="state-badge"]')?.getAttribute('data-state') === 'Off' && !document.querySelector('[data-testid="vm-pending"]'), undefined, poll);
    await page.keyboard.press('Control+Shift+P');
    await page.getByTestId('palette').waitFor();
    const labels = await page.getByTestId('palette-item').allTextContents();
    expect(labels.some((l) => l.endsWith(`Start ${off.name}`))).toBe(true);
    expect(labels.some((l) => l.includes(`Shut down ${off.name}`))).toBe(false);
    await page.keyboard.type('go jobs');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Jobs' }).waitFor();
    expect(await page.getByTestId('palette').count()).toBe(0);
  }, 60_000);
});
