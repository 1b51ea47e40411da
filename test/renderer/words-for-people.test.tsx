// @vitest-environment jsdom
// Issue 13 item 12: what the jobs pages and Diagnostics say is written for people — titles from
// the action's verb, states and parameters in words, "Cancelled" once, the disk files a delete
// removed, hosts by name and readable column headers.
import { describe, expect, test } from 'vitest';
import type { Backend } from '../../src/renderer/backend/backend';
import { DiagnosticsView } from '../../src/renderer/features/diagnostics/DiagnosticsView';
import { cellText, columnLabel } from '../../src/renderer/features/diagnostics/metric-words';
import { JobDetailView } from '../../src/renderer/features/jobs/JobDetailView';
import { useApp } from '../../src/renderer/stores/app-store';
import { useJobs } from '../../src/renderer/stores/jobs-store';
import type { JobInputSchema, JobRecord, Metrics } from '../../src/shared/contract';
import { heartbeatInWords } from '../../src/shared/heartbeat-words';
import { jobEndDetail, jobTitle } from '../../src/shared/job-words';
import { domPerTest, stubBackend } from './dom-harness';
import { makeHostView } from './fixtures';

const dom = domPerTest();

function job(over: Partial<JobRecord>): JobRecord {
  return {
    id: 'job-1', type: 'vm.action', state: 'succeeded', hostId: 'h1', hostName: 'hv01', vmId: 'vm-1', vmName: 'web-20', action: 'turnoff',
    parameters: {}, createdAt: '2026-12-01T10:00:00.000Z', startedAt: '2026-12-01T10:00:01.000Z', finishedAt: '2026-12-01T10:00:02.000Z',
    result: null, error: null, lineCount: 0, parentId: null, warnings: [], bulk: null, ...over,
  };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('job titles and end states', () => {
  test('titles use the verb and the VM name, never the operation key', () => {
    expect(jobTitle(job({ action: 'turnoff' }))).toBe('Turn off web-20');
    expect(jobTitle(job({ action: 'shutdown' }))).toBe('Shut down web-20');
    expect(jobTitle(job({ type: 'vm.create', action: null, vmName: null, parameters: { vmName: 'web-21' } }))).toBe('Create web-21');
    expect(jobTitle(job({ type: 'vm.delete', action: 'delete' }))).toBe('Delete web-20');
    const bulk = { total: 12, queued: 0, running: 0, succeeded: 12, failed: 0, cancelled: 0, interrupted: 0 };
    expect(jobTitle(job({ type: 'bulk', action: 'save', vmName: null, bulk }))).toBe('Save 12 VMs');
  });

  test('a cancelled job says Cancelled once; a failure keeps its code', () => {
    expect(jobEndDetail(job({ state: 'cancelled', error: { code: 'CANCELLED', message: 'The command on hv01 was stopped.' } }))).toBe('The command on hv01 was stopped.');
    // Records written before this wording still read well.
    expect(jobEndDetail(job({ state: 'cancelled', error: { code: 'CANCELLED', message: 'Cancelled; the command on hv01 was stopped.' } }))).toBe('The command on hv01 was stopped.');
    expect(jobEndDetail(job({ state: 'failed', error: { code: 'HYPERV_ERROR', message: "'web-20' failed to start." } }))).toBe("HYPERV_ERROR: 'web-20' failed to start.");
  });

  test('the job page: title, one "Cancelled", parameters under their labels', () => {
    const cancelled = job({ state: 'cancelled', parameters: { action: 'turnoff', previousState: 'Running' }, error: { code: 'CANCELLED', message: 'Cancelled; the command on hv01 was stopped.' } });
    useApp.setState({ backend: stubBackend() });
    useJobs.setState({ jobs: { [cancelled.id]: cancelled }, output: { [cancelled.id]: { lines: [], loading: false } } as never });
    dom.render(<JobDetailView id={cancelled.id} />);
    const text = dom.container.textContent ?? '';
    expect(dom.container.querySelector('#job-title')!.textContent).toBe('Turn off web-20');
    expect(text.match(/cancel/gi)).toHaveLength(1);
    expect(text).not.toContain('CANCELLED');
    expect(text).not.toContain('turnoff');
    const params = [...dom.container.querySelectorAll('[data-testid="job-parameters"] .param')].map((p) => [p.querySelector('dt')!.textContent, p.querySelector('dd')!.textContent]);
    expect(params).toEqual([
      ['Action', 'Turn off'],
      ['State before', 'Running'],
    ]);
  });

  test("a create job's parameters carry the schema's labels", async () => {
    const schema = {
      fields: [
        { id: 'vmName', label: 'VM name', type: 'string' },
        { id: 'provisioning', label: 'Kind of VM', type: 'string', choices: [{ value: 'blank', label: 'Blank VM' }, { value: 'template', label: 'From a template' }] },
        { id: 'ipv4PrefixLength', label: 'Prefix length', type: 'integer' },
      ],
    } as unknown as JobInputSchema;
    const invoke = (async (command: string) => (command === 'jobs.schema' ? { ok: true, data: schema } : { ok: true, data: null })) as Backend['invoke'];
    const create = job({ id: 'job-2', type: 'vm.create', action: null, vmName: null, vmId: null, parameters: { ipv4PrefixLength: 24, vmName: 'web-21', provisioning: 'blank', imageOsFamily: 'linux' } });
    useApp.setState({ backend: stubBackend(invoke) });
    useJobs.setState({ jobs: { [create.id]: create }, output: { [create.id]: { lines: [], loading: false } } as never });
    dom.render(<JobDetailView id={create.id} />);
    await flush();
    dom.render(<JobDetailView id={create.id} />);
    const labels = [...dom.container.querySelectorAll('[data-testid="job-parameters"] dt')].map((d) => d.textContent);
    expect(labels).toEqual(['VM name', 'Kind of VM', 'Prefix length', 'Image OS family']);
    // A closed-list field shows its choice's label, not the stored value.
    const values = [...dom.container.querySelectorAll('[data-testid="job-parameters"] dd')].map((d) => d.textContent);
    expect(values[1]).toBe('Blank VM');
    expect(dom.container.querySelector('#job-title')!.textContent).toBe('Create web-21');
  });

  test("a delete job's page lists the disk files the host deleted and those it kept, with why", () => {
    const deleted = job({
      id: 'job-3', type: 'vm.delete', action: 'delete', parameters: { deleteDisks: true, force: false, previousState: 'Off' },
      result: {
        vmId: 'vm-1', vmName: 'web-20', status: 'deleted',
        disksDeleted: ['D:\\VMs\\web-20\\Virtual Hard Disks\\web-20.vhdx'],
        disksKept: [{ path: 'C:\\ClusterStorage\\Volume1\\shared.vhdx', reason: 'shared disk (persistent reservations)' }],
      },
    });
    useApp.setState({ backend: stubBackend() });
    useJobs.setState({ jobs: { [deleted.id]: deleted }, output: { [deleted.id]: { lines: [], loading: false } } as never });
    dom.render(<JobDetailView id={deleted.id} />);
    expect([...dom.container.querySelectorAll('[data-testid="disks-deleted"] li')].map((li) => li.textContent)).toEqual(['D:\\VMs\\web-20\\Virtual Hard Disks\\web-20.vhdx']);
    expect([...dom.container.querySelectorAll('[data-testid="disks-kept"] li')].map((li) => li.textContent)).toEqual(['C:\\ClusterStorage\\Volume1\\shared.vhdx — shared disk (persistent reservations)']);
    expect(dom.container.querySelector('#job-title')!.textContent).toBe('Delete web-20');
  });
});

describe('VM facts in words', () => {
  test("heartbeat values read like Hyper-V Manager's; nothing reported stays empty; an unknown value passes through", () => {
    expect(heartbeatInWords('OkApplicationsUnknown')).toBe('OK (no application data)');
    expect(heartbeatInWords('LostCommunication')).toBe('Lost communication');
    expect(heartbeatInWords('NoContact')).toBe('No contact');
    expect(heartbeatInWords(null)).toBeUndefined();
    expect(heartbeatInWords('SomethingNew')).toBe('SomethingNew');
  });
});

describe('Diagnostics in words', () => {
  test('column headers are words with units; hosts by display name; times local; yes/no', () => {
    expect(columnLabel('ewmaRunMs')).toBe('Typical run (ms)');
    expect(columnLabel('maxConcurrentSeen')).toBe('Most at once');
    expect(columnLabel('lastDurationS')).toBe('Last deployment (s)');
    expect(columnLabel('linesWritten')).toBe('Lines written');
    expect(columnLabel('avgHostDurationMs')).toBe('Average per host (ms)');
    const names = (id: string) => (id === 'a1b2' ? 'hv01' : undefined);
    expect(cellText('host', 'a1b2', names)).toBe('hv01');
    expect(cellText('host', 'gone', names)).toBe('gone');
    expect(cellText('slow', false, names)).toBe('no');
    expect(cellText('lastError', null, names)).toBe('—');
    expect(cellText('at', '2026-12-01T10:00:00.000Z', names)).toBe(new Date('2026-12-01T10:00:00.000Z').toLocaleString());
  });

  test('the page names hosts, not ids, and shows no camelCase keys as headers', async () => {
    const metrics: Metrics = {
      uptimeS: 60, rssMb: 100, heapUsedMb: 30, eventLoopDelayP99Ms: 5,
      services: [],
      groups: [
        { name: 'Scheduler hosts', rows: [
          { host: 'f3a1c2d4-0000-4000-8000-000000000001', running: 0, queued: 0, done: 3, failed: 0, timedOut: 0, maxConcurrentSeen: 1 },
          { host: 'f3a1c2d4-0000-4000-8000-000000000002', running: 1, queued: 0, done: 2, failed: 0, timedOut: 0, maxConcurrentSeen: 2 },
        ] },
        { name: 'jobs', rows: [{ schema: 'vm-create v1', validations: 1, refused: 0, waiting: 0, running: 0, history: 4 }] },
      ],
    } as unknown as Metrics;
    const invoke = (async (command: string) => (command === 'diagnostics.metrics' ? { ok: true, data: metrics } : { ok: true, data: null })) as Backend['invoke'];
    useApp.setState({
      backend: stubBackend(invoke), info: undefined, health: undefined,
      hosts: {
        'f3a1c2d4-0000-4000-8000-000000000001': makeHostView('f3a1c2d4-0000-4000-8000-000000000001', { displayName: 'hv01' }),
        'f3a1c2d4-0000-4000-8000-000000000002': makeHostView('f3a1c2d4-0000-4000-8000-000000000002', { displayName: 'hv02' }),
      },
    });
    dom.render(<DiagnosticsView />);
    await flush();
    dom.render(<DiagnosticsView />);
    const group = dom.container.querySelector('[data-group="Scheduler hosts"]')!;
    expect([...group.querySelectorAll('tbody tr td:first-child')].map((td) => td.textContent)).toEqual(['hv01', 'hv02']);
    expect([...group.querySelectorAll('th')].map((th) => th.textContent)).toEqual(['Host', 'Running', 'Queued', 'Done', 'Failed', 'Timed out', 'Most at once']);
    expect(dom.container.textContent).not.toMatch(/f3a1c2d4|maxConcurrentSeen|timedOut/);
    // A one-row group reads as label/value pairs, its title capitalised.
    const jobs = dom.container.querySelector('[data-group="jobs"]')!;
    expect(jobs.querySelector('h2')!.textContent).toBe('Jobs');
    expect([...jobs.querySelectorAll('dt')].map((d) => d.textContent)).toContain('History');
  });
});
