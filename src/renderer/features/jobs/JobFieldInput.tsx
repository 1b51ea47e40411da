import type { JobField } from '../../../shared/contract';

export type DraftValue = string | boolean;

const FAMILY_TAG: Record<string, string> = { windows: 'Windows only', linux: 'Linux only' };

/** One schema field: the input its type calls for (radios for a closed list), its label, hint, OS tag and backend error. */
export function JobFieldInput(props: { field: JobField; value: DraftValue | undefined; error?: string; options: string[]; onChange(value: DraftValue): void }) {
  const { field, value, error, options } = props;
  const id = `job-${field.id}`;
  const describedBy = error ? `${id}-error` : field.description ? `${id}-desc` : undefined;
  const common = { id, name: field.id, 'aria-invalid': error ? true : undefined, 'aria-describedby': describedBy } as const;
  const text = typeof value === 'string' ? value : '';
  const tag = field.appliesTo && field.appliesTo.length === 1 ? FAMILY_TAG[field.appliesTo[0]!] : undefined;

  let input;
  if (field.type === 'boolean') {
    return (
      <div className={`field job-field ${error ? 'field-invalid' : ''}`}>
        <label className="check">
          <input type="checkbox" {...common} checked={value === true} onChange={(e) => props.onChange(e.target.checked)} />
          {field.label}
          {tag && <span className="os-tag">{tag}</span>}
        </label>
        {error && <FieldErrorText id={id} error={error} />}
      </div>
    );
  }
  if (field.type === 'string' && field.choices) {
    // A closed list: one radio per choice, its description as the choice's hint.
    return (
      <div role="radiogroup" aria-labelledby={`${id}-label`} className={`field job-field job-choices ${error ? 'field-invalid' : ''}`} id={id} data-testid={id} aria-describedby={describedBy}>
        <span className="choices-label" id={`${id}-label`}>
          {field.label}
          {tag && <span className="os-tag">{tag}</span>}
        </span>
        {field.choices.map((c) => (
          <label key={c.value} className="check" title={c.description}>
            <input type="radio" name={field.id} value={c.value} checked={value === c.value} onChange={() => props.onChange(c.value)} data-testid={`${id}-${c.value}`} />
            {c.label}
          </label>
        ))}
        {!error && field.description && (
          <small className="hint" id={`${id}-desc`}>
            {field.choices.find((c) => c.value === value)?.description ?? field.description}
          </small>
        )}
        {error && <FieldErrorText id={id} error={error} />}
      </div>
    );
  }
  if (field.type === 'multiline') {
    input = <textarea {...common} rows={3} placeholder={field.hint} value={text} onChange={(e) => props.onChange(e.target.value)} />;
  } else {
    const type = field.type === 'secret' ? 'password' : 'text';
    input = (
      <>
        <input
          {...common}
          type={type}
          autoComplete={field.type === 'secret' ? 'new-password' : 'off'}
          inputMode={field.type === 'integer' ? 'numeric' : undefined}
          placeholder={field.hint}
          list={options.length ? `${id}-options` : undefined}
          value={text}
          onChange={(e) => props.onChange(e.target.value)}
        />
        {options.length > 0 && (
          <datalist id={`${id}-options`} data-testid={`${id}-options`}>
            {options.map((o) => (
              <option key={o} value={o} />
            ))}
          </datalist>
        )}
      </>
    );
  }
  return (
    <div className={`field job-field ${error ? 'field-invalid' : ''}`}>
      <label htmlFor={id}>
        {field.label}
        {field.required && <span aria-hidden="true"> *</span>}
        {tag && <span className="os-tag">{tag}</span>}
      </label>
      {input}
      {!error && field.description && (
        <small className="hint" id={`${id}-desc`}>
          {field.description}
        </small>
      )}
      {error && <FieldErrorText id={id} error={error} />}
    </div>
  );
}

function FieldErrorText({ id, error }: { id: string; error: string }) {
  return (
    <small className="error" role="alert" id={`${id}-error`} data-testid={`error-${id}`}>
      {error}
    </small>
  );
}
