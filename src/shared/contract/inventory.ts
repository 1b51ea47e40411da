import { Type, type Static } from '@sinclair/typebox';

/** Hyper-V power states as the agent reports them (contracts §1.5), plus our placeholder states. */
export const VmState = Type.Union(
  ['Running', 'Off', 'Saved', 'Paused', 'Starting', 'Stopping', 'Saving', 'Pausing', 'Resuming', 'Unknown', 'Creating', 'Deleting'].map((s) => Type.Literal(s)),
);
export type VmState =
  | 'Running'
  | 'Off'
  | 'Saved'
  | 'Paused'
  | 'Starting'
  | 'Stopping'
  | 'Saving'
  | 'Pausing'
  | 'Resuming'
  | 'Unknown'
  | 'Creating'
  | 'Deleting';

const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Number> | ReturnType<typeof Type.Integer>>(t: T) =>
  Type.Union([t, Type.Null()]);

export const VmDisk = Type.Object({
  id: Type.String(),
  name: Type.String(),
  path: Type.String(),
  type: Nullable(Type.String()),
  capacityGb: Nullable(Type.Number()),
  fileSizeGb: Nullable(Type.Number()),
});
export type VmDisk = Static<typeof VmDisk>;

export const VmNic = Type.Object({
  id: Type.String(),
  name: Type.String(),
  switchName: Nullable(Type.String()),
  vlan: Nullable(Type.Integer()),
  macAddress: Type.String(),
  ipAddresses: Type.Array(Type.String()),
});
export type VmNic = Static<typeof VmNic>;

/**
 * One checkpoint (Get-VMSnapshot): `parentId` null for a root; `type` as Hyper-V reports it
 * (Standard, Production, Recovery, Replica…). Checkpoints form a tree per VM.
 */
export const VmCheckpoint = Type.Object({
  id: Type.String(),
  name: Type.String(),
  parentId: Nullable(Type.String()),
  createdAt: Type.String(),
  type: Type.String(),
});
export type VmCheckpoint = Static<typeof VmCheckpoint>;

export const PendingOperation = Type.Object({
  action: Type.String(),
  desiredState: Nullable(Type.String()),
  requestedAt: Type.String(),
  deadline: Type.String(),
  jobId: Type.Optional(Type.String()),
  /** Set when the deadline passed without the host confirming the desired state. */
  unconfirmed: Type.Boolean(),
});

/**
 * One VM as lists, tables, search and the tree see it: the row every snapshot and delta carries.
 * `key` is `${hostId}:${vmId}`: VMs are keyed by Hyper-V GUID, scoped by host. Hot state (state,
 * cpu, memory, uptime, heartbeat) carries its own observedAt. What only the VM page shows (disks,
 * NICs, notes, memory limits) is fetched with `inventory.vm`, so a 10,000-VM snapshot stays small;
 * `detailsHash` changes whenever any of that does, so an open VM page knows to fetch again.
 */
export const InventoryVm = Type.Object({
  key: Type.String(),
  vmId: Type.String(),
  hostId: Type.String(),
  name: Type.String(),
  state: VmState,
  cpuPercent: Nullable(Type.Number()),
  memoryAssignedMb: Nullable(Type.Number()),
  memoryDemandMb: Nullable(Type.Number()),
  uptimeS: Nullable(Type.Number()),
  heartbeat: Nullable(Type.String()),
  observedAt: Type.String(),
  processorCount: Nullable(Type.Integer()),
  memoryStartupMb: Nullable(Type.Number()),
  dynamicMemory: Type.Boolean(),
  generation: Nullable(Type.Integer()),
  operatingSystem: Nullable(Type.String()),
  osFamily: Type.Union([Type.Literal('windows'), Type.Literal('linux'), Type.Literal('unknown')]),
  createdAt: Nullable(Type.String()),
  clustered: Type.Boolean(),
  ipAddresses: Type.Array(Type.String()),
  diskCount: Type.Integer(),
  /** Checkpoints the last full inventory saw, and when the oldest was taken (null: none). */
  checkpointCount: Type.Integer(),
  oldestCheckpointAt: Nullable(Type.String()),
  /** The VM's notes (Hyper-V's Notes field): free text in queries matches them. */
  notes: Nullable(Type.String()),
  detailsHash: Type.String(),
  /** True when the host could not be reached: these are the last known values. */
  stale: Type.Boolean(),
  staleSince: Nullable(Type.String()),
  /** A job placeholder ("Creating") not yet confirmed by the host. */
  placeholder: Type.Boolean(),
  pending: Type.Union([PendingOperation, Type.Null()]),
});
export type InventoryVm = Static<typeof InventoryVm>;

