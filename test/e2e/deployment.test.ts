// Agent deployment in the UI: `aether-v serve` (temp data dir, artifact server on 127.0.0.1:0)
// deploying to lab hosts added through the Settings form, and `aether-v demo` deploying to its lab.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { seedDemoSettings } from '../../src/main/deployment/demo-settings';
import { startLab, type Lab } from '../lab';
import { presetAgentVersion } from '../lab/deploy';
import { BUNDLED_AGENT_VERSION } from '../support/agent-version';
import { launchChromium } from '../support/browser';
import { startCli, type RunningCli } from '../support/cli';
import { tempDir } from '../support/temp';

const INSTALL_DIR = 'C:\\ProgramData\\Aether-V\\agent';

async function waitForText(page: Page, testId: string, pattern: RegExp): Promise<string> {
  await page.waitForFunction(
    ([id, source]) =>
      new RegExp(source as string).test(
        document.querySelector(`[data-testid="${id as string}"]`)?.textContent ?? '',
      ),
    [testId, pattern.source],
    { polling: 100, timeout: 60_000 },
  );
  return (await page.getByTestId(testId).textContent()) ?? '';
}

describe('agent deployment in the UI', () => {
  const data = tempDir();
  const demoData = tempDir();
  let lab: Lab;
  let cli: RunningCli;
  let demo: RunningCli | undefined;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    lab = await startLab({ hosts: 3, vmsPerHost: 1, clusters: 0 });
    presetAgentVersion(lab.host('hv02'), INSTALL_DIR, '7.0.0');
    await lab.host('hv03').setKnobs({ unreachable: true });
    seedDemoSettings(data.dir);
    cli = startCli(['serve', '--data-dir', data.dir]);
    const url = await cli.pageUrl();
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(url);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await cli?.stop();
    await demo?.stop();
    await lab?.close();
    data.cleanup();
    demoData.cleanup();
  });

  test('hosts added in Settings are deployed; the notification and each host state show live', async () => {
    await page.getByTestId('nav-settings').click();
    for (const info of lab.hosts) {
      const url = new URL(info.httpUrl);
      await page.getByTestId('add-host').click();
      const form = page.getByRole('form', { name: 'Add host' });
      await form.getByLabel('Display name').fill(info.name);
      await form.getByLabel('Address', { exact: true }).fill(url.hostname);
      await form.getByLabel('Transport').selectOption('http');
      await form.getByLabel('Port', { exact: true }).fill(url.port);
      await form.getByLabel('User name').fill(info.username);
      await form.getByLabel('Password').fill(info.password);
      await form.getByRole('button', { name: 'Add host' }).click();
      await page.getByTestId('host-list').getByText(info.name, { exact: true }).waitFor();
    }
    const message = await waitForText(
      page,
      'deployment-progress',
      /3\/3|1\/3 hosts ready, 1 failed, 1 with a newer agent/,
    );
    expect(message).toBe('Agent deployment: 1/3 hosts ready, 1 failed, 1 with a newer agent (left alone)');
    await waitForText(page, 'deploy-hv03', /unreachable/);
    expect(await page.getByTestId('deploy-hv01').getAttribute('data-state')).toBe('ready');
    expect(await page.getByTestId('deploy-hv02').getAttribute('data-state')).toBe('newer');
    expect(await page.getByTestId('deploy-hv02').textContent()).toContain(
      `agent newer than this app (7.0.0 > ${BUNDLED_AGENT_VERSION})`,
    );
    expect(await page.getByTestId('deploy-hv03').textContent()).toMatch(
      /host hv03: cannot reach 127\.0\.0\.1:\d+/,
    );
    // The same notification is in the bell, once.
    await page.getByTestId('bell').click();
    const panel = page.getByRole('dialog', { name: 'Notifications' });
    // Beside its title, the message does not repeat "Agent deployment: ".
    expect(await panel.getByText('1/3 hosts ready, 1 failed').count()).toBe(1);
    expect(await panel.getByText('Agent deployment: 1/3').count()).toBe(0);
    await page.getByTestId('bell').click();
  }, 90_000);

  test('"Redeploy agent" replaces the newer agent and the counts update in place', async () => {
    await page.getByRole('button', { name: 'Redeploy agent to hv02' }).click();
    const message = await waitForText(page, 'deployment-progress', /2\/3 hosts ready/);
    expect(message).toBe('Agent deployment: 2/3 hosts ready, 1 failed');
    // The per-host rows poll deployment.status once a second; the notification is pushed.
    await page.waitForFunction(
      () => document.querySelector('[data-testid="deploy-hv02"]')?.getAttribute('data-state') === 'ready',
      undefined,
      {
        polling: 100,
        timeout: 10_000,
      },
    );
    expect(lab.host('hv02').files.getText(`${INSTALL_DIR}\\version`)?.trim()).toBe(BUNDLED_AGENT_VERSION);
  }, 60_000);

  test('aether-v demo deploys the agent to its own lab (artifact server on 127.0.0.1)', async () => {
    demo = startCli(['demo', '--browser', '--hosts', '2', '--vms', '1', '--data-dir', demoData.dir]);
    const url = await demo.pageUrl();
    const demoPage = await browser.newPage();
    await demoPage.goto(url);
    await demoPage.getByTestId('nav-settings').click();
    const message = await waitForText(demoPage, 'deployment-progress', /2\/2 hosts ready/);
    expect(message).toBe('Agent deployment: 2/2 hosts ready, 0 failed');
    expect(await demoPage.getByTestId('artifact-server').textContent()).toMatch(/http:\/\/127\.0\.0\.1:\d+/);
    await demoPage.close();
  }, 90_000);
});
