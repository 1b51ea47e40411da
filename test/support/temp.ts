import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function tempDir(prefix = 'aetherv-test-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Every file under `dir`, recursively, with its bytes: for "no secret on disk" scans. The app may
 * still be writing (an atomic write's temporary file is renamed away between the listing and the
 * read): a file gone by then is skipped, since what it held is in the file it was renamed to.
 */
export function allFiles(dir: string): { file: string; bytes: Buffer }[] {
  const out: { file: string; bytes: Buffer }[] = [];
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    try {
      if (statSync(file).isDirectory()) out.push(...allFiles(file));
      else out.push({ file, bytes: readFileSync(file) });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return out;
}

/** Files containing `secret` as UTF-8, UTF-16LE or base64 (the ways a careless write would store it). */
export function filesContaining(dir: string, secret: string): string[] {
  const needles = [Buffer.from(secret, 'utf8'), Buffer.from(secret, 'utf16le'), Buffer.from(Buffer.from(secret).toString('base64'))];
  return allFiles(dir)
    .filter(({ bytes }) => needles.some((n) => bytes.includes(n)))
    .map(({ file }) => file);
}
