import { Type, type Static, type TSchema } from '@sinclair/typebox';

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
  target: Target,
};

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
  rule: Type.String({ description: 'required, type, minLength, maxLength, pattern, minimum, maximum, ipv4, hostname, unknown, applicability, allOrNone, variants' }),
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
