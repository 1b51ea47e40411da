/**
 * HTTP server the Hyper-V hosts download agent files from (Invoke-WebRequest on the host pulls
 * each file; large ISOs never travel through WinRM). It serves the manifest and exactly the files
 * the manifest names, looked up by exact string match on the raw request path, so nothing is ever
 * decoded, joined or resolved: no traversal form can reach another file.
 * Range requests are ignored (always 200 with the full body; RFC 9110 allows this) and
 * announced with `Accept-Ranges: none`: files are small or downloaded once, resumption is not
 * worth a second code path.
 *
 * Attack surface: the server listens only on the address hosts use. A wildcard bind address
 * (0.0.0.0 or ::, the default) is narrowed to the advertised address when that is an address of
 * this workstation, so other networks the workstation is on (Wi-Fi, VPN, a lab NIC) never see the
 * port. We chose this over "listen only while a deployment runs" because hosts re-download on
 * redeploy, recovery and version checks at any time, and a server that comes and goes would turn
 * each of those into a race with the firewall. Refused requests are logged at a bounded rate so a
 * scanner cannot flood the app log.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { prepareProvisioningMedia } from '../provisioning';
import { chooseListenAddress, refusalLogger, WILDCARDS } from './artifact-listen';
import { scanAgentPayload, serializeAgentManifest, type AgentManifest } from './manifest';

export { chooseListenAddress, refusalLogger } from './artifact-listen';

export interface ArtifactLogEvent {
  level: 'info' | 'warn' | 'error';
  message: string;
  /** Requested path (raw, truncated), status and client, when the event is about a request. */
  path?: string;
  status?: number;
  remoteAddress?: string;
  bytes?: number;
}

export interface ArtifactServerOptions {
  /** Bind address, e.g. 127.0.0.1 or the workstation's LAN address; 0.0.0.0 for all. */
  host: string;
  /** 0 picks a free port. */
  port: number;
  agentDir: string;
  /**
   * Where the provisioning ISOs built from `agentDir/guest/` are kept (a folder of the app's data
   * directory). When set, they are built at start and served beside the agent files, in the same
   * manifest; without it only the agent folder is served.
   */
  mediaCacheDir?: string;
  /**
   * Base URL hosts use to reach this server (e.g. http://ws01.corp:8750), or a function of the
   * port actually bound (port 0 picks one). Derived when absent.
   */
  advertisedBaseUrl?: string | ((port: number) => string);
  log: (event: ArtifactLogEvent) => void;
  /** Refused requests are logged at most once per this many ms (the rest counted); default 10 s. */
  refusedLogIntervalMs?: number;
}

export interface ArtifactDownload {
  file: string;
  bytes: number;
  remoteAddress: string;
  at: string;
}

export interface ArtifactServer {
  /** Local URL of the listening socket, e.g. http://127.0.0.1:53211 */
  readonly url: string;
  /** What hosts are told to use; files live at `${advertisedBaseUrl}/agent/<name>`. */
  readonly advertisedBaseUrl: string;
  readonly manifest: AgentManifest;
  /** True while listening; false after close(). */
  readonly ready: boolean;
  readonly downloads: { readonly count: number; readonly recent: readonly ArtifactDownload[] };
  /** `${advertisedBaseUrl}/agent/<name>` for a manifest file; throws for any other name. */
  fileUrl(name: string): string;
  close(): Promise<void>;
}

interface ServedFile {
  name: string;
  path: string;
  size: number;
  mtimeMs: number;
  etag: string;
  contentType: string;
}

const RECENT_DOWNLOADS = 100;

function contentTypeOf(name: string): string {
  if (/\.ps1$/i.test(name) || name === 'version') return 'text/plain; charset=utf-8';
  return 'application/octet-stream';
}

