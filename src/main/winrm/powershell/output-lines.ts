/**
 * Splits streamed stdout into lines, capping the length of any one line. Agent scripts answer
 * with one AETHERV-RESULT line holding the whole result as JSON, so without a cap a host that
 * never ends its line would make us buffer (and later JSON.parse) without bound.
 */
import { LimitExceeded } from '../errors';

/**
 * The longest stdout line we accept. The biggest legitimate line is an inventory result: about
 * 1 KB per VM, so a host with a few thousand VMs stays under 4 MB; 8 MiB doubles that and keeps
 * JSON.parse of one line well under a second.
 */
export const MAX_OUTPUT_LINE_BYTES = 8 * 1024 * 1024;

export interface OutputLinesOptions {
  /** Host name, for the error. */
  host: string;
  /** What the lines are, for the error, e.g. "the agent's inventory.list output". */
  what: string;
  /** Default MAX_OUTPUT_LINE_BYTES; tests lower it. */
  maxLineBytes?: number;
}

/** UTF-8 length, computed only when the UTF-16 length says it could be over `max`. */
function overLimit(text: string, max: number): boolean {
  // One UTF-16 code unit is at most 3 UTF-8 bytes, and at least 1.
  if (text.length * 3 <= max) return false;
  return text.length > max || Buffer.byteLength(text, 'utf8') > max;
}

export class OutputLines {
  private pending = '';
  private readonly maxLineBytes: number;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly options: OutputLinesOptions,
  ) {
    this.maxLineBytes = options.maxLineBytes ?? MAX_OUTPUT_LINE_BYTES;
  }

  /**
   * Feeds a piece of stdout; calls onLine for each completed line (CR LF or LF, the CR dropped).
   * Throws LimitExceeded once a line grows past the cap, so the caller stops the command.
   */
  push(text: string): void {
    // Only the new text is searched for line ends: the result line arrives in many chunks, and
    // re-splitting the pending text per chunk was quadratic.
    const end = text.lastIndexOf('\n');
    if (end === -1) {
      this.pending += text;
      this.check(this.pending);
      return;
    }
    const complete = this.pending + text.slice(0, end);
    this.pending = text.slice(end + 1);
    for (const line of complete.split('\n')) {
      this.check(line);
      this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
    }
    this.check(this.pending);
  }

  /** The output ended: the last line, if it had no line end. */
  end(): void {
    const last = this.pending;
    this.pending = '';
    if (last !== '') this.onLine(last.endsWith('\r') ? last.slice(0, -1) : last);
  }

  private check(line: string): void {
    if (!overLimit(line, this.maxLineBytes)) return;
    this.pending = '';
    throw new LimitExceeded(
      this.options.host,
      `a line of ${this.options.what} (the AETHERV-RESULT line carries the whole result)`,
      this.maxLineBytes,
      'bytes',
      'the command was stopped on the host. The agent should never write a line this long: check the host for a runaway script or an unexpectedly large result',
    );
  }
}
