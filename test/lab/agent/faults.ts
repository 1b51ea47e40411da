/**
 * A misbehaving agent, for the fault catalogue (docs/reliability.md): a result line that is not
 * JSON, no result line at all, a flood of stdout before the result, or a result line padded to a
 * huge size. Per host and per operation, so deployment's `version` call keeps working unless asked.
 */
import type { SimHost } from '../host';

export interface AgentFaultKnobs {
  /** Operations affected (e.g. ['inventory', 'inventory.quick']). */
  operations: string[];
  /** The AETHERV-RESULT line carries text that is not JSON. */
  resultNotJson: boolean;
  /** No AETHERV-RESULT line at all; the script ends with exit code 1 after a plain-text line. */
  noResult: boolean;
  /** Bytes of plain stdout lines written before the result (0–1 GiB): an output flood. */
  floodStdoutBytes: number;
  /** The result line is padded (still valid JSON) to at least this many bytes (0–1 GiB). */
  floodResultBytes: number;
}

const DEFAULT_AGENT_FAULTS: AgentFaultKnobs = { operations: ['inventory', 'inventory.quick'], resultNotJson: false, noResult: false, floodStdoutBytes: 0, floodResultBytes: 0 };
const MAX_FLOOD = 1024 ** 3;
const faultsByHost = new WeakMap<SimHost, AgentFaultKnobs>();

export function agentFaults(host: SimHost): AgentFaultKnobs {
  return faultsByHost.get(host) ?? { ...DEFAULT_AGENT_FAULTS };
}

/** Changes a host's agent faults (validated); `clearAgentFaults` restores a well-behaved agent. */
export function setAgentFaults(host: SimHost, patch: Partial<AgentFaultKnobs>): void {
  const next = { ...agentFaults(host), ...patch };
  for (const name of ['floodStdoutBytes', 'floodResultBytes'] as const) {
    const value = next[name];
    if (!Number.isInteger(value) || value < 0 || value > MAX_FLOOD) throw new RangeError(`agent fault ${name}=${value} must be a whole number 0–${MAX_FLOOD}`);
  }
  faultsByHost.set(host, next);
}

export function clearAgentFaults(host: SimHost): void {
  faultsByHost.delete(host);
}

/** The faults that apply to one call of `operation` on `host`, or undefined when it behaves. */
export function faultsFor(host: SimHost, operation: string | undefined): AgentFaultKnobs | undefined {
  const faults = faultsByHost.get(host);
  return faults && operation !== undefined && faults.operations.includes(operation) ? faults : undefined;
}

const FLOOD_LINE = `${'flood '.repeat(170)}\r\n`;

/**
 * Writes at least `bytes` of whole plain-text lines in ~1 MiB pieces, yielding between pieces so
 * the host stays responsive; stops early when the command is signalled.
 */
export async function writeFlood(write: (text: string) => void, bytes: number, signal: AbortSignal): Promise<void> {
  const piece = FLOOD_LINE.repeat(Math.ceil((1024 * 1024) / FLOOD_LINE.length));
  for (let written = 0; written < bytes && !signal.aborted; written += piece.length) {
    const left = bytes - written;
    write(left >= piece.length ? piece : FLOOD_LINE.repeat(Math.ceil(left / FLOOD_LINE.length)));
    await new Promise((resolve) => setImmediate(resolve));
  }
}
