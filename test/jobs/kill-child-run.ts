import { spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../support/cli';

/**
 * Runs a backend in another process on `dataDir` (test/jobs/kill-child.ts): it submits a create-VM
 * job and prints `JOB <id>` and one `LINE <n>` per output line. Once `minLines` lines have
 * streamed (the host is mid-job), the process is killed with SIGKILL: a crash, not a quit.
 */
export async function crashBackendMidJob(dataDir: string, minLines = 3): Promise<{ jobId: string; linesSeen: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'test/jobs/kill-child.ts'), dataDir], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const deadline = Date.now() + 60_000;
  while ((out.match(/^LINE /gm) ?? []).length < minLines) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`the job process did not stream lines; stdout:\n${out}\nstderr:\n${err}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  await exited;
  return { jobId: /^JOB (\S+)$/m.exec(out)![1]!, linesSeen: (out.match(/^LINE (\d+)$/gm) ?? []).length };
}
