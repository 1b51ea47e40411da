import { spawn } from 'node:child_process';
import path from 'node:path';
import { createBackend, type Backend } from '../../main/backend';
import { FirstPaintGate } from '../../main/backend-connection';
import { defaultDataDir } from '../../main/data-dir';
import { withEarlyInventory, type EarlyOutcome } from '../../main/transport/early-inventory';
import { pageHeadStart } from '../../main/transport/page-load';
import { takeStartSnapshot } from '../../main/transport/start-snapshot';
import { APP_VERSION } from '../../main/version';
import { startBrowserServer, type BrowserServer } from '../../main/transport/ws-server';
import { intFlag, parseArgs } from '../args';
import type { CliCommand } from '../command';
import { ensureRendererBuilt } from '../renderer-build';

export interface RunningApp {
  backend: Backend;
  server: BrowserServer;
  /** Whether the page was answered from the last session's snapshot, and what the backend then said of it. */
  earlyInventory: Promise<EarlyOutcome>;
  close(): Promise<void>;
}

/**
 * Starts the browser-mode server and the backend headless; shared by `serve` and `demo`. The
 * server listens first and `onListening` gets its URL at once; the first page gets its scripts,
 * then the backend opens its stores while the browser compiles the app. Commands wait for the
 * backend, events flow once it is up. The inventory snapshot does not wait: the last session's
 * (start-snapshot.ts, only when it is the current store's) answers the page at once, and the
 * backend confirms or replaces it once it is up (early-inventory.ts).
 */
export async function startBrowserApp(options: { dataDir: string; port: number; quiet?: boolean; onListening?: (url: string) => void }): Promise<RunningApp> {
  // First of all, before the server even listens: a synchronous read of one file.
  const early = takeStartSnapshot(options.dataDir, APP_VERSION);
  const rendererDir = await ensureRendererBuilt((line) => process.stderr.write(line + '\n'));
  let started!: { resolve(backend: Backend): void; reject(error: unknown): void };
  const starting = new Promise<Backend>((resolve, reject) => (started = { resolve, reject }));
  starting.catch(() => undefined); // reported by the await below and to every command meanwhile
  const gate = new FirstPaintGate();
  const connection = withEarlyInventory(gate.connect(starting), starting, early);
  // The page carries the last session's first screen (figures and first rows, marked cached) while
  // those rows are still what the backend would answer: painted without waiting for any answer.
  const server = await startBrowserServer({ backend: connection, rendererDir, port: options.port, firstScreen: connection.firstScreen });
  options.onListening?.(server.url);
  // This thread serves the page and opens the stores, whose first steps are synchronous: the page
  // gets its scripts first (briefly: see pageHeadStart), so the browser compiles the app while the
  // stores open instead of waiting for its scripts until they are open.
  let pageRequested = false;
  void server.firstPage.requested.then(() => (pageRequested = true));
  await pageHeadStart(server.firstPage);
  // With the last session's snapshot, the page paints without the backend: let it have that
  // answer before the stores' synchronous opening takes this thread (briefly: a page that does
  // not ask soon does not hold the backend back).
  if (early && pageRequested) await withinMs(connection.served, 1000);
  createBackend({ dataDir: options.dataDir, runtime: 'browser', echoLog: !options.quiet, hostContact: gate.hostContact, lastResortHandlers: true }).then(started.resolve, started.reject);
  let backend: Backend;
  try {
    backend = await starting;
  } catch (error) {
    await server.close();
    throw error;
  }
  return {
    backend,
    server,
    earlyInventory: connection.outcome,
    async close() {
      await server.close();
      await backend.close();
    },
  };
}

/** Waits for `promise`, but at most `ms`. */
async function withinMs(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

export function openInBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : process.platform === 'darwin' ? ['open', [url]] : ['xdg-open', [url]];
  const child = spawn(cmd, args as string[], { stdio: 'ignore', detached: true });
  child.on('error', () => process.stderr.write(`Could not open a browser; open ${url} yourself.\n`));
  child.unref();
}

/** Resolves when SIGINT or SIGTERM arrives. */
export function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const done = (signal: string) => resolve(signal);
    process.once('SIGINT', () => done('SIGINT'));
    process.once('SIGTERM', () => done('SIGTERM'));
  });
}

export const command: CliCommand = {
  name: 'serve',
  summary: 'run the backend headless and serve the UI to a browser',
  help: `Usage: aether-v serve [--port N] [--data-dir DIR] [--open]

Runs the Aether-V backend under Node without Electron and serves the same UI to your browser,
bound to 127.0.0.1 only. The printed URL carries a random token that changes every run; the page
and its WebSocket refuse requests without it.

Options:
  --port N         TCP port on 127.0.0.1 (default: a free port)
  --data-dir DIR   settings, encrypted secrets, store and logs (default: ${defaultDataDir()})
  --open           open the URL in the default browser
  --help           show this help
`,
  async run(args) {
    const parsed = parseArgs(args, { valueFlags: ['port', 'data-dir'], booleanFlags: ['open'] });
    const port = intFlag(parsed, 'port', 0, 0, 65_535);
    const dataDir = path.resolve(String(parsed.flags.get('data-dir') ?? defaultDataDir()));
    const app = await startBrowserApp({
      dataDir,
      port,
      // The page can load while the backend starts; it waits for the backend by itself.
      onListening: (url) => {
        process.stdout.write(`Aether-V is running in browser mode.\nOpen: ${url}\nData: ${dataDir}\nPress Ctrl+C to stop.\n`);
        if (parsed.flags.has('open')) openInBrowser(url);
      },
    });
    await untilSignal();
    await app.close();
    return 0;
  },
};
