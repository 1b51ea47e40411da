/**
 * `aether-v lab`: starts the simulated Hyper-V lab and prints one JSON line per host, then serves
 * until Ctrl+C / SIGTERM. Other tools (pywinrm, the app in demo mode, scripts) read those lines.
 */
import { UsageError, type CliCommand } from '../command';

const HELP = `Usage: aether-v lab [--hosts N] [--vms M] [--seed S] [--clusters C] [--https] [--real-agent]

Starts simulated Hyper-V hosts on 127.0.0.1 (ephemeral ports). Each is a real WS-Man endpoint:
NTLM with message encryption over HTTP, and with --https also Basic/NTLM over HTTPS with a
self-signed certificate. Prints one JSON line per host:
  {"name","cluster","httpUrl","httpsUrl","username","password","certFingerprintSha256"}
and runs until Ctrl+C or SIGTERM.

Options:
  --hosts N      number of hosts (default 3, 0–64)
  --vms M        VMs per host (default 8, 0–500)
  --seed S       seed of the generated inventory (default 1); same seed, same lab
  --clusters C   number of failover clusters (default 1, 0–16)
  --https        also listen on HTTPS
  --real-agent   run powershell.exe commands in real PowerShell (pwsh) with the simulated
                 Hyper-V modules, so deployed agent scripts really run; each host's files are
                 on disk under a temporary folder
`;

interface LabArgs {
  hosts?: number;
  vmsPerHost?: number;
  seed?: number;
  clusters?: number;
  https: boolean;
  realAgent: boolean;
}

function parseArgs(args: string[]): LabArgs {
  const parsed: LabArgs = { https: false, realAgent: false };
  const numeric: Record<string, 'hosts' | 'vmsPerHost' | 'seed' | 'clusters'> = { '--hosts': 'hosts', '--vms': 'vmsPerHost', '--seed': 'seed', '--clusters': 'clusters' };
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].split('=', 2);
    if (flag === '--https') {
      parsed.https = true;
      continue;
    }
    if (flag === '--real-agent') {
      parsed.realAgent = true;
      continue;
    }
    const key = numeric[flag];
    if (!key) throw new UsageError(`unknown option "${args[i]}"`);
    const raw = inline ?? args[++i];
    if (raw === undefined || !/^\d+$/.test(raw)) throw new UsageError(`${flag} needs a whole number, got "${raw ?? ''}"`);
    parsed[key] = Number(raw);
  }
  return parsed;
}

export const command: CliCommand = {
  name: 'lab',
  summary: 'start the simulated Hyper-V lab and print its hosts as JSON lines',
  help: HELP,
  async run(args: string[]): Promise<number> {
    const options = parseArgs(args);
    // Loaded lazily: the lab lives under test/ and is only needed by this command.
    const { startLab } = await import('../../../test/lab/index');
    let lab;
    try {
      lab = await startLab(options);
    } catch (error) {
      if (error instanceof RangeError) throw new UsageError(error.message);
      throw error;
    }
    for (const host of lab.hosts) {
      const { caPem: _caPem, ...printable } = host;
      process.stdout.write(JSON.stringify(printable) + '\n');
    }
    process.stderr.write(`lab: ${lab.hosts.length} host(s) listening on 127.0.0.1; press Ctrl+C to stop\n`);
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await lab.close();
    process.stderr.write('lab: stopped\n');
    return 0;
  },
};
