import { useState, type FormEvent } from 'react';
import type { ConnectionTestResult, HostInput, HostPatch, HostView } from '../../../shared/contract';
import { credentialBoundChanges, credentialBoundList, passwordRequiredMessage, type CredentialBoundField } from '../../../shared/contract/host-rules';
import { useApp } from '../../stores/app-store';
import { ConnectionTestReport } from './ConnectionTestReport';
import { errorsByField, Field } from './fields';

interface Draft {
  displayName: string;
  address: string;
  port: string;
  transport: 'https' | 'http';
  auth: 'ntlm' | 'basic';
  allowUnencryptedBasic: boolean;
  username: string;
  password: string;
  cluster: string;
  enabled: boolean;
  tlsFingerprintSha256: string;
}

function draftFrom(host?: HostView): Draft {
  return {
    displayName: host?.displayName ?? '',
    address: host?.address ?? '',
    port: host ? String(host.port) : '',
    transport: host?.transport ?? 'https',
    auth: host?.auth ?? 'ntlm',
    allowUnencryptedBasic: host?.allowUnencryptedBasic ?? false,
    username: host?.username ?? '',
    password: '',
    cluster: host?.cluster ?? '',
    enabled: host?.enabled ?? true,
    tlsFingerprintSha256: host?.tlsFingerprintSha256 ?? '',
  };
}

/**
 * The "allow unencrypted Basic" box is only shown for Basic over HTTP; while hidden, the stored
 * value (false for a new host) stands, so a box ticked and then hidden changes nothing.
 */
function allowUnencryptedBasic(d: Draft, host?: HostView): boolean {
  return d.transport === 'http' && d.auth === 'basic' ? d.allowUnencryptedBasic : (host?.allowUnencryptedBasic ?? false);
}

/** Only what the user filled in is sent; the backend applies defaults and validates every field. */
function toInput(d: Draft, host?: HostView): HostInput {
  const port = d.port.trim() === '' ? undefined : Number(d.port);
  return {
    displayName: d.displayName,
    address: d.address,
    ...(port !== undefined ? { port: Number.isNaN(port) ? (d.port as unknown as number) : port } : {}),
    transport: d.transport,
    auth: d.auth,
    allowUnencryptedBasic: allowUnencryptedBasic(d, host),
    username: d.username,
    password: d.password,
    ...(d.cluster.trim() ? { cluster: d.cluster } : {}),
    enabled: d.enabled,
    ...(d.tlsFingerprintSha256.trim() ? { tlsFingerprintSha256: d.tlsFingerprintSha256.trim() } : {}),
  };
}

/** The edit form as a patch of the stored host: what Save stores and what Test connection tests. */
function toPatch(d: Draft, host: HostView): HostPatch {
  const { password, ...input } = toInput(d, host);
  return {
    id: host.id,
    ...input,
    ...(password ? { password } : {}),
    cluster: d.cluster.trim() ? d.cluster : null,
    tlsFingerprintSha256: d.tlsFingerprintSha256.trim() ? d.tlsFingerprintSha256.trim() : null,
  };
}

/**
 * The errors left once `key` was edited: its own goes (the user is fixing it), and typing the
 * password also answers the "changed: enter the password again" marks on the credential-bound fields.
 */
function errorsAfterEdit(errors: Record<string, string>, key: keyof Draft): Record<string, string> {
  const rest = Object.fromEntries(
    Object.entries(errors).filter(([field, message]) => field !== key && !(key === 'password' && message.startsWith('changed: enter the password'))),
  );
  return Object.keys(rest).length === Object.keys(errors).length ? errors : rest;
}

/** The credential-bound fields the draft changes on a stored host (the backend applies the same rule). */
function reboundFields(host: HostView | undefined, d: Draft): CredentialBoundField[] {
  if (!host) return [];
  const port = d.port.trim() === '' ? host.port : Number(d.port);
  return credentialBoundChanges(host, {
    address: d.address.trim().toLowerCase(),
    port,
    transport: d.transport,
    auth: d.auth,
    allowUnencryptedBasic: allowUnencryptedBasic(d, host),
    tlsFingerprintSha256: d.tlsFingerprintSha256.trim() || undefined,
  });
}

function passwordLabel(host: HostView | undefined, rebound: CredentialBoundField[]): string {
  if (!host) return 'Password';
  if (rebound.length > 0) return 'Password (required again)';
  return host.hasPassword ? 'Password (leave empty to keep)' : 'Password (none stored: enter it)';
}

