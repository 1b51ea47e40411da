import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { whenStarted } from '../../src/main/backend-connection';
import { FirstPageLoad, pageHeadStart, scriptsNamedIn } from '../../src/main/transport/page-load';
import { startBrowserServer } from '../../src/main/transport/ws-server';
import { tempDir } from '../support/temp';

const PAGE = `<!doctype html><html><head>
<script type="module" crossorigin src="./assets/index-a1.js"></script>
<link rel="stylesheet" crossorigin href="./assets/index-a1.css">
<link rel="modulepreload" crossorigin href="./assets/app-root-b2.js">
<link rel="icon" href="data:,">
</head><body><div id="root"></div></body></html>`;

describe('first page load (browser mode)', () => {
  const renderer = tempDir();
  afterAll(() => renderer.cleanup());

  test('the scripts a page loads at once are its module scripts and modulepreload links', () => {
    expect(scriptsNamedIn(PAGE)).toEqual(['/assets/index-a1.js', '/assets/app-root-b2.js']);
    expect(scriptsNamedIn('<script src="https://elsewhere.example/x.js"></script>')).toEqual([]);
  });

  test('scriptsSent settles once the page and every script it names went out, whatever the order', async () => {
    const page = new FirstPageLoad();
    let sent = false;
    void page.scriptsSent.then(() => (sent = true));
    page.fileSent('/assets/app-root-b2.js'); // before the page: not counted
    page.pageSent(PAGE);
    page.fileSent('/assets/index-a1.css');
    page.fileSent('/assets/index-a1.js');
    await Promise.resolve();
    expect(sent).toBe(false);
    page.fileSent('/assets/app-root-b2.js');
    await page.scriptsSent;
    expect(sent).toBe(true);
  });

  test('the head start never holds the backend long: no page asked for, or scripts that do not come', async () => {
    let started = Date.now();
    await pageHeadStart(new FirstPageLoad(), { requestWithinMs: 50, scriptsWithinMs: 5_000 });
    expect(Date.now() - started).toBeLessThan(1_000);
    const page = new FirstPageLoad();
    page.pageSent(PAGE);
    started = Date.now();
    await pageHeadStart(page, { requestWithinMs: 50, scriptsWithinMs: 100 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  test('the server reports its first page load once the browser has fetched the page and its scripts', async () => {
    mkdirSync(path.join(renderer.dir, 'assets'), { recursive: true });
    writeFileSync(path.join(renderer.dir, 'index.html'), PAGE);
    for (const f of ['index-a1.js', 'index-a1.css', 'app-root-b2.js']) writeFileSync(path.join(renderer.dir, 'assets', f), '/* */');
    // No backend yet (as in startBrowserApp during the head start): the page is served all the same.
    const server = await startBrowserServer({ backend: whenStarted(new Promise(() => undefined)), rendererDir: renderer.dir });
    try {
      let sent = false;
      void server.firstPage.scriptsSent.then(() => (sent = true));
      const base = `http://127.0.0.1:${server.port}`;
      expect((await fetch(server.url)).status).toBe(200);
      await server.firstPage.requested;
      expect((await fetch(`${base}/assets/index-a1.js`)).status).toBe(200);
      await Promise.resolve();
      expect(sent).toBe(false);
      expect((await fetch(`${base}/assets/app-root-b2.js`)).status).toBe(200);
      await server.firstPage.scriptsSent;
    } finally {
      await server.close();
    }
  });
});
