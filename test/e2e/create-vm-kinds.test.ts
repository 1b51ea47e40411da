import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import type { Lab } from '../lab';
import { setJobKnobs } from '../lab/agent/jobs';
import { startServedLab, type ServedLab } from '../support/served-app';
import { tempDir } from '../support/temp';

const poll = { polling: 100, timeout: 45_000 } as const;
const ISO = 'D:\\ISOs\\install.iso';

/**
 * The create-VM form's three kinds of VM, in Chromium against `aether-v serve` and a lab host: the
 * form shows only the chosen kind's fields, sends only those, and the host builds what was asked.
 */
describe('create-VM form: blank and template kinds (lab, aether-v serve, Chromium)', () => {
  const data = tempDir();
  let app: ServedLab;
  let lab: Lab;
  let page: Page;
  const field = (id: string) => page.locator(`#job-${id}`);

  beforeAll(async () => {
    app = await startServedLab(data.dir, {
      lab: { hosts: 1, vmsPerHost: 2, seed: 41, clusters: 0 },
      connected: 1,
      prepare: (started) => setJobKnobs(started.host(started.hosts[0]!.name), { stepMs: 100 }),
    });
    ({ lab, page } = app);
  }, 150_000);

  afterAll(async () => {
    await app?.close();
    data.cleanup();
  });

  const openForm = async () => {
    await page.getByTestId('nav-create-vm').click();
    await page.getByRole('form', { name: 'Create VM' }).waitFor();
    await page.locator('#job-host').selectOption({ label: `${lab.hosts[0]!.name} (connected)` });
  };
  const createAndWait = async () => {
    await page.getByTestId('create-vm-submit').click();
    await page.getByTestId('job-detail').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="job-state"]')?.getAttribute('data-state') === 'succeeded', undefined, poll);
    return page.getByTestId('job-output').innerText();
  };

  test('a blank VM: no image or guest fields, the ISO path only for ISO boot; created with its new disk and the ISO attached', async () => {
    await openForm();
    // Today's behaviour is the default kind: a customised VM with its guest settings.
    expect(await page.getByTestId('job-provisioning-customised').isChecked()).toBe(true);
    expect(await field('adminUser').count()).toBe(1);
    await page.getByTestId('job-provisioning-blank').check();
    await field('isoPath').waitFor();
    for (const id of ['imagePath', 'adminUser', 'adminPassword', 'ipv4Address', 'domainName']) expect(await field(id).count(), id).toBe(0);
    expect(await page.getByTestId('section-guest').count()).toBe(0);
    expect(await page.getByTestId('set-staticIpv4').count()).toBe(0);
    // Network boot hides the ISO path; ISO boot (the default) shows it again.
    await page.getByTestId('job-bootSource-network').check();
    await page.waitForFunction(() => !document.querySelector('#job-isoPath'), undefined, poll);
    await page.getByTestId('job-bootSource-iso').check();
    await field('isoPath').waitFor();

    await field('vmName').fill('blank-ui-01');
    await field('vmRootPath').fill('D:\\VMs');
    await field('diskSizeGB').fill('48');
    await field('isoPath').fill(ISO);
    await page.getByTestId('create-vm-check').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="create-vm-result"]')?.textContent?.includes('All values are valid'), undefined, poll);

    const output = await createAndWait();
    expect(output).toContain('Attaching ISO image');
    expect(output).not.toMatch(/guest public key|Staging .*Provisioning\.iso/);
    const vm = lab.host(lab.hosts[0]!.name).model.vms.find((v) => v.name === 'blank-ui-01')!;
    expect(vm.disks.map((d) => d.capacityBytes)).toEqual([48 * 1024 ** 3]);
    expect(vm.dvdDrives!.map((d) => d.path)).toEqual([ISO]);
    expect(await page.getByTestId('job-parameters').textContent()).not.toMatch(/Local administrator|Golden image/);
  }, 120_000);

  test('a template VM without customisation: the image but no guest fields; created from the copy, no guest handshake', async () => {
    await openForm();
    await page.getByTestId('job-provisioning-template').check();
    await field('imagePath').waitFor();
    for (const id of ['isoPath', 'adminUser', 'adminPassword', 'ipv4Address']) expect(await field(id).count(), id).toBe(0);
    expect(await page.getByTestId('job-bootSource').count()).toBe(0);
    await field('vmName').fill('tmpl-ui-01');
    await field('imagePath').fill('D:\\Images\\ws2022.vhdx');
    await field('vmRootPath').fill('D:\\VMs');

    const output = await createAndWait();
    expect(output).toContain('Copying image');
    expect(output).not.toMatch(/guest public key|Provisioning\.iso|Attaching ISO/);
    const vm = lab.host(lab.hosts[0]!.name).model.vms.find((v) => v.name === 'tmpl-ui-01')!;
    expect(vm.dvdDrives ?? []).toEqual([]);
    expect(vm.disks).toHaveLength(1);
  }, 120_000);
});