export function HostForm({ host, onDone }: { host?: HostView; onDone(): void }) {
  const backend = useApp((s) => s.backend);
  const toast = useApp((s) => s.toast);
  const [draft, setDraft] = useState<Draft>(() => draftFrom(host));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<ConnectionTestResult | string | undefined>();
  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => {
    setDraft((d) => ({ ...d, [key]: value }));
    const next = errorsAfterEdit(errors, key);
    if (next === errors) return;
    setErrors(next);
    // The summary goes with the last field error it summarised.
    if (Object.keys(next).length === 0) setFormError(undefined);
  };
  const prefix = host ? `edit-${host.id}` : 'new-host';
  const rebound = reboundFields(host, draft);
  // Said before the user tries to save, and enforced again by the backend.
  const passwordMissing = host !== undefined && rebound.length > 0 && draft.password === '';

  const askForPassword = (): boolean => {
    if (!host || !passwordMissing) return false;
    const message = passwordRequiredMessage(host.displayName, rebound);
    setErrors({ password: message.replace(/^password: /, '') });
    setFormError(message);
    return true;
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!backend || askForPassword()) return;
    setBusy(true);
    const result = host ? await backend.invoke('hosts.update', toPatch(draft, host)) : await backend.invoke('hosts.add', toInput(draft));
    setBusy(false);
    if (result.ok) {
      toast('success', `${result.data.displayName} saved.`);
      onDone();
      return;
    }
    setErrors(errorsByField(result.error.details?.fields));
    setFormError(result.error.message);
  };

  const test = async () => {
    if (!backend) return;
    setReport(undefined);
    // The test checks the values in the form, not the saved ones; the saved password only goes
    // where it was entered for, so a changed address or port needs it typed (backend checks too).
    if (askForPassword()) return;
    setBusy(true);
    const result = await backend.invoke('hosts.testConnection', host ? { edited: toPatch(draft, host) } : { draft: toInput(draft) });
    setBusy(false);
    if (!result.ok) setErrors(errorsByField(result.error.details?.fields?.map((f) => ({ ...f, field: f.field.replace(/^(draft|edited)\./, '') }))));
    setReport(result.ok ? result.data : result.error.message);
  };

  const input = (key: keyof Draft, label: string, props: Record<string, unknown> = {}, hint?: string) => (
    <Field id={`${prefix}-${key}`} label={label} error={errors[key]} hint={hint}>
      <input
        id={`${prefix}-${key}`}
        name={key}
        value={String(draft[key])}
        aria-invalid={Boolean(errors[key])}
        onChange={(e) => set(key, e.target.value as never)}
        {...props}
      />
    </Field>
  );

  return (
    <form className="host-form" onSubmit={(e) => void submit(e)} noValidate aria-label={host ? `Edit ${host.displayName}` : 'Add host'}>
      <div className="grid">
        {input('displayName', 'Display name', { required: true, autoFocus: true })}
        {input('address', 'Address', { required: true, placeholder: 'hv01.corp.local' }, 'host name or IP, no scheme or port')}
        <Field id={`${prefix}-transport`} label="Transport" error={errors.transport}>
          <select id={`${prefix}-transport`} value={draft.transport} onChange={(e) => set('transport', e.target.value as Draft['transport'])}>
            <option value="https">HTTPS (5986)</option>
            <option value="http">HTTP, NTLM-encrypted (5985)</option>
          </select>
        </Field>
        {input('port', 'Port', { inputMode: 'numeric', placeholder: draft.transport === 'https' ? '5986' : '5985' })}
        <Field id={`${prefix}-auth`} label="Authentication" error={errors.auth}>
          <select id={`${prefix}-auth`} value={draft.auth} onChange={(e) => set('auth', e.target.value as Draft['auth'])}>
            <option value="ntlm">NTLM</option>
            <option value="basic">Basic</option>
          </select>
        </Field>
        {input('username', 'User name', { required: true, autoComplete: 'off', placeholder: 'CORP\\admin' })}
        {input('password', passwordLabel(host, rebound), { type: 'password', autoComplete: 'new-password', required: passwordMissing || !host })}
        {input('cluster', 'Cluster label (optional)')}
        {draft.transport === 'https' && input('tlsFingerprintSha256', 'Pinned certificate SHA-256 (optional)', {}, 'for self-signed host certificates')}
      </div>
      {host && rebound.length > 0 && (
        <p className="banner banner-warning" role="note" data-testid="password-again">
          You changed the {credentialBoundList(rebound)}: enter the password again. A saved password is only ever sent
          where it was entered for, so changing where or how it is sent needs it again.
        </p>
      )}
      {draft.transport === 'http' && draft.auth === 'basic' && (
        <label className="check">
          <input type="checkbox" checked={draft.allowUnencryptedBasic} onChange={(e) => set('allowUnencryptedBasic', e.target.checked)} /> Allow unencrypted
          Basic (sends the password in clear text)
        </label>
      )}
      <label className="check">
        <input type="checkbox" checked={draft.enabled} onChange={(e) => set('enabled', e.target.checked)} /> Enabled
      </label>
      {formError && (
        <p className="error" role="alert" data-testid="host-form-error">
          {formError}
        </p>
      )}
      <div className="row-actions">
        <button type="submit" className="primary" disabled={busy}>
          {host ? 'Save' : 'Add host'}
        </button>
        <button type="button" onClick={() => void test()} disabled={busy}>
          Test connection
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
      {report !== undefined && <ConnectionTestReport report={report} />}
    </form>
  );
}
