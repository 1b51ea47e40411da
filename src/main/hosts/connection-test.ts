import type { ConnectionStep, ConnectionTestResult, HostEntry } from '../../shared/contract';
import { WinrmClient, type WinrmHostOptions } from '../winrm';

type Target = Pick<HostEntry, 'address' | 'port' | 'transport' | 'auth' | 'allowUnencryptedBasic' | 'username' | 'tlsFingerprintSha256'> & {
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

/**
 * Settings' "Test connection": WS-Man Identify, then a plain command, then a Hyper-V check, on a
 * throwaway client. Stops at the first failing step and says which one failed and why.
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
        const id = await client.identify({ signal });
        return `WS-Man ${id.protocolVersion.split('/').pop() ?? ''} — ${id.productVendor} ${id.productVersion}`.trim();
      })) &&
      (await run('command', async () => {
        const result = await client.exec('hostname', [], { signal });
        if (result.exitCode !== 0) throw new Error(`hostname exited with ${result.exitCode}: ${result.stderr.trim()}`);
        return `logged on; host name ${result.stdout.trim()}`;
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
  identify: 'reaching WinRM (Identify)',
  command: 'running a command (authentication)',
  hyperv: 'the Hyper-V check',
};
