import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

// Resolved from the sources in dev/browser mode; electron-vite inlines these at build time.
declare const __APP_VERSION__: string | undefined;
declare const __AGENT_VERSION__: string | undefined;

function readRelative(...parts: string[]): string | undefined {
  try {
    const here = path.dirname(fileURLToPath(import.meta.url));
    return readFileSync(path.join(here, ...parts), 'utf8');
  } catch {
    return undefined;
  }
}

export const APP_VERSION: string =
  typeof __APP_VERSION__ === 'string' ? __APP_VERSION__ : (JSON.parse(readRelative('../../package.json') ?? '{"version":"0.0.0"}') as { version: string }).version;

export const AGENT_VERSION: string =
  typeof __AGENT_VERSION__ === 'string' ? __AGENT_VERSION__ : (readRelative('../../agent/version') ?? '0.0.0').replace(/^\uFEFF/, '').trim();
