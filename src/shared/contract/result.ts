import { Type, type Static } from '@sinclair/typebox';

// The codes live apart from the schemas so the page's first script can use them without TypeBox.
import { ErrorCode } from './error-codes';
export { ErrorCode };


export const FieldError = Type.Object({
  field: Type.String({ description: 'dotted path of the offending field, e.g. "port" or "inventory.fullSyncIntervalS"' }),
  message: Type.String(),
});
export type FieldError = Static<typeof FieldError>;

export const ErrorBody = Type.Object({
  code: Type.String(),
  message: Type.String(),
  details: Type.Optional(
    Type.Object({
      fields: Type.Optional(Type.Array(FieldError)),
      step: Type.Optional(Type.String()),
      host: Type.Optional(Type.String()),
    }),
  ),
});
export type ErrorBody = Static<typeof ErrorBody>;

export type Ok<T> = { ok: true; data: T };
export type Failure = { ok: false; error: ErrorBody };
export type Result<T> = Ok<T> | Failure;

/** An error a handler throws to produce a `{ok:false}` response with a stable code. */
export class ContractError extends Error {
  override name = 'ContractError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorBody['details'],
  ) {
    super(message);
  }
}

export function validationError(fields: FieldError[]): ContractError {
  const summary = fields.map((f) => `${f.field}: ${f.message}`).join('; ');
  return new ContractError(ErrorCode.ValidationFailed, summary, { fields });
}
