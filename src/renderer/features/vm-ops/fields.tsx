import type { ReactNode } from 'react';
import type { Draft } from './form-model';

/**
 * The inputs of the operation dialogs, in the app's form field styles: a label, the input, and the
 * field's error under it (from the form's own check or the backend's VALIDATION answer).
 */
interface FieldProps {
  name: string;
  label: string;
  draft: Draft;
  errors: Record<string, string>;
  set(name: string, value: string | boolean): void;
}

const idOf = (name: string) => `op-${name}`;

function Wrap({
  name,
  label,
  errors,
  children,
  hint,
}: {
  name: string;
  label: string;
  errors: Record<string, string>;
  children: ReactNode;
  hint?: string;
}) {
  const error = errors[name];
  return (
    <div className={`field ${error ? 'field-invalid' : ''}`}>
      <label htmlFor={idOf(name)}>{label}</label>
      {children}
      {!error && hint && <small className="hint">{hint}</small>}
      {error && (
        <small className="error" role="alert" id={`${idOf(name)}-error`} data-testid={`op-error-${name}`}>
          {error}
        </small>
      )}
    </div>
  );
}

export function TextField(
  props: FieldProps & { hint?: string; numeric?: boolean; placeholder?: string; autoFocus?: boolean },
) {
  const { name, label, draft, errors, set } = props;
  return (
    <Wrap name={name} label={label} errors={errors} hint={props.hint}>
      <input
        id={idOf(name)}
        data-testid={idOf(name)}
        autoComplete="off"
        inputMode={props.numeric ? 'numeric' : undefined}
        placeholder={props.placeholder}
        autoFocus={props.autoFocus}
        aria-invalid={errors[name] ? true : undefined}
        aria-describedby={errors[name] ? `${idOf(name)}-error` : undefined}
        value={typeof draft[name] === 'string' ? (draft[name] as string) : ''}
        onChange={(e) => set(name, e.target.value)}
      />
    </Wrap>
  );
}

export function TextArea(props: FieldProps) {
  const { name, label, draft, errors, set } = props;
  return (
    <Wrap name={name} label={label} errors={errors}>
      <textarea
        id={idOf(name)}
        data-testid={idOf(name)}
        rows={6}
        className="op-notes"
        value={typeof draft[name] === 'string' ? (draft[name] as string) : ''}
        onChange={(e) => set(name, e.target.value)}
      />
    </Wrap>
  );
}

export function SelectField(
  props: FieldProps & { options: { value: string; label: string }[]; placeholder?: string; hint?: string },
) {
  const { name, label, draft, errors, set } = props;
  return (
    <Wrap name={name} label={label} errors={errors} hint={props.hint}>
      <select
        id={idOf(name)}
        data-testid={idOf(name)}
        aria-invalid={errors[name] ? true : undefined}
        value={typeof draft[name] === 'string' ? (draft[name] as string) : ''}
        onChange={(e) => set(name, e.target.value)}
      >
        {props.placeholder !== undefined && <option value="">{props.placeholder}</option>}
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Wrap>
  );
}

export function Choices(
  props: FieldProps & { options: { value: string; label: string; disabled?: string }[] },
) {
  const { name, label, draft, errors, set } = props;
  return (
    <div
      role="radiogroup"
      aria-label={label}
      className={`field op-choices ${errors[name] ? 'field-invalid' : ''}`}
      data-testid={idOf(name)}
    >
      <span className="choices-label">{label}</span>
      {props.options.map((o) => (
        <label key={o.value} className="check" title={o.disabled}>
          <input
            type="radio"
            name={idOf(name)}
            value={o.value}
            checked={draft[name] === o.value}
            disabled={!!o.disabled}
            onChange={() => set(name, o.value)}
            data-testid={`${idOf(name)}-${o.value}`}
          />
          {o.label}
          {o.disabled && <small className="muted"> ({o.disabled})</small>}
        </label>
      ))}
      {errors[name] && (
        <small className="error" role="alert" data-testid={`op-error-${name}`}>
          {errors[name]}
        </small>
      )}
    </div>
  );
}

export function CheckField(props: FieldProps) {
  const { name, label, draft, errors, set } = props;
  return (
    <div className={`field ${errors[name] ? 'field-invalid' : ''}`}>
      <label className="check">
        <input
          type="checkbox"
          checked={draft[name] === true}
          onChange={(e) => set(name, e.target.checked)}
          data-testid={idOf(name)}
        />
        {label}
      </label>
      {errors[name] && (
        <small className="error" role="alert" data-testid={`op-error-${name}`}>
          {errors[name]}
        </small>
      )}
    </div>
  );
}
