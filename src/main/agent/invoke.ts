import { OutputLines, type HostWait, type WinrmClient } from '../winrm';
import { agentCommandText, encodeEnvelope } from './command';
import { AgentNotDeployed, AgentOperationFailed, AgentProtocolError } from './errors';

/**
 * What the admin can do when a host answered but its agent's report cannot be used (damaged agent
 * files, or an agent of another version): said by every caller, inventory and jobs alike.
 */
export const UNUSABLE_REPORT_ADVICE =
  'the host answered, but its agent report is unusable — force redeploy of the agent on this host, or update this app if the agent is newer';

export interface AgentLogEntry {
  t?: string;
  level: string;
  message: string;
  step?: string;
}

export interface AgentInvocation {
  host: string;
  installDir: string;
  operation: string;
  correlationId: string;
  fields?: Record<string, unknown>;
  signal?: AbortSignal;
  /** Told around each wait while the host runs the operation (the scheduler's lane slot). */
  hostWait?: HostWait;
  /** Each `AETHERV-LOG` entry as it arrives. */
  onLog?(entry: AgentLogEntry): void;
  /** Any other stdout line (e.g. a cmdlet's WARNING), as it arrives. */
  onOutput?(line: string): void;
  /** PowerShell error records from stderr, decoded. */
  onError?(message: string): void;
}

const LOG_PREFIX = 'AETHERV-LOG ';
const RESULT_PREFIX = 'AETHERV-RESULT ';
// Windows PowerShell 5.1 says "as the name of a cmdlet", PowerShell 7 "as a name of a cmdlet".
const NOT_RECOGNIZED = /is not recognized as (?:the|a) name of a cmdlet|cannot find path|cannot be found/i;

/**
 * Runs one agent operation on a host: the fixed command text, the envelope on stdin, stdout read
 * line by line as it streams. Returns the result's `data`, or throws a typed error.
 */
export async function invokeAgent(client: WinrmClient, request: AgentInvocation): Promise<unknown> {
  let result: string | undefined;
  const onLine = (line: string) => {
    if (line.startsWith(RESULT_PREFIX)) result = line.slice(RESULT_PREFIX.length);
    else if (line.startsWith(LOG_PREFIX)) {
      try {
        request.onLog?.(JSON.parse(line.slice(LOG_PREFIX.length)) as AgentLogEntry);
      } catch {
        request.onOutput?.(line);
      }
    } else if (line.trim() !== '') request.onOutput?.(line);
  };

  // Lines are capped (MAX_OUTPUT_LINE_BYTES): an endless RESULT line stops the command with a
  // LimitExceeded naming the host, instead of growing in memory.
  const lines = new OutputLines(onLine, { host: request.host, what: `the agent's ${request.operation} output` });
  const outcome = await client.powershell(agentCommandText(request.installDir), {
    stdin: encodeEnvelope({ operation: request.operation, correlationId: request.correlationId, fields: request.fields ?? {} }),
    ...(request.signal ? { signal: request.signal } : {}),
    ...(request.hostWait ? { hostWait: request.hostWait } : {}),
    onStdout: (text) => lines.push(text),
    ...(request.onError ? { onError: request.onError } : {}),
  });
  lines.end();

  if (result === undefined) {
    const errors = outcome.errors.join('\n') || outcome.stderr;
    if (NOT_RECOGNIZED.test(errors)) throw new AgentNotDeployed(request.host, request.installDir);
    throw new AgentProtocolError(
      `host ${request.host}: the agent's ${request.operation} gave no result (exit ${outcome.exitCode})${errors ? `: ${errors.trim().split('\n')[0]}` : ''}; ${UNUSABLE_REPORT_ADVICE}`,
    );
  }
  let parsed: { status?: string; data?: unknown; error?: { code?: string; message?: string; details?: unknown } };
  try {
    parsed = JSON.parse(result) as typeof parsed;
  } catch {
    throw new AgentProtocolError(
      `host ${request.host}: the agent's ${request.operation} result is not JSON; ${UNUSABLE_REPORT_ADVICE}`,
    );
  }
  if (parsed.status === 'ok') return parsed.data ?? null;
  const error = parsed.error ?? {};
  throw new AgentOperationFailed(error.code ?? 'INTERNAL_ERROR', `host ${request.host}: ${error.message ?? 'the agent reported an error'}`, error.details);
}
