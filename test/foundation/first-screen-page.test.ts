import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { embedFirstScreen, FIRST_SCREEN_DATA_ID, type FirstScreen } from '../../src/shared/first-screen';
import { startBrowserServer } from '../../src/main/transport/ws-server';
import { tempDir } from '../support/temp';

const PAGE = '<!doctype html>\n<html><head><title>t</title></head><body><div id="root"></div></body></html>';
const screen = (name: string): FirstScreen => ({ vms: 2, running: 1, cachedAt: '2026-03-01T10:00:00.000Z', rows: [{ name, state: 'Running', host: 'HV1', placeholder: false }] });
const block = (html: string) => new RegExp(`<script type="application/json" id="${FIRST_SCREEN_DATA_ID}">(.*?)</script>`, 's').exec(html)?.[1];

const dirs: { cleanup(): void }[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));

describe('the first screen in the page (browser mode)', () => {
  test('goes in the head as a data block that reads back as it was, whatever the VM names hold', () => {
    const hostile = 'vm</script><script>alert(1)</script><!--';
    const html = embedFirstScreen(PAGE, screen(hostile));
    const json = block(html);
    expect(json).toBeDefined();
    expect(json).not.toContain('<'); // nothing in it can end the block or open a tag
    expect(JSON.parse(json!)).toEqual(screen(hostile));
    expect(html.indexOf(FIRST_SCREEN_DATA_ID)).toBeLessThan(html.indexOf('</head>'));
    expect(html.split('<script').length).toBe(2); // only the data block: the VM name added no element
  });

  test('the server sends it with the page while it has one, and the page alone once it has not', async () => {
    const renderer = tempDir('aetherv-first-screen-page-');
    dirs.push(renderer);
    writeFileSync(path.join(renderer.dir, 'index.html'), PAGE);
    let current: FirstScreen | undefined = screen('web-01');
    const backend = { invoke: () => Promise.resolve({ ok: true as const, data: null }), subscribe: () => () => undefined };
    const server = await startBrowserServer({ backend: backend as never, rendererDir: renderer.dir, port: 0, firstScreen: () => current });
    try {
      const first = await (await fetch(server.url)).text();
      expect(JSON.parse(block(first)!)).toEqual(screen('web-01'));
      current = undefined; // the backend has started: the page asks it instead
      expect(await (await fetch(server.url)).text()).toBe(PAGE);
    } finally {
      await server.close();
    }
  });
});
