/**
 * Authentication as a Windows WinRM listener does it: Basic (only over HTTPS unless
 * AllowUnencrypted), NTLM under the `Negotiate` scheme with the security context bound to the TCP
 * connection, and anonymous Identify when the client sends `WSMANIDENTIFY: unauthenticated`.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { NtlmServer, type NtlmSessionSecurity } from '../../../src/main/winrm/ntlm';

export interface Credentials {
  username: string;
  password: string;
}

export interface AuthPolicy {
  credentials: Credentials;
  computerName: string;
  https: boolean;
  /** WinRM's AllowUnencrypted: Basic and unsealed bodies over plain HTTP. */
  allowUnencrypted: boolean;
  /** Knob: reject every credential. */
  rejectAll: boolean;
}

/** Per-connection NTLM state: a handshake in progress, then the sealing session. */
interface ConnectionAuth {
  handshake?: NtlmServer;
  session?: NtlmSessionSecurity;
  user?: string;
}

export type AuthOutcome =
  | { kind: 'authenticated'; user: string; session?: NtlmSessionSecurity }
  | { kind: 'anonymous-identify' }
  | { kind: 'challenge'; header: string }
  | { kind: 'denied'; reason: string };

const connections = new WeakMap<Socket, ConnectionAuth>();

/** Strips DOMAIN\ or @domain, so `.\admin`, `HV01\admin` and `admin@hv01` all name `admin`. */
export function bareUserName(user: string): string {
  const slash = user.lastIndexOf('\\');
  const at = user.indexOf('@');
  return (slash >= 0 ? user.slice(slash + 1) : at >= 0 ? user.slice(0, at) : user).toLowerCase();
}

function matches(policy: AuthPolicy, user: string, password: string): boolean {
  return !policy.rejectAll && bareUserName(user) === bareUserName(policy.credentials.username) && password === policy.credentials.password;
}

/** The WWW-Authenticate headers of a 401: Negotiate always, Basic when this listener accepts it. */
export function challengeHeaders(policy: AuthPolicy): string[] {
  return policy.https || policy.allowUnencrypted ? ['Negotiate', 'Basic realm="WSMAN"'] : ['Negotiate'];
}

export function authenticate(req: IncomingMessage, policy: AuthPolicy): AuthOutcome {
  const socket = req.socket;
  const state = connections.get(socket) ?? {};
  connections.set(socket, state);
  const header = req.headers.authorization ?? '';
  const [scheme, token = ''] = header.split(/\s+/, 2);
  const schemeLower = (scheme ?? '').toLowerCase();

  if (schemeLower === 'basic') {
    if (!policy.https && !policy.allowUnencrypted) return { kind: 'denied', reason: 'Basic is not allowed over unencrypted HTTP' };
    const decoded = Buffer.from(token, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = colon >= 0 ? decoded.slice(0, colon) : decoded;
    if (!matches(policy, user, colon >= 0 ? decoded.slice(colon + 1) : '')) return { kind: 'denied', reason: 'bad Basic credentials' };
    return { kind: 'authenticated', user: bareUserName(user) };
  }

  if (schemeLower === 'negotiate' || schemeLower === 'ntlm') {
    const message = Buffer.from(token, 'base64');
    const type = message.length >= 12 ? message.readUInt32LE(8) : 0;
    if (type === 1) {
      state.session = undefined;
      state.user = undefined;
      state.handshake = new NtlmServer({
        credentials: (user) => (policy.rejectAll || bareUserName(user) !== bareUserName(policy.credentials.username) ? undefined : policy.credentials.password),
        computerName: policy.computerName,
        domainName: policy.computerName,
      });
      try {
        return { kind: 'challenge', header: `${scheme} ${state.handshake.challenge(message).toString('base64')}` };
      } catch {
        return { kind: 'denied', reason: 'malformed NTLM NEGOTIATE' };
      }
    }
    if (type === 3 && state.handshake) {
      const result = state.handshake.accept(message);
      state.handshake = undefined;
      if (!result.ok) return { kind: 'denied', reason: result.reason };
      state.session = result.session;
      state.user = bareUserName(result.user);
      return { kind: 'authenticated', user: state.user, session: result.session };
    }
    return { kind: 'denied', reason: 'unexpected NTLM message' };
  }

  // No Authorization header: an established NTLM context on this connection still counts.
  if (!header && state.session && state.user) {
    if (policy.rejectAll) return { kind: 'denied', reason: 'credentials revoked' };
    return { kind: 'authenticated', user: state.user, session: state.session };
  }
  if (!header && String(req.headers.wsmanidentify ?? '').toLowerCase() === 'unauthenticated') return { kind: 'anonymous-identify' };
  return { kind: 'denied', reason: header ? `unsupported scheme ${scheme}` : 'no credentials' };
}
