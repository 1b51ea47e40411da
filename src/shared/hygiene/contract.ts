import { Type, type Static } from '@sinclair/typebox';
import { command } from '../contract/command-def';
import { HYGIENE_CHECKS } from './rules';

// The hygiene area of the contract (src/shared/contract/commands.ts spreads it in).

const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Number>>(t: T) => Type.Union([t, Type.Null()]);
const HostId = Type.String({ minLength: 1, maxLength: 200, hint: 'the id of a configured host' });

export const HygieneCheckSchema = Type.Union(HYGIENE_CHECKS.map((c) => Type.Literal(c)));

export const HygieneFindingView = Type.Object({
  id: Type.String(),
  check: HygieneCheckSchema,
  hostIds: Type.Array(Type.String()),
  clusters: Type.Array(Type.String()),
  vms: Type.Array(Type.Object({ hostId: Type.String(), vmId: Type.String(), name: Type.String() })),
  file: Type.Optional(Type.Object({ hostId: Type.String(), path: Type.String(), sizeGb: Nullable(Type.Number()), lastWriteTime: Nullable(Type.String()) })),
  message: Type.String(),
  fingerprint: Type.String(),
  /** Set when a snooze hides it: when the snooze ends (null: until the finding changes). */
  snoozed: Type.Union([Type.Object({ until: Nullable(Type.String()) }), Type.Null()]),
});
export type HygieneFindingView = Static<typeof HygieneFindingView>;

export const HygieneReport = Type.Object({
  findings: Type.Array(HygieneFindingView),
  /** Hosts scanned for unattached disks: when (the scan's results are among the findings). */
  orphanScans: Type.Array(Type.Object({ hostId: Type.String(), scannedAt: Type.String(), files: Type.Integer() })),
  evaluatedAt: Type.String(),
});
export type HygieneReport = Static<typeof HygieneReport>;

export const SnoozeRequest = Type.Object(
  {
    findingId: Type.String({ minLength: 1, maxLength: 2000, hint: 'the id of a finding from hygiene.findings' }),
    for: Type.Union([Type.Literal('7d'), Type.Literal('30d'), Type.Literal('change'), Type.Literal('off')], { hint: "'7d', '30d', 'change' (until the finding changes) or 'off' (wake it)" }),
  },
  { additionalProperties: false },
);
export type SnoozeRequest = Static<typeof SnoozeRequest>;

export const hygieneCommands = {
  'hygiene.findings': command(Type.Object({}, { additionalProperties: false }), HygieneReport, 'hygiene findings computed from the stored inventory, with their snoozes'),
  'hygiene.snooze': command(SnoozeRequest, Type.Object({ ok: Type.Boolean() }), 'snoozes a finding for 7 or 30 days or until it changes, or wakes it'),
  'hygiene.scanOrphanDisks': command(
    Type.Object({ hostId: HostId }, { additionalProperties: false }),
    Type.Object({ hostId: Type.String(), scannedAt: Type.String(), files: Type.Array(Type.Object({ path: Type.String(), sizeGb: Nullable(Type.Number()), lastWriteTime: Nullable(Type.String()) })) }),
    "runs the agent's host.orphanDisks on a host: virtual disk files in VM folders attached to no VM",
  ),
} as const;
