import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import {
  ContractError,
  DEFAULT_SETTINGS,
  ErrorCode,
  HostEntry,
  Settings,
  type SettingsPatch,
} from '../../shared/contract';
import { compile, toFieldErrors } from '../validation/validator';
import { migrate, SETTINGS_SCHEMA_VERSION } from './migrations';
import type { SettingsPersistence } from './persistence';

export const SettingsDocument = Type.Object(
  { schemaVersion: Type.Literal(SETTINGS_SCHEMA_VERSION), settings: Settings, hosts: Type.Array(HostEntry) },
  { additionalProperties: false },
);

export interface SettingsLoadResult {
  ok: boolean;
  /** Each problem names the file, the field and what to do. */
  problems: string[];
}

/**
 * The settings document (settings + host entries), validated and migrated at load. A file that
 * cannot be read or validated is never overwritten: the store runs read-only on defaults and the
 * backend enters diagnostic mode, so nothing the user stored is lost.
 */
export class SettingsStore {
  private settings: Settings = structuredClone(DEFAULT_SETTINGS);
  // Host entries are flat records, frozen on the way in, so readers share them without copying:
  // inventory and deployment look hosts up per refresh, and cloning 500 entries per lookup was
  // the single largest cost of a 500-host refresh.
  private hosts: readonly HostEntry[] = [];
  private hostsById = new Map<string, HostEntry>();
  private readOnlyReason: string | undefined;

  constructor(private readonly persistence: SettingsPersistence) {}

  get location(): string {
    return this.persistence.location;
  }

  async load(): Promise<SettingsLoadResult> {
    let raw: unknown;
    try {
      raw = await this.persistence.read();
    } catch (error) {
      return this.refuse(`${(error as Error).message}; fix or move the file aside, then restart`);
    }
    if (raw === undefined) {
      await this.persist();
      return { ok: true, problems: [] };
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      return this.refuse(`${this.location} does not contain a settings object; fix or move it aside, then restart`);
    }
    let migrated;
    try {
      migrated = migrate(raw as Record<string, unknown>);
    } catch (error) {
      return this.refuse(`${this.location}: ${(error as Error).message}`);
    }
    // Fill fields added since the file was written with their defaults, then validate strictly.
    const document = migrated.document as { settings?: unknown; hosts?: unknown };
    const candidate = {
      schemaVersion: SETTINGS_SCHEMA_VERSION,
      settings: Value.Default(Settings, mergeDefaults(document.settings)),
      hosts: document.hosts ?? [],
    };
    const validate = compile(SettingsDocument);
    if (!validate(candidate)) {
      const fields = toFieldErrors(validate.errors).map((f) => `${f.field}: ${f.message}`);
      return this.refuse(`${this.location} has invalid values (${fields.join('; ')}); fix them or move the file aside, then restart`);
    }
    this.settings = candidate.settings as Settings;
    this.setHosts(candidate.hosts as HostEntry[]);
    if (migrated.changed) await this.persist();
    return { ok: true, problems: [] };
  }

  getSettings(): Settings {
    return structuredClone(this.settings);
  }

  /** The configured hosts, frozen: copy an entry (`{ ...entry }`) to change it. */
  getHosts(): readonly HostEntry[] {
    return this.hosts;
  }

  /** One configured host by id, or undefined; a map lookup, not a scan. */
  getHost(id: string): HostEntry | undefined {
    return this.hostsById.get(id);
  }

  async updateSettings(patch: SettingsPatch): Promise<Settings> {
    this.assertWritable();
    if (patch.ui?.views) assertUniqueViewNames(patch.ui.views);
    const next: Settings = {
      theme: patch.theme ?? this.settings.theme,
      inventory: { ...this.settings.inventory, ...patch.inventory },
      agent: { ...this.settings.agent, ...patch.agent },
      artifactServer: { ...this.settings.artifactServer, ...patch.artifactServer },
      jobs: { ...this.settings.jobs, ...patch.jobs },
      log: { ...this.settings.log, ...patch.log },
      ui: { ...this.settings.ui, ...patch.ui },
      metrics: { ...this.settings.metrics, ...patch.metrics },
      reachability: { ...this.settings.reachability, ...patch.reachability },
      timeline: { ...this.settings.timeline, ...patch.timeline },
      hygiene: { ...this.settings.hygiene, ...patch.hygiene },
    };
    // Like replaceHosts: memory changes only once the file is written, so a save that fails (disk
    // full) never leaves the app running on values the file does not hold.
    const previous = this.settings;
    this.settings = next;
    try {
      await this.persist();
    } catch (error) {
      this.settings = previous;
      throw error;
    }
    return this.getSettings();
  }

  /** Stores the host list; memory changes only once the file is written, so both always agree. */
  async replaceHosts(hosts: readonly HostEntry[]): Promise<void> {
    this.assertWritable();
    const previous = this.hosts;
    this.setHosts(hosts);
    try {
      await this.persist();
    } catch (error) {
      this.setHosts(previous);
      throw error;
    }
  }

  /** Throws DIAGNOSTIC_MODE when the stored file could not be loaded (nothing may overwrite it). */
  assertWritable(): void {
    if (this.readOnlyReason) {
      throw new ContractError(ErrorCode.DiagnosticMode, `Settings are read-only in diagnostic mode: ${this.readOnlyReason}`);
    }
  }

  private setHosts(hosts: readonly HostEntry[]): void {
    this.hosts = Object.freeze(hosts.map((h) => Object.freeze({ ...h })));
    this.hostsById = new Map(this.hosts.map((h) => [h.id, h]));
  }

  private refuse(problem: string): SettingsLoadResult {
    this.readOnlyReason = problem;
    return { ok: false, problems: [problem] };
  }

  private persist(): Promise<void> {
    return this.persistence.write({ schemaVersion: SETTINGS_SCHEMA_VERSION, settings: this.settings, hosts: this.hosts });
  }
}

/** views: saved view names are unique regardless of case (the sidebar and `--view` find a view by name). */
function assertUniqueViewNames(views: ReadonlyArray<{ name: string }>): void {
  const seen = new Set<string>();
  for (const [index, view] of views.entries()) {
    const key = view.name.trim().toLowerCase();
    if (seen.has(key)) {
      const message = `Saved view names must be unique: "${view.name}" is used twice. Rename one of them.`;
      throw new ContractError(ErrorCode.ValidationFailed, message, { fields: [{ field: `ui.views.${index}.name`, message }] });
    }
    seen.add(key);
  }
}

/** Deep-merges a stored settings object over the defaults, one level of sections deep. */
function mergeDefaults(stored: unknown): unknown {
  if (typeof stored !== 'object' || stored === null || Array.isArray(stored)) return stored ?? structuredClone(DEFAULT_SETTINGS);
  const result: Record<string, unknown> = structuredClone(DEFAULT_SETTINGS) as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(stored)) {
    const base = result[key];
    result[key] =
      typeof base === 'object' && base !== null && typeof value === 'object' && value !== null && !Array.isArray(value)
        ? { ...(base as object), ...(value as object) }
        : value;
  }
  return result;
}
