import { Type, type Static } from '@sinclair/typebox';
import { MAX_SAVED_VIEWS } from '../saved-view-limits';

/**
 * Absolute Windows path on a drive, from a strict ASCII allow-list (letters, digits, space, ._()-).
 * The install directory is the one setting that reaches PowerShell text, so nothing that could end
 * a quoted literal (including the typographic quotes U+2018–U+201B PowerShell also accepts) passes.
 */
export const WINDOWS_PATH_PATTERN = '^[A-Za-z]:(?:\\\\(?!\\.{1,2}(?:\\\\|$))[A-Za-z0-9 ._()-]+)+$';

export const Theme = Type.Union([Type.Literal('system'), Type.Literal('light'), Type.Literal('dark')]);
export type Theme = Static<typeof Theme>;

export const InventorySettings = Type.Object(
  {
    fullSyncIntervalS: Type.Integer({ minimum: 60, maximum: 86_400, default: 300, hint: 'seconds between full syncs, 60–86400' }),
    quickSyncIntervalS: Type.Integer({ minimum: 5, maximum: 3_600, default: 30, hint: 'seconds between quick status syncs, 5–3600' }),
  },
  { additionalProperties: false },
);

export const AgentSettings = Type.Object(
  {
    installDir: Type.String({
      pattern: WINDOWS_PATH_PATTERN,
      maxLength: 200,
      default: 'C:\\ProgramData\\Aether-V\\agent',
      hint: 'an absolute Windows path such as C:\\ProgramData\\Aether-V\\agent, using only letters, digits, spaces and ._()-',
    }),
    downloadAttempts: Type.Integer({ minimum: 1, maximum: 10, default: 3, hint: 'download attempts per file, 1–10' }),
    downloadRetryIntervalS: Type.Integer({ minimum: 1, maximum: 120, default: 2, hint: 'seconds before the first retry, 1–120' }),
  },
  { additionalProperties: false },
);

export const ArtifactServerSettings = Type.Object(
  {
    bindAddress: Type.Union([Type.String({ format: 'ipv4' }), Type.String({ format: 'ipv6' })], {
      default: '0.0.0.0',
      hint: 'an IP address of this workstation to listen on, e.g. 0.0.0.0 or 10.0.0.20',
    }),
    port: Type.Integer({ minimum: 0, maximum: 65_535, default: 8765, hint: 'a TCP port, 1–65535 (0 picks a free one)' }),
    advertisedBaseUrl: Type.String({
      maxLength: 300,
      pattern: '^(|https?://[^\\s/]+(:\\d+)?/?)$',
      default: '',
      hint: 'empty (detect) or a URL the hosts can reach, e.g. http://10.0.0.20:8765',
    }),
  },
  { additionalProperties: false },
);

export const JobSettings = Type.Object(
  {
    workers: Type.Integer({ minimum: 1, maximum: 32, default: 4, hint: 'parallel job workers, 1–32' }),
    retentionDays: Type.Integer({ minimum: 0, maximum: 3_650, default: 90, hint: 'days finished jobs are kept, 0–3650 (0 keeps them until maxJobs)' }),
    maxJobs: Type.Integer({ minimum: 100, maximum: 1_000_000, default: 10_000, hint: 'finished jobs kept at most, 100–1000000 (oldest removed first)' }),
    maxOutputLinesPerJob: Type.Integer({ minimum: 1_000, maximum: 1_000_000, default: 50_000, hint: 'output lines kept per job, 1000–1000000; later lines are dropped with a note' }),
  },
  { additionalProperties: false },
);
export type JobSettings = Static<typeof JobSettings>;

export const LogSettings = Type.Object(
  {
    maxFileMB: Type.Integer({ minimum: 1, maximum: 1_024, default: 10, hint: 'megabytes per app.log file before it rotates, 1–1024' }),
    keepFiles: Type.Integer({ minimum: 1, maximum: 20, default: 3, hint: 'rotated app.log files kept (app.log.1 … app.log.N), 1–20' }),
  },
  { additionalProperties: false },
);

