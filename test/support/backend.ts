import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createBackend, type Backend } from '../../src/main/backend';
import type { ServiceModule } from '../../src/main/service-module';
import { startBrowserServer, type BrowserServer } from '../../src/main/transport/ws-server';
import { DEFAULT_SETTINGS } from '../../src/shared/contract';
import { tempDir } from './temp';

/**
 * A real backend in a temporary data dir. The artifact server binds 127.0.0.1 on a free port so
 * parallel test files never clash; responses are checked against the contract schemas.
 */
export async function startTestBackend(options: { dataDir?: string; modules?: ServiceModule[]; hostContact?: Promise<void> } = {}): Promise<{ backend: Backend; dataDir: string; close(): Promise<void> }> {
  process.env.AETHERV_VALIDATE_RESPONSES = '1';
  const temp = options.dataDir ? undefined : tempDir();
  const dataDir = options.dataDir ?? temp!.dir;
  if (!options.dataDir) {
    const settings = { ...DEFAULT_SETTINGS, artifactServer: { bindAddress: '127.0.0.1', port: 0, advertisedBaseUrl: '' } };
    writeFileSync(path.join(dataDir, 'settings.json'), JSON.stringify({ schemaVersion: 1, settings, hosts: [] }));
  }
  const backend = await createBackend({ dataDir, runtime: 'browser', ...(options.modules ? { modules: options.modules } : {}), ...(options.hostContact ? { hostContact: options.hostContact } : {}) });
  return {
    backend,
    dataDir,
    async close() {
      await backend.close();
      temp?.cleanup();
    },
  };
}

/** A test backend behind the browser-mode server; the renderer bundle is a one-line page (add files under `assets/`). */
export async function startServedTestBackend(): Promise<{ backend: Backend; server: BrowserServer; rendererDir: string; close(): Promise<void> }> {
  const renderer = tempDir();
  mkdirSync(path.join(renderer.dir, 'assets'));
  writeFileSync(path.join(renderer.dir, 'index.html'), '<!doctype html><p>app</p>');
  const t = await startTestBackend();
  const server = await startBrowserServer({ backend: t.backend, rendererDir: renderer.dir });
  return {
    backend: t.backend,
    server,
    rendererDir: renderer.dir,
    async close() {
      await server.close();
      await t.close();
      renderer.cleanup();
    },
  };
}
