import type { JobExportRequest, JobExportResponse, JobLine, JobRecord } from '../../shared/contract';
import { ContractError, ErrorCode } from '../../shared/contract';
import type { JobStore } from './store/job-store';
import { writeZip } from './zip';

const stamp = (iso = new Date().toISOString()) => iso.replace(/[:.]/g, '-').replace(/-\d{3}Z$/, 'Z');
const safe = (text: string) => text.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60);

/** One job as plain text: a header (parameters already masked in the record), then its lines. */
export function jobLogText(record: JobRecord, lines: JobLine[]): string {
  const header = [
    `Job:        ${record.id}`,
    `Type:       ${record.type}${record.action ? ` (${record.action})` : ''}`,
    `State:      ${record.state}`,
    `Host:       ${record.hostName ?? '-'}${record.hostId ? ` [${record.hostId}]` : ''}`,
    `VM:         ${record.vmName ?? '-'}${record.vmId ? ` [${record.vmId}]` : ''}`,
    `Created:    ${record.createdAt}`,
    `Started:    ${record.startedAt ?? '-'}`,
    `Finished:   ${record.finishedAt ?? '-'}`,
    ...(record.error ? [`Error:      ${record.error.code}: ${record.error.message}`] : []),
    ...(record.parentId ? [`Bulk job:   ${record.parentId}`] : []),
    'Parameters:',
    ...Object.entries(record.parameters).map(([k, v]) => `  ${k} = ${String(v)}`),
    ...(record.warnings.length ? ['Warnings:', ...record.warnings.map((w) => `  ${w}`)] : []),
    '',
    '--- output ---',
  ];
  const body = lines.map((l) => `${l.at} [${l.stream}/${l.level}]${l.step ? ` (${l.step})` : ''} ${l.text}`);
  return [...header, ...body, ''].join('\n');
}

/** jobs.export: everything comes from the store, whose records and lines are already masked. */
export function exportJobs(store: JobStore, request: JobExportRequest): JobExportResponse {
  if ('id' in request) {
    const record = store.get(request.id);
    if (!record) throw new ContractError(ErrorCode.NotFound, `No job with id ${request.id}; reload the jobs list.`);
    const lines = store.lines(record.id);
    const base = `aetherv-job-${safe(record.vmName ?? record.type)}-${record.id.slice(0, 8)}`;
    if (request.format === 'log') return { filename: `${base}.log`, contentType: 'text/plain; charset=utf-8', encoding: 'utf8', content: jobLogText(record, lines), jobs: 1 };
    return { filename: `${base}.json`, contentType: 'application/json', encoding: 'utf8', content: JSON.stringify({ record, lines }, null, 2), jobs: 1 };
  }
  const { jobs } = store.list(request.filter, { by: 'createdAt', dir: 'asc' }, Number.MAX_SAFE_INTEGER);
  const ndjson = jobs.map((record) => JSON.stringify({ record, lines: store.lines(record.id) })).join('\n') + (jobs.length ? '\n' : '');
  const base = `aetherv-jobs-${stamp()}`;
  if (request.format === 'ndjson') return { filename: `${base}.ndjson`, contentType: 'application/x-ndjson', encoding: 'utf8', content: ndjson, jobs: jobs.length };
  const entries = jobs.map((record) => ({ name: `${record.id}.log`, data: Buffer.from(jobLogText(record, store.lines(record.id)), 'utf8') }));
  entries.push({ name: 'jobs.ndjson', data: Buffer.from(ndjson, 'utf8') });
  return { filename: `${base}.zip`, contentType: 'application/zip', encoding: 'base64', content: writeZip(entries).toString('base64'), jobs: jobs.length };
}
