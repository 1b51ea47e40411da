import type { DatabaseSync } from 'node:sqlite';

/**
 * Numbered schema migrations, applied in order inside one transaction each; `PRAGMA user_version`
 * records the last one applied. Never edit a released migration: add the next number instead.
 *
 * Layout: hot state (changes every poll) lives apart from configuration (changes rarely, guarded
 * by a content hash), so a quick sync writes a handful of small rows and a full sync writes only
 * the VMs whose configuration really changed.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial inventory schema',
    sql: `
      CREATE TABLE clusters (
        name TEXT PRIMARY KEY,
        first_seen_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL
      );
      CREATE TABLE hosts (
        host_id TEXT PRIMARY KEY,
        computer_name TEXT,
        cluster TEXT,
        cpu_cores INTEGER,
        memory_gb REAL,
        memory_available_gb REAL,
        warnings TEXT,
        updated_at TEXT
      );
      CREATE TABLE host_sync (
        host_id TEXT PRIMARY KEY REFERENCES hosts(host_id) ON DELETE CASCADE,
        state TEXT NOT NULL DEFAULT 'never',
        last_attempt_at TEXT,
        last_success_at TEXT,
        last_quick_at TEXT,
        consecutive_failures INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        last_error TEXT,
        generation INTEGER NOT NULL DEFAULT 0,
        avg_duration_ms REAL,
        duration_samples INTEGER NOT NULL DEFAULT 0,
        slow INTEGER NOT NULL DEFAULT 0,
        stale_since TEXT,
        last_agent_timestamp TEXT
      );
      CREATE TABLE vms (
        host_id TEXT NOT NULL REFERENCES hosts(host_id) ON DELETE CASCADE,
        vm_id TEXT NOT NULL,
        name TEXT NOT NULL,
        cluster TEXT,
        changed_gen INTEGER NOT NULL,
        missing_since_gen INTEGER,
        first_seen_at TEXT NOT NULL,
        PRIMARY KEY (host_id, vm_id)
      );
      CREATE INDEX vms_by_vm_id ON vms(vm_id);
      CREATE TABLE vm_hot (
        host_id TEXT NOT NULL,
        vm_id TEXT NOT NULL,
        state TEXT NOT NULL,
        uptime_s REAL,
        cpu_percent REAL,
        memory_assigned_mb REAL,
        memory_demand_mb REAL,
        heartbeat TEXT,
        observed_at TEXT NOT NULL,
        PRIMARY KEY (host_id, vm_id),
        FOREIGN KEY (host_id, vm_id) REFERENCES vms(host_id, vm_id) ON DELETE CASCADE ON UPDATE CASCADE
      );
      CREATE TABLE vm_config (
        host_id TEXT NOT NULL,
        vm_id TEXT NOT NULL,
        processor_count INTEGER,
        memory_startup_mb REAL,
        memory_min_mb REAL,
        memory_max_mb REAL,
        dynamic_memory INTEGER NOT NULL,
        generation INTEGER,
        configuration_version TEXT,
        notes TEXT,
        operating_system TEXT,
        created_at TEXT,
        clustered INTEGER NOT NULL,
        ip_addresses TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (host_id, vm_id),
        FOREIGN KEY (host_id, vm_id) REFERENCES vms(host_id, vm_id) ON DELETE CASCADE ON UPDATE CASCADE
      );
      CREATE TABLE vm_disks (
        host_id TEXT NOT NULL,
        vm_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        disk_id TEXT NOT NULL,
        name TEXT NOT NULL,
        path TEXT NOT NULL,
        disk_type TEXT,
        capacity_gb REAL,
        file_size_gb REAL,
        PRIMARY KEY (host_id, vm_id, position),
        FOREIGN KEY (host_id, vm_id) REFERENCES vms(host_id, vm_id) ON DELETE CASCADE ON UPDATE CASCADE
      );
      CREATE TABLE vm_nics (
        host_id TEXT NOT NULL,
        vm_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        nic_id TEXT NOT NULL,
        name TEXT NOT NULL,
        switch_name TEXT,
        vlan INTEGER,
        mac_address TEXT NOT NULL,
        ip_addresses TEXT NOT NULL,
        PRIMARY KEY (host_id, vm_id, position),
        FOREIGN KEY (host_id, vm_id) REFERENCES vms(host_id, vm_id) ON DELETE CASCADE ON UPDATE CASCADE
      );
      CREATE TABLE pending_ops (
        op_id TEXT PRIMARY KEY,
        host_id TEXT NOT NULL,
        vm_id TEXT NOT NULL,
        action TEXT NOT NULL,
        desired_state TEXT,
        requested_at TEXT NOT NULL,
        deadline TEXT NOT NULL,
        job_id TEXT
      );
      CREATE INDEX pending_by_vm ON pending_ops(host_id, vm_id);
      CREATE TABLE placeholders (
        placeholder_id TEXT PRIMARY KEY,
        host_id TEXT NOT NULL,
        name TEXT NOT NULL,
        job_id TEXT,
        created_at TEXT NOT NULL
      );
      CREATE TABLE tombstones (
        host_id TEXT NOT NULL,
        vm_id TEXT NOT NULL,
        name TEXT NOT NULL,
        deleted_at TEXT NOT NULL,
        generation INTEGER NOT NULL,
        last_view TEXT NOT NULL,
        PRIMARY KEY (host_id, vm_id, deleted_at)
      );
    `,
  },
  {
    version: 2,
    name: 'logical network name on NICs',
    sql: `ALTER TABLE vm_nics ADD COLUMN network_name TEXT;`,
  },
  {
    version: 3,
    name: 'indexes for search and tombstone pruning',
    sql: `
      CREATE INDEX vms_by_name ON vms(name COLLATE NOCASE);
      CREATE INDEX tombstones_by_time ON tombstones(deleted_at);
    `,
  },
  {
    version: 4,
    // Earlier versions seeded a host's cluster from the label typed in Settings: a host never
    // inventoried kept that label as if it had reported it. Membership is now only what a host
    // reports (its next full inventory sets it), so those seeded values go.
    name: 'cluster membership only from host reports',
    sql: `
      UPDATE hosts SET cluster = NULL
        WHERE host_id IN (SELECT host_id FROM host_sync WHERE last_success_at IS NULL);
    `,
  },
  {
    version: 5,
    // Agent 1.2.0 reports every virtual switch of the host (JSON array of names; NULL = unknown),
    // so a create request's switch is judged against the host, not only switches VMs use.
    name: 'virtual switches a host reports',
    sql: `ALTER TABLE hosts ADD COLUMN switches TEXT;`,
  },
  {
    version: 6,
    // Agent 1.4.0 reports each VM's checkpoints and the one it runs from. A table like vm_disks
    // and vm_nics rather than a JSON column: the rows' count and oldest creation time come from
    // one GROUP BY at start (a JSON column would be parsed for every VM on the way to the first
    // snapshot), the VM page reads them on demand, and they follow the VM through the foreign key
    // (deleted with it, moved with it between cluster nodes). target_host_id: a move's pending
    // operation is confirmed when the VM shows on that host.
    name: 'checkpoints and pending moves',
    sql: `
      CREATE TABLE vm_checkpoints (
        host_id TEXT NOT NULL,
        vm_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        checkpoint_id TEXT NOT NULL,
        name TEXT NOT NULL,
        parent_id TEXT,
        created_at TEXT NOT NULL,
        checkpoint_type TEXT NOT NULL,
        PRIMARY KEY (host_id, vm_id, position),
        FOREIGN KEY (host_id, vm_id) REFERENCES vms(host_id, vm_id) ON DELETE CASCADE ON UPDATE CASCADE
      );
      ALTER TABLE vm_config ADD COLUMN current_checkpoint_id TEXT;
      ALTER TABLE pending_ops ADD COLUMN target_host_id TEXT;
    `,
  },
  {
    version: 7,
    // Tags are keyed by the Hyper-V VM GUID alone, not (host, GUID): a live migration keeps the
    // GUID and changes the host, and the tags must follow it. No foreign key to vms for the same
    // reason: a move rewrites the row's host, and a deleted VM's tags wait as long as its tombstone
    // (src/main/tags/vm-tags.ts prunes them with it). The timeline lives in this file, not its own, so
    // a refresh's entries are written in the refresh's own transaction (one commit, one fsync).
    // Entries of a VM are keyed by GUID too, so its history follows it between cluster nodes.
    name: 'tags and timeline',
    sql: `
      CREATE TABLE vm_tags (
        vm_id TEXT NOT NULL,
        tag_key TEXT NOT NULL,
        tag TEXT NOT NULL,
        added_at TEXT NOT NULL,
        PRIMARY KEY (vm_id, tag_key)
      );
      CREATE TABLE timeline (
        id INTEGER PRIMARY KEY,
        host_id TEXT NOT NULL,
        vm_id TEXT,
        vm_name TEXT,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        field TEXT,
        old_value TEXT,
        new_value TEXT,
        sync_kind TEXT,
        detail TEXT
      );
      CREATE INDEX timeline_by_vm ON timeline(vm_id, at);
      CREATE INDEX timeline_by_host ON timeline(host_id, at) WHERE vm_id IS NULL;
      CREATE INDEX timeline_by_time ON timeline(at);
    `,
  },
  {
    version: 8,
    // Hygiene checks (src/main/hygiene). "Saved for 7 days" and "Running without heartbeat for 10
    // minutes" need when the observed state and heartbeat last changed: state_since and
    // heartbeat_since, set by every refresh that sees a different value. Existing rows start from
    // observed_at, which a refresh rewrites only when a hot value changes, so it is never earlier
    // than the real change (a finding can come late after the upgrade, never early).
    // default_vm_version: the host's default configuration version (agent 1.5.0,
    // Get-VMHostSupportedVersion -Default; NULL when not reported). hygiene_snoozes: findings the
    // admin snoozed, until a time or (until NULL) until the finding's fingerprint changes.
    name: 'state and heartbeat since, host default VM version, hygiene snoozes',
    sql: `
      ALTER TABLE vm_hot ADD COLUMN state_since TEXT;
      ALTER TABLE vm_hot ADD COLUMN heartbeat_since TEXT;
      UPDATE vm_hot SET state_since = observed_at, heartbeat_since = observed_at;
      ALTER TABLE hosts ADD COLUMN default_vm_version TEXT;
      CREATE TABLE hygiene_snoozes (
        finding_id TEXT PRIMARY KEY,
        until TEXT,
        fingerprint TEXT NOT NULL,
        snoozed_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 9,
    // Issue 16 item 8: the agent's per-VM warnings (a query that failed for this VM), kept with the
    // configuration they came with (JSON array; NULL = none) and replaced by each full inventory, so
    // the VM page shows them until a later inventory no longer reports them. Host warnings already
    // have hosts.warnings (schema 1). Versions 7 and 8 are other branches' (issue 16's tags, hygiene).
    name: 'per-VM warnings from the agent',
    sql: `ALTER TABLE vm_config ADD COLUMN warnings TEXT;`,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export function schemaVersion(db: DatabaseSync): number {
  const row = db.prepare('PRAGMA user_version').get() as { user_version: number };
  return row.user_version;
}

/** Applies every migration newer than the file's version, up to `target` (tests stop early). */
export function migrate(db: DatabaseSync, target = SCHEMA_VERSION): number[] {
  const applied: number[] = [];
  const current = schemaVersion(db);
  if (current > SCHEMA_VERSION) {
    throw new Error(`the inventory database has schema version ${current}, newer than this app understands (${SCHEMA_VERSION}); update the app or move the file aside`);
  }
  for (const migration of MIGRATIONS) {
    if (migration.version <= current || migration.version > target) continue;
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(migration.sql);
      // user_version takes no bound parameters; the number comes from this file, not from input.
      db.exec(`PRAGMA user_version = ${migration.version}`);
      db.exec('COMMIT');
    } catch (error) {
      db.exec('ROLLBACK');
      throw new Error(`inventory database migration ${migration.version} (${migration.name}) failed: ${(error as Error).message}`);
    }
    applied.push(migration.version);
  }
  return applied;
}