/** If-None-Match uses weak comparison (RFC 9110 13.1.2): W/ prefixes are ignored. */
function etagMatches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const strip = (tag: string): string => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => strip(tag) === strip(etag));
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export async function startArtifactServer(options: ArtifactServerOptions): Promise<ArtifactServer> {
  const { log } = options;
  const media = options.mediaCacheDir ? await prepareProvisioningMedia(options.agentDir, options.mediaCacheDir) : null;
  if (media && media.written.length > 0) log({ level: 'info', message: `Built provisioning media ${media.written.join(', ')} in ${media.dir}` });
  const { manifest, paths } = await scanAgentPayload(options.agentDir, media ? [media.dir] : []);
  const manifestBody = Buffer.from(serializeAgentManifest(manifest), 'utf8');
  const manifestEtag = `"sha256-${createHash('sha256').update(manifestBody).digest('hex')}"`;

  const files = new Map<string, ServedFile>();
  for (const file of manifest.files) {
    const path = paths.get(file.name)!;
    const info = await stat(path);
    files.set(file.name, {
      name: file.name,
      path,
      size: file.size,
      mtimeMs: info.mtimeMs,
      etag: `"sha256-${file.sha256}"`,
      contentType: contentTypeOf(file.name),
    });
  }

  const refusals = refusalLogger(log, options.refusedLogIntervalMs ?? 10_000);
  let downloadCount = 0;
  const recent: ArtifactDownload[] = [];
  let listening = false;

  const send = (
    res: ServerResponse,
    status: number,
    body: string,
    extra: Record<string, string> = {},
  ): void => {
    const bytes = Buffer.from(body, 'utf8');
    res.writeHead(status, {
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': String(bytes.length),
      'X-Content-Type-Options': 'nosniff',
      ...extra,
    });
    res.end(res.req.method === 'HEAD' ? undefined : bytes);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const rawUrl = req.url ?? '';
    const remoteAddress = req.socket.remoteAddress ?? 'unknown';
    const logPath = rawUrl.slice(0, 200);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      refusals.refused({ level: 'warn', message: `Refused a ${String(req.method).slice(0, 16)} request`, path: logPath, status: 405, remoteAddress });
      send(res, 405, 'Method not allowed: use GET or HEAD.\n', { Allow: 'GET, HEAD' });
      return;
    }
    // The query string is ignored; the path is compared raw, never decoded.
    const queryAt = rawUrl.indexOf('?');
    const path = queryAt >= 0 ? rawUrl.slice(0, queryAt) : rawUrl;

    if (path === '/healthz') {
      const body = JSON.stringify({
        status: 'ok',
        agentVersion: manifest.agentVersion,
        files: manifest.files.length,
      });
      send(res, 200, body + '\n', { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      return;
    }
    if (path === '/agent/manifest.json') {
      const headers = { ETag: manifestEtag, 'Cache-Control': 'no-cache', 'Accept-Ranges': 'none' };
      if (etagMatches(req.headers['if-none-match'], manifestEtag)) {
        res.writeHead(304, headers);
        res.end();
        return;
      }
      res.writeHead(200, {
        ...headers,
        'Content-Type': 'application/json',
        'Content-Length': String(manifestBody.length),
        'X-Content-Type-Options': 'nosniff',
      });
      res.end(req.method === 'HEAD' ? undefined : manifestBody);
      return;
    }
    const file = path.startsWith('/agent/') ? files.get(path.slice('/agent/'.length)) : undefined;
    if (!file) {
      refusals.refused({
        level: 'warn',
        message: path.startsWith('/agent/') ? 'Refused a request for a file outside the agent manifest' : 'Refused a request for an unknown path',
        path: logPath,
        status: 404,
        remoteAddress,
      });
      send(res, 404, 'Not found.\n');
      return;
    }

    // The manifest promised these bytes; if someone edited the folder since, refuse rather than
    // serve content whose hash no longer matches what the host will verify.
    const info = await stat(file.path).catch(() => undefined);
    if (!info || info.size !== file.size || info.mtimeMs !== file.mtimeMs) {
      log({
        level: 'error',
        message: `Agent file ${file.name} changed on disk after the server started; restart the app to rebuild the manifest`,
        path: logPath,
        status: 503,
        remoteAddress,
      });
      send(
        res,
        503,
        'Agent files changed since startup; the workstation must restart its artifact server.\n',
        { 'Retry-After': '30' },
      );
      return;
    }
    const headers = { ETag: file.etag, 'Cache-Control': 'no-cache', 'Accept-Ranges': 'none' };
    if (etagMatches(req.headers['if-none-match'], file.etag)) {
      res.writeHead(304, headers);
      res.end();
      log({
        level: 'info',
        message: `Not modified: ${file.name}`,
        path: logPath,
        status: 304,
        remoteAddress,
      });
      return;
    }
    res.writeHead(200, {
      ...headers,
      'Content-Type': file.contentType,
      'Content-Length': String(file.size),
      'X-Content-Type-Options': 'nosniff',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(file.path);
    stream.on('error', (error) => {
      log({
        level: 'error',
        message: `Reading ${file.name} failed: ${error.message}`,
        path: logPath,
        remoteAddress,
      });
      res.destroy(error);
    });
    res.on('finish', () => {
      downloadCount++;
      const entry = { file: file.name, bytes: file.size, remoteAddress, at: new Date().toISOString() };
      recent.push(entry);
      if (recent.length > RECENT_DOWNLOADS) recent.shift();
      log({
        level: 'info',
        message: `Served ${file.name}`,
        path: logPath,
        status: 200,
        remoteAddress,
        bytes: file.size,
      });
    });
    stream.pipe(res);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log({
        level: 'error',
        message: `Artifact request failed: ${(error as Error).message}`,
        path: (req.url ?? '').slice(0, 200),
      });
      if (!res.headersSent) send(res, 500, 'Internal error.\n');
      else res.destroy();
    });
  });

  // The advertised host does not depend on the port, so the configured one is good enough here.
  const advertisedForBind =
    (typeof options.advertisedBaseUrl === 'function' ? options.advertisedBaseUrl(options.port) : options.advertisedBaseUrl) ?? `http://${hostname()}`;
  let advertisedHost: string;
  try {
    advertisedHost = new URL(advertisedForBind).hostname;
  } catch {
    advertisedHost = hostname();
  }
  const listen = await chooseListenAddress(options.host, advertisedHost);
  const bindHost = listen.address;

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        new Error(
          error.code === 'EADDRINUSE'
            ? `Artifact server: port ${options.port} on ${options.host} is already in use; choose another port in settings.`
            : error.code === 'EADDRNOTAVAIL'
              ? `Artifact server: ${bindHost} is not an address of this workstation; fix the bind address in settings.`
              : `Artifact server could not listen on ${bindHost}:${options.port}: ${error.message}`,
        ),
      );
    };
    server.once('error', onError);
    server.listen(options.port, bindHost, () => {
      server.off('error', onError);
      resolve();
    });
  });
  listening = true;
  server.on('error', (error) => log({ level: 'error', message: `Artifact server error: ${error.message}` }));

  const port = (server.address() as AddressInfo).port;
  const url = `http://${hostForUrl(bindHost)}:${port}`;
  const wildcard = WILDCARDS.has(bindHost);
  const advertisedBaseUrl = (
    (typeof options.advertisedBaseUrl === 'function' ? options.advertisedBaseUrl(port) : options.advertisedBaseUrl) ??
    (wildcard ? `http://${hostname()}:${port}` : url)
  ).replace(/\/+$/, '');
  log({
    level: 'info',
    message: `Artifact server listening on ${url} (${listen.reason}), advertised as ${advertisedBaseUrl} (agent ${manifest.agentVersion}, ${manifest.files.length} files)`,
  });

  return {
    url,
    advertisedBaseUrl,
    manifest,
    get ready() {
      return listening;
    },
    downloads: {
      get count() {
        return downloadCount;
      },
      get recent() {
        return recent.slice();
      },
    },
    fileUrl(name: string): string {
      if (!files.has(name)) throw new Error(`${JSON.stringify(name)} is not an agent file.`);
      return `${advertisedBaseUrl}/agent/${name}`;
    },
    async close(): Promise<void> {
      if (!listening) return;
      listening = false;
      refusals.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
