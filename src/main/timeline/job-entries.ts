import type { JobRecord } from '../../shared/contract';
import { jobEndDetail, jobTitle } from '../../shared/job-words';
import type { TimelineInput } from './timeline-store';
import { redactSecrets } from './redact';

const FINISHED = new Set<JobRecord['state']>(['succeeded', 'failed', 'cancelled', 'interrupted']);

/**
 * Who asked for a job. The backend does not learn which client sent a command (the Electron
 * window and browser clients reach the same handlers without a sender), so every job is this
 * workstation's until the transport passes one along.
 */
export const ASKED_BY_THIS_WORKSTATION = 'this workstation';

export function isFinished(job: JobRecord): boolean {
  return FINISHED.has(job.state);
}

/**
 * The VM timeline entry of a finished job: `field` its title ("Add a disk to web-20"), `to` its
 * result, `from` who asked, `detail` the error (masked again and cut short). A bulk job's parent
 * has none: each of its items is a job on one VM. A job with no VM (a create that failed before the
 * VM existed) has none either.
 */
export function jobEntry(job: JobRecord): TimelineInput | undefined {
  if (job.type === 'bulk' || !job.hostId) return undefined;
  const createdVmId = job.result && typeof job.result.vmId === 'string' ? job.result.vmId : null;
  const vmId = job.vmId ?? createdVmId;
  if (!vmId) return undefined;
  const detail = jobEndDetail(job);
  return {
    hostId: job.hostId,
    vmId,
    vmName: job.vmName,
    at: job.finishedAt ?? job.createdAt,
    kind: 'job',
    field: jobTitle(job),
    from: ASKED_BY_THIS_WORKSTATION,
    to: job.state,
    sync: null,
    detail: detail ? redactSecrets(detail) : null,
  };
}
