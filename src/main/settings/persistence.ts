import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Reads and writes the whole settings document. electron-store in Electron, a JSON file in browser mode. */
export interface SettingsPersistence {
  read(): Promise<unknown | undefined>;
  write(document: unknown): Promise<void>;
  /** Where the document lives, for messages and app.info. */
  readonly location: string;
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

  write(document: unknown): Promise<void> {
    const body = JSON.stringify(document, null, 2) + '\n';
    this.writing = this.writing.then(async () => {
      await mkdir(path.dirname(this.location), { recursive: true });
      const temp = `${this.location}.${process.pid}.tmp`;
      await writeFile(temp, body, { mode: 0o600 });
      await rename(temp, this.location);
    });
    return this.writing;
  }
}
