/**
 * The lab side of bench:winrm, in its own process so the host it simulates never competes for the
 * clients' CPU (pywinrm runs in a process of its own; ours deserves the same). Prints one JSON line
 * with the host's URL and credentials, then answers stdin lines: `stats` → the host's counters as
 * JSON, `reset` → resets them and prints `{}`. Exits when stdin closes.
 */
import { createInterface } from 'node:readline';
import { startLab } from '../test/lab';

async function main(): Promise<void> {
  const lab = await startLab({ hosts: 1, vmsPerHost: 1 });
  const info = lab.hosts[0]!;
  const host = lab.host(info.name);
  process.stdout.write(JSON.stringify(info) + '\n');
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    if (line.trim() === 'reset') {
      host.resetStats();
      process.stdout.write('{}\n');
    } else if (line.trim() === 'stats') {
      process.stdout.write(JSON.stringify(host.stats) + '\n');
    }
  });
  lines.on('close', () => void lab.close().then(() => process.exit(0)));
}

void main();
