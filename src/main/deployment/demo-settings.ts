import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_SETTINGS } from '../../shared/contract';

/**
 * `aether-v demo` runs its lab on 127.0.0.1, so a fresh demo data dir binds the artifact server
 * there on a free port (no clash with a real instance on 8765, nothing exposed on the LAN).
 * An existing settings file is left alone. Browser mode only (settings.json as JsonFilePersistence).
 */
export function seedDemoSettings(dataDir: string): boolean {
  const file = path.join(dataDir, 'settings.json');
  if (existsSync(file)) return false;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const settings = {
    ...DEFAULT_SETTINGS,
    artifactServer: { bindAddress: '127.0.0.1', port: 0, advertisedBaseUrl: '' },
  };
  writeFileSync(file, JSON.stringify({ schemaVersion: 1, settings, hosts: [] }, null, 2) + '\n', {
    mode: 0o600,
  });
  return true;
}
