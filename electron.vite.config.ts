import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';

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
    build: {
      // Minified: the page parses and compiles less before its first paint (electron-vite leaves it off).
      minify: true,
      outDir: resolve('out/renderer'),
      rollupOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
  },
});
