import { Type, type Static } from '@sinclair/typebox';
import { command } from '../command-def';

const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

const VmTarget = Type.Object(
  {
    hostId: Type.String({ minLength: 1, maxLength: 200, hint: 'the id of a configured host' }),
    vmId: Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$', hint: "the VM's Hyper-V ID (a GUID)" }),
  },
  { additionalProperties: false },
);

// Lengths are checked again by the backend with a message naming the tag (src/shared/tag-rules.ts).
const TagList = Type.Array(Type.String({ maxLength: 200 }), { maxItems: 64, hint: 'tags: 1–40 letters, digits or - _ . : /' });

export const TagsUpdateRequest = Type.Object(
  {
    targets: Type.Array(VmTarget, { minItems: 1, maxItems: 5000, hint: '1–5000 VMs' }),
    add: Type.Optional(TagList),
    remove: Type.Optional(TagList),
  },
  { additionalProperties: false },
);
export type TagsUpdateRequest = Static<typeof TagsUpdateRequest>;

export const TagsUpdateResult = Type.Object({
  /** VMs whose tags changed. */
  changed: Type.Integer(),
  /** Targets not in the inventory (deleted, moved and not yet seen): nothing was stored for them. */
  unknown: Type.Array(Type.String()),
});
export type TagsUpdateResult = Static<typeof TagsUpdateResult>;

/**
 * One thing the timeline recorded. One change per entry: `field` with `from` → `to` (state,
 * processors, a disk…). `sync`: the refresh that saw it (full or quick) — null for jobs, pending
 * operations and host events. `detail`: words that need no translation (a job's title and who asked,
 * an error). Kinds: state, config, appeared, removed, moved, job, pending, host-status, sync-failed,
 * sync-recovered, agent, cluster.
 */
export const TimelineEntry = Type.Object({
  id: Type.Integer(),
  at: Type.String(),
  hostId: Type.String(),
  vmId: Nullable(Type.String()),
  vmName: Nullable(Type.String()),
  kind: Type.String(),
  field: Nullable(Type.String()),
  from: Nullable(Type.String()),
  to: Nullable(Type.String()),
  sync: Type.Union([Type.Literal('full'), Type.Literal('quick'), Type.Null()]),
  detail: Nullable(Type.String()),
});
export type TimelineEntry = Static<typeof TimelineEntry>;

const Page = {
  /** Entries older than this entry id (the last one of the previous page). */
  before: Type.Optional(Type.Integer({ minimum: 1, hint: 'the id of the last entry already shown' })),
  limit: Type.Integer({ minimum: 1, maximum: 500, hint: 'entries per page, 1–500' }),
};

export const TimelinePage = Type.Object({ entries: Type.Array(TimelineEntry), more: Type.Boolean() });
export type TimelinePage = Static<typeof TimelinePage>;

/** Tags on VMs and the per-VM and per-host timeline (src/main/tags, src/main/timeline). */
export const tagsCommands = {
  'tags.update': command(TagsUpdateRequest, TagsUpdateResult, 'adds and removes tags on up to 5000 VMs at once; the rows change on the inventory topic'),
  'timeline.vm': command(
    Type.Object({ hostId: VmTarget.properties.hostId, vmId: VmTarget.properties.vmId, ...Page }, { additionalProperties: false }),
    TimelinePage,
    "a VM's timeline, newest first (it follows the VM between cluster nodes)",
  ),
  'timeline.host': command(Type.Object({ hostId: VmTarget.properties.hostId, ...Page }, { additionalProperties: false }), TimelinePage, "a host's own events, newest first"),
} as const;
