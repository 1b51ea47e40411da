/**
 * WsmanRpc's `beforeParse`: awaited once the reply is in and before it is parsed, so a command
 * that lent its lane slot while the host worked takes one again before the heavy part of the
 * reply (HostWait in winrs/command.ts). The transport is a minimal in-memory one (the protocol
 * layer's seam, src/main/winrm/transport.ts); the rpc and the SOAP reader are the real ones.
 */
import { describe, expect, it } from 'vitest';
import type { WsmanResponse, WsmanTransport } from '../../../src/main/winrm/transport';
import { WsmanRpc, receiveSpec } from '../../../src/main/winrm/winrs';

function transportAnswering(body: string, log: string[]): WsmanTransport {
  return {
    endpoint: 'http://hv01:5985/wsman',
    requestCount: 0,
    post: async (): Promise<WsmanResponse> => {
      log.push('reply in');
      return { status: 200, body };
    },
    close: async () => undefined,
  };
}

describe('WsmanRpc beforeParse', () => {
  it('is awaited after the reply arrived and before it is read: a bad reply fails only once it returns', async () => {
    const log: string[] = [];
    const rpc = new WsmanRpc(transportAnswering('<not-an-envelope', log));
    let release!: () => void;
    const call = rpc.call(receiveSpec('shell-1', 'cmd-1'), {
      beforeParse: () => {
        log.push('beforeParse');
        return new Promise<void>((resolve) => (release = resolve));
      },
    });
    let settled = false;
    call.then(
      () => (settled = true),
      () => (settled = true),
    );
    await new Promise((r) => setTimeout(r, 50));
    // The reply is in, the hook runs, and nothing was parsed yet (the malformed body has not failed the call).
    expect(log).toEqual(['reply in', 'beforeParse']);
    expect(settled).toBe(false);
    release();
    await expect(call).rejects.toThrow();
  });

  it('is not called when the call fails before a reply', async () => {
    const log: string[] = [];
    const rpc = new WsmanRpc({ ...transportAnswering('', log), post: async () => Promise.reject(new Error('socket closed')) });
    await expect(rpc.call(receiveSpec('shell-1', 'cmd-1'), { beforeParse: async () => void log.push('beforeParse') })).rejects.toThrow('socket closed');
    expect(log).toEqual([]);
  });
});
