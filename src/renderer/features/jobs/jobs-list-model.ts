import type { JobFilter, JobRecord, JobSort, JobState, JobType } from '../../../shared/contract';
import { jobSortValue } from '../../../shared/job-sort';
export { jobTitle } from '../../../shared/job-words';

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

export const TYPE_LABEL: Record<JobType, string> = { 'vm.create': 'Create VM', 'vm.action': 'VM action', 'vm.delete': 'Delete VM', 'vm.operation': 'VM change', bulk: 'Bulk action' };
