import type { JobFilter, JobRecord, JobSort, JobState, JobType } from '../../../shared/contract';
import { jobSortValue } from '../../../shared/job-sort';
import { counted } from '../../../shared/counted';

export interface ListFilter {
  state?: JobState;
  type?: JobType;
  hostId?: string;
  /** Bulk items are shown on their bulk job's page; the list shows them only when asked. */
  showItems?: boolean;
}

/** The contract filter for jobs.list / jobs.export matching what the list shows. */
export function contractFilter(f: ListFilter): JobFilter {
  return { ...(f.state ? { state: [f.state] } : {}), ...(f.type ? { type: [f.type] } : {}), ...(f.hostId ? { hostId: f.hostId } : {}) };
}

/** Filters and sorts records the way jobs.list does (ties: newest first, then id). */
export function filterJobs(jobs: Iterable<JobRecord>, filter: ListFilter, sort: JobSort): JobRecord[] {
  const rows = [...jobs].filter(
    (j) =>
      (!filter.state || j.state === filter.state) &&
      (!filter.type || j.type === filter.type) &&
      (!filter.hostId || j.hostId === filter.hostId) &&
      (filter.showItems || !j.parentId),
  );
  const sign = sort.dir === 'asc' ? 1 : -1;
  return rows.sort((a, b) => {
    const x = jobSortValue(a, sort.by);
    const y = jobSortValue(b, sort.by);
    if (x !== y) return x < y ? -sign : sign;
    if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
    return a.id < b.id ? -1 : 1;
  });
}

export const TYPE_LABEL: Record<JobType, string> = { 'vm.create': 'Create VM', 'vm.action': 'VM action', 'vm.delete': 'Delete VM', bulk: 'Bulk action' };

/** "Create VM web01", "Shut down web01", "Bulk stop (12 VMs)". */
export function jobTitle(job: JobRecord): string {
  const vm = job.vmName ?? (typeof job.parameters.vmName === 'string' ? job.parameters.vmName : '');
  if (job.type === 'bulk') return `Bulk ${job.action ?? 'action'}${job.bulk ? ` (${counted(job.bulk.total, 'VM')})` : ''}`;
  if (job.type === 'vm.action') return `${job.action ?? 'Action'} ${vm}`.trim();
  return `${TYPE_LABEL[job.type]} ${vm}`.trim();
}
