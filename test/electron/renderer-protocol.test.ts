import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { ELECTRON_CSP } from '../../src/main/transport/csp';
import { tempDir } from '../support/temp';
import { createFakeElectron, type FakeElectron } from './fake-electron';

const fake: FakeElectron = vi.hoisted(() => ({}) as FakeElectron);
vi.mock('electron', async () => {
  Object.assign(fake, createFakeElectron());
  return fake.module;
});
vi.mock('electron-store', () => ({ default: class {} }));

const root = tempDir('aetherv-bundle-');
const bundle = path.join(root.dir, 'renderer');
beforeAll(async () => {
  await import('electron');
  mkdirSync(path.join(bundle, 'assets'), { recursive: true });
  writeFileSync(path.join(bundle, 'index.html'), '<!doctype html><script type="module" src="./assets/app.js"></script>');
  writeFileSync(path.join(bundle, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(path.join(bundle, 'assets', 'app.css'), 'body{}');
  writeFileSync(path.join(root.dir, 'secret.txt'), 'SECRET outside the bundle');
  symlinkSync(path.join(root.dir, 'secret.txt'), path.join(bundle, 'assets', 'link.txt'));
});
afterAll(() => root.cleanup());

async function fetchApp(url: string, method = 'GET') {
  const { rendererRequestHandler } = await import('../../src/main/electron/renderer-protocol');
  const response = await rendererRequestHandler(bundle)({ url, method });
  return { status: response.status, type: response.headers.get('content-type'), csp: response.headers.get('content-security-policy'), body: await response.text() };
}

describe('the renderer is served on app://bundle, only from the bundle, with the strict CSP', () => {
  test('the page and its assets, each with the same CSP as the browser-mode header', async () => {
    const index = await fetchApp('app://bundle/index.html');
    expect(index).toMatchObject({ status: 200, type: 'text/html; charset=utf-8', csp: ELECTRON_CSP });
    expect(index.body).toContain('assets/app.js');
    expect(await fetchApp('app://bundle/')).toMatchObject({ status: 200, type: 'text/html; charset=utf-8' });
    expect(await fetchApp('app://bundle/assets/app.js')).toMatchObject({ status: 200, type: 'text/javascript; charset=utf-8', csp: ELECTRON_CSP, body: 'console.log(1)' });
    expect(await fetchApp('app://bundle/assets/app.css?v=1#x')).toMatchObject({ status: 200, type: 'text/css; charset=utf-8' });
  });

  test('the page carries the first screen while there is one (as in browser mode), and only the page', async () => {
    const { rendererRequestHandler } = await import('../../src/main/electron/renderer-protocol');
    const { FIRST_SCREEN_DATA_ID } = await import('../../src/shared/first-screen');
    const withHead = path.join(root.dir, 'with-head');
    mkdirSync(path.join(withHead, 'assets'), { recursive: true });
    writeFileSync(path.join(withHead, 'index.html'), '<!doctype html><html><head></head><body></body></html>');
    writeFileSync(path.join(withHead, 'assets', 'a.js'), '1');
    const screen = { vms: 1, running: 1, cachedAt: '2026-03-01T10:00:00.000Z', rows: [{ name: 'vm-1', state: 'Running', host: 'HV1', placeholder: false }] };
    let current: typeof screen | undefined = screen;
    const handler = rendererRequestHandler(withHead, () => current);
    const page = await (await handler({ url: 'app://bundle/index.html', method: 'GET' })).text();
    const json = new RegExp(`<script type="application/json" id="${FIRST_SCREEN_DATA_ID}">(.*?)</script>`).exec(page)?.[1];
    expect(JSON.parse(json!)).toEqual(screen);
    expect(await (await handler({ url: 'app://bundle/assets/a.js', method: 'GET' })).text()).toBe('1');
    current = undefined; // the backend has started
    expect(await (await handler({ url: 'app://bundle/index.html', method: 'GET' })).text()).not.toContain(FIRST_SCREEN_DATA_ID);
  });

  test('no path leaves the bundle: traversal in any spelling, symlinks out, other hosts, backslashes, other methods', async () => {
    for (const url of [
      'app://bundle/../secret.txt',
      'app://bundle/%2e%2e/secret.txt',
      'app://bundle/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      'app://bundle/..%2Fsecret.txt',
      'app://bundle/assets/link.txt',
      'app://other/index.html',
      'app://bundle/nothing-here.js',
    ]) {
      const r = await fetchApp(url);
      expect(r.status, url).toBe(404);
      expect(r.body, url).not.toContain('SECRET');
      expect(r.csp, url).toBe(ELECTRON_CSP);
    }
    expect((await fetchApp('app://bundle/assets%5C..%5C..%5Csecret.txt')).status).toBe(400);
    expect((await fetchApp('app://bundle/index.html%00.js')).status).toBe(400);
    expect((await fetchApp('app://bundle/%E0%A4%A')).status).toBe(400);
    expect((await fetchApp('app://bundle/index.html', 'POST')).status).toBe(405);
  });

  test('the packaged app loads app://bundle/index.html (never file://) and navigation elsewhere is blocked', async () => {
    const { rendererLocation } = await import('../../src/main/electron/app');
    const { createMainWindow } = await import('../../src/main/electron/window');
    const location = rendererLocation('/opt/aetherv/resources/app/out/main', {});
    expect(location.url).toBe('app://bundle/index.html');
    expect(location.rendererDir).toBe('/opt/aetherv/resources/app/out/renderer');
    const win = createMainWindow('/p.cjs', location.url, location.isAppUrl) as unknown as InstanceType<FakeElectron['FakeBrowserWindow']>;
    expect(win.loaded).toBe('app://bundle/index.html');
    const blocked = (url: string) => {
      let prevented = false;
      win.webContents.emit('will-navigate', { preventDefault: () => (prevented = true) }, url);
      return prevented;
    };
    expect(blocked('file:///opt/aetherv/resources/app/out/renderer/index.html')).toBe(true);
    expect(blocked('app://other/index.html')).toBe(true);
    expect(blocked('app://bundle/assets/app.js')).toBe(true);
    expect(blocked('app://bundle/index.html#/jobs')).toBe(false);
  });
});
