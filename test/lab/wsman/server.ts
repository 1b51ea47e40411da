/**
 * The HTTP(S) side of a simulated host: POST /wsman only, authentication, NTLM-sealed
 * `multipart/encrypted` bodies in both directions, Identify, and the injected failures
 * (latency, HTTP 500 / reset, refusal while unreachable).
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { ENCRYPTED_CONTENT_TYPE, isEncryptedContentType, sealToBody, unsealFromBody } from '../../../src/main/winrm/http/multipart';
import type { NtlmSessionSecurity } from '../../../src/main/winrm/ntlm';
import type { Prng } from '../model/prng';
import { readBody } from '../http-body';
import type { HostKnobs } from '../knobs';
import { authenticate, challengeHeaders, type Credentials } from './auth';
import { FAULTS } from './faults';
import { faultyReplyBody, type ReplyFaultPlan, type ReplyFaults } from './reply-faults';
import { MalformedRequest, NS, parseRequest } from './soap';
import type { WinrsService, WsmanReply } from './winrs';

export interface ListenerHost {
  name: string;
  computerName: string;
  credentials: Credentials;
  allowUnencrypted: boolean;
  knobs(): HostKnobs;
  winrs: WinrsService;
  /** Separate stream so failure injection does not disturb the model's randomness. */
  failureRng: Prng;
  countRequest(): void;
  countAuthFailure(): void;
  /** Broken replies to inject (fault catalogue); absent = always answer correctly. */
  replyFaults?: ReplyFaults;
}

const SOAP_TYPE = 'application/soap+xml;charset=UTF-8';
const MAX_BODY = 16 * 1024 * 1024;

function identifyResponse(authenticated: boolean): string {
  const version = authenticated ? 'OS: 10.0.17763 SP: 0.0 Stack: 3.0' : 'OS: 0.0.0 SP: 0.0 Stack: 3.0';
  return (
    `<s:Envelope xmlns:s="${NS.soap}" xmlns:wsmid="${NS.identity}"><s:Header/><s:Body><wsmid:IdentifyResponse>` +
    `<wsmid:ProtocolVersion>http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd</wsmid:ProtocolVersion>` +
    `<wsmid:ProductVendor>Microsoft Corporation</wsmid:ProductVendor><wsmid:ProductVersion>${version}</wsmid:ProductVersion>` +
    `</wsmid:IdentifyResponse></s:Body></s:Envelope>`
  );
}

