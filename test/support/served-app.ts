/**
 * The browser-mode app as end-to-end tests start it: `aether-v serve` on a fresh data dir whose
 * settings put the artifact server on a free loopback port (so test files never clash), then the
 * given lab hosts added through the contract, the way the Settings page adds them.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { DEFAULT_SETTINGS, type Settings } from '../../src/shared/contract';
import type { Browser, Page } from 'playwright-core';
import { labHostInput, startLab, type Lab, type LabHostInfo, type LabOptions } from '../lab';
import { launchChromium } from './browser';
import { startCli, type RunningCli } from './cli';
import { wsCall } from './ws-call';

export interface ServedApp {
  cli: RunningCli;
  url: string;
}

export async function serveApp(dataDir: string, options: { hosts?: LabHostInfo[]; settings?: Partial<Settings> } = {}): Promise<ServedApp> {
  const settings = { ...DEFAULT_SETTINGS, artifactServer: { bindAddress: '127.0.0.1', port: 0, advertisedBaseUrl: '' }, ...options.settings };
  writeFileSync(path.join(dataDir, 'settings.json'), JSON.stringify({ schemaVersion: 1, settings, hosts: [] }));
  const cli = startCli(['serve', '--data-dir', dataDir]);
  const url = await cli.pageUrl();
  for (const host of options.hosts ?? []) {
    const added = await wsCall(url, 'hosts.add', labHostInput(host));
    expect(added.ok, JSON.stringify(added.error)).toBe(true);
  }
  return { cli, url };
}

/** A lab, `aether-v serve` with its hosts added, and Chromium on the app's page. */
export interface ServedLab extends ServedApp {
  lab: Lab;
  browser: Browser;
  page: Page;
  /** Browser, app and lab, in that order. */
  close(): Promise<void>;
}

/** The inventory pace most browser tests want: a quick sync every 5 s, a full one every minute. */
export const E2E_INVENTORY = { fullSyncIntervalS: 60, quickSyncIntervalS: 5 } as const;

/**
 * The setup every browser end-to-end test repeats: start a lab, let `prepare` set its knobs, serve
 * the app on `dataDir` with the lab's hosts, open Chromium on the page and wait until `connected`
 * hosts are connected (when given).
 */
export async function startServedLab(
  dataDir: string,
  options: { lab: LabOptions; settings?: Partial<Settings>; viewport?: { width: number; height: number }; connected?: number; prepare?: (lab: Lab) => Promise<void> | void },
): Promise<ServedLab> {
  const lab = await startLab(options.lab);
  await options.prepare?.(lab);
  const app = await serveApp(dataDir, { hosts: lab.hosts, settings: { inventory: { ...DEFAULT_SETTINGS.inventory, ...E2E_INVENTORY }, ...options.settings } });
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: options.viewport ?? { width: 1400, height: 900 } });
  await page.goto(app.url);
  if (options.connected !== undefined) {
    await page.locator('[data-testid="figure-connected"]', { hasText: new RegExp(`^${options.connected}$`) }).waitFor({ timeout: 150_000 });
  }
  return {
    ...app,
    lab,
    browser,
    page,
    close: async () => {
      await browser.close();
      await app.cli.stop();
      await lab.close();
    },
  };
}
