import { useEffect, useState } from 'react';
import type { BulkAnyRequest, BulkPreviewResponse } from '../../../shared/contract';
import { vmOperationDef } from '../../../shared/contract/vm-operations';
import { useApp } from '../../stores/app-store';
import { rememberJobs, useJobs } from '../../stores/jobs-store';
import { perHostCounts } from './bulk-model';
import { Dialog } from './Dialog';
import { ACTION_LABEL } from './vm-action-model';
import { bulkConsequence } from './confirm-model';
import { confirmsDestructive } from './job-commands';
import { counted } from '../../../shared/counted';

/**
 * What a bulk action will do (vm.bulkPreview): per VM will run / skipped and why, per host; Run
 * queues it. It is also the question before a destructive bulk action: it names how many VMs on how
 * many hosts and what they lose (the same words as the one-VM question), and Enter runs it.
 */
export function BulkPreviewDialog() {
  const request = useJobs((s) => s.bulkRequest);
  if (!request) return null;
  return <Preview key={JSON.stringify(request)} request={request} onClose={() => useJobs.setState({ bulkRequest: undefined })} />;
}

function Preview({ request, onClose }: { request: BulkAnyRequest; onClose(): void }) {
  const backend = useApp((s) => s.backend);
  const navigate = useApp((s) => s.navigate);
  const [preview, setPreview] = useState<BulkPreviewResponse | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const confirm = useApp((s) => confirmsDestructive(s.settings));
  // A power action's question, or a bulk edit's from the one table (checkpoint.create asks nothing).
  const consequence = 'action' in request ? bulkConsequence(request.action, confirm) : confirm ? (vmOperationDef(request.operation).ask?.consequence ?? undefined) : undefined;

  useEffect(() => {
    let live = true;
    void backend?.invoke('vm.bulkPreview', request).then((result) => {
      if (!live) return;
      if (result.ok) setPreview(result.data);
      else setError(result.error.message);
    });
    return () => {
      live = false;
    };
  }, [backend, request]);

  const run = async () => {
    if (!backend) return;
    setBusy(true);
    const result = await backend.invoke('vm.bulkRun', request);
    setBusy(false);
    if (!result.ok) {
      setError(result.error.message);
      return;
    }
    rememberJobs([result.data.job, ...result.data.items]);
    onClose();
    navigate({ name: 'job', id: result.data.job.id });
  };

  const label = 'action' in request ? ACTION_LABEL[request.action] : vmOperationDef(request.operation).label.replace(/…$/, '');
  return (
    <Dialog title={`${label}: preview`} onClose={onClose} wide onEnter={() => preview && preview.willRun > 0 && !busy && void run()}>
      {!preview && !error && <p className="muted">Checking {request.targets.length} VMs…</p>}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {preview && (
        <div data-testid="bulk-preview">
          <p data-testid="bulk-summary">
            {preview.willRun} will run, {preview.skipped} skipped, on {counted(preview.hosts, 'host')}.
          </p>
          {consequence && preview.willRun > 0 && (
            <p className="confirm-consequence" data-testid="bulk-consequence">
              {consequence}
            </p>
          )}
          <table className="table compact-table" aria-label="Per host">
            <thead>
              <tr>
                <th>Host</th>
                <th>Will run</th>
                <th>Skipped</th>
              </tr>
            </thead>
            <tbody>
              {perHostCounts(preview.items).map((h) => (
                <tr key={h.hostId}>
                  <td>{h.hostName}</td>
                  <td>{h.willRun}</td>
                  <td>{h.skipped}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="dialog-scroll">
            <table className="table compact-table" aria-label="Per VM">
              <thead>
                <tr>
                  <th>VM</th>
                  <th>Host</th>
                  <th>State</th>
                  <th>Outcome</th>
                </tr>
              </thead>
              <tbody>
                {preview.items.map((item) => (
                  <tr key={`${item.hostId}:${item.vmId}`} data-testid="bulk-item" data-will-run={item.willRun} data-skip={item.skipCode ?? ''}>
                    <td>{item.vmName ?? item.vmId}</td>
                    <td>{item.hostName ?? item.hostId}</td>
                    <td>{item.state ?? '—'}</td>
                    <td>{item.willRun ? <span className="ok-text">will run</span> : <span className="muted">skipped: {item.reason}</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
      <div className="row-actions">
        <button className={consequence ? 'danger' : 'primary'} disabled={!preview || preview.willRun === 0 || busy} onClick={() => void run()} data-testid="bulk-run">
          {busy ? 'Queuing…' : preview ? `${label} ${counted(preview.willRun, 'VM')}` : label}
        </button>
        <button onClick={onClose} data-testid="bulk-cancel">
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
