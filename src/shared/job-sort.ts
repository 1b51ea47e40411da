import type { JobRecord, JobSort } from './contract';

/**
 * The value a job list sorts on for each JobSort column: one definition for jobs.list in the
 * backend and the renderer's live list, so both put a job in the same place. Plain data, no
 * schemas: the page imports it.
 */
export function jobSortValue(job: JobRecord, by: JobSort['by']): string {
  switch (by) {
    case 'createdAt':
      return job.createdAt;
    case 'finishedAt':
      return job.finishedAt ?? '';
    case 'state':
      return job.state;
    case 'type':
      return job.type;
    case 'host':
      return (job.hostName ?? '').toLowerCase();
    case 'vm':
      return (job.vmName ?? '').toLowerCase();
  }
}
