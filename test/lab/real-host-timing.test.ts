/**
 * The lab's model of a real host's timing, which bench:inventory and bench:scale rely on: every
 * HTTP response waits the round trip (knob latencyMs), and each agent inventory operation — full
 * and quick, the two a refresh makes — runs for the inventory knob delayMs. While it runs, the
 * client's Receive long-polls as on Windows: the lab answers it only with output, or with a
 * w:TimedOut fault once the request's OperationTimeout has passed, so waiting costs one request
 * per OperationTimeout and never a busy poll.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { invokeAgent } from '../../src/main/agent';
import { WinrmClient } from '../../src/main/winrm';
import { startLab, type Lab, type SimHost } from './index';
import { setInventoryKnobs } from './agent/inventory';

const INSTALL_DIR = 'C:\\ProgramData\\Aether-V\\agent';
const ROUND_TRIP_MS = 20;
const AGENT_RUN_MS = 2500;

describe('real-host timing in the lab: round trips and agent run time', () => {
  let lab: Lab;
  let host: SimHost;
  let client: WinrmClient;

  beforeAll(async () => {
    lab = await startLab({ hosts: 1, vmsPerHost: 3 });
    const info = lab.hosts[0]!;
    host = lab.host(info.name);
    host.files.put(`${INSTALL_DIR}\\Invoke-AgentOperation.ps1`, Buffer.from('# agent'));
    // A 1 s OperationTimeout, so a 2.5 s agent run spans two timed-out Receives.
    client = new WinrmClient({ endpoint: info.httpUrl, auth: 'ntlm', username: info.username, password: info.password, operationTimeoutS: 1 });
  });
  afterAll(async () => {
    await client?.close();
    await lab?.close();
  });

  /** One agent call on the warm client: how long it took and how many HTTP requests the host saw. */
  async function call(operation: 'inventory' | 'inventory.quick'): Promise<{ ms: number; requests: number; data: unknown }> {
    const before = host.stats.httpRequests;
    const started = performance.now();
    const data = await invokeAgent(client, { host: 'hv', installDir: INSTALL_DIR, operation, correlationId: `c-${operation}`, fields: {} });
    const ms = performance.now() - started;
    // The command's Signal is sent after the call returns: let it reach the host before counting.
    await new Promise((resolve) => setTimeout(resolve, 200));
    return { ms, requests: host.stats.httpRequests - before, data };
  }

  test('each response waits the round trip; each inventory run (full and quick) takes the agent run time, waited out by long-polls', async () => {
    await host.setKnobs({ latencyMs: 0 });
    setInventoryKnobs(host, { delayMs: 0 });
    await call('inventory'); // warms the client: NTLM handshake and shell are done
    const instant = await call('inventory');

    await host.setKnobs({ latencyMs: ROUND_TRIP_MS });
    const networked = await call('inventory');
    // The same requests as an instant host, each answered a round trip later (they run in sequence;
    // the command's Signal goes out after the call has returned, so it is not waited for).
    expect(networked.requests).toBe(instant.requests);
    expect(networked.ms).toBeGreaterThanOrEqual((instant.requests - 1) * ROUND_TRIP_MS);

    setInventoryKnobs(host, { delayMs: AGENT_RUN_MS });
    for (const operation of ['inventory', 'inventory.quick'] as const) {
      const real = await call(operation);
      expect(real.data).toMatchObject({ VirtualMachines: expect.any(Array) });
      expect(real.ms).toBeGreaterThanOrEqual(AGENT_RUN_MS + 2 * ROUND_TRIP_MS);
      // Exactly two more requests than an instant run: the Receives that timed out after 1 s and
      // 2 s. A lab that answered Receive at once (busy polling) would show dozens; one that held
      // Receive past its OperationTimeout would show none.
      expect(real.requests).toBe(instant.requests + 2);
    }
  }, 30_000);
});
