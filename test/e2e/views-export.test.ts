/**
 * Issue 16: export exactly what the table shows, and saved views. Against the lab's data through
 * `aether-v serve` and Chromium: a query and a sort, CSV and clipboard compared with the cells the
 * table rendered (top and bottom of the virtualised list) and the row count; then a saved view in
 * the sidebar with its count, still there after a reload, and opening it applies it.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { startServedLab, type ServedLab } from '../support/served-app';
import { runCli } from '../support/cli';
import { tempDir } from '../support/temp';

const QUERY = 'state:running OR vcpu>=2';

/** The rendered rows' cells (text as shown) and the index of the first one in the list. */
async function renderedRows(page: Page): Promise<{ start: number; rows: string[][] }> {
  return page.evaluate(() => {
    const list = document.querySelector('[data-testid="vm-rows"]')!;
    const rows = Array.from(list.querySelectorAll<HTMLElement>('[role="row"]'));
    const holder = rows[0]!.parentElement as HTMLElement;
    const start = Math.round(parseFloat(holder.style.top || '0') / rows[0]!.getBoundingClientRect().height);
    return { start, rows: rows.map((r) => Array.from(r.querySelectorAll('[role="gridcell"]')).map((c) => c.textContent ?? '')) };
  });
}

/** A CSV file's records (RFC 4180: quoted fields may hold commas, quotes and line breaks). */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i++;
    } else field += ch;
  }
  return records;
}