/**
 * views: a saved view of the VM table (issue 16): a query with its columns, sort and grouping, named.
 * Column ids are strings, not an enum, so a view naming a column a later version dropped still
 * loads (the table skips the column); names are unique regardless of case (checked on update).
 */
export const SavedView = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 60, pattern: '\\S', hint: 'a name of 1–60 characters' }),
    query: Type.String({ maxLength: 2_000, hint: 'a query of at most 2000 characters' }),
    columns: Type.Array(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9]{0,39}$' }), { minItems: 1, maxItems: 64, hint: 'column ids such as name, state, host' }),
    sort: Type.Object(
      { column: Type.String({ pattern: '^[A-Za-z][A-Za-z0-9]{0,39}$' }), dir: Type.Union([Type.Literal('asc'), Type.Literal('desc')]) },
      { additionalProperties: false },
    ),
    groupBy: Type.Union([Type.Literal('none'), Type.Literal('host'), Type.Literal('cluster'), Type.Literal('state')], { hint: 'none, host, cluster or state' }),
  },
  { additionalProperties: false },
);
export type SavedView = Static<typeof SavedView>;
export { MAX_SAVED_VIEWS };

export const UiSettings = Type.Object(
  {
    /** views: the saved views, in the sidebar's order (optional in the type so older fixtures stay valid; filled with [] at load). */
    views: Type.Optional(Type.Array(SavedView, { default: [], maxItems: MAX_SAVED_VIEWS, hint: 'at most 200 saved views' })),
    /** Turn off, Shut down, Restart, Save (and the same in bulk) ask first: vm-actions.ts VM_ACTION_DEFS[…].ask. */
    confirmDestructiveActions: Type.Boolean({ default: true, hint: 'true or false: ask before Turn off, Shut down, Restart and Save' }),
  },
  { additionalProperties: false },
);

/**
 * CPU and memory history for the charts (metrics.db). 48 h by default: the chart then always
 * holds the same hours of yesterday to compare with today; older than 2 h is kept as 5-minute
 * averages, so the extra day costs ~12 samples an hour per VM.
 */
export const MetricsSettings = Type.Object(
  {
    retentionHours: Type.Integer({ minimum: 1, maximum: 720, default: 48, hint: 'hours of CPU and memory history kept, 1–720' }),
  },
  { additionalProperties: false },
);

/**
 * RDP/SSH reachability of Running VMs, probed from this workstation with TCP connects to the
 * addresses their hosts report (src/main/reachability). The ports are settings because a guest
 * may listen elsewhere (and the lab's guests do: port 22 needs root on a loopback address).
 */
export const ReachabilitySettings = Type.Object(
  {
    enabled: Type.Boolean({ default: true, hint: 'true or false: probe Running VMs for RDP and SSH from this workstation' }),
    rdpPort: Type.Integer({ minimum: 1, maximum: 65_535, default: 3389, hint: 'the TCP port guests answer RDP on, 1–65535' }),
    sshPort: Type.Integer({ minimum: 1, maximum: 65_535, default: 22, hint: 'the TCP port guests answer SSH on, 1–65535' }),
    concurrency: Type.Integer({ minimum: 1, maximum: 256, default: 32, hint: 'probes in flight at most, 1–256' }),
    timeoutMs: Type.Integer({ minimum: 100, maximum: 30_000, default: 1_500, hint: 'milliseconds a connect may take before the port counts as closed, 100–30000' }),
    intervalS: Type.Integer({ minimum: 30, maximum: 86_400, default: 300, hint: 'seconds between probes of an unchanged VM, 30–86400' }),
  },
  { additionalProperties: false },
);
export type ReachabilitySettings = Static<typeof ReachabilitySettings>;

