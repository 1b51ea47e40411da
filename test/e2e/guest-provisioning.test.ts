/**
 * Issue 14 acceptance: guest provisioning end to end through the real UI. `aether-v serve` deploys
 * the real agent (with the provisioning ISOs the app built) to a real-agent lab host; the Create VM
 * form sends a Linux and a Windows VM with customisation; the real New-AetherVm.ps1 and
 * AetherV.Kvp.ps1 run in real PowerShell; and the guests are the real guest agents — the bash one
 * through KVP pool files, the PowerShell one through its registry seam — moved to and from the
 * simulated Hyper-V KVP exchange by the lab's bridges. Afterwards no secret is in any file of the
 * data directory, the guests' folders, the job exports or the logs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { DEFAULT_SETTINGS } from '../../src/shared/contract';
import type { Lab } from '../lab';
import { setJobKnobs } from '../lab/agent/jobs';
import { setHyperVSimKnobs } from '../lab/pwsh/hyperv-rpc';
import { startKvpPoolBridge } from '../lab/pwsh/kvp-pool-bridge';
import { startKvpRegistryBridge } from '../lab/pwsh/kvp-registry-bridge';
import { makeGuest, runAgent, type Guest } from '../guest-linux/rig';
import { makeWindowsGuest, runWindowsAgent, type WindowsGuest } from '../guest-windows/rig';
import { startServedLab, type ServedLab } from '../support/served-app';
import { filesContaining, tempDir } from '../support/temp';
import { wsCall } from '../support/ws-call';

const poll = { polling: 200, timeout: 150_000 } as const;
const LINUX_VM = 'gp-linux-01';
const WINDOWS_VM = 'gp-win-01';
const LINUX_ADMIN_PW = 'Lnx-Adm1n-Guest-5521';
const WINDOWS_ADMIN_PW = 'Win-Adm1n-Guest-6632';
const JOIN_PW = 'Win-J0in-Guest-7743';
const SECRETS = [LINUX_ADMIN_PW, WINDOWS_ADMIN_PW, JOIN_PW];
const SSH_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGd1ZXN0cHJvdmlzaW9uaW5nZTJlcHVibGlja2V5MDE ops@aether-v';
const INSTALL_DIR = DEFAULT_SETTINGS.agent.installDir;
const STEPS = ['dispatch', 'copy-image', 'copy-iso', 'register', 'start', 'wait-key', 'publish', 'wait-apply', 'cleanup'];

describe('guest provisioning end to end: real host side, real guest agents, real UI (Chromium)', () => {
  const data = tempDir();
  let app: ServedLab;
  let lab: Lab;
  let url: string;
  let page: Page;
  let linuxGuest: Guest | undefined;
  let windowsGuest: WindowsGuest | undefined;
  const bridges: Array<{ stop(): void }> = [];
  const host = () => lab.host(lab.hosts[0]!.name);

  beforeAll(async () => {
    app = await startServedLab(data.dir, {
      lab: { hosts: 1, vmsPerHost: 2, seed: 41, clusters: 0, realAgent: true },
      connected: 1,
      prepare: async (started) => {
        const simHost = started.host(started.hosts[0]!.name);
        // The host's KVP polling and settle pauses are Start-Sleep calls: a tenth of their length.
        await simHost.setKnobs({ slowFactor: 0.1 });
        setJobKnobs(simHost, { actionMs: 200 });
        // The lab's own simulated guest stays quiet for these two VMs: the real agents answer.
        setHyperVSimKnobs(simHost, { externalKvpGuests: [LINUX_VM, WINDOWS_VM] });
      },
    });
    ({ lab, url, page } = app);
  }, 150_000);

  afterAll(async () => {
    for (const bridge of bridges) bridge.stop();
    await app?.close();
    linuxGuest?.cleanup();
    windowsGuest?.cleanup();
    data.cleanup();
  });

  /** Fills the form for `family` with customisation, creates, and waits for the job to finish; returns its state and output. */
  async function createFromForm(family: 'linux' | 'windows', values: Record<string, string>): Promise<{ state: string; output: string }> {
    await page.getByTestId('nav-create-vm').click();
    await page.getByRole('form', { name: 'Create VM' }).waitFor();
    await page.locator('#job-host').selectOption({ label: `${lab.hosts[0]!.name} (connected)` });
    await page.locator(`input[name="osFamily"][value="${family}"]`).check();
    for (const [id, value] of Object.entries(values)) await page.locator(`#job-${id}`).fill(value);
    await page.getByTestId('create-vm-submit').click();
    await page.getByTestId('job-detail').waitFor();
    await page.waitForFunction(() => ['succeeded', 'failed'].includes(document.querySelector('[data-testid="job-state"]')?.getAttribute('data-state') ?? ''), undefined, poll);
    return {
      state: (await page.getByTestId('job-state').getAttribute('data-state')) ?? '',
      output: (await page.getByTestId('job-output').textContent()) ?? '',
    };
  }

  const stepStates = () => page.getByTestId('provisioning-steps').locator('li').evaluateAll((items) => items.map((li) => [li.getAttribute('data-step'), li.getAttribute('data-status')]));

  test('the host received the provisioning ISOs the app built, with the agent', () => {
    for (const iso of ['LinuxProvisioning.iso', 'WindowsProvisioning.iso']) {
      expect(host().files.get(`${INSTALL_DIR}\\${iso}`)?.subarray(0x8001, 0x8006).toString('ascii'), iso).toBe('CD001');
    }
  });

  test('a Linux VM with customisation is provisioned by the real bash guest agent through KVP pool files', async () => {
    linuxGuest = makeGuest({ env: { AETHERV_HOST_TIMEOUT: '120', AETHERV_DATA_TIMEOUT: '120' } });
    bridges.push(startKvpPoolBridge({ host: host(), vmName: LINUX_VM, poolDir: linuxGuest.poolDir }));
    const agent = runAgent(linuxGuest, 150_000);
    const job = await createFromForm('linux', {
      vmName: LINUX_VM,
      imagePath: 'D:\\Images\\ubuntu-22.04.vhdx',
      vmRootPath: 'D:\\VMs',
      adminUser: 'ops',
      adminPassword: LINUX_ADMIN_PW,
      ipv4Address: '10.20.30.51',
      ipv4PrefixLength: '24',
      ipv4Gateway: '10.20.30.1',
      ipv4Dns1: '10.20.30.2',
      ansibleUser: 'ansible',
      ansibleSshKey: SSH_KEY,
    });
    const run = await agent;
    expect(job.state, job.output).toBe('succeeded');
    expect(run.code, run.output).toBe(0);
    expect(job.output).toContain('Guest state: provisioningapplied');
    expect(await stepStates()).toEqual(STEPS.map((s) => [s, 'done']));
    // What the guest agent applied, in the guest's (test) root.
    const etc = join(linuxGuest.targetRoot, 'etc');
    expect(readFileSync(join(etc, 'hostname'), 'utf8')).toBe(`${LINUX_VM}\n`);
    expect(readFileSync(join(etc, 'netplan', '90-aetherv.yaml'), 'utf8')).toContain('10.20.30.51/24');
    expect(readFileSync(join(linuxGuest.targetRoot, 'home', 'ansible', '.ssh', 'authorized_keys'), 'utf8')).toContain(SSH_KEY);
  }, 200_000);

  test('a Windows VM with customisation is provisioned by the real PowerShell guest agent', async () => {
    windowsGuest = makeWindowsGuest({ secrets: SECRETS, env: { AETHERV_HOST_TIMEOUT: '120', AETHERV_DATA_TIMEOUT: '120' } });
    bridges.push(startKvpRegistryBridge({ host: host(), vmName: WINDOWS_VM, registryDir: windowsGuest.registryDir }));
    const agent = runWindowsAgent(windowsGuest, 150_000);
    const job = await createFromForm('windows', {
      vmName: WINDOWS_VM,
      imagePath: 'D:\\Images\\ws2022.vhdx',
      vmRootPath: 'D:\\VMs',
      adminUser: 'labadmin',
      adminPassword: WINDOWS_ADMIN_PW,
      ipv4Address: '10.20.30.52',
      ipv4PrefixLength: '24',
      ipv4Gateway: '10.20.30.1',
      ipv4Dns1: '10.20.30.2',
      domainName: 'corp.example.com',
      domainJoinUser: 'CORP\\joiner',
      domainJoinPassword: JOIN_PW,
    });
    const run = await agent;
    expect(job.state, job.output).toBe('succeeded');
    expect(run.code, run.output).toBe(0);
    expect(await stepStates()).toEqual(STEPS.map((s) => [s, 'done']));
    const names = windowsGuest.commands().map((c) => c.command);
    expect(names).toContain('Add-Computer');
    expect(names).toContain('New-NetIPAddress');
  }, 200_000);

  test('no secret in any file of the data directory, the guests\' folders, the job export or the app\'s output', async () => {
    // The export of every job, as the Jobs page's "Export matching (.ndjson)" asks for it.
    const exported = await wsCall(url, 'jobs.export', { filter: {}, format: 'ndjson' });
    expect(exported.ok, JSON.stringify(exported.error)).toBe(true);
    const exportText = (exported.data as { content: string }).content;
    expect(exportText).toContain(LINUX_VM);
    expect(exportText).toContain(WINDOWS_VM);
    for (const secret of SECRETS) {
      expect(filesContaining(data.dir, secret), secret).toEqual([]);
      expect(filesContaining(linuxGuest!.root, secret), secret).toEqual([]);
      expect(filesContaining(windowsGuest!.root, secret), secret).toEqual([]);
      expect(exportText.includes(secret), 'job export').toBe(false);
      expect(app.cli.stdout().includes(secret) || app.cli.stderr().includes(secret), 'serve output').toBe(false);
    }
  });
});
