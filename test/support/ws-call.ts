import WebSocket from 'ws';

export interface WsResponse {
  ok: boolean;
  data?: unknown;
  error?: { code?: string; message: string };
}

/** One contract call over the browser-mode WebSocket of `appUrl` (the URL `aether-v serve` prints). */
export async function wsCall(appUrl: string, command: string, request: unknown): Promise<WsResponse> {
  const u = new URL(appUrl);
  // The server checks Origin like a browser would send it.
  const ws = new WebSocket(`ws://${u.host}/ws?token=${u.searchParams.get('token')}`, { origin: u.origin });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const response = await new Promise<WsResponse>((resolve) => {
    ws.on('message', (m) => {
      const msg = JSON.parse(String(m)) as { type: string; id?: number; response?: WsResponse };
      if (msg.type === 'result' && msg.id === 1) resolve(msg.response!);
    });
    ws.send(JSON.stringify({ id: 1, command, request }));
  });
  ws.close();
  return response;
}
