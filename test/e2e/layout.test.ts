/**
 * Every page at 1024 and 1440 px wide, in the light and the dark theme, with real content (a lab
 * with a cluster, a standalone host, a host that is down, a finished job): no text may overflow
 * its box and the page may not scroll sideways. Boxes that scroll on purpose (the VM table inside
 * its frame, job output) and text cut with an ellipsis on purpose are allowed.
 *
 * With AETHERV_SHOTS=<dir> it also saves a full-page screenshot of each (page, width, theme), for
 * the look-at-every-page pass before a stop.
 */
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import type { HostView, JobRecord } from '../../src/shared/contract';
import type { Lab } from '../lab';
import { startServedLab, type ServedLab } from '../support/served-app';
import { tempDir } from '../support/temp';
import { wsCall } from '../support/ws-call';

const SHOTS = process.env.AETHERV_SHOTS;
const WIDTHS = [1024, 1440] as const;
const THEMES = ['light', 'dark'] as const;
const poll = { polling: 100, timeout: 45_000 } as const;

interface PageVisit {
  name: string;
  hash: string;
  /** Text of the page's h1 once it has rendered. */
  heading: string | RegExp;
  /** Brings the page into the state worth looking at (a form opened, a host chosen). */
  prepare?: (page: Page) => Promise<void>;
}

/**
 * Runs in the page: every box whose content is wider (or taller) than the box while it neither
 * scrolls nor ends in an ellipsis, every select too narrow for its chosen option, and a page
 * wider than the window. Each finding names the element so a failure says where to look.
 */
function findOverflows(): string[] {
  const found: string[] = [];
  const describe = (el: Element) => {
    const id = el.getAttribute('data-testid') ?? el.id;
    const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
    const text = (el.textContent ?? '').trim().replace(/\s+/g, ' ').slice(0, 60);
    return `${el.tagName.toLowerCase()}${id ? `#${id}` : ''}${cls} "${text}"`;
  };
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth + 1) found.push(`the page scrolls sideways: ${root.scrollWidth} px wide in a ${root.clientWidth} px window`);
  const canvas = document.createElement('canvas').getContext('2d')!;
  for (const el of Array.from(document.querySelectorAll('body *'))) {
    if (el instanceof SVGElement || el instanceof HTMLCanvasElement) continue;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.display === 'inline' || style.display === 'contents' || style.visibility === 'hidden') continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    if (el instanceof HTMLSelectElement) {
      const option = el.selectedOptions[0];
      if (!option) continue;
      canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      const needed = canvas.measureText(option.text).width + parseFloat(style.paddingLeft) + parseFloat(style.paddingRight) + 16; // the arrow
      if (needed > el.clientWidth + 1) found.push(`${describe(el)}: option "${option.text}" needs ${Math.ceil(needed)} px, the select is ${el.clientWidth} px`);
      continue;
    }
    const scrollsX = style.overflowX === 'auto' || style.overflowX === 'scroll';
    const scrollsY = style.overflowY === 'auto' || style.overflowY === 'scroll';
    const ellipsis = style.textOverflow === 'ellipsis';
    if (!scrollsX && !ellipsis && el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0) {
      found.push(`${describe(el)}: content ${el.scrollWidth} px wide in a ${el.clientWidth} px box`);
    }
    if (!scrollsY && !ellipsis && el.scrollHeight > el.clientHeight + 1 && el.clientHeight > 0 && style.overflowY !== 'visible') {
      found.push(`${describe(el)}: content ${el.scrollHeight} px tall in a ${el.clientHeight} px box`);
    }
  }
  return found;
}

