import { afterAll, describe, expect, test } from 'vitest';
import { startBrowserApp } from '../../src/cli/commands/serve';
import { DEFAULT_SETTINGS } from '../../src/shared/contract';
import { labHostInput, startLab } from '../lab';
import { launchChromium } from '../support/browser';
import { tempDir } from '../support/temp';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The start from the last session's inventory snapshot, as a person sees it: the second session
 * paints the cached rows marked "Cached, as of …" while the backend starts, then the backend's
 * word replaces them — a VM that is gone since (here a placeholder, which never outlives its
 * session) does not stay on screen.
 */
describe('first paint from the last session (aether-v serve, Chromium)', () => {
  const data = tempDir('aetherv-cached-paint-');
  afterAll(() => data.cleanup());

  test('cached rows are marked, then confirmed rows replace them', async () => {
    // Session 1: three VMs from a lab host, plus a placeholder VM; then the app closes.
    const lab = await startLab({ hosts: 1, vmsPerHost: 3, seed: 3, clusters: 0 });
    const settings = { ...DEFAULT_SETTINGS, artifactServer: { bindAddress: '127.0.0.1', port: 0, advertisedBaseUrl: '' } };
    writeFileSync(path.join(data.dir, 'settings.json'), JSON.stringify({ schemaVersion: 1, settings, hosts: [] }));
    const names = lab.host(lab.hosts[0]!.name).model.vms.map((vm) => vm.name);
    try {
      const first = await startBrowserApp({ dataDir: data.dir, port: 0, quiet: true });
      const added = await first.backend.invoke('hosts.add', labHostInput(lab.hosts[0]!));
      if (!added.ok) throw new Error(added.error.message);
      const api = first.backend.modules.get('inventory')!.api as { refresh(): Promise<unknown>; addPlaceholder(input: { hostId: string; name: string }): unknown };
      // Adding a host starts its refresh; refresh() answers "deferred" while that one runs: ask until every VM is in.
      for (let round = 0; round < 20; round++) {
        await api.refresh();
        const stats = await first.backend.invoke('inventory.syncStats', {});
        if (stats.ok && (stats.data as { totals: { vms: number } }).totals.vms >= names.length) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      api.addPlaceholder({ hostId: (added.data as { id: string }).id, name: 'gone-since-vm' });
      await first.close();
    } finally {
      await lab.close();
    }

    // Session 2: the page records what it showed while the "cached" note was up.
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      await page.addInitScript({
        content: `window.__whileCached = []; window.__firstScreen = [];
          new MutationObserver(() => {
            const screen = document.querySelector('[data-testid="first-screen"]');
            if (screen) window.__firstScreen.push({ rows: screen.querySelector('[data-testid="vm-rows"]')?.textContent ?? '', cached: Boolean(screen.querySelector('[data-testid="inventory-cached"]')), app: Boolean(document.querySelector('[data-testid="vm-table"]')) });
            if (!document.querySelector('[data-testid="inventory-cached"]')) return;
            const rows = document.querySelector('[data-testid="vm-rows"]');
            if (rows) window.__whileCached.push(rows.textContent);
          }).observe(document, { subtree: true, childList: true, characterData: true });`,
      });
      let navigation: Promise<unknown> | undefined;
      const second = await startBrowserApp({ dataDir: data.dir, port: 0, quiet: true, onListening: (url) => void (navigation = page.goto(url)) });
      try {
        await navigation;
        expect(await second.earlyInventory).toBe('replaced');
        // The backend's rows: the three VMs, no placeholder, no "cached" note.
        await page.waitForFunction(() => !document.querySelector('[data-testid="inventory-cached"]') && document.querySelector('[data-testid="figure-vms"]'), undefined, { timeout: 10_000 });
        await page.waitForFunction(
          (n) => {
            const text = document.querySelector('[data-testid="vm-rows"]')?.textContent ?? '';
            return n.every((name) => text.includes(name)) && !text.includes('gone-since-vm');
          },
          names,
          { timeout: 10_000 },
        );
        expect(await page.getByTestId('figure-vms').textContent()).toBe(String(names.length));
        // Before that: the cached rows, the placeholder among them, under the note.
        const whileCached = (await page.evaluate('window.__whileCached')) as string[];
        expect(whileCached.length).toBeGreaterThan(0);
        expect(whileCached.some((text) => text.includes('gone-since-vm') && names.every((n) => text.includes(n)))).toBe(true);
        // The first of those was the first script's picture (first-screen.ts), marked cached, before the app ran;
        // the app took over from it: the picture is gone and the app's VM table is what remains.
        const firstScreen = (await page.evaluate('window.__firstScreen')) as { rows: string; cached: boolean; app: boolean }[];
        expect(firstScreen.length).toBeGreaterThan(0);
        expect(firstScreen[0]!.cached).toBe(true);
        expect(firstScreen[0]!.app).toBe(false);
        // Painted from the page itself: the server put the last session's first screen in it.
        expect(await page.evaluate(() => Boolean(document.getElementById('aetherv-first-screen-data')))).toBe(true);
        expect(firstScreen.some((s) => s.rows.includes('gone-since-vm') && names.every((n) => s.rows.includes(n)))).toBe(true);
        expect(await page.locator('[data-testid="first-screen"]').count()).toBe(0);
        expect(await page.locator('[data-testid="vm-table"] [data-testid="vm-rows"]').count()).toBe(1);
      } finally {
        await second.close();
      }
    } finally {
      await browser.close();
    }
  }, 30_000);
});