describe('exports and saved views (lab, aether-v serve, Chromium)', () => {
  const data = tempDir();
  let app: ServedLab;

  beforeAll(async () => {
    // No quick syncs during the test: the cells compared must not change between export and reading.
    app = await startServedLab(data.dir, { lab: { hosts: 3, vmsPerHost: 20, seed: 16, clusters: 1 }, settings: { inventory: { fullSyncIntervalS: 86_400, quickSyncIntervalS: 3_600 } }, viewport: { width: 1400, height: 700 }, connected: 3 });
    await app.page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(app.url).origin });
  }, 180_000);

  afterAll(async () => {
    await app?.close();
    data.cleanup();
  });

  test('CSV and Copy of a filtered, sorted table are the cells it shows, in its order, with a header', async () => {
    const { page } = app;
    await page.locator('[data-testid="vm-table-summary"]', { hasText: /^60 VMs/ }).waitFor({ timeout: 60_000 });
    // Columns: hide the ticking Freshness column, show vCPU.
    await page.getByTestId('columns-button').click();
    await page.getByTestId('column-observed').uncheck();
    await page.getByTestId('column-vcpu').check();
    await page.getByTestId('columns-button').click();
    await page.getByTestId('vm-query').fill(QUERY);
    await page.locator('[role="columnheader"][data-column="memory"] button.sort').click();
    await page.locator('[role="columnheader"][data-column="memory"] button.sort').click(); // descending
    await page.locator('[role="columnheader"][data-column="memory"][aria-sort="descending"]').waitFor();
    const summary = (await page.getByTestId('vm-table-summary').textContent())!;
    const shownCount = Number(/^(\d+) of 60 VMs/.exec(summary)?.[1]);
    expect(shownCount).toBeGreaterThan(5);
    expect(shownCount).toBeLessThan(60);

    await page.getByTestId('export-button').click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    expect(download.suggestedFilename()).toMatch(/^aether-v-vms-\d{4}-\d\d-\d\d-\d{4}\.csv$/);
    const bytes = readFileSync((await download.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 BOM for Excel
    const text = bytes.toString('utf8').slice(1);
    expect(text.endsWith('\r\n')).toBe(true);
    const records = parseCsv(text);
    const headers = await page.locator('[role="columnheader"]').evaluateAll((hs) => hs.map((h) => h.getAttribute('data-column')));
    expect(records[0]).toEqual(headers.map((id) => ({ name: 'Name', state: 'State', host: 'Host', cpu: 'CPU', memory: 'Memory', ip: 'IP address', vcpu: 'vCPU' })[id!]));
    expect(records).toHaveLength(shownCount + 1);

    // The rows on screen, byte for byte; then the bottom of the list.
    const top = await renderedRows(page);
    expect(top.start).toBe(0);
    expect(top.rows.length).toBeGreaterThan(3);
    const csvLine = (cells: string[]) => cells.map((c) => (/[",\r\n]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',');
    const lines = text.split('\r\n');
    top.rows.forEach((cells, i) => expect(lines[i + 1]).toBe(csvLine(cells)));
    await page.locator('[data-testid="vm-rows"]').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.waitForFunction(() => parseFloat(((document.querySelector('[data-testid="vm-rows"] [role="row"]') as HTMLElement).parentElement as HTMLElement).style.top || '0') > 0);
    const bottom = await renderedRows(page);
    expect(bottom.start + bottom.rows.length).toBe(shownCount);
    bottom.rows.forEach((cells, i) => expect(lines[bottom.start + i + 1]).toBe(csvLine(cells)));
    // Memory descending as shown.
    const memory = records.slice(1).map((r) => parseFloat(r[headers.indexOf('memory')]!) || 0);
    expect(memory).toEqual([...memory].sort((a, b) => b - a));

    // The CLI, reading the same store (read-only, while the app runs), writes the same bytes.
    const cli = await runCli(['export', '--data-dir', data.dir, '--query', QUERY, '--columns', headers.join(','), '--sort', 'memory:desc', '--format', 'csv']);
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    expect(Buffer.from(cli.stdout, 'utf8').equals(bytes)).toBe(true);

    // Copy: the same rows tab-separated on the clipboard.
    await page.getByTestId('export-button').click();
    await page.getByTestId('export-copy').click();
    await page.getByText(/^Copied \d+ rows with a header/).waitFor();
    const clip = await page.evaluate(() => navigator.clipboard.readText());
    expect(clip.split('\r\n').slice(0, -1)).toEqual(records.map((r) => r.join('\t')));
  }, 90_000);

  test('Save view… puts the view in the sidebar with its live count; it survives a reload and opening it applies it', async () => {
    const { page } = app;
    const summary = (await page.getByTestId('vm-table-summary').textContent())!;
    const shownCount = /^(\d+) of/.exec(summary)![1]!;
    // Grouped by state: headers in the list, and the grouping is part of the view.
    await page.getByTestId('columns-button').click();
    await page.getByTestId('columns-group-by').selectOption('state');
    await page.getByTestId('columns-button').click();
    await page.getByTestId('vm-group-head').first().filter({ hasText: /^(Off|Running|Saved|Paused) \d+$/ }).waitFor();
    await page.getByTestId('save-view-button').click();
    await page.getByTestId('save-view-name').fill('Busy or big');
    await page.getByTestId('save-view-save').click();
    const item = page.locator('[data-testid="saved-view"][data-name="Busy or big"]');
    await item.getByTestId('view-count').filter({ hasText: new RegExp(`^${shownCount}$`) }).waitFor();

    await page.reload();
    await page.locator('[data-testid="figure-connected"]', { hasText: /^3$/ }).waitFor({ timeout: 60_000 });
    await item.getByTestId('view-count').filter({ hasText: new RegExp(`^${shownCount}$`) }).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('vm-query').inputValue()).toBe(''); // a fresh page: no view applied yet
    // Back to ungrouped before opening the view, so opening it must bring its grouping back.
    await page.getByTestId('columns-button').click();
    await page.getByTestId('columns-group-by').selectOption('none');
    await page.getByTestId('columns-button').click();
    await item.getByTestId('view-open').click();
    await page.getByTestId('vm-group-head').first().waitFor();
    expect(await page.getByTestId('vm-query').inputValue()).toBe(QUERY);
    await page.locator('[data-testid="vm-table-summary"]', { hasText: new RegExp(`^${shownCount} of 60 VMs`) }).waitFor();
    await page.locator('[role="columnheader"][data-column="memory"][aria-sort="descending"]').waitFor();
    expect(await page.locator('[role="columnheader"]').evaluateAll((hs) => hs.map((h) => h.getAttribute('data-column')))).toContain('vcpu');
  }, 90_000);
});
