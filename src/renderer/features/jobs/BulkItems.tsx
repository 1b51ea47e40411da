import { useEffect, useMemo, useState } from 'react';
import type { JobRecord } from '../../../shared/contract';
import { useApp } from '../../stores/app-store';
import { rememberJobs, useJobs } from '../../stores/jobs-store';
import { JobStateBadge } from './JobStateBadge';
import { jobEndDetail } from '../../../shared/job-words';
import { compareNatural } from '../../components/natural-compare';
import { counted } from '../../../shared/counted';

const RETRYABLE = new Set(['failed', 'cancelled', 'interrupted']);

/** A bulk job's items: counts, a per-item results table, "Retry failed". */
export function BulkItems({ job }: { job: JobRecord }) {
  const backend = useApp((s) => s.backend);
  const navigate = useApp((s) => s.navigate);
  const toast = useApp((s) => s.toast);
  const jobs = useJobs((s) => s.jobs);
  const [busy, setBusy] = useState(false);

  // Items older than the topic's window come from jobs.list; the topic keeps them current after.
  useEffect(() => {
    let live = true;
    void backend?.invoke('jobs.list', { filter: { parentId: job.id }, limit: 5000 }).then((result) => {
      if (live && result.ok) rememberJobs(result.data.jobs);
    });
    return () => {
      live = false;
    };
  }, [backend, job.id]);

  const items = useMemo(
    () => Object.values(jobs).filter((j) => j.parentId === job.id).sort((a, b) => compareNatural(a.hostName ?? '', b.hostName ?? '') || compareNatural(a.vmName ?? '', b.vmName ?? '')),
    [jobs, job.id],
  );
  const retryable = items.filter((i) => RETRYABLE.has(i.state)).length;

  const retry = async () => {
    if (!backend) return;
    setBusy(true);
    const result = await backend.invoke('jobs.retryFailed', { id: job.id });
    setBusy(false);
    if (!result.ok) toast('error', result.error.message);
    else {
      rememberJobs(result.data.items);
      toast('info', `Queued ${counted(result.data.items.length, 'item')} again.`);
    }
  };

  const c = job.bulk;
  return (
    <div className="bulk-items">
      {c && (
        <p data-testid="bulk-counts">
          {c.total} items: {c.succeeded} succeeded, {c.failed} failed, {c.running} running, {c.queued} queued, {c.cancelled} cancelled
          {c.interrupted ? `, ${c.interrupted} interrupted` : ''}
        </p>
      )}
      <div className="row-actions">
        <button disabled={busy || retryable === 0} onClick={() => void retry()} data-testid="bulk-retry">
          Retry failed ({retryable})
        </button>
      </div>
      <table className="table compact-table" aria-label="Items">
        <thead>
          <tr>
            <th>VM</th>
            <th>Host</th>
            <th>State</th>
            <th>Result</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr key={item.id} data-testid="bulk-result" data-state={item.state}>
              <td>
                <button className="link" onClick={() => navigate({ name: 'job', id: item.id })}>
                  {item.vmName ?? item.vmId}
                </button>
              </td>
              <td>{item.hostName ?? item.hostId}</td>
              <td>
                <JobStateBadge state={item.state} />
              </td>
              <td className={item.state === 'failed' ? 'error' : 'muted'}>{item.error ? jobEndDetail(item) : item.state === 'succeeded' ? 'done' : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
