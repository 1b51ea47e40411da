/**
 * Numbered migrations of the settings document. Migration N turns a version N-1 document into
 * version N; they run in order at start, and the migrated document is written back once.
 * Never edit a released migration: add the next one.
 */
export type Migration = (document: Record<string, unknown>) => Record<string, unknown>;

export const SETTINGS_SCHEMA_VERSION = 1;

/** Keyed by the version each migration produces. Version 1 is the first released shape. */
export const settingsMigrations: Record<number, Migration> = {};

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/** Applies every migration from the document's version up to `target`. */
export function migrate(
  document: Record<string, unknown>,
  target = SETTINGS_SCHEMA_VERSION,
  migrations = settingsMigrations,
): { document: Record<string, unknown>; from: number; changed: boolean } {
  const from = typeof document.schemaVersion === 'number' ? document.schemaVersion : 1;
  if (!Number.isInteger(from) || from < 1) throw new MigrationError(`schemaVersion ${String(document.schemaVersion)} is not a valid version`);
  if (from > target) {
    throw new MigrationError(
      `the settings file was written by a newer Aether-V (schema ${from}, this app understands up to ${target}); ` +
        'update the app, or move the file aside to start fresh',
    );
  }
  let current = document;
  for (let version = from + 1; version <= target; version++) {
    const step = migrations[version];
    if (!step) throw new MigrationError(`no migration to settings schema ${version}`);
    current = { ...step(current), schemaVersion: version };
  }
  return { document: current, from, changed: from !== target };
}
