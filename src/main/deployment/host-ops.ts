/**
 * The two things deployment does on a host, each one WinRM command through the scheduler's
 * DEPLOYMENT lane: read `{installDir}\version`, and run the installer. Both send a fixed script
 * (scripts.ts) with their inputs as base64 JSON on stdin and read AETHERV-LOG/RESULT lines back.
 */
import type { RemoteHosts } from '../hosts/remote-hosts';
import { OutputLines } from '../winrm';
import type { AgentManifest } from './manifest';
import { encodeScriptInput, INSTALLER_SCRIPT, VERSION_SCRIPT, type FixedScript } from './scripts';

export interface InstallFileResult {
  name: string;
  ok: boolean;
  attempts: number;
  sha256: string | null;
  bytes: number | null;
  error: string | null;
  code?: string | null;
}

/** A deployment step failed on the host; `code` is the installer's (docs/deployment.md). */
export class DeploymentFailed extends Error {
  override name = 'DeploymentFailed';
  constructor(
    readonly code: string,
    message: string,
    readonly files: InstallFileResult[] = [],
  ) {
    super(message);
  }
}

interface ScriptResult {
  status?: string;
  data?: unknown;
  error?: { code?: string; message?: string; details?: { files?: InstallFileResult[] } };
}

export interface ScriptLog {
  level: string;
  message: string;
  step?: string;
}

async function runFixed(
  remote: RemoteHosts,
  hostId: string,
  hostName: string,
  script: FixedScript,
  input: unknown,
  call: { label: string; timeoutMs?: number; onLog?: (entry: ScriptLog) => void; onStart?: () => void },
): Promise<unknown> {
  let result: string | undefined;
  const onLine = (line: string): void => {
    if (line.startsWith('AETHERV-RESULT ')) result = line.slice('AETHERV-RESULT '.length);
    else if (line.startsWith('AETHERV-LOG ')) {
      try {
        call.onLog?.(JSON.parse(line.slice('AETHERV-LOG '.length)) as ScriptLog);
      } catch {
        // A garbled log line is not worth failing a deployment over.
      }
    }
  };
  // Lines are capped (MAX_OUTPUT_LINE_BYTES): an endless RESULT line stops the command with a
  // LimitExceeded naming the host. Only new text is split (re-splitting was quadratic).
  const lines = new OutputLines(onLine, { host: hostName, what: `the ${call.label} output` });
  const outcome = await remote.run(
    hostId,
    { lane: 'DEPLOYMENT', label: call.label, ...(call.timeoutMs ? { timeoutMs: call.timeoutMs } : {}) },
    (client, signal) => {
      // The task starts once the scheduler grants a slot: durations measured from here exclude queueing.
      call.onStart?.();
      return client.powershell(script.text, {
        stdin: encodeScriptInput(input),
        signal,
        onStdout: (text) => lines.push(text),
      });
    },
  );
  lines.end();
  if (result === undefined) {
    const errors = (outcome.errors.join('\n') || outcome.stderr).trim();
    throw new DeploymentFailed(
      'SCRIPT_NO_RESULT',
      `host ${hostName}: ${call.label} gave no result (exit ${outcome.exitCode})${errors ? `: ${errors.split('\n')[0]}` : ''}`,
    );
  }
  let parsed: ScriptResult;
  try {
    parsed = JSON.parse(result) as ScriptResult;
  } catch {
    throw new DeploymentFailed(
      'SCRIPT_NO_RESULT',
      `host ${hostName}: ${call.label} returned a result that is not JSON`,
    );
  }
  if (parsed.status === 'ok') return parsed.data;
  throw new DeploymentFailed(
    parsed.error?.code ?? 'INTERNAL_ERROR',
    `host ${hostName}: ${parsed.error?.message ?? `${call.label} failed`}`,
    parsed.error?.details?.files ?? [],
  );
}

/** Raw bytes of `{installDir}\version` (at most 4 KiB), or null when the file does not exist. */
export async function readHostVersionFile(
  remote: RemoteHosts,
  hostId: string,
  hostName: string,
  installDir: string,
): Promise<Uint8Array | null> {
  const data = (await runFixed(
    remote,
    hostId,
    hostName,
    VERSION_SCRIPT,
    { installDir },
    { label: 'read agent version', timeoutMs: 60_000 },
  )) as {
    exists?: boolean;
    base64?: string | null;
  } | null;
  if (!data?.exists || typeof data.base64 !== 'string') return null;
  return Buffer.from(data.base64, 'base64');
}

export interface InstallRequest {
  installDir: string;
  baseUrl: string;
  manifest: AgentManifest;
  attempts: number;
  retryIntervalS: number;
  onLog?: (entry: ScriptLog) => void;
  /** Called when the installer command actually starts (after waiting for a lane slot). */
  onStart?: () => void;
}

/** Clears the install directory and downloads every manifest file; throws DeploymentFailed. */
export async function installAgent(
  remote: RemoteHosts,
  hostId: string,
  hostName: string,
  request: InstallRequest,
): Promise<InstallFileResult[]> {
  const input = {
    installDir: request.installDir,
    baseUrl: request.baseUrl,
    agentVersion: request.manifest.agentVersion,
    attempts: request.attempts,
    retryIntervalS: request.retryIntervalS,
    files: request.manifest.files.map(({ name, size, sha256 }) => ({ name, size, sha256 })),
  };
  const data = (await runFixed(remote, hostId, hostName, INSTALLER_SCRIPT, input, {
    label: 'deploy agent',
    ...(request.onLog ? { onLog: request.onLog } : {}),
    ...(request.onStart ? { onStart: request.onStart } : {}),
  })) as { files?: InstallFileResult[] } | null;
  return data?.files ?? [];
}
