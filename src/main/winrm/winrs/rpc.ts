/**
 * One WS-Man round trip: fill in the per-connection headers, post through the transport, and read
 * the reply (faults become WinrmFault). Everything above this speaks in specs and parsed bodies.
 */
import type { Element } from '../soap/parse';
import { Cancelled } from '../errors';
import { buildEnvelope, clampOperationTimeout, readResponse, type EnvelopeSpec } from '../soap';
import type { WsmanTransport } from '../transport';

export interface CallOptions {
  signal?: AbortSignal;
  /** Overrides the HTTP timeout; by default OperationTimeout + 10 s so the server answers first. */
  timeoutMs?: number;
  /**
   * Awaited once the reply has arrived, before it is parsed: a caller that gave its lane slot away
   * while the host worked (HostWait) takes one again here, so the parsing is bounded by the lane.
   */
  beforeParse?: () => Promise<void>;
}

export class WsmanRpc {
  readonly operationTimeoutS: number;
  readonly host: string;

  constructor(
    readonly transport: WsmanTransport,
    operationTimeoutS?: number,
  ) {
    this.operationTimeoutS = clampOperationTimeout(operationTimeoutS);
    this.host = hostOf(transport.endpoint);
  }

  async call(spec: Omit<EnvelopeSpec, 'to' | 'operationTimeoutS'>, options: CallOptions = {}): Promise<Element> {
    if (options.signal?.aborted) throw new Cancelled(this.host);
    const envelope = buildEnvelope({ ...spec, to: this.transport.endpoint, operationTimeoutS: this.operationTimeoutS });
    const response = await this.transport.post(envelope.xml, {
      ...(options.signal ? { signal: options.signal } : {}),
      timeoutMs: options.timeoutMs ?? (this.operationTimeoutS + 10) * 1000,
    });
    await options.beforeParse?.();
    return readResponse(response, { action: shortAction(spec.action), host: this.host });
  }
}

export function shortAction(action: string): string {
  return action.slice(action.lastIndexOf('/') + 1);
}

function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return endpoint;
  }
}
