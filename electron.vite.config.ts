import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import type { HtmlTagDescriptor, Plugin } from 'vite';

/**
 * main.tsx (the page's first script) imports the app dynamically, after it has sent the start-up
 * requests. A modulepreload link lets the browser fetch the app's chunk together with the first
 * script instead of only once that script runs.
 */
function preloadAppChunk(): Plugin {
  return {
    name: 'aetherv-preload-app-chunk',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx): HtmlTagDescriptor[] {
        const chunk = Object.values(ctx.bundle ?? {}).find((c) => c.type === 'chunk' && c.name === 'app-root');
        if (!chunk) throw new Error('the app-root chunk is missing: main.tsx must import ./app-root dynamically');
        return [{ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `./${chunk.fileName}` }, injectTo: 'head' }];
      },
    },
  };
}

const appVersion = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
const agentVersion = readFileSync('agent/version', 'utf8').replace(/^\uFEFF/, '').trim();

export default defineConfig({
  main: {
    define: { __APP_VERSION__: JSON.stringify(appVersion), __AGENT_VERSION__: JSON.stringify(agentVersion) },
    build: {
      outDir: 'out/main',
      rollupOptions: { input: { index: resolve('src/main/electron/main.ts') } },
    },
  },
  preload: {
    // sandbox: true only loads a single CommonJS file that needs nothing but 'electron'.
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      isolatedEntries: true,
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    base: './',
    plugins: [preloadAppChunk()],
    build: {
      // Minified: the page parses and compiles less before its first paint (electron-vite leaves it off).
      minify: true,
      // No preload helper around main.tsx's import of the app: its chunk is preloaded by the link
      // preloadAppChunk() adds and has no CSS of its own (every stylesheet loads with main.tsx).
      modulePreload: false,
      outDir: resolve('out/renderer'),
      rollupOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
  },
});
