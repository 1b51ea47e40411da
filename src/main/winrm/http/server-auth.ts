/**
 * Server-side WinRM HTTP authentication for the Hyper-V lab simulator and wire tests: the
 * NEGOTIATE/CHALLENGE/AUTHENTICATE dance per connection (NTLM is connection-bound), Basic, and
 * unsealing requests / sealing replies in multipart/encrypted. Transport-agnostic: the caller
 * passes a per-connection key object (e.g. `req.socket`) and the request's headers and body.
 */
import { NtlmServer, type NtlmServerOptions } from '../ntlm/server';
import type { NtlmSessionSecurity } from '../ntlm/session-security';
import {
  ENCRYPTED_CONTENT_TYPE,
  SOAP_CONTENT_TYPE,
  isEncryptedContentType,
  sealToBody,
  unsealFromBody,
} from './multipart';

export interface WsmanServerAuthOptions {
  username: string;
  password: string;
  /** Accept Basic (like a host with Basic enabled). Default false. */
  allowBasic?: boolean;
  /** Accept unsealed NTLM messages (plain http with AllowUnencrypted=true, or https). Default false. */
  allowUnencrypted?: boolean;
  /** Required MsvAvChannelBindings (https with CbtHardeningLevel=Strict). */
  requiredChannelBindings?: Buffer;
  computerName?: string;
  /** Fixed challenge/timestamp for reproducible tests. */
  ntlm?: Pick<NtlmServerOptions, 'serverChallenge' | 'timestamp' | 'weakChallenge'>;
}

export type ServerAuthOutcome =
  /** Answer 401 with these headers (a CHALLENGE, or the list of offered schemes). */
  | { kind: 'unauthorized'; status: 401; headers: Record<string, string>; reason: string }
  /** Authenticated. `envelope` is the (unsealed) SOAP text; '' when the AUTHENTICATE had no body (pywinrm). */
  | { kind: 'authorized'; user: string; envelope: string; sealed: boolean }
  /** The request was malformed (bad framing, bad signature): answer 400. */
  | { kind: 'bad-request'; status: 400; reason: string };

interface ConnectionState {
  pending?: NtlmServer;
  session?: NtlmSessionSecurity;
  user?: string;
}

export class WsmanServerAuth {
  private readonly connections = new WeakMap<object, ConnectionState>();

  constructor(private readonly options: WsmanServerAuthOptions) {}

  /** Number of NTLM handshakes started (NEGOTIATE messages seen), for tests. */
  negotiations = 0;

  private offers(): Record<string, string> {
    // Node's http response headers cannot repeat a name through a plain object; join offers.
    return {
      'WWW-Authenticate': this.options.allowBasic === true ? 'Negotiate, Basic realm="WSMAN"' : 'Negotiate',
    };
  }

  handle(
    connection: object,
    authorization: string | undefined,
    contentType: string | undefined,
    body: Buffer,
  ): ServerAuthOutcome {
    let state = this.connections.get(connection);
    if (state === undefined) {
      state = {};
      this.connections.set(connection, state);
    }

    if (authorization !== undefined) {
      const m = /^(\w+)\s+(\S+)$/.exec(authorization.trim());
      const scheme = m?.[1].toLowerCase();
      if (m !== null && scheme === 'basic') return this.basic(m[2], contentType, body);
      if (m !== null && (scheme === 'negotiate' || scheme === 'ntlm'))
        return this.ntlm(state, Buffer.from(m[2], 'base64'), contentType, body);
      return {
        kind: 'unauthorized',
        status: 401,
        headers: this.offers(),
        reason: 'unsupported authorization scheme',
      };
    }

    // No Authorization header: only valid on a connection that already completed NTLM.
    if (state.session === undefined || state.user === undefined) {
      return { kind: 'unauthorized', status: 401, headers: this.offers(), reason: 'not authenticated' };
    }
    return this.payload(state.session, state.user, contentType, body);
  }

