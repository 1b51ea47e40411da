import { Type, type Static, type TLiteral, type TSchema, type TUnion } from '@sinclair/typebox';
import { VM_BULK_EDIT_OPERATIONS, VM_OPERATIONS_BY_GROUP, type VmBulkEditOperation, type VmPowerOperation } from './vm-operations';

/**
 * The job input schema (schemas/job-inputs.yaml) as the backend loads it and the renderer renders
 * it. The same TypeBox definitions are the meta-schema the backend checks the YAML against, so the
 * file, the validator and the form can never disagree about its shape.
 */

export const OsFamily = Type.Union([Type.Literal('windows'), Type.Literal('linux')]);
export type OsFamily = Static<typeof OsFamily>;

const Id = Type.String({ pattern: '^[a-z][A-Za-z0-9]{0,47}$', hint: 'a camelCase identifier such as vmName' });

/** Where a valid value goes in the agent's vm.create fields: top level or a guest KVP key. */
const Target = Type.Union([
  Type.Object({ field: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
  Type.Object({ guest: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
]);

const common = {
  id: Id,
  label: Type.String({ minLength: 1, maxLength: 80 }),
  description: Type.Optional(Type.String({ maxLength: 400 })),
  /** Shown as placeholder text. */
  hint: Type.Optional(Type.String({ maxLength: 200 })),
  required: Type.Optional(Type.Boolean()),
  /** Omitted: every OS family. */
  appliesTo: Type.Optional(Type.Array(OsFamily, { minItems: 1, uniqueItems: true })),
  /** Layout group for fields outside any parameter set. */
  section: Type.Optional(Id),
  /** Provisioning kinds (choices of the field named by KIND_FIELD) this field applies to; omitted: every kind. */
  kinds: Type.Optional(Type.Array(Id, { minItems: 1, uniqueItems: true })),
  target: Target,
};

export { KIND_FIELD } from './create-kinds';

const textBounds = {
  minLength: Type.Optional(Type.Integer({ minimum: 0 })),
  maxLength: Type.Optional(Type.Integer({ minimum: 1 })),
  /** ECMAScript regular expression the whole (trimmed) value must match. */
  pattern: Type.Optional(Type.String({ minLength: 1 })),
  /** What `pattern` means, in words, for the error message ("letters, digits and hyphens"). */
  patternHint: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
};

export const StringField = Type.Object(
  {
    ...common,
    type: Type.Literal('string'),
    ...textBounds,
    default: Type.Optional(Type.String()),
    /** Options come from what the host reports (inventory) when known; free text otherwise. */
    source: Type.Optional(Type.Union([Type.Literal('host.networks'), Type.Literal('host.storage')])),
    /** A closed list: the value must be one of these (the form offers them as a choice). */
    choices: Type.Optional(
      Type.Array(Type.Object({ value: Id, label: Type.String({ minLength: 1, maxLength: 80 }), description: Type.Optional(Type.String({ maxLength: 400 })) }, { additionalProperties: false }), {
        minItems: 2,
      }),
    ),
  },
  { additionalProperties: false },
);
export const SecretField = Type.Object({ ...common, type: Type.Literal('secret'), ...textBounds }, { additionalProperties: false });
export const MultilineField = Type.Object(
  { ...common, type: Type.Literal('multiline'), ...textBounds, default: Type.Optional(Type.String()) },
  { additionalProperties: false },
);
export const IntegerField = Type.Object(
  {
    ...common,
    type: Type.Literal('integer'),
    minimum: Type.Optional(Type.Integer()),
    maximum: Type.Optional(Type.Integer()),
    default: Type.Optional(Type.Integer()),
  },
  { additionalProperties: false },
);
export const BooleanField = Type.Object({ ...common, type: Type.Literal('boolean'), default: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
export const Ipv4Field = Type.Object({ ...common, type: Type.Literal('ipv4'), default: Type.Optional(Type.String()) }, { additionalProperties: false });
export const HostnameField = Type.Object(
  { ...common, type: Type.Literal('hostname'), maxLength: Type.Optional(Type.Integer({ minimum: 1, maximum: 253 })), default: Type.Optional(Type.String()) },
  { additionalProperties: false },
);

/** One schema per field type: the loader picks the one named by `type` for precise errors. */
export const fieldSchemasByType = {
  string: StringField,
  secret: SecretField,
  multiline: MultilineField,
  integer: IntegerField,
  boolean: BooleanField,
  ipv4: Ipv4Field,
  hostname: HostnameField,
} satisfies Record<string, TSchema>;
export type FieldType = keyof typeof fieldSchemasByType;
export const fieldTypes = Object.keys(fieldSchemasByType) as FieldType[];

export const JobField = Type.Union(Object.values(fieldSchemasByType));
export type JobField =
  | Static<typeof StringField>
  | Static<typeof SecretField>
  | Static<typeof MultilineField>
  | Static<typeof IntegerField>
  | Static<typeof BooleanField>
  | Static<typeof Ipv4Field>
  | Static<typeof HostnameField>;

const setCommon = { id: Id, label: Type.String({ minLength: 1, maxLength: 80 }), description: Type.Optional(Type.String({ maxLength: 400 })) };

/** Either nothing, or at least one variant fully satisfied with no member outside that variant. */
export const VariantsSet = Type.Object(
  {
    ...setCommon,
    kind: Type.Literal('variants'),
    variants: Type.Array(
      Type.Object(
        {
          id: Id,
          label: Type.String({ minLength: 1, maxLength: 80 }),
          required: Type.Array(Id, { minItems: 1, uniqueItems: true }),
          optional: Type.Optional(Type.Array(Id, { uniqueItems: true })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1 },
    ),
  },
  { additionalProperties: false },
);
/** Every member or none. */
export const AllOrNoneSet = Type.Object(
  { ...setCommon, kind: Type.Literal('allOrNone'), members: Type.Array(Id, { minItems: 2, uniqueItems: true }) },
  { additionalProperties: false },
);
export const ParameterSet = Type.Union([VariantsSet, AllOrNoneSet]);
export type ParameterSet = Static<typeof VariantsSet> | Static<typeof AllOrNoneSet>;

export const JobSection = Type.Object({ id: Id, label: Type.String({ minLength: 1, maxLength: 80 }) }, { additionalProperties: false });

/** The root of schemas/job-inputs.yaml (fields and sets are checked one by one by the loader). */
export const JobInputSchemaRoot = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z][a-z0-9-]{0,47}$' }),
    version: Type.Integer({ minimum: 1 }),
    title: Type.String({ minLength: 1, maxLength: 80 }),
    sections: Type.Array(JobSection, { minItems: 1 }),
    fields: Type.Array(Type.Unknown(), { minItems: 1 }),
    parameterSets: Type.Array(Type.Unknown()),
  },
  { additionalProperties: false },
);

export const JobInputSchema = Type.Object({
  id: Type.String(),
  version: Type.Integer(),
  title: Type.String(),
  sections: Type.Array(JobSection),
  fields: Type.Array(JobField),
  parameterSets: Type.Array(ParameterSet),
});
export type JobInputSchema = Omit<Static<typeof JobInputSchema>, 'fields' | 'parameterSets'> & { fields: JobField[]; parameterSets: ParameterSet[] };

/** A field error names the field (a schema field id, or an unknown key) and the rule it broke. */
export const JobFieldError = Type.Object({
  field: Type.String(),
  rule: Type.String({ description: 'required, type, minLength, maxLength, pattern, minimum, maximum, ipv4, hostname, unknown, applicability, allOrNone, variants, subnet, switch' }),
  message: Type.String(),
});
export type JobFieldError = Static<typeof JobFieldError>;

export const JobFieldValue = Type.Union([Type.String(), Type.Integer(), Type.Boolean()]);
export type JobFieldValue = Static<typeof JobFieldValue>;

export const JobValidateRequest = Type.Object(
  {
    schemaVersion: Type.Integer({ minimum: 1, hint: 'the version of the schema the form was built from' }),
    hostId: Type.Optional(Type.String({ minLength: 1, hint: 'the id of a configured host' })),
    imageOsFamily: OsFamily,
    fields: Type.Record(Type.String(), Type.Unknown()),
  },
  { additionalProperties: false },
);
export type JobValidateRequest = Static<typeof JobValidateRequest>;

export const JobValidateResponse = Type.Union([
  Type.Object({
    valid: Type.Literal(true),
    schemaVersion: Type.Integer(),
    /** Cleaned values with defaults filled in; secret values are masked. */
    values: Type.Record(Type.String(), JobFieldValue),
    warnings: Type.Array(Type.String()),
  }),
  Type.Object({ valid: Type.Literal(false), schemaVersion: Type.Integer(), errors: Type.Array(JobFieldError), warnings: Type.Array(Type.String()) }),
]);
export type JobValidateResponse = Static<typeof JobValidateResponse>;

export const SECRET_MASK = '••••••';

// ---------------------------------------------------------------------------------------------
// Jobs: records, output lines, VM actions, bulk, export (docs/jobs.md describes the whole contract)
// ---------------------------------------------------------------------------------------------

/** `vm.operation`: a hardware edit, checkpoint operation or move (vm.operate); its `action` is the operation. */
export const JobType = Type.Union([Type.Literal('vm.create'), Type.Literal('vm.action'), Type.Literal('vm.delete'), Type.Literal('vm.operation'), Type.Literal('bulk')]);
export type JobType = Static<typeof JobType>;

/** queued → running → succeeded | failed | cancelled; `interrupted`: the app stopped while it ran. */
export const JobState = Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('cancelled'), Type.Literal('interrupted')]);
export type JobState = Static<typeof JobState>;

/** The power actions: the 'power' entries of the one table of VM operations (vm-operations.ts). */
export const VmAction = Type.Union(VM_OPERATIONS_BY_GROUP('power').map((a) => Type.Literal(a))) as unknown as TUnion<TLiteral<VmPowerOperation>[]>;
export type VmAction = VmPowerOperation;

export const JobErrorBody = Type.Object({ code: Type.String(), message: Type.String() });
export type JobErrorBody = Static<typeof JobErrorBody>;

/** Per-item counts of a bulk job (its items are jobs whose parentId is the bulk job's id). */
export const BulkCounts = Type.Object({
  total: Type.Integer(),
  queued: Type.Integer(),
  running: Type.Integer(),
  succeeded: Type.Integer(),
  failed: Type.Integer(),
  cancelled: Type.Integer(),
  interrupted: Type.Integer(),
});
export type BulkCounts = Static<typeof BulkCounts>;

const NullableString = Type.Union([Type.String(), Type.Null()]);

/** One job as stored and shown. Parameters never hold a secret value (masked with SECRET_MASK). */
export const JobRecord = Type.Object({
  id: Type.String(),
  type: JobType,
  state: JobState,
  hostId: NullableString,
  hostName: NullableString,
  vmId: NullableString,
  vmName: NullableString,
  /** vm.action: the action; vm.delete: 'delete'; vm.operation: the operation; bulk: the items' action; vm.create: null. */
  action: NullableString,
  parameters: Type.Record(Type.String(), JobFieldValue),
  createdAt: Type.String(),
  startedAt: NullableString,
  finishedAt: NullableString,
  /** The agent result's data (vm.create: {vmId, vmName, status, vhdPath, provisioned, clustered}). */
  result: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  error: Type.Union([JobErrorBody, Type.Null()]),
  /** Number of output lines so far (seq runs 0..lineCount-1). */
  lineCount: Type.Integer(),
  /** Set on the items of a bulk job. */
  parentId: NullableString,
  warnings: Type.Array(Type.String()),
  bulk: Type.Union([BulkCounts, Type.Null()]),
});
export type JobRecord = Static<typeof JobRecord>;

export const JobLineStream = Type.Union([Type.Literal('log'), Type.Literal('stdout'), Type.Literal('stderr'), Type.Literal('system')]);
export type JobLineStream = Static<typeof JobLineStream>;

/** One output line: `log` = an AETHERV-LOG entry, `stdout` = other host output, `stderr` = decoded PowerShell errors, `system` = the app's own notes. */
export const JobLine = Type.Object({
  jobId: Type.String(),
  seq: Type.Integer({ minimum: 0 }),
  stream: JobLineStream,
  level: Type.Union([Type.Literal('debug'), Type.Literal('info'), Type.Literal('warn'), Type.Literal('error')]),
  text: Type.String(),
  step: NullableString,
  at: Type.String(),
});
export type JobLine = Static<typeof JobLine>;

export const JobSubmitRequest = Type.Object(
  {
    schemaVersion: Type.Integer({ minimum: 1, hint: 'the version of the schema the form was built from' }),
    hostId: Type.String({ minLength: 1, hint: 'the id of a configured host' }),
    imageOsFamily: OsFamily,
    fields: Type.Record(Type.String(), Type.Unknown()),
  },
  { additionalProperties: false },
);
export type JobSubmitRequest = Static<typeof JobSubmitRequest>;
export const JobSubmitResponse = Type.Object({ job: JobRecord, warnings: Type.Array(Type.String()) });
export type JobSubmitResponse = Static<typeof JobSubmitResponse>;

export const VmActionRequest = Type.Object(
  { hostId: Type.String({ minLength: 1 }), vmId: Type.String({ minLength: 1, hint: 'the VM GUID' }), action: VmAction },
  { additionalProperties: false },
);
export type VmActionRequest = Static<typeof VmActionRequest>;

export const VmDeleteRequest = Type.Object(
  {
    hostId: Type.String({ minLength: 1 }),
    vmId: Type.String({ minLength: 1, hint: 'the VM GUID' }),
    deleteDisks: Type.Boolean(),
    /** Must equal the VM's name exactly (case-sensitive). */
    confirmName: Type.String(),
    /** Turn a VM that is not Off off first (otherwise INVALID_STATE). */
    force: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type VmDeleteRequest = Static<typeof VmDeleteRequest>;

export const JobFilter = Type.Object(
  {
    state: Type.Optional(Type.Array(JobState)),
    type: Type.Optional(Type.Array(JobType)),
    hostId: Type.Optional(Type.String()),
    parentId: Type.Optional(Type.String()),
    /** Case-insensitive substring of the VM name. */
    vmName: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type JobFilter = Static<typeof JobFilter>;

export const JobSort = Type.Object(
  {
    by: Type.Union([Type.Literal('createdAt'), Type.Literal('finishedAt'), Type.Literal('state'), Type.Literal('type'), Type.Literal('host'), Type.Literal('vm')]),
    dir: Type.Union([Type.Literal('asc'), Type.Literal('desc')]),
  },
  { additionalProperties: false },
);
export type JobSort = Static<typeof JobSort>;

export const JobListRequest = Type.Object(
  { filter: Type.Optional(JobFilter), sort: Type.Optional(JobSort), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })) },
  { additionalProperties: false },
);
export type JobListRequest = Static<typeof JobListRequest>;
export const JobListResponse = Type.Object({ jobs: Type.Array(JobRecord), total: Type.Integer() });
export type JobListResponse = Static<typeof JobListResponse>;

export const JobGetRequest = Type.Object(
  { id: Type.String({ minLength: 1 }), fromLine: Type.Optional(Type.Integer({ minimum: 0 })), maxLines: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })) },
  { additionalProperties: false },
);
export type JobGetRequest = Static<typeof JobGetRequest>;
/** `lines` start at `fromLine` (default 0); `nextLine` is the seq to ask for next. */
export const JobGetResponse = Type.Object({ job: JobRecord, lines: Type.Array(JobLine), nextLine: Type.Integer() });
export type JobGetResponse = Static<typeof JobGetResponse>;

export const BulkTarget = Type.Object({ hostId: Type.String({ minLength: 1 }), vmId: Type.String({ minLength: 1 }) }, { additionalProperties: false });
export type BulkTarget = Static<typeof BulkTarget>;
export const BulkRequest = Type.Object({ targets: Type.Array(BulkTarget, { minItems: 1, maxItems: 5000 }), action: VmAction }, { additionalProperties: false });
export type BulkRequest = Static<typeof BulkRequest>;
/** An edit operation the table allows in bulk (checkpoint.create), with one parameter set for every VM (VM_OPERATION_PARAMS). */
export const BulkEditOperation = Type.Union(VM_BULK_EDIT_OPERATIONS.map((op) => Type.Literal(op))) as unknown as TUnion<TLiteral<VmBulkEditOperation>[]>;
export const BulkOperationRequest = Type.Object(
  { targets: Type.Array(BulkTarget, { minItems: 1, maxItems: 5000 }), operation: BulkEditOperation, params: Type.Record(Type.String(), Type.Unknown()) },
  { additionalProperties: false },
);
export type BulkOperationRequest = Static<typeof BulkOperationRequest>;
/** vm.bulkPreview / vm.bulkRun: a power action, or a bulk-allowed edit operation with its parameters. */
export const BulkAnyRequest = Type.Union([BulkRequest, BulkOperationRequest]);
export type BulkAnyRequest = BulkRequest | BulkOperationRequest;

export const BulkPreviewItem = Type.Object({
  hostId: Type.String(),
  hostName: NullableString,
  vmId: Type.String(),
  vmName: NullableString,
  state: NullableString,
  willRun: Type.Boolean(),
  /** Why an item is skipped: already in the target state, not allowed in its state, unknown VM, host not ready, a pending action. */
  reason: NullableString,
  skipCode: Type.Union([
    Type.Literal('ALREADY_IN_STATE'),
    Type.Literal('INVALID_STATE'),
    Type.Literal('VM_NOT_FOUND'),
    Type.Literal('HOST_NOT_READY'),
    Type.Literal('ACTION_PENDING'),
    Type.Null(),
  ]),
});
export type BulkPreviewItem = Static<typeof BulkPreviewItem>;
export const BulkPreviewResponse = Type.Object({ action: Type.Union([VmAction, BulkEditOperation]), items: Type.Array(BulkPreviewItem), willRun: Type.Integer(), skipped: Type.Integer(), hosts: Type.Integer() });
export type BulkPreviewResponse = Static<typeof BulkPreviewResponse>;
/** `job` is the bulk parent (type 'bulk'); `items` its child jobs (one per VM that will run); `skipped` the preview's skipped rows. */
export const BulkRunResponse = Type.Object({ job: JobRecord, items: Type.Array(JobRecord), skipped: Type.Array(BulkPreviewItem) });
export type BulkRunResponse = Static<typeof BulkRunResponse>;

export const ExportFormat = Type.Union([Type.Literal('log'), Type.Literal('json'), Type.Literal('ndjson'), Type.Literal('zip')]);
export type ExportFormat = Static<typeof ExportFormat>;
/** One job (`id`, formats log|json) or every job matching `filter` (formats ndjson|zip). */
export const JobExportRequest = Type.Union([
  Type.Object({ id: Type.String({ minLength: 1 }), format: Type.Union([Type.Literal('log'), Type.Literal('json')]) }, { additionalProperties: false }),
  Type.Object({ filter: JobFilter, format: Type.Union([Type.Literal('ndjson'), Type.Literal('zip')]) }, { additionalProperties: false }),
]);
export type JobExportRequest = Static<typeof JobExportRequest>;
export const JobExportResponse = Type.Object({
  filename: Type.String(),
  contentType: Type.String(),
  encoding: Type.Union([Type.Literal('utf8'), Type.Literal('base64')]),
  content: Type.String(),
  jobs: Type.Integer(),
});
export type JobExportResponse = Static<typeof JobExportResponse>;

/** Events: the 'jobs' topic (collection delta of records) and 'jobOutput' (batches of new lines). */
export const JobOutputSnapshot = Type.Object({ note: Type.String() });
export const JobOutputDelta = Type.Object({ lines: Type.Array(JobLine) });
export type JobOutputDelta = Static<typeof JobOutputDelta>;

// The VM action matrix (contracts §7) and the finished job states live in vm-actions.ts: plain
// values the renderer uses without loading any schema.
export * from './vm-actions';
export * from './vm-operations';
export * from './vm-operation-params';
