import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { startCli, type RunningCli } from '../support/cli';
import { filesContaining, tempDir } from '../support/temp';

const ADMIN_PASSWORD = 'Form-Adm1n-Secret-4410';

describe('create-VM form (aether-v serve + Chromium)', () => {
  const data = tempDir();
  let cli: RunningCli;
  let browser: Browser;
  let page: Page;

  const field = (id: string) => page.locator(`#job-${id}`);
  const errorOf = (id: string) => page.getByTestId(`error-job-${id}`);
  const check = async () => {
    await page.getByTestId('create-vm-check').click();
    await page.getByTestId('create-vm-result').waitFor();
  };

  beforeAll(async () => {
    cli = startCli(['serve', '--data-dir', data.dir]);
    const url = await cli.pageUrl();
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(url);
    await page.getByTestId('nav-create-vm').click();
    await page.getByRole('form', { name: 'Create VM' }).waitFor();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await cli?.stop();
    data.cleanup();
  });

  test('the form is rendered from the backend schema: groups per parameter set, secrets as password inputs', async () => {
    // Words for people: the schema's labels, no schema id or version line, no field keys.
    expect(await page.getByRole('form', { name: 'Create VM' }).innerText()).not.toMatch(/Form built from schema|vm-create|ipv4PrefixLength/);
    expect(await page.locator('label[for="job-ipv4PrefixLength"]').textContent()).toBe('Prefix length');
    expect(await page.getByTestId('set-staticIpv4').locator('legend').textContent()).toBe('Static IPv4');
    expect(await page.getByTestId('set-staticIpv4').locator('input').count()).toBe(5);
    expect(await page.getByTestId('section-machine').locator('legend').textContent()).toBe('Virtual machine');
    expect(await field('adminPassword').getAttribute('type')).toBe('password');
    expect(await field('vmName').getAttribute('type')).toBe('text');
    expect(await field('cpuCount').inputValue()).toBe('2'); // default from the schema
    expect(await field('memoryGB').inputValue()).toBe('4');
    expect(await page.locator('label[for="job-vmRootPath"]').textContent()).toContain('Storage location');
  });

  test('switching the image OS family shows and hides the OS-specific fields', async () => {
    await expect(field('domainName').isVisible()).resolves.toBe(true);
    await expect(field('ansibleSshKey').count()).resolves.toBe(0);
    await page.getByRole('radio', { name: 'Linux' }).check();
    await field('ansibleSshKey').waitFor();
    expect(await field('ansibleSshKey').evaluate((el) => el.tagName)).toBe('TEXTAREA');
    expect(await field('domainName').count()).toBe(0);
    expect(await page.getByTestId('set-domainJoin').count()).toBe(0);
    await page.getByRole('radio', { name: 'Windows' }).check();
    await field('domainName').waitFor();
    expect(await field('ansibleUser').count()).toBe(0);
  });

  test("an invalid IPv4 address and an incomplete static-IP group show the backend's errors next to the fields", async () => {
    await field('vmName').fill('web01');
    await field('imagePath').fill('D:\\Images\\ws2022.vhdx');
    await field('vmRootPath').fill('C:\\ClusterStorage\\Volume1\\VMs');
    await field('adminUser').fill('admin');
    await field('adminPassword').fill(ADMIN_PASSWORD);
    await field('ipv4Address').fill('10.0.0.300');
    await check();
    expect(await errorOf('ipv4Address').textContent()).toMatch(/must be an IPv4 address such as 192\.0\.2\.10/);
    expect(await errorOf('ipv4PrefixLength').textContent()).toMatch(/^is required when IPv4 address is given/);
    expect(await errorOf('ipv4Gateway').textContent()).toMatch(/is required when IPv4 address/);
    expect(await page.getByTestId('create-vm-result').textContent()).toContain('3 problems found');
    expect(await field('ipv4Address').getAttribute('aria-invalid')).toBe('true');

    // A valid address, the group still incomplete: only the group's errors remain.
    await field('ipv4Address').fill('10.0.0.30');
    await check();
    await page.waitForFunction(() => !document.querySelector('[data-testid="error-job-ipv4Address"]'), undefined, { polling: 100 });
    expect(await errorOf('ipv4Gateway').textContent()).toMatch(/Static IPv4/);
    expect(await errorOf('ipv4PrefixLength').isVisible()).toBe(true);

    await field('ipv4PrefixLength').fill('24');
    await field('ipv4Gateway').fill('10.0.0.1');
    await check();
    await page.waitForFunction(() => document.querySelector('[data-testid="create-vm-result"]')?.textContent?.includes('All values are valid'), undefined, { polling: 100 });
    expect(await page.locator('[data-testid^="error-job-"]').count()).toBe(0);
  });

  test('a field error from another rule (bounds) appears inline too, and the secret is nowhere on disk', async () => {
    await field('cpuCount').fill('65');
    await check();
    expect(await errorOf('cpuCount').textContent()).toBe('must be between 1 and 64');
    expect(filesContaining(data.dir, ADMIN_PASSWORD)).toEqual([]);
  });
});