  /** Forgets a connection's NTLM context, as a host does when the context expires (next message gets 401). */
  resetConnection(connection: object): void {
    this.connections.delete(connection);
  }

  /** Frames a reply for a connection: sealed if the request was sealed. */
  reply(connection: object, xml: string, sealed: boolean): { contentType: string; body: Buffer } {
    const session = this.connections.get(connection)?.session;
    const plain = Buffer.from(xml, 'utf8');
    if (!sealed || session === undefined) return { contentType: SOAP_CONTENT_TYPE, body: plain };
    return { contentType: ENCRYPTED_CONTENT_TYPE, body: sealToBody(session, plain) };
  }

  private basic(token: string, contentType: string | undefined, body: Buffer): ServerAuthOutcome {
    if (this.options.allowBasic !== true) {
      return { kind: 'unauthorized', status: 401, headers: this.offers(), reason: 'Basic is disabled' };
    }
    const decoded = Buffer.from(token, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = decoded.slice(0, colon);
    const ok =
      colon > 0 &&
      user.toLowerCase() === this.options.username.toLowerCase() &&
      decoded.slice(colon + 1) === this.options.password;
    if (!ok)
      return {
        kind: 'unauthorized',
        status: 401,
        headers: this.offers(),
        reason: 'wrong user name or password',
      };
    if (isEncryptedContentType(contentType))
      return { kind: 'bad-request', status: 400, reason: 'Basic cannot carry sealed messages' };
    return { kind: 'authorized', user, envelope: body.toString('utf8'), sealed: false };
  }

  private ntlm(
    state: ConnectionState,
    token: Buffer,
    contentType: string | undefined,
    body: Buffer,
  ): ServerAuthOutcome {
    const type = token.length >= 12 ? token.readUInt32LE(8) : 0;
    if (type === 1) {
      this.negotiations++;
      // A new handshake on this connection discards the old context (as Windows does).
      state.session = undefined;
      state.user = undefined;
      const server = new NtlmServer({
        credentials: { username: this.options.username, password: this.options.password },
        ...(this.options.computerName !== undefined ? { computerName: this.options.computerName } : {}),
        ...(this.options.requiredChannelBindings !== undefined
          ? { requiredChannelBindings: this.options.requiredChannelBindings }
          : {}),
        ...this.options.ntlm,
      });
      try {
        const challenge = server.challenge(token);
        state.pending = server;
        return {
          kind: 'unauthorized',
          status: 401,
          headers: { 'WWW-Authenticate': `Negotiate ${challenge.toString('base64')}` },
          reason: 'challenge',
        };
      } catch (err) {
        return { kind: 'bad-request', status: 400, reason: (err as Error).message };
      }
    }
    if (type === 3 && state.pending !== undefined) {
      const result = state.pending.accept(token);
      state.pending = undefined;
      if (!result.ok)
        return { kind: 'unauthorized', status: 401, headers: this.offers(), reason: result.reason };
      state.session = result.session;
      state.user = result.user;
      return this.payload(result.session, result.user, contentType, body);
    }
    return { kind: 'unauthorized', status: 401, headers: this.offers(), reason: 'unexpected NTLM message' };
  }

  private payload(
    session: NtlmSessionSecurity,
    user: string,
    contentType: string | undefined,
    body: Buffer,
  ): ServerAuthOutcome {
    if (body.length === 0) return { kind: 'authorized', user, envelope: '', sealed: false };
    if (isEncryptedContentType(contentType)) {
      try {
        return {
          kind: 'authorized',
          user,
          envelope: unsealFromBody(session, body).toString('utf8'),
          sealed: true,
        };
      } catch (err) {
        return { kind: 'bad-request', status: 400, reason: (err as Error).message };
      }
    }
    if (this.options.allowUnencrypted !== true) {
      return {
        kind: 'unauthorized',
        status: 401,
        headers: this.offers(),
        reason: 'unencrypted message refused (AllowUnencrypted=false)',
      };
    }
    return { kind: 'authorized', user, envelope: body.toString('utf8'), sealed: false };
  }
}
