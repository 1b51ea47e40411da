// Issue 13 item 12 in a real browser against `aether-v serve` and the lab: job titles from the
// action's verb, a clean job output (the lab's PowerShell honours `exit $LASTEXITCODE`), "Cancelled"
// shown once, the deleted disk files on the delete job's page, Diagnostics naming hosts by name
// with readable headers. With AETHERV_SHOTS=<dir>, screenshots of these pages in both themes at
// 1024 and 1440 px go there for a person to look at.
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { HostView, JobRecord } from '../../src/shared/contract';
import { startLab, type Lab } from '../lab';
import { setJobKnobs } from '../lab/agent/jobs';
import { launchChromium } from '../support/browser';
import type { RunningCli } from '../support/cli';
import { serveApp } from '../support/served-app';
import { tempDir } from '../support/temp';
import { wsCall } from '../support/ws-call';

const poll = { polling: 100, timeout: 45_000 } as const;
// Screenshots for the look-at-every-page pass, only when asked (AETHERV_SHOTS=<dir>).
const SHOTS = process.env.AETHERV_SHOTS;

describe('words for people on the jobs pages and Diagnostics (lab, aether-v serve, Chromium)', () => {
  const data = tempDir();
  let lab: Lab;
  let cli: RunningCli;
  let url: string;
  let browser: Browser;
  let page: Page;
  const hostIds = new Map<string, string>();

  const call = async <T>(command: string, request: unknown): Promise<T> => {
    const response = await wsCall(url, command, request);
    expect(response.ok, JSON.stringify(response.error)).toBe(true);
    return response.data as T;
  };

  /** Opens a job's page the way a user does: Jobs, then its row. */
  const openJob = async (id: string) => {
    await page.getByTestId('nav-jobs').click();
    await page.locator(`[data-testid="job-row"][data-job-id="${id}"] button.link`).click();
    await page.locator(`[data-testid="job-detail"][data-job-id="${id}"]`).waitFor();
  };
  const waitState = (state: string) => page.waitForFunction((s) => document.querySelector('[data-testid="job-facts"] [data-testid="job-state"]')?.getAttribute('data-state') === s, state, poll);

  /** Sets the theme with the header's theme button (it cycles system → light → dark). */
  const theme = async (wanted: 'light' | 'dark') => {
    for (let i = 0; i < 3 && (await page.getByRole('button', { name: /^Theme:/ }).textContent()) !== `Theme: ${wanted}`; i++) {
      await page.getByRole('button', { name: /^Theme:/ }).click();
    }
  };
  /** Both themes at both widths; `part` (e.g. a Diagnostics table) scrolled into view first. */
  const shoot = async (name: string, part?: string) => {
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
    for (const scheme of ['light', 'dark'] as const) {
      await theme(scheme);
      for (const width of [1024, 1440]) {
        await page.setViewportSize({ width, height: 900 });
        if (part) await page.locator(part).first().scrollIntoViewIfNeeded();
        if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}-${scheme}-${width}.png` });
      }
    }
    await theme('light');
    await page.setViewportSize({ width: 1440, height: 900 });
  };

  beforeAll(async () => {
    lab = await startLab({ hosts: 2, vmsPerHost: 5, seed: 41, clusters: 0 });
    for (const h of lab.hosts) setJobKnobs(lab.host(h.name), { actionMs: 100 });
    const app = await serveApp(data.dir, { hosts: lab.hosts });
    cli = app.cli;
    url = app.url;
    for (const view of await call<HostView[]>('hosts.list', {})) hostIds.set(view.displayName, view.id);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.goto(url);
    const total = lab.hosts.reduce((n, h) => n + lab.host(h.name).model.vms.length, 0);
    await page.waitForFunction((n) => document.querySelector('[data-testid="figure-vms"]')?.textContent === String(n), total, poll);
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await cli?.stop();
    await lab?.close();
    data.cleanup();
  });

  test('a turn-off job is titled "Turn off <VM>" in the list and on its page, and its output has no error', async () => {
    const host = lab.hosts[0]!.name;
    const vm = lab.host(host).model.vms.find((v) => v.state === 'Running')!;
    const job = await call<JobRecord>('vm.action', { hostId: hostIds.get(host), vmId: vm.id, action: 'turnoff' });
    await openJob(job.id);
    await waitState('succeeded');
    expect(await page.locator('#job-title').textContent()).toBe(`Turn off ${vm.name}`);
    await page.waitForFunction(() => (document.querySelector('.job-lines')?.textContent ?? '').includes('Finished: the host reported success.'), undefined, poll);
    const output = await page.locator('.job-lines').innerText();
    expect(output).not.toMatch(/not recognized|CommandNotFoundException/);
    expect(await page.locator('.job-line.stream-stderr').count()).toBe(0);
    await page.getByTestId('nav-jobs').click();
    expect(await page.locator(`[data-testid="job-row"][data-job-id="${job.id}"]`).innerText()).toContain(`Turn off ${vm.name}`);
    expect(await page.locator('.jobs-table').innerText()).not.toContain('turnoff');
    await shoot('jobs-list');
  }, 90_000);

  test('a cancelled job says "Cancelled" once', async () => {
    const host = lab.hosts[1]!.name;
    const vm = lab.host(host).model.vms.find((v) => v.state === 'Off')!;
    setJobKnobs(lab.host(host), { hang: true });
    try {
      const job = await call<JobRecord>('vm.action', { hostId: hostIds.get(host), vmId: vm.id, action: 'start' });
      await openJob(job.id);
      await waitState('running');
      await page.getByTestId('job-cancel').click();
      await waitState('cancelled');
      const facts = await page.getByTestId('job-facts').innerText();
      expect(facts.match(/cancel/gi)).toHaveLength(1);
      expect(facts).toContain('Cancelled');
      expect(facts).not.toContain('CANCELLED');
      expect(await page.locator('#job-title').textContent()).toBe(`Start ${vm.name}`);
      await shoot('job-cancelled');
    } finally {
      setJobKnobs(lab.host(host), { hang: false });
    }
  }, 90_000);

  test("the delete job's page lists the disk files the host deleted", async () => {
    const host = lab.hosts[0]!.name;
    const vm = lab.host(host).model.vms.find((v) => v.disks.length > 0 && !v.disks.some((d) => /shared/i.test(d.name)))!;
    const paths = vm.disks.map((d) => d.path);
    const job = await call<JobRecord>('vm.delete', { hostId: hostIds.get(host), vmId: vm.id, deleteDisks: true, force: true, confirmName: vm.name });
    await openJob(job.id);
    await waitState('succeeded');
    expect(await page.locator('#job-title').textContent()).toBe(`Delete ${vm.name}`);
    await page.getByTestId('disks-deleted').waitFor();
    expect(await page.getByTestId('disks-deleted').locator('li').allTextContents()).toEqual(paths);
    await shoot('job-delete');
  }, 90_000);

  test('Diagnostics names hosts by their display names under readable headers', async () => {
    await page.getByRole('button', { name: 'Diagnostics' }).click();
    const group = page.locator('[data-testid="metric-group"][data-group="Scheduler hosts"]');
    await group.waitFor({ timeout: 30_000 });
    const names = await group.locator('tbody tr td:first-child').allTextContents();
    expect(names.sort()).toEqual(lab.hosts.map((h) => h.name).sort());
    expect(await group.locator('th').allTextContents()).toContain('Timed out');
    const text = await page.locator('main').innerText();
    for (const id of hostIds.values()) expect(text).not.toContain(id);
    expect(text).not.toMatch(/ewmaRunMs|maxConcurrentSeen|avgHostDurationMs|lastSuccessAt/);
    await shoot('diagnostics-scheduler', '[data-group="Scheduler lanes"]');
    await shoot('diagnostics-inventory', '[data-group="inventory hosts"]');
    await shoot('diagnostics-single-rows', '[data-group="App log"]');
  }, 60_000);
});
