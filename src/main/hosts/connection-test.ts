import {
  ContractError,
  credentialBoundChanges,
  ErrorCode,
  passwordRequiredMessage,
  type ConnectionStep,
  type ConnectionTestResult,
  type HostEntry,
  type HostInput,
  type HostPatch,
} from '../../shared/contract';
import { identifyAnonymously, WinrmClient, type WinrmHostOptions } from '../winrm';

export type Target = Pick<HostEntry, 'address' | 'port' | 'transport' | 'auth' | 'allowUnencryptedBasic' | 'username' | 'tlsFingerprintSha256'> & {
  password: string;
  displayName: string;
};

export function wsmanEndpoint(host: Pick<HostEntry, 'address' | 'port' | 'transport'>): string {
  const address = host.address.includes(':') ? `[${host.address}]` : host.address;
  return `${host.transport}://${address}:${host.port}/wsman`;
}

export function winrmOptionsFor(host: Target, overrides: Partial<WinrmHostOptions> = {}): WinrmHostOptions {
  return {
    endpoint: wsmanEndpoint(host),
    auth: host.auth,
    username: host.username,
    password: host.password,
    allowUnencryptedBasic: host.allowUnencryptedBasic,
    ...(host.tlsFingerprintSha256 ? { fingerprintSha256: host.tlsFingerprintSha256 } : {}),
    ...overrides,
  };
}

// A fixed script: nothing from the host entry is ever part of PowerShell text.
const HYPERV_CHECK = '(Get-Service -Name vmms).Status';

const DEFAULT_PORT = { https: 5986, http: 5985 } as const;

/** A new host's form as a test target: the same defaults `hosts.add` applies. */
export function draftTarget(draft: HostInput): Target {
  const transport = draft.transport ?? 'https';
  return {
    displayName: draft.displayName,
    address: draft.address.trim().toLowerCase(),
    port: draft.port ?? DEFAULT_PORT[transport],
    transport,
    auth: draft.auth ?? 'ntlm',
    allowUnencryptedBasic: draft.allowUnencryptedBasic ?? false,
    username: draft.username.trim(),
    password: draft.password,
    ...(draft.tlsFingerprintSha256 ? { tlsFingerprintSha256: draft.tlsFingerprintSha256 } : {}),
  };
}

/**
 * An edit form as a test target: the values in the form over the stored entry, so the test checks
 * what would be saved. Without a typed password the stored one is used, but only if no
 * credential-bound field changed — the stored password never goes anywhere new (host-rules.ts),
 * not even for a test.
 */
export async function editedTarget(stored: HostEntry, edit: HostPatch, storedPassword: () => Promise<string>): Promise<Target> {
  const transport = edit.transport ?? stored.transport;
  const next: Target = {
    displayName: edit.displayName?.trim() || stored.displayName,
    address: edit.address !== undefined ? edit.address.trim().toLowerCase() : stored.address,
    port: edit.port ?? stored.port,
    transport,
    auth: edit.auth ?? stored.auth,
    allowUnencryptedBasic: edit.allowUnencryptedBasic ?? stored.allowUnencryptedBasic,
    username: edit.username !== undefined ? edit.username.trim() : stored.username,
    password: '',
  };
  const pin = edit.tlsFingerprintSha256 === null ? undefined : (edit.tlsFingerprintSha256 ?? stored.tlsFingerprintSha256);
  if (pin) next.tlsFingerprintSha256 = pin;
  if (edit.password !== undefined) return { ...next, password: edit.password };
  const rebound = credentialBoundChanges(stored, next);
  if (rebound.length > 0) {
    const message = passwordRequiredMessage(stored.displayName, rebound).replace(/ and save again$/, ' and test again');
    throw new ContractError(ErrorCode.ValidationFailed, message, {
      host: stored.displayName,
      fields: [{ field: 'password', message: message.replace(/^password: /, '') }],
    });
  }
  return { ...next, password: await storedPassword() };
}

/**
 * Settings' "Test connection", on a throwaway client, in the order a Windows host checks things:
 * an unauthenticated WS-Man Identify (address, port, transport, certificate — no password sent),
 * then sign-in with a plain command (a wrong password fails here, where the 401 really happens),
 * then a Hyper-V check. Stops at the first failing step and says which one failed and why.
 */
export async function testHostConnection(host: Target, options: { timeoutMs?: number } = {}): Promise<ConnectionTestResult> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const client = new WinrmClient(winrmOptionsFor(host, { connectTimeoutMs: Math.min(timeoutMs, 10_000), requestTimeoutMs: timeoutMs }));
  const signal = AbortSignal.timeout(timeoutMs);
  const steps: ConnectionStep[] = [];

  const run = async (step: ConnectionStep['step'], action: () => Promise<string>): Promise<boolean> => {
    const started = performance.now();
    try {
      const detail = await action();
      steps.push({ step, ok: true, durationMs: Math.round(performance.now() - started), detail });
      return true;
    } catch (error) {
      steps.push({ step, ok: false, durationMs: Math.round(performance.now() - started), detail: (error as Error).message });
      return false;
    }
  };

  try {
    const passed =
      (await run('identify', async () => {
        const id = await identifyAnonymously({
          endpoint: wsmanEndpoint(host),
          connectTimeoutMs: Math.min(timeoutMs, 10_000),
          signal,
          ...(host.tlsFingerprintSha256 ? { fingerprintSha256: host.tlsFingerprintSha256 } : {}),
        });
        if (!id) return 'WS-Man answered (it identifies itself only after sign-in)';
        return `WS-Man ${id.protocolVersion.split('/').pop() ?? ''} — ${id.productVendor} ${id.productVersion}`.trim();
      })) &&
      (await run('command', async () => {
        const result = await client.exec('hostname', [], { signal });
        if (result.exitCode !== 0) throw new Error(`hostname exited with ${result.exitCode}: ${result.stderr.trim()}`);
        return `signed in as ${host.username}; host name ${result.stdout.trim()}`;
      })) &&
      (await run('hyperv', async () => {
        const result = await client.powershell(HYPERV_CHECK, { signal });
        const status = result.stdout.trim();
        if (result.exitCode !== 0 || status === '') {
          throw new Error(
            `the Hyper-V management service (vmms) was not found${result.errors[0] ? ` (${result.errors[0]})` : ''}; install the Hyper-V role on this host`,
          );
        }
        if (status !== 'Running') throw new Error(`the Hyper-V management service (vmms) is ${status}; start it with Start-Service vmms`);
        return 'Hyper-V management service is running';
      }));
    const failed = steps.find((s) => !s.ok);
    return {
      ok: passed,
      steps,
      message: failed ? `${host.displayName}: ${STEP_NAMES[failed.step]} failed — ${failed.detail}` : `${host.displayName}: connected, Hyper-V ready`,
    };
  } finally {
    await client.close().catch(() => undefined);
  }
}

const STEP_NAMES: Record<ConnectionStep['step'], string> = {
  identify: 'reaching WinRM (Identify, no password sent)',
  command: 'signing in (running a command)',
  hyperv: 'the Hyper-V check',
};
