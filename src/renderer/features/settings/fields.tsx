import type { ReactNode } from 'react';
import type { FieldError } from '../../../shared/contract';

/** Field errors from the backend validator, keyed by field path. */
export function errorsByField(fields: FieldError[] | undefined): Record<string, string> {
  return Object.fromEntries((fields ?? []).map((f) => [f.field, f.message]));
}

export function Field(props: { id: string; label: string; error?: string; hint?: string; children: ReactNode }) {
  return (
    <div className={`field ${props.error ? 'field-invalid' : ''}`}>
      <label htmlFor={props.id}>{props.label}</label>
      {props.children}
      {props.hint && !props.error && <small className="hint">{props.hint}</small>}
      {props.error && (
        <small className="error" role="alert" id={`${props.id}-error`} data-testid={`error-${props.id}`}>
          {props.error}
        </small>
      )}
    </div>
  );
}
