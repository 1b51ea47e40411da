import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import type { HostOptions, JobField, JobInputSchema, OsFamily, ParameterSet } from '../../../shared/contract';
import { KIND_FIELD } from '../../../shared/contract/create-kinds';
import { useApp } from '../../stores/app-store';
import { rememberJobs } from '../../stores/jobs-store';
import { appliesTo, NO_OPTIONS, optionsFor, unavailableReason } from './host-options';
import { JobFieldInput, type DraftValue } from './JobFieldInput';
import './jobs.css';
import { compareNatural } from '../../components/natural-compare';
import { counted } from '../../../shared/counted';

type Outcome = { kind: 'valid'; warnings: string[] } | { kind: 'invalid'; count: number; warnings: string[] } | { kind: 'error'; message: string; stale?: boolean };

function initialDraft(schema: JobInputSchema): Record<string, DraftValue> {
  const draft: Record<string, DraftValue> = {};
  for (const f of schema.fields) {
    if (f.type === 'boolean') draft[f.id] = f.default ?? false;
    else if ('default' in f && f.default !== undefined) draft[f.id] = String(f.default);
  }
  return draft;
}

function setMembers(set: ParameterSet): string[] {
  return set.kind === 'allOrNone' ? set.members : [...new Set(set.variants.flatMap((v) => [...v.required, ...(v.optional ?? [])]))];
}

/** Switches and VM folders the inventory has seen on the host; free text when it has none. */
function useHostOptions(hostId: string): HostOptions {
  const backend = useApp((s) => s.backend);
  const [options, setOptions] = useState<HostOptions>(NO_OPTIONS);
  useEffect(() => {
    let live = true;
    setOptions(NO_OPTIONS);
    if (!backend || !hostId) return;
    void backend.invoke('inventory.hostOptions', { hostId }).then((result) => {
      if (live && result.ok) setOptions(result.data);
    });
    return () => {
      live = false;
    };
  }, [backend, hostId]);
  return options;
}

/**
 * Whether a field belongs on the form for the chosen kind of VM (blank, template, customised) and,
 * for a blank VM, its boot source: the ISO path means nothing for network boot.
 */
function forKind(field: JobField, draft: Record<string, DraftValue>): boolean {
  const kind = draft[KIND_FIELD];
  if (field.kinds && typeof kind === 'string' && !field.kinds.includes(kind)) return false;
  return !(field.id === 'isoPath' && draft.bootSource === 'network');
}

/**
 * The create-VM form, rendered entirely from the backend's job input schema: sections, then one
 * group per parameter set; fields of the other OS family or of another kind of VM hidden (and not
 * sent); errors come from jobs.validate (the same check a submission runs), shown next to their fields.
 */