/** The VM page's extra facts, read from the store on demand (`inventory.vm`). */
export const VmDetails = Type.Object({
  memoryMinMb: Nullable(Type.Number()),
  memoryMaxMb: Nullable(Type.Number()),
  configurationVersion: Nullable(Type.String()),
  notes: Nullable(Type.String()),
  disks: Type.Array(VmDisk),
  nics: Type.Array(VmNic),
  checkpoints: Type.Array(VmCheckpoint),
  /** The checkpoint the VM currently runs from ("Now" hangs below it); null: none. */
  currentCheckpointId: Nullable(Type.String()),
});
export type VmDetails = Static<typeof VmDetails>;

export const InventoryVmDetail = Type.Object({ vm: InventoryVm, details: VmDetails });
export type InventoryVmDetail = Static<typeof InventoryVmDetail>;

/** What the create-VM form offers for a host: switches its VMs use and folders they live in. */
export const HostOptions = Type.Object({ known: Type.Boolean(), networks: Type.Array(Type.String()), storage: Type.Array(Type.String()) });
export type HostOptions = Static<typeof HostOptions>;

export const HostSyncState = Type.Union([
  Type.Literal('fresh'),
  Type.Literal('stale'),
  Type.Literal('error'),
  Type.Literal('preparing'),
  Type.Literal('never'),
]);

/** Per-host facts and sync state; `hostId` is the configured host's id. */
export const InventoryHost = Type.Object({
  hostId: Type.String(),
  computerName: Nullable(Type.String()),
  cluster: Nullable(Type.String()),
  cpuCores: Nullable(Type.Integer()),
  memoryGb: Nullable(Type.Number()),
  memoryAvailableGb: Nullable(Type.Number()),
  /** Every virtual switch the host reported (agent 1.2.0+); null when not known. */
  switches: Type.Union([Type.Array(Type.String()), Type.Null()]),
  sync: Type.Object({
    state: HostSyncState,
    lastAttemptAt: Nullable(Type.String()),
    lastSuccessAt: Nullable(Type.String()),
    lastQuickAt: Nullable(Type.String()),
    consecutiveFailures: Type.Integer(),
    nextAttemptAt: Nullable(Type.String()),
    lastError: Nullable(Type.String()),
    generation: Type.Integer(),
    avgDurationMs: Nullable(Type.Number()),
    slow: Type.Boolean(),
  }),
});
export type InventoryHost = Static<typeof InventoryHost>;

export const InventorySnapshot = Type.Object({ hosts: Type.Array(InventoryHost), vms: Type.Array(InventoryVm) });
export type InventorySnapshot = Static<typeof InventorySnapshot>;

/**
 * One VM field for every row of a snapshot: the values in row order, or (for fields with few
 * distinct values: host, state, OS, timestamps shared by a host's VMs) a dictionary and an index
 * per row.
 */
export const VmColumn = Type.Union([
  Type.Object({ values: Type.Array(Type.Unknown()) }),
  Type.Object({ dict: Type.Array(Type.Unknown()), index: Type.Array(Type.Integer({ minimum: 0 })) }),
]);
export type VmColumn = Static<typeof VmColumn>;

/**
 * The inventory topic's snapshot as it travels (events.snapshot and snapshot events): the VMs
 * column by column (src/shared/inventory-wire.ts encodes and decodes). 10,000 VMs are ~2 MB of
 * JSON instead of ~7 MB of row objects, which is most of the time between the backend starting
 * and the first paint. `key` is not sent: it is always `${hostId}:${vmId}`.
 */
export const InventorySnapshotWire = Type.Object({
  hosts: Type.Array(InventoryHost),
  vms: Type.Object({ count: Type.Integer({ minimum: 0 }), columns: Type.Record(Type.String(), VmColumn) }),
});
export type InventorySnapshotWire = Static<typeof InventorySnapshotWire>;

/** Only what changed since the previous revision; never a full re-send. */
export const InventoryDelta = Type.Object({
  hosts: Type.Object({ upsert: Type.Array(InventoryHost), remove: Type.Array(Type.String()) }),
  vms: Type.Object({ upsert: Type.Array(InventoryVm), remove: Type.Array(Type.String()) }),
});
export type InventoryDelta = Static<typeof InventoryDelta>;

export const SyncStats = Type.Object({
  totals: Type.Object({ hosts: Type.Integer(), vms: Type.Integer(), clusters: Type.Integer() }),
  hosts: Type.Object({ fresh: Type.Integer(), stale: Type.Integer(), error: Type.Integer(), preparing: Type.Integer(), never: Type.Integer() }),
  lastFullSyncAt: Nullable(Type.String()),
  lastQuickSyncAt: Nullable(Type.String()),
  consecutiveErrors: Type.Integer(),
  lastCycle: Type.Union([
    Type.Object({ kind: Type.String(), refreshed: Type.Integer(), deferred: Type.Integer(), failed: Type.Integer(), durationMs: Type.Number(), at: Type.String() }),
    Type.Null(),
  ]),
  avgHostDurationMs: Nullable(Type.Number()),
});
export type SyncStats = Static<typeof SyncStats>;

export const SyncHealth = Type.Object({ healthy: Type.Boolean(), issues: Type.Array(Type.String()) });
export type SyncHealth = Static<typeof SyncHealth>;
