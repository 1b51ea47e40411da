import type { JobFieldError } from '../../shared/contract';

/**
 * Typed errors of the jobs service. Each has a stable code the renderer and tests match on and a
 * message a person can act on. None ever contains a field value (values may be secrets).
 */
export class JobSchemaInvalid extends Error {
  override name = 'JobSchemaInvalid';
  readonly code = 'JOB_SCHEMA_INVALID';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`job input schema ${file} is invalid: ${problems.join('; ')}`);
  }
}

/** The submitted values break the schema; `fields` names every field and rule. */
export class JobValidationFailed extends Error {
  override name = 'JobValidationFailed';
  readonly code = 'VALIDATION_FAILED';
  constructor(readonly fields: JobFieldError[]) {
    super(fields.map((f) => `${f.field}: ${f.message}`).join('; '));
  }
  /** The contract's error details (field + message; the rule rides along). */
  get details() {
    return { fields: this.fields };
  }
}

/** The form was built from another schema version than the one the backend runs. */
export class SchemaOutOfDate extends Error {
  override name = 'SchemaOutOfDate';
  readonly code = 'SCHEMA_OUT_OF_DATE';
  constructor(
    readonly formVersion: number,
    readonly appVersion: number,
  ) {
    super(`the form is out of date (schema v${formVersion}, app has v${appVersion}): reload the form`);
  }
}
