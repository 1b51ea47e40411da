/**
 * Child process for the crash test: a real backend on the given data dir submits one create-VM
 * job and reports every streamed line on stdout, until the parent kills it with SIGKILL.
 */
import { createBackend } from '../../src/main/backend';
import type { JobLine, JobSubmitResponse, JobValidateResponse } from '../../src/shared/contract';
import { windowsVmFields } from './support';

const dataDir = process.argv[2]!;
const backend = await createBackend({ dataDir, runtime: 'browser' });
backend.subscribe((e) => {
  if (e.topic === 'jobOutput' && e.kind === 'delta') for (const l of (e.payload as { lines: JobLine[] }).lines) process.stdout.write(`LINE ${l.seq}\n`);
});
const hostId = backend.services.hosts.list()[0]!.id;
const deadline = Date.now() + 60_000;
for (;;) {
  const check = await backend.invoke('jobs.validate', { schemaVersion: 1, hostId, imageOsFamily: 'windows', fields: windowsVmFields('crash-01') });
  const ready = check.ok && (check.data as JobValidateResponse).warnings.every((w) => !w.startsWith('A submission would be refused'));
  if (ready) break;
  if (Date.now() > deadline) throw new Error('host never became ready');
  await new Promise((r) => setTimeout(r, 100));
}
const submitted = await backend.invoke('jobs.submit', { schemaVersion: 1, hostId, imageOsFamily: 'windows', fields: windowsVmFields('crash-01') });
if (!submitted.ok) throw new Error(`${submitted.error.code}: ${submitted.error.message}`);
process.stdout.write(`JOB ${(submitted.data as JobSubmitResponse).job.id}\n`);
