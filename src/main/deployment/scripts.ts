/**
 * Where the agent lives on this workstation, and the two fixed PowerShell scripts deployment
 * sends to hosts (agent/installer/). The texts are sent unchanged; every input travels as base64
 * JSON on stdin, so the scripts' hashes identify them (the lab recognises them that way).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface FixedScript {
  name: string;
  text: string;
  sha256: string;
}

/**
 * The agent folder: next to the sources in dev and browser mode (src/main/deployment → ../../../),
 * next to the bundle after `electron-vite build` (out/main → ../../), or in Electron's resources.
 * Never the current directory: whatever `agent/` folder happens to be where the app was started
 * from would be served to every host and run there as administrator.
 */
export function resolveAgentDir(
  here: string = path.dirname(fileURLToPath(import.meta.url)),
  resourcesPath: string | undefined = typeof process.resourcesPath === 'string' ? process.resourcesPath : undefined,
): string {
  const candidates = [
    path.resolve(here, '../../../agent'),
    path.resolve(here, '../../agent'),
    ...(resourcesPath ? [path.join(resourcesPath, 'agent')] : []),
  ];
  const found = candidates.find(
    (dir) => existsSync(path.join(dir, 'version')) && existsSync(path.join(dir, 'installer')),
  );
  if (!found)
    throw new Error(
      `The agent folder was not found (looked in ${candidates.join(', ')}); reinstall the app.`,
    );
  return found;
}

function load(name: string): FixedScript {
  const text = readFileSync(path.join(resolveAgentDir(), 'installer', name), 'utf8');
  return { name, text, sha256: createHash('sha256').update(text, 'utf8').digest('hex') };
}

export const INSTALLER_SCRIPT: FixedScript = load('Install-AetherVAgent.ps1');
export const VERSION_SCRIPT: FixedScript = load('Read-AetherVVersion.ps1');

/** The one way inputs reach the fixed scripts: base64 of UTF-8 JSON, read from stdin. */
export function encodeScriptInput(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64');
}
