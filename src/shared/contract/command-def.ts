import { Type, type TSchema } from '@sinclair/typebox';

export const Empty = Type.Object({}, { additionalProperties: false });
export const ById = Type.Object({ id: Type.String({ minLength: 1, hint: 'the id of an existing entry' }) }, { additionalProperties: false });

/** One contract command: request schema, response schema, and a line for docs and diagnostics. */
export function command<Req extends TSchema, Res extends TSchema>(request: Req, response: Res, summary: string) {
  return { request, response, summary };
}
