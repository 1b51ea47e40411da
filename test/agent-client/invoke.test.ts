import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AgentNotDeployed, AgentOperationFailed, invokeAgent } from '../../src/main/agent';
import { WinrmClient } from '../../src/main/winrm';
import { startLab, type Lab } from '../lab';
import { AgentOperationError } from '../lab/agent';
import { jobOperations } from '../lab/agent/jobs';

const INSTALL_DIR = 'C:\\ProgramData\\Aether-V\\agent';

describe('invokeAgent against a lab host (fixed command text + base64 envelope on stdin)', () => {
  let lab: Lab;
  let client: WinrmClient;

  beforeAll(async () => {
    lab = await startLab({ hosts: 1, vmsPerHost: 1 });
    const info = lab.hosts[0]!;
    client = new WinrmClient({ endpoint: info.httpUrl, auth: 'ntlm', username: info.username, password: info.password });
    jobOperations['test.echo'] = ({ envelope, log }) => {
      log('echoing', 'info', 'echo');
      if (envelope.fields.fail) throw new AgentOperationError('INVALID_STATE', 'the VM is off', { state: 'Off' });
      return { echoed: envelope.fields.text, correlationId: envelope.correlationId };
    };
  });
  afterAll(async () => {
    delete jobOperations['test.echo'];
    await client?.close();
    await lab?.close();
  });

  test('a missing agent is reported as AgentNotDeployed', async () => {
    await expect(
      invokeAgent(client, { host: 'hv', installDir: INSTALL_DIR, operation: 'test.echo', correlationId: 'c1', fields: {} }),
    ).rejects.toBeInstanceOf(AgentNotDeployed);
  });

  test('fields travel as data, logs stream, the result is parsed', async () => {
    lab.host(lab.hosts[0]!.name).files.put(`${INSTALL_DIR}\\Invoke-AgentOperation.ps1`, Buffer.from('# agent'));
    const logs: string[] = [];
    const tricky = `x'; Remove-Item C:\\ -Recurse; 'Überwachung "测试"`;
    const data = await invokeAgent(client, {
      host: 'hv',
      installDir: INSTALL_DIR,
      operation: 'test.echo',
      correlationId: 'c2',
      fields: { text: tricky },
      onLog: (e) => logs.push(e.message),
    });
    expect(data).toEqual({ echoed: tricky, correlationId: 'c2' });
    expect(logs).toEqual(['echoing']);
  });

  test('an agent error result becomes AgentOperationFailed with its code', async () => {
    const failure = invokeAgent(client, { host: 'hv', installDir: INSTALL_DIR, operation: 'test.echo', correlationId: 'c3', fields: { fail: true } });
    await expect(failure).rejects.toBeInstanceOf(AgentOperationFailed);
    await expect(failure).rejects.toMatchObject({ code: 'INVALID_STATE', details: { state: 'Off' } });
  });
});
