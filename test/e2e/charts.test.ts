import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import type { Lab } from '../lab';
import { startServedLab, type ServedLab } from '../support/served-app';
import { tempDir } from '../support/temp';

const poll = { polling: 200, timeout: 60_000 } as const;
// Screenshots for the look-at-every-page pass, only when asked (AETHERV_SHOTS=<dir>).
const SHOTS = process.env.AETHERV_SHOTS;

/** The charts' "now" figure: one decimal under 10 %, whole percent above. */
const percent = (v: number) => `${v.toFixed(v < 10 ? 1 : 0)} %`;

/** How many samples a chart (uPlot instance) holds, from the attribute TimeChart/Sparkline set after setData. */
async function chartPoints(page: Page, selector: string): Promise<number> {
  return page.evaluate((s) => Number(document.querySelector(s)?.getAttribute('data-samples') ?? document.querySelector(s)?.getAttribute('data-points') ?? 0), selector);
}

describe('charts end to end (lab, aether-v serve with 5 s quick syncs, Chromium)', () => {
  const data = tempDir();
  let app: ServedLab;
  let lab: Lab;
  let url: string;
  let page: Page;

  beforeAll(async () => {
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
    app = await startServedLab(data.dir, { lab: { hosts: 2, vmsPerHost: 4, seed: 7, clusters: 1 }, viewport: { width: 1440, height: 900 } });
    ({ lab, url, page } = app);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    data.cleanup();
  });

  test('the host table shows a CPU trend line per host that gains points with each quick sync', async () => {
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.waitForFunction((n) => {
      const lines = Array.from(document.querySelectorAll('[data-testid="host-sparkline"]'));
      return lines.length === n && lines.every((l) => Number(l.getAttribute('data-points')) >= 3);
    }, lab.hosts.length, poll);
    // Each trend line is a drawn canvas, and its "now" figure is the host's VMs' CPU from the lab.
    const first = lab.hosts[0]!;
    const expected = Math.min(100, lab.host(first.name).model.vms.filter((v) => v.state === 'Running').reduce((sum, v) => sum + v.cpuUsagePercent, 0));
    const row = page.getByRole('row', { name: new RegExp(first.name) });
    expect(await row.locator('[data-testid="host-sparkline"] canvas').count()).toBeGreaterThan(0);
    expect(await row.locator('.host-trend-now').textContent()).toBe(percent(expected));
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/overview-1440-light.png`, fullPage: true });
  }, 90_000);

  test('the host page charts CPU and memory from the quick syncs and follows a change', async () => {
    const host = lab.hosts[0]!;
    await page.getByRole('button', { name: host.name, exact: true }).first().click();
    await page.getByRole('heading', { name: host.name }).waitFor();
    const charts = page.getByTestId('host-charts');
    await charts.getByTestId('cpu-chart').locator('canvas').waitFor();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="host-charts"] [data-testid="cpu-chart"]')?.getAttribute('data-samples')) >= 3, undefined, poll);
    expect(await chartPoints(page, '[data-testid="host-charts"] [data-testid="memory-chart"]')).toBeGreaterThanOrEqual(3);
    // uPlot's legend names the series.
    expect(await charts.locator('.u-legend').first().textContent()).toContain('CPU used by VMs');
    expect(await charts.locator('.u-legend').nth(1).textContent()).toContain('Assigned to VMs');

    // A busier VM on the lab host: the next quick sync's point moves the chart's "now" figure.
    const running = lab.host(host.name).model.vms.filter((v) => v.state === 'Running');
    expect(running.length).toBeGreaterThan(0);
    for (const vm of running) vm.cpuUsagePercent = 7;
    const samplesBefore = await chartPoints(page, '[data-testid="host-charts"] [data-testid="cpu-chart"]');
    const want = percent(Math.min(100, 7 * running.length));
    await page.waitForFunction((w) => document.querySelector('[data-testid="host-charts"] figcaption .chart-now')?.textContent === w, want, poll);
    expect(await chartPoints(page, '[data-testid="host-charts"] [data-testid="cpu-chart"]')).toBeGreaterThan(samplesBefore);
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/host-1440-light.png`, fullPage: true });
  }, 90_000);

  test('the VM page charts the VM, and at 1024 px in the dark theme nothing is clipped', async () => {
    const host = lab.hosts[0]!;
    const vm = lab.host(host.name).model.vms.find((v) => v.state === 'Running')!;
    await page.getByRole('button', { name: vm.name, exact: true }).first().click();
    await page.getByRole('heading', { name: vm.name }).waitFor();
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="vm-charts"] [data-testid="cpu-chart"]')?.getAttribute('data-samples')) >= 2, undefined, poll);
    await page.waitForFunction((w) => document.querySelector('[data-testid="vm-charts"] figcaption .chart-now')?.textContent === w, percent(vm.cpuUsagePercent), poll);
    expect(await page.getByTestId('vm-charts').locator('.u-legend').nth(1).textContent()).toContain('Demand');
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/vm-1440-light.png`, fullPage: true });

    // Narrow window, dark theme: the charts shrink with the window and are rebuilt in the theme's colours.
    await page.setViewportSize({ width: 1024, height: 768 });
    await page.evaluate(() => (document.documentElement.dataset.theme = 'dark'));
    await page.waitForFunction(() => {
      const box = document.querySelector('[data-testid="vm-charts"] [data-testid="cpu-chart"]') as HTMLElement | null;
      const canvas = box?.querySelector('canvas');
      return Boolean(box && canvas && canvas.getBoundingClientRect().right <= box.getBoundingClientRect().right + 1);
    }, undefined, poll);
    const layout = await page.evaluate(() => {
      const main = document.querySelector('[data-testid="vm-charts"]')!.closest('main') ?? document.body;
      const charts = Array.from(document.querySelectorAll('[data-testid="vm-charts"] .chart-card')).map((c) => c.getBoundingClientRect());
      return { overflow: main.scrollWidth - main.clientWidth, widest: Math.max(...charts.map((r) => r.right)), viewport: window.innerWidth };
    });
    expect(layout.overflow).toBeLessThanOrEqual(0);
    expect(layout.widest).toBeLessThanOrEqual(layout.viewport);
    if (SHOTS) await page.getByTestId('vm-charts').screenshot({ path: `${SHOTS}/vm-charts-1024-dark.png` });
    await page.getByRole('button', { name: host.name, exact: true }).first().click();
    await page.getByTestId('host-charts').getByTestId('cpu-chart').locator('canvas').waitFor();
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/host-1024-dark.png`, fullPage: true });
    for (const width of [1024, 1440]) {
      for (const theme of ['light', 'dark']) {
        await page.setViewportSize({ width, height: 900 });
        await page.evaluate((t) => (document.documentElement.dataset.theme = t), theme);
        // Resized and rebuilt: the canvas fits its box at this width.
        await page.waitForFunction(() => {
          const box = document.querySelector('[data-testid="host-charts"] [data-testid="memory-chart"]') as HTMLElement | null;
          const canvas = box?.querySelector('canvas');
          return Boolean(box && canvas && Math.abs(canvas.getBoundingClientRect().width - box.getBoundingClientRect().width) <= 2);
        }, undefined, poll);
        if (SHOTS) await page.getByTestId('host-charts').screenshot({ path: `${SHOTS}/host-charts-${width}-${theme}.png` });
      }
    }
    await page.goto(url);
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="host-sparkline"]')?.getAttribute('data-points')) >= 3, undefined, poll);
    await page.evaluate(() => (document.documentElement.dataset.theme = 'dark'));
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/overview-1024-dark.png`, fullPage: true });
  }, 120_000);
});
