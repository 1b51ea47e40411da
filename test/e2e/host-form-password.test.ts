/**
 * The host form asks for the password again when an edit changes where (or how) the saved
 * password would be sent, says why, and saves nothing until it is given (`aether-v serve` as a
 * real subprocess, Chromium driving the Settings page). The backend enforces the same rule
 * (test/foundation/credentials.test.ts); here the form must not even send such an edit.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import type { HostView } from '../../src/shared/contract';
import { launchChromium } from '../support/browser';
import type { RunningCli } from '../support/cli';
import { serveApp } from '../support/served-app';
import { filesContaining, tempDir } from '../support/temp';
import { wsCall } from '../support/ws-call';

const PASSWORD = 'Form-Passw0rd-"q\\';

describe('Settings › host form asks for the password again (aether-v serve + Chromium)', () => {
  const data = tempDir();
  let cli: RunningCli;
  let url: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    ({ cli, url } = await serveApp(data.dir));
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(url);
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await cli?.stop();
    data.cleanup();
  });

  const hosts = async () => (await wsCall(url, 'hosts.list', {})).data as HostView[];
  const hostRow = () => page.getByTestId('host-list').locator('li').first();

  test('adding a host (disabled, so no service contacts it)', async () => {
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('add-host').click();
    const form = page.getByRole('form', { name: 'Add host' });
    await form.getByLabel('Display name').fill('Form HV');
    await form.getByLabel('Address', { exact: true }).fill('127.0.0.1');
    await form.getByLabel('Transport').selectOption('http');
    await form.getByLabel('Port', { exact: true }).fill('1');
    await form.getByLabel('User name').fill('admin');
    await form.getByLabel('Password').fill(PASSWORD);
    await form.getByLabel('Enabled').uncheck();
    await form.getByRole('button', { name: 'Add host' }).click();
    await hostRow().getByText('http://127.0.0.1:1').waitFor();
    expect(await hosts()).toMatchObject([{ displayName: 'Form HV', port: 1, hasPassword: true }]);
  });

  let form: Locator;
  test('changing the port asks for the password again and says why; saving without it sends nothing', async () => {
    await hostRow().getByRole('button', { name: 'Edit' }).click();
    form = page.getByRole('form', { name: 'Edit Form HV' });
    expect(await form.getByTestId('password-again').count()).toBe(0);
    await form.getByLabel('Password (leave empty to keep)').waitFor();

    await form.getByLabel('Port', { exact: true }).fill('2');
    const note = form.getByTestId('password-again');
    await note.waitFor();
    expect(await note.textContent()).toMatch(/^You changed the port: enter the password again\. A saved password is only ever sent where it was entered for/);
    await form.getByLabel('Password (required again)').waitFor();

    await form.getByRole('button', { name: 'Save' }).click();
    const error = form.getByTestId('host-form-error');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/^password: changing the port of Form HV needs the password again/);
    expect(await form.getByRole('alert').filter({ hasText: 'needs the password again' }).count()).toBeGreaterThan(0);
    // Nothing was stored: still port 1, still the same password.
    expect((await hosts())[0]).toMatchObject({ port: 1, hasPassword: true });

    // Test connection would test the stored entry, not the changed one: it asks too.
    await form.getByRole('button', { name: 'Test connection' }).click();
    // Proving an absence needs a wait: a test of the stored entry (port 1, refused at once) would
    // have reported and marked the host unreachable well within this time.
    await page.waitForTimeout(1_000);
    expect(await form.getByTestId('connection-report').count()).toBe(0);
    expect((await hosts())[0]!.lastError).toBeUndefined();
  });

  test('undoing the change removes the request; changing the authentication asks again, naming each field', async () => {
    await form.getByLabel('Port', { exact: true }).fill('1');
    await form.getByTestId('password-again').waitFor({ state: 'detached' });
    await form.getByLabel('Authentication').selectOption('basic');
    await form.getByLabel('Allow unencrypted Basic', { exact: false }).check();
    expect(await form.getByTestId('password-again').textContent()).toMatch(/^You changed the authentication and "allow unencrypted Basic": enter the password again/);
    // Back to NTLM: the box is hidden and its stored value stands again, so nothing is changed.
    await form.getByLabel('Authentication').selectOption('ntlm');
    await form.getByTestId('password-again').waitFor({ state: 'detached' });
    await form.getByLabel('Password (leave empty to keep)').waitFor();
  });

  test('with the password given, the edit is saved, and the password stays out of every file', async () => {
    await form.getByLabel('Address', { exact: true }).fill('127.0.0.2');
    expect(await form.getByTestId('password-again').textContent()).toMatch(/^You changed the address: enter the password again/);
    await form.getByLabel('Password (required again)').fill('Another-Pw-for-127.0.0.2');
    await form.getByRole('button', { name: 'Save' }).click();
    await hostRow().getByText('http://127.0.0.2:1').waitFor();
    expect((await hosts())[0]).toMatchObject({ address: '127.0.0.2', port: 1, auth: 'ntlm', allowUnencryptedBasic: false, hasPassword: true });
    expect(filesContaining(data.dir, PASSWORD)).toEqual([]);
    expect(filesContaining(data.dir, 'Another-Pw-for-127.0.0.2')).toEqual([]);
  });

  test('Remove asks in the app (no browser confirm): Cancel keeps the host, Remove host removes it', async () => {
    const [host] = await hosts();
    // window.confirm would be a browser dialog; fail loudly if anything opens one.
    const browserDialogs: string[] = [];
    page.on('dialog', (d) => {
      browserDialogs.push(d.message());
      void d.dismiss();
    });
    await page.getByTestId(`remove-host-${host!.id}`).click();
    const dialog = page.getByRole('dialog', { name: 'Remove Form HV?' });
    await dialog.waitFor();
    expect(await dialog.getByTestId('confirm-target').textContent()).toBe('Form HV (127.0.0.2)');
    expect(await dialog.getByTestId('confirm-consequence').textContent()).toMatch(/stored password is deleted/);
    await dialog.getByTestId('confirm-cancel').click();
    await dialog.waitFor({ state: 'detached' });
    expect(await hosts()).toHaveLength(1);

    await page.getByTestId(`remove-host-${host!.id}`).click();
    await page.getByRole('dialog', { name: 'Remove Form HV?' }).getByRole('button', { name: 'Remove host' }).click();
    await page.getByTestId('main').getByText('No hosts yet.').waitFor();
    expect(await hosts()).toEqual([]);
    expect(browserDialogs).toEqual([]);
  });
});
