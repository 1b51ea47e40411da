import { Type, type Static } from '@sinclair/typebox';

// The credential rule is schema-free, so the renderer's host form can use it without TypeBox.
export * from './host-rules';

/** DNS name (RFC 1123 labels) or IPv4; IPv6 goes through the `ip` format check. */
const HOST_NAME_PATTERN =
  '^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$';

export const HostAddress = Type.Union([Type.String({ format: 'ipv6' }), Type.String({ pattern: HOST_NAME_PATTERN })], {
  hint: 'a host name or IP address such as hv01.corp.local or 10.0.0.5 (no scheme, port or path)',
});

export const Transport = Type.Union([Type.Literal('https'), Type.Literal('http')]);
export const AuthMethod = Type.Union([Type.Literal('ntlm'), Type.Literal('basic')]);

const Fingerprint = Type.String({
  pattern: '^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$',
  hint: 'the certificate SHA-256 fingerprint: 64 hex digits, colons optional',
});

const hostFields = {
  displayName: Type.String({ minLength: 1, maxLength: 64, pattern: '\\S', hint: 'a name of 1–64 characters' }),
  address: HostAddress,
  port: Type.Integer({ minimum: 1, maximum: 65_535, hint: 'a TCP port, 1–65535 (5985 for HTTP, 5986 for HTTPS)' }),
  transport: Transport,
  auth: AuthMethod,
  allowUnencryptedBasic: Type.Boolean(),
  username: Type.String({ minLength: 1, maxLength: 256, pattern: '^[^\\s:]', hint: 'an account such as CORP\\admin or admin@corp.local' }),
  cluster: Type.Optional(Type.String({ maxLength: 64, hint: 'an optional cluster label of up to 64 characters' })),
  enabled: Type.Boolean(),
  tlsFingerprintSha256: Type.Optional(Fingerprint),
};

/** A stored host entry. The password lives in the secret store under `credentialRef`, never here. */
export const HostEntry = Type.Object(
  { id: Type.String({ minLength: 1 }), ...hostFields, credentialRef: Type.String({ minLength: 1 }) },
  { additionalProperties: false },
);
export type HostEntry = Static<typeof HostEntry>;

const Password = Type.String({ minLength: 1, maxLength: 1024, hint: 'the account password (stored encrypted)' });

export const HostInput = Type.Object(
  {
    displayName: hostFields.displayName,
    address: hostFields.address,
    port: Type.Optional(hostFields.port),
    transport: Type.Optional(hostFields.transport),
    auth: Type.Optional(hostFields.auth),
    allowUnencryptedBasic: Type.Optional(hostFields.allowUnencryptedBasic),
    username: hostFields.username,
    password: Password,
    cluster: hostFields.cluster,
    enabled: Type.Optional(hostFields.enabled),
    tlsFingerprintSha256: hostFields.tlsFingerprintSha256,
  },
  { additionalProperties: false },
);
export type HostInput = Static<typeof HostInput>;

export const HostPatch = Type.Object(
  {
    id: Type.String({ minLength: 1 }),
    displayName: Type.Optional(hostFields.displayName),
    address: Type.Optional(hostFields.address),
    port: Type.Optional(hostFields.port),
    transport: Type.Optional(hostFields.transport),
    auth: Type.Optional(hostFields.auth),
    allowUnencryptedBasic: Type.Optional(hostFields.allowUnencryptedBasic),
    username: Type.Optional(hostFields.username),
    /** Omit to keep the stored password. */
    password: Type.Optional(Password),
    cluster: Type.Optional(Type.Union([hostFields.cluster, Type.Null()])),
    enabled: Type.Optional(hostFields.enabled),
    tlsFingerprintSha256: Type.Optional(Type.Union([Fingerprint, Type.Null()])),
  },
  { additionalProperties: false },
);
export type HostPatch = Static<typeof HostPatch>;

/** What the renderer sees: the entry without the credential reference, plus live status. */
export const HostView = Type.Object({
  id: Type.String(),
  displayName: Type.String(),
  address: Type.String(),
  port: Type.Integer(),
  transport: Transport,
  auth: AuthMethod,
  allowUnencryptedBasic: Type.Boolean(),
  username: Type.String(),
  cluster: Type.Optional(Type.String()),
  enabled: Type.Boolean(),
  tlsFingerprintSha256: Type.Optional(Type.String()),
  /** The secret store holds a password for this host that it can decrypt. */
  hasPassword: Type.Boolean(),
  status: Type.Union([
    Type.Literal('unknown'),
    Type.Literal('connected'),
    Type.Literal('unreachable'),
    Type.Literal('preparing'),
    Type.Literal('disabled'),
  ]),
  lastError: Type.Optional(Type.String()),
  lastSeenAt: Type.Optional(Type.String()),
});
export type HostView = Static<typeof HostView>;

export const ConnectionStep = Type.Object({
  step: Type.Union([Type.Literal('identify'), Type.Literal('command'), Type.Literal('hyperv')]),
  ok: Type.Boolean(),
  durationMs: Type.Number(),
  detail: Type.String(),
});
export type ConnectionStep = Static<typeof ConnectionStep>;

export const ConnectionTestResult = Type.Object({
  ok: Type.Boolean(),
  steps: Type.Array(ConnectionStep),
  /** The first failing step's message, phrased for a person. */
  message: Type.String(),
});
export type ConnectionTestResult = Static<typeof ConnectionTestResult>;
