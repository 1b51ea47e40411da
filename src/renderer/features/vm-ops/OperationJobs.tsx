import type { InventoryVm, JobRecord } from '../../../shared/contract';
import { useApp } from '../../stores/app-store';
import { useJobs } from '../../stores/jobs-store';
import { operationProgress } from './operation-model';

const ACTIVE = new Set(['queued', 'running']);
/** A failure is shown on the VM page for this long after it ended (then the jobs list has it). */
const FAILURE_SHOWN_MS = 15 * 60_000;

/** The VM's edit, checkpoint and move jobs to show: those running, and the latest failure if recent. */
export function operationJobsOf(
  jobs: Record<string, JobRecord>,
  vm: Pick<InventoryVm, 'hostId' | 'vmId' | 'pending'>,
  now = Date.now(),
): { active: JobRecord[]; failed?: JobRecord } {
  const mine = Object.values(jobs).filter((j) => j.type === 'vm.operation' && j.vmId === vm.vmId);
  // The job the VM's pending note already shows (with its link) is not said twice.
  const active = mine.filter((j) => ACTIVE.has(j.state) && j.id !== vm.pending?.jobId).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const last = mine
    .filter((j) => !ACTIVE.has(j.state))
    .sort((a, b) => (b.finishedAt ?? b.createdAt).localeCompare(a.finishedAt ?? a.createdAt))[0];
  const recent =
    last && last.state === 'failed' && now - Date.parse(last.finishedAt ?? last.createdAt) < FAILURE_SHOWN_MS;
  return recent ? { active, failed: last } : { active };
}

/**
 * On the VM page: each edit job in flight with the table's progress text and a link to its live
 * output, and the latest one that failed with the host's reason in words.
 */
export function OperationJobs({ vm }: { vm: InventoryVm }) {
  const jobs = useJobs((s) => s.jobs);
  const navigate = useApp((s) => s.navigate);
  const { active, failed } = operationJobsOf(jobs, vm);
  if (!active.length && !failed) return null;
  return (
    <div className="op-jobs" data-testid="op-jobs">
      {active.map((j) => (
        <span key={j.id} className="pending-note" role="status" data-testid="op-job-active">
          {operationProgress(j.action ?? '')}
          <button className="link" onClick={() => navigate({ name: 'job', id: j.id })}>
            view job
          </button>
        </span>
      ))}
      {failed && (
        <span className="error" role="alert" data-testid="op-job-failed">
          {operationProgress(failed.action ?? '').replace('…', '')} failed:{' '}
          {failed.error?.message ?? 'see the job'}{' '}
          <button className="link" onClick={() => navigate({ name: 'job', id: failed.id })}>
            view job
          </button>
        </span>
      )}
    </div>
  );
}
