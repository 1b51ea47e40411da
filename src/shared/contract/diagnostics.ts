import { Type, type Static } from '@sinclair/typebox';

export const ServiceState = Type.Union([
  Type.Literal('running'),
  Type.Literal('starting'),
  Type.Literal('stopped'),
  Type.Literal('failed'),
  Type.Literal('not-built'),
]);

export const ServiceStatus = Type.Object({
  name: Type.String(),
  state: ServiceState,
  detail: Type.String(),
});
export type ServiceStatus = Static<typeof ServiceStatus>;

export const AppMode = Type.Union([Type.Literal('normal'), Type.Literal('diagnostic')]);

export const FaultKind = Type.Union([
  Type.Literal('uncaught-exception'),
  Type.Literal('unhandled-rejection'),
  Type.Literal('disk-full'),
]);
export type FaultKind = Static<typeof FaultKind>;

/** An error the backend process survived (it kept running); repeats are counted, not listed. */
export const Fault = Type.Object({
  kind: FaultKind,
  /** Where it came from: 'uncaughtException', 'unhandledRejection', 'jobs.db', 'settings', … */
  source: Type.String(),
  message: Type.String(),
  firstAt: Type.String(),
  lastAt: Type.String(),
  count: Type.Integer({ minimum: 1 }),
});
export type Fault = Static<typeof Fault>;

export const AppHealth = Type.Object({
  mode: AppMode,
  healthy: Type.Boolean(),
  /** Why the app is in diagnostic mode, each problem phrased with what to do. */
  problems: Type.Array(Type.String()),
  services: Type.Array(ServiceStatus),
  /** Faults survived since start, newest first (absent from backends that predate it). */
  faults: Type.Optional(Type.Array(Fault)),
});
export type AppHealth = Static<typeof AppHealth>;

export const AppInfo = Type.Object({
  name: Type.String(),
  version: Type.String(),
  agentVersion: Type.String(),
  runtime: Type.Union([Type.Literal('electron'), Type.Literal('browser')]),
  nodeVersion: Type.String(),
  platform: Type.String(),
  dataDir: Type.String(),
  secretStorage: Type.String({ description: 'how passwords are protected at rest, in words' }),
  /** Whether an OS keychain protects the passwords, and why not when it does not. */
  keychain: Type.Optional(Type.Object({ available: Type.Boolean(), detail: Type.String() })),
});
export type AppInfo = Static<typeof AppInfo>;

export const MetricGroup = Type.Object({
  name: Type.String(),
  rows: Type.Array(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]))),
});
export type MetricGroup = Static<typeof MetricGroup>;

export const Metrics = Type.Object({
  uptimeS: Type.Number(),
  rssMb: Type.Number(),
  heapUsedMb: Type.Number(),
  eventLoopDelayP99Ms: Type.Number(),
  services: Type.Array(ServiceStatus),
  /** Per-service metric groups (scheduler lanes, hosts, …) as flat records for display. */
  groups: Type.Array(MetricGroup),
});
export type Metrics = Static<typeof Metrics>;
