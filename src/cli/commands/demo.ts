import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type { HostInput } from '../../shared/contract';
import { importDemoHosts } from '../../main/demo-hosts';
import { seedDemoSettings } from '../../main/deployment/demo-settings';
import { intFlag, parseArgs } from '../args';
import type { CliCommand } from '../command';
import { projectRoot } from '../renderer-build';
import { openInBrowser, startBrowserApp, untilSignal } from './serve';

/**
 * The Electron binary if it was installed (never on machines without internet). Checked through
 * the package's path.txt rather than require('electron'), which would try to download it.
 */
export function electronBinary(): string | undefined {
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) return undefined;
  try {
    const dir = path.dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const relative = readFileSync(path.join(dir, 'path.txt'), 'utf8').trim();
    const binary = path.join(dir, 'dist', relative);
    return existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}

export const command: CliCommand = {
  name: 'demo',
  summary: 'start the simulated Hyper-V lab and the app preconfigured with its hosts',
  help: `Usage: aether-v demo [--hosts N] [--vms M] [--seed S] [--port P] [--data-dir DIR] [--real-agent] [--browser] [--open]

Starts a simulated Hyper-V lab on 127.0.0.1 (real WS-Man endpoints, NTLM with message encryption)
and Aether-V configured with its hosts. Uses Electron when its binary is installed, otherwise
browser mode, printing the URL to open.

Options:
  --hosts N        simulated hosts (default 4)
  --vms M          VMs per host (default 12)
  --seed S         model seed (default 1)
  --port P         browser-mode port on 127.0.0.1 (default: a free port)
  --data-dir DIR   app data directory (default: a fresh temporary directory)
  --real-agent     the lab runs the real agent scripts in real PowerShell (pwsh) against its
                   simulated Hyper-V modules: slower, but what you watch is the code hosts run.
                   Needs pwsh (npm test installs it); default 2 hosts × 6 VMs
  --browser        use browser mode even if Electron is installed
  --open           open the browser-mode URL in the default browser
`,
  async run(args) {
    const parsed = parseArgs(args, { valueFlags: ['hosts', 'vms', 'seed', 'port', 'data-dir'], booleanFlags: ['browser', 'open', 'real-agent'] });
    const realAgent = parsed.flags.has('real-agent');
    const hosts = intFlag(parsed, 'hosts', realAgent ? 2 : 4, 1, realAgent ? 16 : 500);
    const vmsPerHost = intFlag(parsed, 'vms', realAgent ? 6 : 12, 0, 1000);
    const seed = intFlag(parsed, 'seed', 1, 0, 2 ** 31 - 1);
    const port = intFlag(parsed, 'port', 0, 0, 65_535);
    const dataDir = path.resolve(String(parsed.flags.get('data-dir') ?? mkdtempSync(path.join(os.tmpdir(), 'aether-v-demo-'))));

    const { startLab, labHostInput } = await import('../../../test/lab');
    // Guests answer RDP/SSH on their loopback addresses (free ports), so Connect has something to find.
    const lab = await startLab({ hosts, vmsPerHost, seed, realAgent, guestListeners: true });
    const inputs: HostInput[] = lab.hosts.map((h) => labHostInput(h));
    const guestPorts = JSON.stringify({ rdpPort: lab.guests!.rdpPort, sshPort: lab.guests!.sshPort });
    process.stdout.write(`Simulated lab: ${lab.hosts.length} hosts × ${vmsPerHost} VMs on 127.0.0.1${realAgent ? ', running the real agent in PowerShell' : ''}\n`);
    process.stdout.write(`  VM addresses are in 127.0.0.0/8; guests answer RDP on port ${lab.guests!.rdpPort || '(none listening)'} and SSH on port ${lab.guests!.sshPort || '(none listening)'}\n`);
    if (realAgent) for (const h of lab.hosts) process.stdout.write(`  ${h.name}: drives C: and D: in ${h.diskRoot}\n`);

    const electron = parsed.flags.has('browser') ? undefined : electronBinary();
    if (electron) {
      const child = spawn(electron, [projectRoot, `--data-dir=${dataDir}`], {
        stdio: 'inherit',
        env: { ...process.env, AETHERV_DEMO_HOSTS: JSON.stringify(inputs), AETHERV_DEMO_GUEST_PORTS: guestPorts },
      });
      const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 0)));
      await lab.close();
      return code;
    }

    seedDemoSettings(dataDir);
    const app = await startBrowserApp({ dataDir, port, quiet: true });
    await importDemoHosts(app.backend, { AETHERV_DEMO_HOSTS: JSON.stringify(inputs), AETHERV_DEMO_GUEST_PORTS: guestPorts });
    process.stdout.write(
      `Electron is not installed here, so the app runs in browser mode.\nOpen: ${app.server.url}\nData: ${dataDir}\nPress Ctrl+C to stop.\n`,
    );
    if (parsed.flags.has('open')) openInBrowser(app.server.url);
    await untilSignal();
    await app.close();
    await lab.close();
    return 0;
  },
};
