import { useEffect, useMemo, useState } from 'react';
import type { JobSort, JobState, JobType } from '../../../shared/contract';
import { useApp } from '../../stores/app-store';
import { rememberJobs, useJobs } from '../../stores/jobs-store';
import { exportJobs } from './job-commands';
import { contractFilter, filterJobs, jobTitle, TYPE_LABEL, type ListFilter } from './jobs-list-model';
import { JobStateBadge } from './JobStateBadge';
import { JOB_STATE_LABEL } from '../../../shared/job-words';
import { clockTime, duration } from './output-model';
import './jobs.css';
import { compareNatural } from '../../components/natural-compare';
import { counted } from '../../../shared/counted';

const STATES: JobState[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted'];
const TYPES = Object.keys(TYPE_LABEL) as JobType[];
const COLUMNS: { by: JobSort['by']; label: string }[] = [
  { by: 'createdAt', label: 'Created' },
  { by: 'type', label: 'Job' },
  { by: 'host', label: 'Host' },
  { by: 'vm', label: 'VM' },
  { by: 'state', label: 'State' },
  { by: 'finishedAt', label: 'Finished' },
];

/** Every job (the topic's recent ones plus older ones matching the filter), filterable and sortable. */
export function JobsListView() {
  const backend = useApp((s) => s.backend);
  const hosts = useApp((s) => s.hosts);
  const navigate = useApp((s) => s.navigate);
  const jobs = useJobs((s) => s.jobs);
  const unavailable = useJobs((s) => s.unavailable);
  const [filter, setFilter] = useState<ListFilter>({});
  const [sort, setSort] = useState<JobSort>({ by: 'createdAt', dir: 'desc' });
  const [total, setTotal] = useState<number | undefined>();

  // Older jobs than the topic's 500 that match the filter come from jobs.list.
  useEffect(() => {
    let live = true;
    void backend?.invoke('jobs.list', { filter: contractFilter(filter), sort, limit: 500 }).then((result) => {
      if (!live || !result.ok) return;
      rememberJobs(result.data.jobs);
      setTotal(result.data.total);
    });
    return () => {
      live = false;
    };
  }, [backend, filter, sort]);

  const rows = useMemo(() => filterJobs(Object.values(jobs), filter, sort), [jobs, filter, sort]);
  const hostList = Object.values(hosts).sort((a, b) => compareNatural(a.displayName, b.displayName));
  const sortBy = (by: JobSort['by']) => setSort((s) => (s.by === by ? { by, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { by, dir: by === 'createdAt' || by === 'finishedAt' ? 'desc' : 'asc' }));

  return (
    <section aria-labelledby="jobs-title" className="jobs-view">
      <div className="panel-head">
        <h1 id="jobs-title">Jobs</h1>
        <div className="row-actions">
          <button onClick={() => void exportJobs({ filter: contractFilter(filter), format: 'ndjson' })} data-testid="export-ndjson">
            Export matching (.ndjson)
          </button>
          <button onClick={() => void exportJobs({ filter: contractFilter(filter), format: 'zip' })} data-testid="export-zip">
            Export matching (.zip)
          </button>
        </div>
      </div>
      {unavailable && (
        <p className="banner banner-warning" role="status">
          Jobs are unavailable: {unavailable}
        </p>
      )}
      <div className="vm-filters" role="group" aria-label="Filter jobs">
        <select aria-label="State" value={filter.state ?? ''} onChange={(e) => setFilter((f) => ({ ...f, state: (e.target.value || undefined) as JobState | undefined }))} data-testid="jobs-filter-state">
          <option value="">All states</option>
          {STATES.map((s) => (
            <option key={s} value={s}>
              {JOB_STATE_LABEL[s]}
            </option>
          ))}
        </select>
        <select aria-label="Type" value={filter.type ?? ''} onChange={(e) => setFilter((f) => ({ ...f, type: (e.target.value || undefined) as JobType | undefined }))} data-testid="jobs-filter-type">
          <option value="">All types</option>
          {TYPES.map((t) => (
            <option key={t} value={t}>
              {TYPE_LABEL[t]}
            </option>
          ))}
        </select>
        <select aria-label="Host" value={filter.hostId ?? ''} onChange={(e) => setFilter((f) => ({ ...f, hostId: e.target.value || undefined }))} data-testid="jobs-filter-host">
          <option value="">All hosts</option>
          {hostList.map((h) => (
            <option key={h.id} value={h.id}>
              {h.displayName}
            </option>
          ))}
        </select>
        <label className="check">
          <input type="checkbox" checked={!!filter.showItems} onChange={(e) => setFilter((f) => ({ ...f, showItems: e.target.checked }))} />
          Show bulk items
        </label>
        <span className="muted" data-testid="jobs-count">
          {counted(rows.length, 'job')}
          {total !== undefined && total > rows.length ? ` (${total} in history match)` : ''}
        </span>
      </div>
      <table className="table jobs-table">
        <thead>
          <tr>
            {COLUMNS.map((c) => (
              <th key={c.by} aria-sort={sort.by === c.by ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
                <button className="sort" onClick={() => sortBy(c.by)}>
                  {c.label}
                  {sort.by === c.by ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}
                </button>
              </th>
            ))}
            <th>Duration</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={7} className="muted">
                No jobs{filter.state || filter.type || filter.hostId ? ' match these filters' : ' yet'}.
              </td>
            </tr>
          )}
          {rows.map((job) => (
            <tr key={job.id} className="job-row" data-testid="job-row" data-job-id={job.id} onClick={() => navigate({ name: 'job', id: job.id })}>
              <td>{new Date(job.createdAt).toLocaleString()}</td>
              <td>
                <button className="link" onClick={() => navigate({ name: 'job', id: job.id })}>
                  {jobTitle(job)}
                </button>
              </td>
              <td>{job.hostName ?? (job.type === 'bulk' ? 'several' : '—')}</td>
              <td>{job.vmName ?? '—'}</td>
              <td>
                <JobStateBadge state={job.state} />
              </td>
              <td>{clockTime(job.finishedAt)}</td>
              <td>{duration(job.startedAt, job.finishedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** The Jobs navigation button (placed in the header), with the number of running jobs. */
export function JobsNavButton() {
  const navigate = useApp((s) => s.navigate);
  const running = useJobs((s) => Object.values(s.jobs).filter((j) => j.state === 'running' && !j.parentId).length);
  return (
    <button onClick={() => navigate({ name: 'jobs' })} data-testid="nav-jobs">
      Jobs{running > 0 && <span className="badge badge-info">{running}</span>}
    </button>
  );
}