export function CreateVmForm() {
  const backend = useApp((s) => s.backend);
  const hosts = useApp((s) => s.hosts);
  const [schema, setSchema] = useState<JobInputSchema | undefined>();
  const [loadError, setLoadError] = useState<string | undefined>();
  const [draft, setDraft] = useState<Record<string, DraftValue>>({});
  const [family, setFamily] = useState<OsFamily>('windows');
  const [hostId, setHostId] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [outcome, setOutcome] = useState<Outcome | undefined>();
  const [busy, setBusy] = useState<'check' | 'create' | undefined>();
  const navigate = useApp((s) => s.navigate);
  const options = useHostOptions(hostId);

  const load = useCallback(async () => {
    if (!backend) return;
    const result = await backend.invoke('jobs.schema', {});
    if (!result.ok) {
      setLoadError(result.error.message);
      return;
    }
    setLoadError(undefined);
    setSchema(result.data as JobInputSchema);
    setDraft(initialDraft(result.data as JobInputSchema));
    setErrors({});
    setOutcome(undefined);
  }, [backend]);
  useEffect(() => {
    void load();
  }, [load]);

  const hostList = useMemo(() => Object.values(hosts).sort((a, b) => compareNatural(a.displayName, b.displayName)), [hosts]);
  const host = hostId ? hosts[hostId] : undefined;
  const blocked = unavailableReason(host);

  if (loadError) {
    return (
      <section className="panel" aria-label="Create virtual machine">
        <h1>Create virtual machine</h1>
        <p className="error" role="alert">
          The form cannot be shown: {loadError}
        </p>
      </section>
    );
  }
  if (!schema) return <p className="muted">Loading the form…</p>;

  const byId = new Map(schema.fields.map((f) => [f.id, f]));
  const inSet = new Set(schema.parameterSets.flatMap(setMembers));
  const visible = (f: JobField) => appliesTo(f, family) && forKind(f, draft);

  const set = (id: string, value: DraftValue) => {
    setDraft((d) => ({ ...d, [id]: value }));
    setErrors((e) => {
      if (!(id in e)) return e;
      const next = { ...e };
      delete next[id];
      return next;
    });
  };

  const render = (f: JobField) => (
    <JobFieldInput key={f.id} field={f} value={draft[f.id]} error={errors[f.id]} options={optionsFor(f, options)} onChange={(v) => set(f.id, v)} />
  );

  // Only the fields shown for this OS family and kind of VM are sent; the backend refuses the others.
  const shownFields = () => Object.fromEntries(schema.fields.filter(visible).flatMap((f) => (draft[f.id] === undefined ? [] : [[f.id, draft[f.id]]])));

  const showFieldErrors = (list: { field: string; message: string }[]) => {
    const next: Record<string, string> = {};
    for (const e of list) next[e.field] ??= e.message;
    setErrors(next);
  };

  /** Queues the job (validated and safeguarded by the backend), then opens its page. */
  const create = async () => {
    if (!backend || !hostId) return;
    setBusy('create');
    const result = await backend.invoke('jobs.submit', { schemaVersion: schema.version, hostId, imageOsFamily: family, fields: shownFields() });
    setBusy(undefined);
    if (!result.ok) {
      const fields = result.error.details?.fields ?? [];
      if (fields.length) {
        showFieldErrors(fields);
        setOutcome({ kind: 'invalid', count: fields.length, warnings: [] });
      } else setOutcome({ kind: 'error', message: result.error.message, stale: result.error.code === 'SCHEMA_OUT_OF_DATE' });
      return;
    }
    rememberJobs([result.data.job]);
    if (result.data.warnings.length) useApp.getState().toast('warning', result.data.warnings.join(' '));
    navigate({ name: 'job', id: result.data.job.id });
  };

  const check = async (event: FormEvent) => {
    event.preventDefault();
    if (!backend) return;
    setBusy('check');
    const fields = shownFields();
    const result = await backend.invoke('jobs.validate', { schemaVersion: schema.version, imageOsFamily: family, fields, ...(hostId ? { hostId } : {}) });
    setBusy(undefined);
    if (!result.ok) {
      setOutcome({ kind: 'error', message: result.error.message, stale: result.error.code === 'SCHEMA_OUT_OF_DATE' });
      return;
    }
    if (result.data.valid) {
      setErrors({});
      setOutcome({ kind: 'valid', warnings: result.data.warnings });
    } else {
      showFieldErrors(result.data.errors);
      setOutcome({ kind: 'invalid', count: result.data.errors.length, warnings: result.data.warnings });
    }
  };

  const strayErrors = Object.entries(errors).filter(([id]) => !byId.has(id) || !visible(byId.get(id)!));

  return (
    <section className="create-vm" aria-label="Create virtual machine">
      <h1>{schema.title}</h1>
      <form aria-label="Create VM" onSubmit={(e) => void check(e)} noValidate>
        <div className="panel job-target">
          <div className="grid">
            <div className="field">
              <label htmlFor="job-host">Host</label>
              <select id="job-host" value={hostId} onChange={(e) => setHostId(e.target.value)}>
                <option value="">{hostList.length ? 'Choose a host…' : 'No hosts configured'}</option>
                {hostList.map((h) => (
                  <option key={h.id} value={h.id}>
                    {h.displayName} ({h.status})
                  </option>
                ))}
              </select>
              {hostId && !options.known && <small className="hint">Networks and storage are not known for this host yet: type them.</small>}
            </div>
            <fieldset className="field os-family">
              <legend>Guest OS family</legend>
              {(['windows', 'linux'] as const).map((f) => (
                <label key={f} className="check">
                  <input type="radio" name="osFamily" value={f} checked={family === f} onChange={() => setFamily(f)} />
                  {f === 'windows' ? 'Windows' : 'Linux'}
                </label>
              ))}
            </fieldset>
          </div>
          {blocked && (
            <p className="banner banner-warning" role="status" data-testid="create-vm-blocked">
              {blocked}
            </p>
          )}
        </div>

        <fieldset disabled={!!blocked || !!busy} className="job-fieldsets">
          {schema.sections.map((section) => {
            const fields = schema.fields.filter((f) => f.section === section.id && !inSet.has(f.id) && visible(f));
            if (!fields.length) return null;
            return (
              <fieldset key={section.id} className="panel job-group" data-testid={`section-${section.id}`}>
                <legend>{section.label}</legend>
                <div className="grid">{fields.map(render)}</div>
              </fieldset>
            );
          })}
          {schema.parameterSets.map((ps) => {
            const fields = setMembers(ps).map((id) => byId.get(id)!).filter((f) => f && visible(f));
            if (!fields.length) return null;
            return (
              <fieldset key={ps.id} className="panel job-group" data-testid={`set-${ps.id}`}>
                <legend>{ps.label}</legend>
                {ps.description && <p className="muted">{ps.description}</p>}
                <div className="grid">{fields.map(render)}</div>
              </fieldset>
            );
          })}
        </fieldset>

        {strayErrors.length > 0 && (
          <ul className="error" role="alert">
            {strayErrors.map(([id, message]) => (
              <li key={id}>
                {byId.get(id)?.label ?? id}: {message}
              </li>
            ))}
          </ul>
        )}
        <div className="row-actions">
          <button type="submit" disabled={!!blocked || !!busy} data-testid="create-vm-check">
            {busy === 'check' ? 'Checking…' : 'Check'}
          </button>
          <button type="button" className="primary" disabled={!!blocked || !!busy || !hostId} onClick={() => void create()} data-testid="create-vm-submit" title={hostId ? 'Queue the create-VM job' : 'Choose a host first'}>
            {busy === 'create' ? 'Creating…' : 'Create VM'}
          </button>
          <span className="muted">{hostId ? 'Check validates without queuing anything.' : 'Choose a host to create the VM on.'}</span>
        </div>
        <Result outcome={outcome} onReload={() => void load()} />
      </form>
    </section>
  );
}

function Result({ outcome, onReload }: { outcome: Outcome | undefined; onReload(): void }) {
  if (!outcome) return null;
  return (
    <div className="report" role="status" data-testid="create-vm-result">
      {outcome.kind === 'valid' && <p className="ok-text">All values are valid.</p>}
      {outcome.kind === 'invalid' && (
        <p className="error">
          {counted(outcome.count, 'problem')} found; see the marked fields.
        </p>
      )}
      {outcome.kind === 'error' && (
        <p className="error">
          {outcome.message}{' '}
          {outcome.stale && (
            <button type="button" onClick={onReload}>
              Reload the form
            </button>
          )}
        </p>
      )}
      {outcome.kind !== 'error' && outcome.warnings.length > 0 && (
        <ul className="warnings">
          {outcome.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The navigation entry (placed by App.tsx). */
export function CreateVmNavButton() {
  const navigate = useApp((s) => s.navigate);
  const active = useApp((s) => s.view.name === 'create-vm');
  return (
    <button className={`create-vm-nav ${active ? 'primary' : ''}`} onClick={() => navigate({ name: 'create-vm' })} data-testid="nav-create-vm">
      + New VM
    </button>
  );
}
