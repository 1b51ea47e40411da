/**
 * Connecting to a guest in the browser: the lab's guests listen for RDP/SSH on their loopback
 * addresses; the VM table's RDP and SSH columns and filter show what the app's probes found, and
 * the VM page's Remote Desktop button downloads a .rdp file naming the VM's loopback address.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_SETTINGS } from '../../src/shared/contract';
import type { GuestListenerSpec } from '../lab';
import { startServedLab, type ServedLab } from '../support/served-app';
import { tempDir } from '../support/temp';

const poll = { timeout: 45_000 } as const;
// Screenshots for the look-at-every-page pass, only when asked (AETHERV_SHOTS=<dir>).
const SHOTS = process.env.AETHERV_SHOTS;

describe('connecting to a guest (lab guests listening on loopback, aether-v serve, Chromium)', () => {
  const data = tempDir();
  let served: ServedLab;
  let rdp: GuestListenerSpec;
  const reachability = { ...DEFAULT_SETTINGS.reachability, timeoutMs: 500, intervalS: 60 };

  beforeAll(async () => {
    served = await startServedLab(data.dir, {
      lab: { hosts: 1, vmsPerHost: 12, clusters: 0, seed: 21, guestListeners: { maxSilent: 0 } },
      // The lab picks free ports for its guests; the app probes those (settings are read after prepare).
      prepare: (lab) => void Object.assign(reachability, { rdpPort: lab.guests!.rdpPort, sshPort: lab.guests!.sshPort }),
      settings: { reachability },
      connected: 1,
    });
    rdp = served.lab.guests!.listening.find((s) => s.service === 'rdp' && s.kind === 'open')!;
    expect(rdp, 'the lab has a Windows guest answering RDP').toBeDefined();
  }, 180_000);

  afterAll(async () => {
    await served?.close();
    data.cleanup();
  });

  test('the RDP and SSH columns show what answered, and the "RDP open" filter keeps those VMs', async () => {
    const { page, lab } = served;
    await page.getByTestId('columns-button').click();
    await page.getByTestId('column-rdp').check();
    await page.getByTestId('column-ssh').check();
    await page.getByTestId('columns-button').click();
    const row = page.locator(`[role=row][data-key$=":${rdp.vmId}"]`);
    await row.locator('[data-column="rdp"] [data-reach="open"]').waitFor(poll);
    expect(await row.locator('[data-column="ssh"]').textContent()).toBe('Closed');
    expect(await page.locator('[role=columnheader][data-column="rdp"]').textContent()).toContain('RDP');

    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, 'connect-table.png') });
    const openRdp = lab.guests!.listening.filter((s) => s.service === 'rdp');
    await page.getByRole('combobox', { name: 'State' }).selectOption('reach:rdp');
    await expect.poll(() => page.getByTestId('vm-table-summary').textContent(), poll).toMatch(new RegExp(`^${openRdp.length} of \\d+ VMs`));
    const keys = await page.locator('[role=row][data-key]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key')!.split(':').pop()));
    expect(keys.sort()).toEqual(openRdp.map((s) => s.vmId).sort());
    await page.getByRole('combobox', { name: 'State' }).selectOption('');
  });

  test("the VM page's Remote Desktop button downloads <vm>.rdp naming the VM's loopback address; SSH is offered only where SSH answered", async () => {
    const { page, lab } = served;
    await page.locator(`[role=row][data-key$=":${rdp.vmId}"] .vm-name button`).click();
    await page.getByRole('heading', { name: rdp.vmName }).waitFor();
    await page.getByTestId('connect-status').filter({ hasText: `Reachable at ${rdp.address}` }).waitFor(poll);
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, 'connect-vm.png') });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('connect-rdp').click()]);
    expect(download.suggestedFilename()).toBe(`${rdp.vmName}.rdp`);
    const text = readFileSync((await download.path())!, 'utf8');
    expect(text).toContain(`full address:s:${rdp.address}:${lab.guests!.rdpPort}\r\n`);
    expect(rdp.address).toMatch(/^127\./);
    expect(await page.getByTestId('connect-ssh').evaluate((e) => e.tagName)).toBe('BUTTON'); // disabled: SSH did not answer
    expect(await page.getByTestId('connect-ssh').isDisabled()).toBe(true);

    // An Off VM: no address, and the page says why.
    const off = lab.host(lab.hosts[0]!.name).model.vms.find((v) => v.state === 'Off')!;
    const hostId = decodeURIComponent(new URL(page.url()).hash.replace('#/vms/', '')).split(':')[0]!;
    await page.evaluate((hash) => (location.hash = hash), `#/vms/${encodeURIComponent(`${hostId}:${off.id}`)}`);
    await page.getByRole('heading', { name: off.name }).waitFor(poll);
    expect(await page.getByTestId('connect-status').textContent()).toContain('No IP address reported: the VM is off or its integration services do not report one');
    expect(await page.getByTestId('connect-rdp').isDisabled()).toBe(true);
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, 'connect-vm-off.png') });
  });
});
