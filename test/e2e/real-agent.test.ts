// The whole product against the real agent: a lab host that runs every powershell.exe command in
// real PowerShell (simulated Hyper-V modules, the lab's host model), driven through the real UI.
// Deployment (the real installer and its Start-Job downloads from the artifact server), inventory
// (the real Get-HostInventory.ps1), create with guest provisioning (the real KVP host side against
// the lab's simulated guest), a power action and a delete.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { DEFAULT_SETTINGS } from '../../src/shared/contract';
import { startLab, type Lab } from '../lab';
import { setJobKnobs } from '../lab/agent/jobs';
import { launchChromium } from '../support/browser';
import type { RunningCli } from '../support/cli';
import { fillCreateVmForm, openBySearch, windowsCreateValues } from '../support/ui-actions';
import { serveApp } from '../support/served-app';
import { filesContaining, tempDir } from '../support/temp';

const poll = { polling: 200, timeout: 90_000 } as const;
const ADMIN_PASSWORD = 'Real-Adm1n-Secret-4417';
const JOIN_PASSWORD = 'Real-J0in-Secret-8830';
const NEW_VM = 'real-ui-01';
const INSTALL_DIR = DEFAULT_SETTINGS.agent.installDir;

describe('real agent end to end: deploy → inventory → create → action → delete (Chromium)', () => {
  const data = tempDir();
  let lab: Lab;
  let cli: RunningCli;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    lab = await startLab({ hosts: 1, vmsPerHost: 3, seed: 31, clusters: 0, realAgent: true });
    const host = lab.host(lab.hosts[0]!.name);
    // Guest polling and the settle pause are Start-Sleep calls: a tenth of their real length.
    await host.setKnobs({ slowFactor: 0.1 });
    setJobKnobs(host, { actionMs: 500 });
    const app = await serveApp(data.dir, { hosts: lab.hosts, settings: { inventory: { fullSyncIntervalS: 60, quickSyncIntervalS: 5 } } });
    cli = app.cli;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(app.url);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await cli?.stop();
    await lab?.close();
    data.cleanup();
  });

  test('the real installer deploys the agent and the real inventory script fills the app', async () => {
    const host = lab.host(lab.hosts[0]!.name);
    await page.waitForFunction((n) => document.querySelector('[data-testid="figure-vms"]')?.textContent === String(n), host.model.vms.length, poll);
    await page.waitForFunction(() => document.querySelector('[data-testid="figure-connected"]')?.textContent === '1', undefined, poll);
    expect(host.files.getText(`${INSTALL_DIR}\\version`)?.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(host.files.exists(`${INSTALL_DIR}\\Get-HostInventory.ps1`)).toBe(true);
  }, 120_000);

  test('create a Windows VM with guest settings: the job succeeds and the VM shows Running', async () => {
    const host = lab.host(lab.hosts[0]!.name);
    // The app built the Windows provisioning ISO from agent/guest/windows and the host's installer
    // copied it with the agent: a real ISO 9660 image ('CD001' in its first volume descriptor).
    const media = host.files.get(`${INSTALL_DIR}\\WindowsProvisioning.iso`);
    expect(media?.subarray(0x8001, 0x8006).toString('ascii')).toBe('CD001');
    await fillCreateVmForm(page, lab.hosts[0]!.name, windowsCreateValues(NEW_VM, { adminPassword: ADMIN_PASSWORD, joinPassword: JOIN_PASSWORD }));
    await page.getByTestId('create-vm-submit').click();
    await page.getByTestId('job-detail').waitFor();
    await page.waitForFunction(
      () => ['succeeded', 'failed'].includes(document.querySelector('[data-testid="job-state"]')?.getAttribute('data-state') ?? ''),
      undefined,
      { polling: 200, timeout: 150_000 },
    );
    const output = (await page.locator('[data-testid="job-output"]').textContent()) ?? '';
    expect(await page.getByTestId('job-state').getAttribute('data-state'), output).toBe('succeeded');
    for (const step of ['Copying image', 'Waiting up to', 'Guest state: provisioningapplied']) expect(output).toContain(step);
    // Issue 14 item 7: the steps the real New-AetherVm.ps1 logged, in the admin's words, all done.
    const steps = page.getByTestId('provisioning-steps').locator('li');
    expect(await steps.evaluateAll((items) => items.map((li) => [li.getAttribute('data-step'), li.getAttribute('data-status')]))).toEqual(
      ['dispatch', 'copy-image', 'copy-iso', 'register', 'start', 'wait-key', 'publish', 'wait-apply', 'cleanup'].map((s) => [s, 'done']),
    );
    const vm = host.model.vms.find((v) => v.name === NEW_VM)!;
    expect(vm.state).toBe('Running');
    // The host's table shows the real VM (no longer the "Creating" placeholder) once inventory read it.
    await page.getByRole('treeitem', { name: new RegExp(lab.hosts[0]!.name) }).first().click();
    await page.getByRole('heading', { name: lab.hosts[0]!.name }).waitFor();
    await page.waitForFunction(
      (name) => {
        const rows = Array.from(document.querySelectorAll('[role=row][data-key]')).filter((r) => r.textContent!.includes(name));
        return rows.length === 1 && Boolean(rows[0]!.querySelector('[data-state="Running"]')) && !rows[0]!.classList.contains('placeholder');
      },
      NEW_VM,
      poll,
    );
    await openBySearch(page, NEW_VM);
    await page.waitForFunction(() => document.querySelector('[data-testid="state-badge"]')?.getAttribute('data-state') === 'Running', undefined, poll);
    expect(filesContaining(data.dir, ADMIN_PASSWORD)).toEqual([]);
    expect(filesContaining(data.dir, JOIN_PASSWORD)).toEqual([]);
  }, 200_000);

  test('shut the new VM down from its page: the real Stop-VM runs and the host confirms Off', async () => {
    await openBySearch(page, NEW_VM);
    await page.getByTestId('vm-action-shutdown').click();
    await page.getByTestId('confirm-ok').click();
    await page.getByTestId('vm-pending').waitFor({ timeout: 10_000 });
    await page.waitForFunction(() => document.querySelector('[data-testid="state-badge"]')?.getAttribute('data-state') === 'Off' && !document.querySelector('[data-testid="vm-pending"]'), undefined, poll);
    expect(lab.host(lab.hosts[0]!.name).model.vms.find((v) => v.name === NEW_VM)!.state).toBe('Off');
  }, 120_000);

  test('delete it with its disks: the VM and its VHDX are gone from the host', async () => {
    const host = lab.host(lab.hosts[0]!.name);
    const vhd = 'D:\\VMs\\real-ui-01\\Virtual Hard Disks\\real-ui-01.vhdx';
    expect(host.files.exists(vhd)).toBe(true);
    await openBySearch(page, NEW_VM);
    await page.getByTestId('vm-action-delete').click();
    await page.getByTestId('delete-vm-form').waitFor();
    await page.getByTestId('delete-disks').check();
    await page.getByTestId('delete-confirm').fill(NEW_VM);
    await page.getByTestId('delete-submit').click();
    await expect.poll(() => host.model.vms.some((v) => v.name === NEW_VM), { timeout: 60_000, interval: 250 }).toBe(false);
    // The agent removes the VM first, then its disk files: the file goes a moment after the VM.
    await expect.poll(() => host.files.exists(vhd), { timeout: 30_000, interval: 250 }).toBe(false);
    await page.getByRole('button', { name: 'Aether-V' }).click();
    await page.waitForFunction((n) => document.querySelector('[data-testid="figure-vms"]')?.textContent === String(n), host.model.vms.length, poll);
  }, 120_000);
});