describe('layout: every page at 1024 and 1440 px in both themes, nothing overflows (lab, aether-v serve, Chromium)', () => {
  const data = tempDir();
  let app: ServedLab;
  let lab: Lab;
  let url: string;
  let page: Page;
  const visits: PageVisit[] = [];

  const call = async <T,>(command: string, request: unknown): Promise<T> => {
    const response = await wsCall(url, command, request);
    if (!response.ok) throw new Error(`${command}: ${response.error?.message}`);
    return response.data as T;
  };

  beforeAll(async () => {
    if (SHOTS) mkdirSync(SHOTS, { recursive: true });
    app = await startServedLab(data.dir, { lab: { hosts: 4, vmsPerHost: 12, seed: 47, clusters: 1 }, viewport: { width: 1440, height: 900 } });
    ({ lab, url, page } = app);
    const total = lab.hosts.reduce((n, h) => n + lab.host(h.name).model.vms.length, 0);
    await page.waitForFunction((n) => document.querySelector('[data-testid="figure-vms"]')?.textContent === String(n), total, poll);

    const hosts = await call<HostView[]>('hosts.list', {});
    const idOf = (name: string) => hosts.find((h) => h.displayName === name)!.id;
    const clustered = lab.hosts.find((h) => lab.host(h.name).model.cluster)!;
    const standalone = lab.hosts.find((h) => !lab.host(h.name).model.cluster)!;
    const down = lab.hosts.filter((h) => h !== standalone).at(-1)!;
    const vm = lab.host(clustered.name).model.vms.find((v) => v.state === 'Off') ?? lab.host(clustered.name).model.vms[0]!;
    // A finished job with output, and a host that is down (the Disconnected page and banners).
    const job = await call<JobRecord>('vm.action', { hostId: idOf(clustered.name), vmId: vm.id, action: vm.state === 'Off' ? 'start' : 'turnoff' });
    await lab.host(down.name).setKnobs({ unreachable: true });
    await call('inventory.refresh', { hostId: idOf(down.name) });
    await page.waitForFunction(() => document.querySelector('[data-testid="figure-connected"]')?.textContent === '3', undefined, poll);

    visits.push(
      { name: 'overview', hash: '#/', heading: 'Overview' },
      { name: 'cluster', hash: `#/clusters/${encodeURIComponent(lab.host(clustered.name).model.cluster!)}`, heading: lab.host(clustered.name).model.cluster! },
      { name: 'host', hash: `#/hosts/${idOf(clustered.name)}`, heading: clustered.name },
      { name: 'host-down', hash: `#/hosts/${idOf(down.name)}`, heading: down.name },
      { name: 'vm', hash: `#/vms/${encodeURIComponent(`${idOf(clustered.name)}:${vm.id}`)}`, heading: vm.name },
      { name: 'jobs', hash: '#/jobs', heading: 'Jobs' },
      { name: 'job', hash: `#/jobs/${job.id}`, heading: /.+/ },
      { name: 'disconnected', hash: '#/disconnected', heading: /Disconnected/ },
      {
        name: 'create-vm',
        hash: '#/create-vm',
        heading: /.+/,
        prepare: async (p) => {
          await p.getByRole('form', { name: 'Create VM' }).waitFor();
          await p.locator('#job-host').selectOption({ label: `${standalone.name} (connected)` });
          await p.locator('#job-vmName').waitFor();
        },
      },
      {
        name: 'settings',
        hash: '#/settings',
        heading: 'Settings',
        prepare: async (p) => {
          await p.getByTestId('host-list').locator('li').first().getByRole('button', { name: 'Edit' }).click();
          await p.getByLabel('Transport').waitFor();
        },
      },
      { name: 'diagnostics', hash: '#/diagnostics', heading: 'Diagnostics' },
      { name: 'sync-health', hash: '#/sync-health', heading: 'Sync health' },
    );
  }, 180_000);

  afterAll(async () => {
    await app?.close();
    data.cleanup();
  });

  for (const theme of THEMES) {
    for (const width of WIDTHS) {
      test(`${theme} theme, ${width} px: no page overflows`, { timeout: 120_000 }, async () => {
        // Another client's settings change reaches this page at its next load.
        await call('settings.update', { theme });
        await page.setViewportSize({ width, height: 900 });
        await page.reload();
        await page.waitForFunction((t) => document.documentElement.dataset.theme === t, theme, poll);
        const problems: string[] = [];
        for (const visit of visits) {
          // Through '#/' first, so each visit starts from a fresh page state (a form opened once is closed).
          await page.evaluate(() => (location.hash = '#/'));
          await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
          await page.evaluate((hash) => (location.hash = hash), visit.hash);
          await page.getByRole('heading', { name: visit.heading, level: 1 }).first().waitFor();
          await visit.prepare?.(page);
          // Let charts and lazy panels settle (their own data arrives after the heading).
          await page.waitForTimeout(300);
          for (const problem of await page.evaluate(findOverflows)) problems.push(`${visit.name}: ${problem}`);
          if (SHOTS) await page.screenshot({ path: `${SHOTS}/${visit.name}-${width}-${theme}.png`, fullPage: true });
        }
        expect(problems).toEqual([]);
      });
    }
  }
});