function delay(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

export class WsmanListener {
  private server: http.Server | https.Server;
  private readonly sockets = new Set<Socket>();
  private port = 0;
  private listening = false;

  constructor(
    private readonly host: ListenerHost,
    private readonly tls?: { certPem: string; keyPem: string },
  ) {
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      this.handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500, { 'Content-Length': '0' });
        res.end();
      });
    };
    this.server = tls ? https.createServer({ cert: tls.certPem, key: tls.keyPem }, handler) : http.createServer(handler);
    // Windows keeps idle WinRM connections for minutes; NTLM contexts live on them.
    this.server.keepAliveTimeout = 120_000;
    this.server.headersTimeout = 125_000;
    this.server.requestTimeout = 0;
    this.server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  get url(): string {
    return `${this.tls ? 'https' : 'http'}://127.0.0.1:${this.port}/wsman`;
  }

  async listen(port = this.port): Promise<void> {
    if (this.listening) return;
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    this.listening = true;
  }

  /** Destroys every open connection (keep-alive sockets and their NTLM contexts) but keeps listening. */
  dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  /** HTTPS only: new connections present this certificate (open ones keep the old one). */
  setCertificate(certificate: { certPem: string; keyPem: string }): void {
    if (!this.tls) throw new Error('setCertificate needs an HTTPS listener');
    (this.server as https.Server).setSecureContext({ cert: certificate.certPem, key: certificate.keyPem });
  }

  /** Stops accepting and drops every open connection (the port stays reserved for listen()). */
  async close(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.host.countRequest();
    const knobs = this.host.knobs();
    const body = await readBody(req, MAX_BODY);
    await delay(knobs.latencyMs);
    if (knobs.failureRate > 0 && this.host.failureRng.next() < knobs.failureRate) {
      const reset = knobs.failureMode === 'reset' || (knobs.failureMode === 'mixed' && this.host.failureRng.chance(0.5));
      if (reset) req.socket.destroy();
      else res.writeHead(500, { 'Content-Type': 'text/plain' }).end('injected failure (lab knob failureRate)');
      return;
    }
    if ((req.url ?? '').split('?')[0].toLowerCase() !== '/wsman') {
      res.writeHead(404, { 'Content-Length': '0' }).end();
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { Allow: 'POST', 'Content-Length': '0' }).end();
      return;
    }
    const policy = {
      credentials: this.host.credentials,
      computerName: this.host.computerName,
      https: Boolean(this.tls),
      allowUnencrypted: this.host.allowUnencrypted,
      rejectAll: knobs.authFailure,
    };
    const outcome = authenticate(req, policy);
    if (outcome.kind === 'challenge') {
      res.writeHead(401, { 'WWW-Authenticate': outcome.header, 'Content-Length': '0' }).end();
      return;
    }
    if (outcome.kind === 'denied') {
      if (req.headers.authorization) this.host.countAuthFailure();
      res.writeHead(401, { 'WWW-Authenticate': challengeHeaders(policy), 'Content-Length': '0' }).end();
      return;
    }
    if (outcome.kind === 'anonymous-identify') {
      this.sendPlain(res, { status: 200, body: identifyResponse(false) });
      return;
    }

    const session = outcome.session;
    const encrypted = isEncryptedContentType(req.headers['content-type']);
    let xml: string;
    if (encrypted) {
      if (!session) {
        res.writeHead(400, { 'Content-Length': '0' }).end();
        return;
      }
      try {
        xml = unsealFromBody(session, body).toString('utf8');
      } catch {
        // A body that does not unseal means the contexts diverged: Windows drops the context.
        res.writeHead(400, { 'Content-Length': '0' }).end();
        return;
      }
    } else {
      // pywinrm finishes the NTLM handshake with an empty POST; Windows answers it with 200.
      if (body.length === 0) {
        res.writeHead(200, { 'Content-Length': '0' }).end();
        return;
      }
      if (!this.tls && !this.host.allowUnencrypted) {
        res.writeHead(401, { 'WWW-Authenticate': challengeHeaders(policy), 'Content-Length': '0' }).end();
        return;
      }
      xml = body.toString('utf8');
    }

    const abort = new AbortController();
    // Only a client that went away mid-request aborts the operation; aborting after every finished
    // response built an AbortError (with a stack) per request, a measurable share of the lab's CPU.
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    let reply: WsmanReply;
    let injected: ReplyFaultPlan | undefined;
    try {
      const request = parseRequest(xml);
      injected = request.identify ? undefined : this.host.replyFaults?.take(request.action);
      if (request.identify) reply = { status: 200, body: identifyResponse(true) };
      else if (injected?.kind === 'timed-out') reply = this.host.winrs.fault(FAULTS.timedOut(), request);
      else {
        const address = req.socket.remoteAddress ?? '127.0.0.1';
        reply = await this.host.winrs.handle(request, {
          userName: outcome.user,
          clientIp: address.replace(/^::ffff:/, ''),
          endpoint: `${this.tls ? 'https' : 'http'}://${req.headers.host ?? `127.0.0.1:${this.port}`}/wsman`,
          signal: abort.signal,
        });
      }
    } catch (error) {
      if (!(error instanceof MalformedRequest)) throw error;
      reply = this.host.winrs.fault(FAULTS.schemaValidation(error.message), { messageId: '' });
    }
    if (res.destroyed) return;
    if (injected?.kind === 'reset-mid-reply') {
      this.sendCut(res, reply, session && encrypted ? session : undefined);
      return;
    }
    if (injected && injected.kind !== 'timed-out') reply = { status: 200, body: faultyReplyBody(injected) };
    if (session && encrypted) this.sendSealed(res, reply, session);
    else this.sendPlain(res, reply);
  }

  /** Announces the whole reply, sends half of it, then drops the connection (a reset mid-reply). */
  private sendCut(res: ServerResponse, reply: WsmanReply, session: NtlmSessionSecurity | undefined): void {
    const bytes = session ? sealToBody(session, Buffer.from(reply.body, 'utf8')) : Buffer.from(reply.body, 'utf8');
    res.writeHead(reply.status, { 'Content-Type': session ? ENCRYPTED_CONTENT_TYPE : SOAP_TYPE, 'Content-Length': String(bytes.length) });
    res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.socket?.destroy());
  }

  private sendPlain(res: ServerResponse, reply: WsmanReply): void {
    const bytes = Buffer.from(reply.body, 'utf8');
    res.writeHead(reply.status, { 'Content-Type': SOAP_TYPE, 'Content-Length': String(bytes.length) }).end(bytes);
  }

  private sendSealed(res: ServerResponse, reply: WsmanReply, session: NtlmSessionSecurity): void {
    const bytes = sealToBody(session, Buffer.from(reply.body, 'utf8'));
    res.writeHead(reply.status, { 'Content-Type': ENCRYPTED_CONTENT_TYPE, 'Content-Length': String(bytes.length) }).end(bytes);
  }
}
