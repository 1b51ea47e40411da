import { existsSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { ContractError, ErrorCode } from '../../shared/contract';
import { isDiskFull } from '../diagnostics/faults';

/** Reads and writes the whole settings document. electron-store in Electron, a JSON file in browser mode. */
export interface SettingsPersistence {
  read(): Promise<unknown | undefined>;
  write(document: unknown): Promise<void>;
  /** Where the document lives, for messages and app.info. */
  readonly location: string;
}

/**
 * What a failed settings write becomes: a full disk is DISK_FULL with what to do; anything else
 * names the file. Either way the previous file is untouched (writes go to a temp file first).
 */
export function settingsWriteError(location: string, error: unknown): Error {
  if (error instanceof ContractError) return error;
  // The same atomic writer keeps notifications.json: name what this file holds.
  const what = path.basename(location).replace(/\.json$/i, '');
  if (isDiskFull(error)) {
    return new ContractError(
      ErrorCode.DiskFull,
      `Could not save ${what} to ${location}: the disk is full. Free some space and try again; the ${what} saved before are unchanged.`,
    );
  }
  return new ContractError(ErrorCode.Unavailable, `Could not save ${what} to ${location}: ${(error as Error).message}. The ${what} saved before are unchanged.`);
}

export class JsonFilePersistence implements SettingsPersistence {
  private writing: Promise<void> = Promise.resolve();
  constructor(readonly location: string) {}

  async read(): Promise<unknown | undefined> {
    if (!existsSync(this.location)) return undefined;
    const text = await readFile(this.location, 'utf8');
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new Error(`${this.location} is not valid JSON (${(error as Error).message})`);
    }
  }

  /**
   * Atomic: the document goes to a temp file that is flushed to disk, then renamed over the old
   * one, so a full disk or a crash leaves either the old file or the new one, never half of one.
   * Writes are serialised; one that fails does not block the next.
   */
  write(document: unknown): Promise<void> {
    const body = JSON.stringify(document, null, 2) + '\n';
    const attempt = this.writing.catch(() => undefined).then(() => this.writeNow(body));
    this.writing = attempt;
    return attempt;
  }

  private async writeNow(body: string): Promise<void> {
    const temp = `${this.location}.${process.pid}.tmp`;
    try {
      await mkdir(path.dirname(this.location), { recursive: true });
      const file = await open(temp, 'w', 0o600);
      try {
        await file.writeFile(body);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temp, this.location);
    } catch (error) {
      await rm(temp, { force: true }).catch(() => undefined);
      throw settingsWriteError(this.location, error);
    }
  }
}
