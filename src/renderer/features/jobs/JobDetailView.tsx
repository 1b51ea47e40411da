import { useEffect, useState } from 'react';
import type { JobInputSchema, JobRecord } from '../../../shared/contract';
import { FINISHED_JOB_STATES } from '../../../shared/contract/vm-actions';
import { jobEndDetail } from '../../../shared/job-words';
import type { Backend } from '../../backend/backend';
import { useApp } from '../../stores/app-store';
import { useJobs, watchJobOutput } from '../../stores/jobs-store';
import { BulkItems } from './BulkItems';
import { cancelJob, exportJobs } from './job-commands';
import { jobTitle, TYPE_LABEL } from './jobs-list-model';
import { JobOutput } from './JobOutput';
import { JobStateBadge } from './JobStateBadge';
import { ProvisioningSteps } from './ProvisioningSteps';
import { duration } from './output-model';
import { diskOutcome, parameterRows } from './job-facts-model';
import './jobs.css';

const EMPTY: never[] = [];

/** One job: what it is, where, its timings and parameters (secrets arrive masked), live output, cancel, export. */
export function JobDetailView({ id }: { id: string }) {
  const job = useJobs((s) => s.jobs[id]);
  const output = useJobs((s) => s.output[id]);
  const navigate = useApp((s) => s.navigate);
  useEffect(() => watchJobOutput(id), [id]);
  useTick(!!job && !FINISHED_JOB_STATES.includes(job.state));

  if (!job) {
    return output?.error ? (
      <p className="error" role="alert">
        {output.error}
      </p>
    ) : (
      <p className="muted">Loading job {id}…</p>
    );
  }
  const finished = FINISHED_JOB_STATES.includes(job.state);
  const vmKey = job.hostId && job.vmId ? `${job.hostId}:${job.vmId}` : undefined;

  return (
    <section aria-labelledby="job-title" className="job-detail" data-testid="job-detail" data-job-id={job.id}>
      <div className="panel-head">
        <h1 id="job-title">{jobTitle(job)}</h1>
        <div className="row-actions">
          {!finished && (
            <button className="danger" onClick={() => void cancelJob(job.id)} data-testid="job-cancel">
              {job.type === 'bulk' ? 'Cancel the rest' : 'Cancel'}
            </button>
          )}
          <button onClick={() => void exportJobs({ id: job.id, format: 'log' })} data-testid="export-log">
            Export .log
          </button>
          <button onClick={() => void exportJobs({ id: job.id, format: 'json' })} data-testid="export-json">
            Export .json
          </button>
        </div>
      </div>
      <dl className="facts" data-testid="job-facts">
        <dt>State</dt>
        <dd>
          <JobStateBadge state={job.state} />
          {job.error && (
            <span className={job.state === 'failed' ? 'error' : 'muted'} data-testid="job-error">
              {' '}
              {jobEndDetail(job)}
            </span>
          )}
        </dd>
        <dt>Type</dt>
        <dd>{TYPE_LABEL[job.type]}</dd>
        {job.type !== 'bulk' && (
          <>
            <dt>Host</dt>
            <dd>
              {job.hostId ? (
                <button className="link" onClick={() => navigate({ name: 'host', id: job.hostId! })}>
                  {job.hostName ?? job.hostId}
                </button>
              ) : (
                '—'
              )}
            </dd>
            <dt>VM</dt>
            <dd>{vmKey ? <button className="link" onClick={() => navigate({ name: 'vm', key: vmKey })}>{job.vmName ?? job.vmId}</button> : (job.vmName ?? '—')}</dd>
          </>
        )}
        <dt>Created</dt>
        <dd>{new Date(job.createdAt).toLocaleString()}</dd>
        <dt>Started</dt>
        <dd>{job.startedAt ? new Date(job.startedAt).toLocaleString() : 'not yet'}</dd>
        <dt>Finished</dt>
        <dd>{job.finishedAt ? new Date(job.finishedAt).toLocaleString() : '—'}</dd>
        <dt>Duration</dt>
        <dd data-testid="job-duration">{duration(job.startedAt, job.finishedAt)}</dd>
        {job.parentId && (
          <>
            <dt>Part of</dt>
            <dd>
              <button className="link" onClick={() => navigate({ name: 'job', id: job.parentId! })}>
                bulk job {job.parentId}
              </button>
            </dd>
          </>
        )}
      </dl>
      {job.warnings.length > 0 && (
        <ul className="warnings" data-testid="job-warnings">
          {job.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
      <ProvisioningSteps job={job} lines={output?.lines ?? EMPTY} />
      <DiskFiles job={job} />
      {job.type === 'bulk' ? <BulkItems job={job} /> : <Parameters job={job} />}
      {job.type !== 'bulk' && (
        <>
          <h2>Output</h2>
          <JobOutput lines={output?.lines ?? EMPTY} loading={output?.loading ?? true} error={output?.error} />
        </>
      )}
    </section>
  );
}

function Parameters({ job }: { job: JobRecord }) {
  const schema = useJobSchema(job.type === 'vm.create');
  const hosts = useApp((s) => s.hosts);
  const rows = parameterRows(job.parameters, schema, (id) => hosts[id]?.displayName);
  if (!rows.length) return null;
  return (
    <details className="panel job-params" open={job.type === 'vm.create'}>
      <summary>Parameters ({rows.length})</summary>
      <dl className="facts" data-testid="job-parameters">
        {rows.map((row) => (
          <div key={row.key} className="param" data-key={row.key}>
            <dt title={row.key}>{row.label}</dt>
            <dd className="mono">{row.value}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}

/** A delete's disk files: which the host deleted and which it kept, and why (the agent's result). */
function DiskFiles({ job }: { job: JobRecord }) {
  const outcome = diskOutcome(job);
  if (!outcome) return null;
  return (
    <div className="panel job-disks" data-testid="job-disks">
      <h2>Disk files</h2>
      {outcome.deleted.length === 0 && outcome.kept.length === 0 && <p className="muted">The VM had no disk files attached.</p>}
      {outcome.deleted.length > 0 && (
        <>
          <h3>Deleted ({outcome.deleted.length})</h3>
          <ul data-testid="disks-deleted">
            {outcome.deleted.map((path) => (
              <li key={path} className="mono">
                {path}
              </li>
            ))}
          </ul>
        </>
      )}
      {outcome.kept.length > 0 && (
        <>
          <h3>Kept ({outcome.kept.length})</h3>
          <ul data-testid="disks-kept">
            {outcome.kept.map((k) => (
              <li key={k.path}>
                <span className="mono">{k.path}</span>
                {k.reason && <span className="muted"> — {k.reason}</span>}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}

// The create-VM schema, fetched once per backend: its labels name a create job's parameters.
const schemas = new WeakMap<Backend, Promise<JobInputSchema | undefined>>();

function useJobSchema(wanted: boolean): JobInputSchema | undefined {
  const backend = useApp((s) => s.backend);
  const [schema, setSchema] = useState<JobInputSchema | undefined>();
  useEffect(() => {
    if (!wanted || !backend) return;
    let live = true;
    let pending = schemas.get(backend);
    if (!pending) {
      pending = backend.invoke('jobs.schema', {}).then((r) => (r.ok ? (r.data as JobInputSchema) : undefined));
      schemas.set(backend, pending);
    }
    void pending.then((s) => {
      if (live) setSchema(s);
    });
    return () => {
      live = false;
    };
  }, [wanted, backend]);
  return schema;
}

/** Re-renders every second while a job runs, so its duration counts up. */
function useTick(active: boolean): void {
  const [, setN] = useState(0);
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setN((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, [active]);
}
