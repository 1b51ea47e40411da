/**
 * The loopback channel between the simulated Hyper-V PowerShell modules (running inside real pwsh
 * processes) and the lab's host model: one HTTP endpoint on 127.0.0.1 with a per-lab random token.
 * Each cmdlet call of the simulated module is one POST { host, method, params }; the answer is
 * { ok: true, result } or { ok: false, error: { kind, message } }. Keeping the model in the lab's
 * process means the real agent, the TypeScript stand-ins and the tests all see one host model.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SimHost } from '../host';
import { readBody } from '../http-body';
import { handleHyperVRpc, HyperVRpcError } from './hyperv-rpc';

/** Requests larger than this are refused: the module never sends more than a few KVP items. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface LabRpcServer {
  url: string;
  token: string;
  close(): Promise<void>;
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/.exec(header ?? '')?.[1] ?? '', 'utf8');
  const wanted = Buffer.from(token, 'utf8');
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** Starts the channel; `resolveHost` maps the host name a process was started for to its SimHost. */
export async function startLabRpcServer(resolveHost: (name: string) => SimHost | undefined): Promise<LabRpcServer> {
  const token = randomBytes(24).toString('hex');
  const server: Server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    if (req.method !== 'POST' || req.url !== '/rpc') return send(404, { ok: false, error: { kind: 'InvalidArgument', message: 'POST /rpc only' } });
    if (!tokenMatches(req.headers.authorization, token)) return send(401, { ok: false, error: { kind: 'PermissionDenied', message: 'bad lab token' } });
    void (async () => {
      try {
        const request = JSON.parse((await readBody(req, MAX_BODY_BYTES)).toString('utf8')) as { host?: unknown; method?: unknown; params?: unknown };
        if (typeof request.host !== 'string' || typeof request.method !== 'string') throw new HyperVRpcError('InvalidArgument', 'host and method are required');
        const host = resolveHost(request.host);
        if (!host) throw new HyperVRpcError('NotFound', `the lab has no host '${request.host}'`);
        const params = request.params && typeof request.params === 'object' ? (request.params as Record<string, unknown>) : {};
        const result = await handleHyperVRpc(host, request.method, params);
        send(200, { ok: true, result: result ?? null });
      } catch (error) {
        if (error instanceof HyperVRpcError) send(200, { ok: false, error: { kind: error.kind, message: error.message } });
        else send(200, { ok: false, error: { kind: 'OperationFailed', message: `lab error: ${error instanceof Error ? error.message : String(error)}` } });
      }
    })();
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/rpc`,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