/** The per-VM and per-host timeline (src/main/timeline): how long its entries are kept. */
export const TimelineSettings = Type.Object(
  {
    retentionDays: Type.Integer({ minimum: 1, maximum: 3_650, default: 30, hint: 'days timeline entries are kept, 1–3650' }),
  },
  { additionalProperties: false },
);
export type TimelineSettings = Static<typeof TimelineSettings>;
/** Hygiene checks' thresholds (src/shared/hygiene/rules.ts). */
export const HygieneSettings = Type.Object(
  {
    checkpointDays: Type.Integer({ minimum: 1, maximum: 3_650, default: 7, hint: 'days before a checkpoint counts as old, 1–3650' }),
    heartbeatMinutes: Type.Integer({ minimum: 1, maximum: 10_080, default: 10, hint: 'minutes a Running VM may go without heartbeat, 1–10080' }),
    savedDays: Type.Integer({ minimum: 1, maximum: 3_650, default: 7, hint: 'days a VM may stay Saved, 1–3650' }),
  },
  { additionalProperties: false },
);
export type HygieneSettings = Static<typeof HygieneSettings>;

/** The user-editable settings (hosts have their own commands). */
export const Settings = Type.Object(
  {
    theme: Theme,
    inventory: InventorySettings,
    agent: AgentSettings,
    artifactServer: ArtifactServerSettings,
    jobs: JobSettings,
    log: LogSettings,
    ui: UiSettings,
    metrics: MetricsSettings,
    reachability: ReachabilitySettings,
    timeline: TimelineSettings,
    hygiene: HygieneSettings,
  },
  { additionalProperties: false },
);
export type Settings = Static<typeof Settings>;

/** A partial update: any subset of sections and fields. */
export const SettingsPatch = Type.Object(
  {
    theme: Type.Optional(Theme),
    inventory: Type.Optional(Type.Partial(InventorySettings, { additionalProperties: false })),
    agent: Type.Optional(Type.Partial(AgentSettings, { additionalProperties: false })),
    artifactServer: Type.Optional(Type.Partial(ArtifactServerSettings, { additionalProperties: false })),
    jobs: Type.Optional(Type.Partial(JobSettings, { additionalProperties: false })),
    log: Type.Optional(Type.Partial(LogSettings, { additionalProperties: false })),
    ui: Type.Optional(Type.Partial(UiSettings, { additionalProperties: false })),
    metrics: Type.Optional(Type.Partial(MetricsSettings, { additionalProperties: false })),
    reachability: Type.Optional(Type.Partial(ReachabilitySettings, { additionalProperties: false })),
    timeline: Type.Optional(Type.Partial(TimelineSettings, { additionalProperties: false })),
    hygiene: Type.Optional(Type.Partial(HygieneSettings, { additionalProperties: false })),
  },
  { additionalProperties: false },
);
export type SettingsPatch = Static<typeof SettingsPatch>;

export const DEFAULT_SETTINGS: Settings = {
  theme: 'system',
  inventory: { fullSyncIntervalS: 300, quickSyncIntervalS: 30 },
  agent: { installDir: 'C:\\ProgramData\\Aether-V\\agent', downloadAttempts: 3, downloadRetryIntervalS: 2 },
  artifactServer: { bindAddress: '0.0.0.0', port: 8765, advertisedBaseUrl: '' },
  jobs: { workers: 4, retentionDays: 90, maxJobs: 10_000, maxOutputLinesPerJob: 50_000 },
  log: { maxFileMB: 10, keepFiles: 3 },
  ui: { confirmDestructiveActions: true, views: [] },
  metrics: { retentionHours: 48 },
  reachability: { enabled: true, rdpPort: 3389, sshPort: 22, concurrency: 32, timeoutMs: 1_500, intervalS: 300 },
  timeline: { retentionDays: 30 },
  hygiene: { checkpointDays: 7, heartbeatMinutes: 10, savedDays: 7 },
};
