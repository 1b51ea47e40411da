import { useEffect, useState, type FormEvent } from 'react';
import type { HostView, Settings, SettingsPatch } from '../../../shared/contract';
import { useApp } from '../../stores/app-store';
import { StatusDot, statusLabel } from '../../components/StatusDot';
import { errorsByField, Field } from './fields';
import { HostForm } from './HostForm';
import { DeploymentPanel } from '../deployment/DeploymentPanel';
import { compareNatural } from '../../components/natural-compare';
import { askConfirmation } from '../jobs/ConfirmDialog';

export function SettingsView() {
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      <HostsSection />
      <DeploymentPanel />
      <GeneralSettings />
    </section>
  );
}

function HostsSection() {
  const hosts = useApp((s) => s.hosts);
  const backend = useApp((s) => s.backend);
  const toast = useApp((s) => s.toast);
  const [editing, setEditing] = useState<string | 'new' | undefined>();
  const list = Object.values(hosts).sort((a, b) => compareNatural(a.displayName, b.displayName));

  // Always asked, whatever ui.confirmDestructiveActions says: that setting is about VM actions,
  // and a removed host's password cannot be brought back without typing it again.
  const remove = async (host: HostView) => {
    if (!backend) return;
    const confirmed = await askConfirmation({
      title: `Remove ${host.displayName}?`,
      target: `${host.displayName} (${host.address})`,
      consequence: 'Its stored password is deleted and its VMs leave the inventory. Nothing changes on the host itself; add it again to manage it.',
      confirmLabel: 'Remove host',
    });
    if (!confirmed) return;
    const result = await backend.invoke('hosts.remove', { id: host.id });
    if (!result.ok) toast('error', result.error.message);
  };

  return (
    <div className="panel">
      <div className="panel-head">
        <h2>Hosts</h2>
        <button className="primary" onClick={() => setEditing('new')} disabled={editing === 'new'} data-testid="add-host">
          Add host
        </button>
      </div>
      {editing === 'new' && <HostForm onDone={() => setEditing(undefined)} />}
      {list.length === 0 && editing !== 'new' && <p className="muted">No hosts yet.</p>}
      <ul className="host-list" data-testid="host-list">
        {list.map((h) => (
          <li key={h.id}>
            {editing === h.id ? (
              <HostForm host={h} onDone={() => setEditing(undefined)} />
            ) : (
              <div className="host-row">
                <StatusDot status={h.status} />
                <span className="host-name">{h.displayName}</span>
                <span className="muted">
                  {h.transport}://{h.address}:{h.port} · {h.auth.toUpperCase()} · {h.username}
                  {h.cluster ? ` · ${h.cluster}` : ''} · {statusLabel(h.status)}
                </span>
                <span className="row-actions">
                  <button onClick={() => setEditing(h.id)}>Edit</button>
                  <button onClick={() => void remove(h)} data-testid={`remove-host-${h.id}`}>
                    Remove
                  </button>
                </span>
              </div>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

function GeneralSettings() {
  const settings = useApp((s) => s.settings);
  const backend = useApp((s) => s.backend);
  const setSettings = useApp((s) => s.setSettings);
  const toast = useApp((s) => s.toast);
  const [draft, setDraft] = useState<Settings | undefined>(settings);
  const [errors, setErrors] = useState<Record<string, string>>({});
  useEffect(() => setDraft(settings), [settings]);
  if (!draft) return null;

  const num = (value: string) => (value.trim() === '' || Number.isNaN(Number(value)) ? (value as unknown as number) : Number(value));
  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (!backend) return;
    const patch: SettingsPatch = { inventory: draft.inventory, agent: draft.agent, artifactServer: draft.artifactServer, jobs: draft.jobs, log: draft.log, ui: { confirmDestructiveActions: draft.ui.confirmDestructiveActions }, metrics: draft.metrics, reachability: draft.reachability, timeline: draft.timeline, hygiene: draft.hygiene };
    const result = await backend.invoke('settings.update', patch);
    if (result.ok) {
      setErrors({});
      setSettings(result.data);
      toast('success', 'Settings saved.');
    } else {
      setErrors(errorsByField(result.error.details?.fields));
      toast('error', result.error.message);
    }
  };
  const field = (section: 'inventory' | 'agent' | 'artifactServer' | 'jobs' | 'log' | 'metrics' | 'reachability' | 'timeline' | 'hygiene', key: string, label: string, numeric = false) => {
    const id = `${section}.${key}`;
    const value = (draft[section] as Record<string, unknown>)[key];
    return (
      <Field id={id} label={label} error={errors[id]}>
        <input
          id={id}
          value={String(value)}
          inputMode={numeric ? 'numeric' : undefined}
          aria-invalid={Boolean(errors[id])}
          onChange={(e) => setDraft({ ...draft, [section]: { ...draft[section], [key]: numeric ? num(e.target.value) : e.target.value } })}
        />
      </Field>
    );
  };

  return (
    <form className="panel" onSubmit={(e) => void save(e)} noValidate aria-label="General settings">
      <h2>Inventory</h2>
      <div className="grid">
        {field('inventory', 'fullSyncIntervalS', 'Full sync interval (s)', true)}
        {field('inventory', 'quickSyncIntervalS', 'Quick status sync interval (s)', true)}
        {field('metrics', 'retentionHours', 'Keep CPU and memory history (hours)', true)}
        {field('timeline', 'retentionDays', 'Keep the VM and host timeline (days)', true)}
      </div>
      <h2>Agent</h2>
      <div className="grid">
        {field('agent', 'installDir', 'Install directory on hosts')}
        {field('agent', 'downloadAttempts', 'Download attempts', true)}
        {field('agent', 'downloadRetryIntervalS', 'Retry interval (s)', true)}
      </div>
      <h2>Artifact server</h2>
      <p className="muted">Hosts download the agent from this workstation; the address must be reachable from every host.</p>
      <div className="grid">
        {field('artifactServer', 'bindAddress', 'Listen address')}
        {field('artifactServer', 'port', 'Port', true)}
        {field('artifactServer', 'advertisedBaseUrl', 'URL advertised to hosts')}
      </div>
      <h2>Jobs</h2>
      <div className="grid">
        {field('jobs', 'workers', 'Parallel job workers', true)}
        {field('jobs', 'retentionDays', 'Keep finished jobs (days)', true)}
        {field('jobs', 'maxJobs', 'Keep at most (jobs)', true)}
        {field('jobs', 'maxOutputLinesPerJob', 'Output lines kept per job', true)}
      </div>
      <h2>VM actions</h2>
      <label className="check">
        <input
          type="checkbox"
          checked={draft.ui.confirmDestructiveActions}
          onChange={(e) => setDraft({ ...draft, ui: { ...draft.ui, confirmDestructiveActions: e.target.checked } })}
          data-testid="setting-confirm-destructive"
        />
        Ask before Turn off, Shut down, Restart and Save (on one VM and in bulk)
      </label>
      <h2>Connecting to VMs</h2>
      <label className="check">
        <input
          type="checkbox"
          checked={draft.reachability.enabled}
          onChange={(e) => setDraft({ ...draft, reachability: { ...draft.reachability, enabled: e.target.checked } })}
          data-testid="setting-reachability-enabled"
        />
        Probe Running VMs for RDP and SSH from this workstation
      </label>
      <div className="grid">
        {field('reachability', 'rdpPort', 'RDP port', true)}
        {field('reachability', 'sshPort', 'SSH port', true)}
        {field('reachability', 'concurrency', 'Probes at once', true)}
        {field('reachability', 'timeoutMs', 'Connect timeout (ms)', true)}
        {field('reachability', 'intervalS', 'Probe again after (s)', true)}
      </div>
      <h2>Hygiene</h2>
      <div className="grid">
        {field('hygiene', 'checkpointDays', 'Checkpoints old after (days)', true)}
        {field('hygiene', 'heartbeatMinutes', 'Running without heartbeat for (minutes)', true)}
        {field('hygiene', 'savedDays', 'Saved for longer than (days)', true)}
      </div>
      <h2>App log</h2>
      <div className="grid">
        {field('log', 'maxFileMB', 'Size per log file (MB)', true)}
        {field('log', 'keepFiles', 'Rotated files kept', true)}
      </div>
      <button type="submit" className="primary">
        Save settings
      </button>
    </form>
  );
}
