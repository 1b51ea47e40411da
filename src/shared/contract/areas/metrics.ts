import { Type, type Static } from '@sinclair/typebox';
import { command } from '../command-def';

const Nullable = <T extends ReturnType<typeof Type.Number>>(schema: T) => Type.Union([schema, Type.Null()]);
const Column = Type.Array(Nullable(Type.Number()));
const HostId = Type.String({ minLength: 1, maxLength: 200, hint: 'the id of a configured host' });
const SinceMs = Type.Integer({ minimum: 0, hint: 'a time in milliseconds since 1970 (UTC); points from then on are returned' });

/**
 * CPU and memory over time, column-wise (one array per figure, index i is the sample at t[i]):
 * a 48-hour history of one VM is ~1,000 samples, sent as five arrays instead of 1,000 objects.
 * Memory in MB. For a host, cpuPercent is the sum of its VMs' CPU (each VM's share of the host's
 * processors, as Hyper-V reports it), memoryAssignedMb/memoryDemandMb the sums over its VMs and
 * memoryUsedMb the host's physical memory in use; for a VM memoryUsedMb is null.
 */
export const MetricsHistory = Type.Object({
  t: Type.Array(Type.Integer()),
  cpuPercent: Column,
  memoryAssignedMb: Column,
  memoryDemandMb: Column,
  memoryUsedMb: Column,
  /** The retention setting when this was read, so a chart can say how far back it can go. */
  retentionHours: Type.Integer(),
});
export type MetricsHistory = Static<typeof MetricsHistory>;

/**
 * kind 'vm' needs vmId, kind 'host' must not have one: the handler says so by field (one object
 * rather than a union, so a bad field gets one clear message instead of one per union branch).
 */
export const MetricsHistoryRequest = Type.Object(
  {
    kind: Type.Union([Type.Literal('host'), Type.Literal('vm')], { hint: '"host" or "vm"' }),
    hostId: HostId,
    vmId: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$', hint: "the VM's Hyper-V ID (a GUID)" })),
    sinceMs: Type.Optional(SinceMs),
  },
  { additionalProperties: false },
);
export type MetricsHistoryRequest = Static<typeof MetricsHistoryRequest>;

/** Every host's recent CPU and memory in use, for the host table's trend lines (one call for all rows). */
export const HostTrends = Type.Object({
  hosts: Type.Array(Type.Object({ hostId: Type.String(), t: Type.Array(Type.Integer()), cpuPercent: Column, memoryUsedMb: Column })),
});
export type HostTrends = Static<typeof HostTrends>;

/** CPU and memory history from the quick syncs (metrics.db), kept for `metrics.retentionHours`. */
export const metricsCommands = {
  'metrics.history': command(MetricsHistoryRequest, MetricsHistory, "one host's or one VM's CPU and memory since a time (default: as far back as kept)"),
  'metrics.trends': command(Type.Object({ sinceMs: SinceMs }, { additionalProperties: false }), HostTrends, "every host's CPU and memory in use since a time, for trend lines"),
} as const;
