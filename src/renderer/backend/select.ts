import type { PreloadApi } from '../../shared/ipc';
import type { Backend } from './backend';
import { electronBackend } from './electron-backend';
import { webSocketBackend } from './ws-backend';

/** Electron's preload exposes window.aetherv; in a browser the token in our URL opens the socket. */
export function selectBackend(win: Window & { aetherv?: PreloadApi }): Backend | { error: string } {
  if (win.aetherv) return electronBackend(win.aetherv);
  const token = new URLSearchParams(win.location.search).get('token');
  if (!token) return { error: 'This page needs the URL printed by `aether-v serve` (it carries an access token).' };
  const url = `ws://${win.location.host}/ws?token=${encodeURIComponent(token)}`;
  return webSocketBackend(url);
}
