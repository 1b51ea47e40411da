/**
 * HostWait: a command tells its caller around each Receive (the waits while only the host works),
 * so the scheduler can lend the lane slot meanwhile. Every Receive is bracketed, timed-out ones
 * too, and the reply is used only after `resume` has returned.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { invokeAgent } from '../../../src/main/agent';
import { WinrmClient } from '../../../src/main/winrm';
import { startLab, type Lab } from '../../lab';
import { setInventoryKnobs } from '../../lab/agent/inventory';

const INSTALL_DIR = 'C:\\ProgramData\\Aether-V\\agent';

describe('WinRM commands tell their caller when they only wait on the host', () => {
  let lab: Lab;
  let client: WinrmClient;

  beforeAll(async () => {
    lab = await startLab({ hosts: 1, vmsPerHost: 2 });
    const info = lab.hosts[0]!;
    lab.host(info.name).files.put(`${INSTALL_DIR}\\Invoke-AgentOperation.ps1`, Buffer.from('# agent'));
    client = new WinrmClient({ endpoint: info.httpUrl, auth: 'ntlm', username: info.username, password: info.password, operationTimeoutS: 1 });
  });
  afterAll(async () => {
    await client?.close();
    await lab?.close();
  });

  test('each Receive is parked and resumed; the result waits for the resume', async () => {
    setInventoryKnobs(lab.host(lab.hosts[0]!.name), { delayMs: 2500 });
    const calls: string[] = [];
    let parkedMs = 0;
    let parkedAt = 0;
    let release: (() => void) | undefined;
    const hostWait = {
      park: () => {
        calls.push('park');
        parkedAt = performance.now();
      },
      resume: () => {
        calls.push('resume');
        parkedMs += performance.now() - parkedAt;
        // The last resume is held 300 ms: the call must not finish before it returns.
        if (calls.filter((c) => c === 'resume').length < 3) return Promise.resolve();
        return new Promise<void>((resolve) => (release = resolve)).then(() => {
          calls.push('resumed');
        });
      },
    };
    const started = performance.now();
    const result = invokeAgent(client, { host: 'hv', installDir: INSTALL_DIR, operation: 'inventory', correlationId: 'c1', fields: {}, hostWait });
    await new Promise((r) => setTimeout(r, 2900));
    expect(release).toBeTypeOf('function');
    let done = false;
    void result.then(() => (done = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(done).toBe(false);
    release!();
    await expect(result).resolves.toMatchObject({ VirtualMachines: expect.any(Array) });
    // Two Receives timed out (1 s OperationTimeout), the third brought the output.
    expect(calls).toEqual(['park', 'resume', 'park', 'resume', 'park', 'resume', 'resumed']);
    expect(parkedMs).toBeGreaterThanOrEqual(2400);
    expect(performance.now() - started).toBeGreaterThanOrEqual(2800);
  }, 20_000);
});
