/** Starts a replay server for a capture and a client talking to it over a real socket. */
import { WinrmClient } from '../../../../src/main/winrm';
import type { WsmanTransport } from '../../../../src/main/winrm/transport';
import { HttpWsmanTransport } from '../../../../src/main/winrm/http/transport';
import { loadCapture, startReplay, type ReplayServer } from './replay-server';

export const CREDENTIALS = { username: 'vagrant', password: 'vagrant' };

/** The production HTTP transport: Basic over plain http, which only tests on loopback may allow. */
export function makeTransport(url: string): WsmanTransport {
  return new HttpWsmanTransport({ endpoint: url, auth: 'basic', ...CREDENTIALS, allowUnencryptedBasic: true });
}

export async function replay(name: string): Promise<{ server: ReplayServer; transport: WsmanTransport; client: WinrmClient }> {
  const server = await startReplay(loadCapture(name), { basic: CREDENTIALS });
  const transport = makeTransport(server.url);
  return { server, transport, client: WinrmClient.withTransport(transport, { operationTimeoutS: 10 }) };
}
