import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { rendererDir } from '../../src/cli/renderer-build';

// The built page (`npm test` builds it first): how it starts matters for the first paint.
const html = () => readFileSync(path.join(rendererDir, 'index.html'), 'utf8');
const asset = (name: string) => readFileSync(path.join(rendererDir, name), 'utf8');

describe('renderer bundle', () => {
  test('the first script is small and the app chunk is preloaded beside it', () => {
    const entry = /<script type="module" crossorigin src="\.\/(assets\/index-[\w-]+\.js)"><\/script>/.exec(html())?.[1];
    const app = /<link rel="modulepreload" crossorigin href="\.\/(assets\/app-root-[\w-]+\.js)">/.exec(html())?.[1];
    expect(entry, 'entry script tag').toBeDefined();
    expect(app, 'modulepreload of the app chunk').toBeDefined();
    expect(existsSync(path.join(rendererDir, app!))).toBe(true);
    expect(asset(entry!).length).toBeLessThan(20_000);
    expect(asset(entry!)).toContain(path.basename(app!)); // the first script imports exactly that chunk
  });

  test('the Electron preload is small and loads no schemas (it runs before the first script of the page)', () => {
    const preload = readFileSync(path.join(rendererDir, '..', 'preload', 'index.cjs'), 'utf8');
    expect(preload.length).toBeLessThan(20_000);
    expect(preload).not.toContain('TypeBox.');
  });

  test('no schema library in the page: renderer code imports only types and schema-free values from the contract', () => {
    for (const name of readdirSync(path.join(rendererDir, 'assets')).filter((n) => n.endsWith('.js'))) {
      expect(asset(`assets/${name}`), name).not.toContain('TypeBox.');
    }
  });
});
