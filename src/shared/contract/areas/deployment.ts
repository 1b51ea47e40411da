import { Type, type Static } from '@sinclair/typebox';
import { command, Empty } from '../command-def';

export const DeploymentHostState = Type.Union([
  Type.Literal('pending'),
  Type.Literal('checking'),
  Type.Literal('deploying'),
  Type.Literal('ready'),
  Type.Literal('newer'),
  Type.Literal('failed'),
  Type.Literal('unreachable'),
]);
export type DeploymentHostState = Static<typeof DeploymentHostState>;

export const DeploymentHostStatus = Type.Object({
  hostId: Type.String(),
  displayName: Type.String(),
  state: DeploymentHostState,
  /** Normalised text of the host's version file; null when missing or not read yet. */
  hostVersion: Type.Union([Type.String(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  /** Installer runs by this app instance since it started. */
  deployments: Type.Integer(),
  lastDurationMs: Type.Union([Type.Number(), Type.Null()]),
  updatedAt: Type.String(),
});
export type DeploymentHostStatus = Static<typeof DeploymentHostStatus>;

export const DeploymentStatus = Type.Object({
  agentVersion: Type.String(),
  server: Type.Object({
    ready: Type.Boolean(),
    /** Where the server listens on this workstation. */
    url: Type.String(),
    /** What hosts are told to download from. */
    advertisedBaseUrl: Type.String(),
    files: Type.Integer(),
    downloads: Type.Integer(),
    error: Type.Union([Type.String(), Type.Null()]),
  }),
  summary: Type.Object({
    total: Type.Integer(),
    ready: Type.Integer(),
    failed: Type.Integer(),
    newer: Type.Integer(),
    inProgress: Type.Integer(),
  }),
  hosts: Type.Array(DeploymentHostStatus),
});
export type DeploymentStatus = Static<typeof DeploymentStatus>;

/** Agent deployment: per-host readiness and force redeploy (one host or all). */
export const deploymentCommands = {
  'deployment.status': command(
    Empty,
    DeploymentStatus,
    'artifact server and per-host agent deployment state',
  ),
  'deployment.redeploy': command(
    Type.Object(
      {
        hostId: Type.Optional(
          Type.String({ minLength: 1, hint: 'the id of a configured host (omit for all)' }),
        ),
      },
      { additionalProperties: false },
    ),
    Type.Object({ hostIds: Type.Array(Type.String()) }),
    'forget cached versions and deploy the agent again, even over a newer one; returns at once',
  ),
} as const;
