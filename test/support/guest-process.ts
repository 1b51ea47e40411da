/**
 * Runs a guest agent (the bash or the PowerShell one) the way its service would, for the guest
 * tests: stdout and stderr collected together, killed after a timeout.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface AgentRun {
  code: number | null;
  output: string;
}

export interface GuestProcessOptions {
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** Start it as its own process group and kill the whole group at the timeout (every command it started). */
  ownGroup?: boolean;
  onStart?: (child: ChildProcess) => void;
}

export function runGuestProcess(command: string, args: string[], options: GuestProcessOptions): Promise<AgentRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe'], detached: options.ownGroup ?? false });
    options.onStart?.(child);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      if (!options.ownGroup) return void child.kill('SIGKILL');
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL'); // the group is already gone
      }
    }, options.timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
