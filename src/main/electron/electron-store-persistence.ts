import Store from 'electron-store';
import { settingsWriteError, type SettingsPersistence } from '../settings/persistence';

/**
 * electron-store holds the settings document under one key; our own numbered migrations and
 * ajv validation run on top (the same ones as browser mode), so both runtimes share one schema.
 */
export class ElectronStorePersistence implements SettingsPersistence {
  private readonly store: Store<{ document?: unknown }>;

  constructor(dataDir: string) {
    this.store = new Store<{ document?: unknown }>({ cwd: dataDir, name: 'settings', clearInvalidConfig: false });
  }

  get location(): string {
    return this.store.path;
  }

  async read(): Promise<unknown | undefined> {
    return this.store.get('document');
  }

  /** electron-store writes atomically (temp file + rename), so a failed write keeps the old file. */
  async write(document: unknown): Promise<void> {
    try {
      this.store.set('document', document);
    } catch (error) {
      throw settingsWriteError(this.location, error);
    }
  }
}
