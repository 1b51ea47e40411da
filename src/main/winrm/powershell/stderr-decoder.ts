/**
 * Streaming decoder for powershell.exe stderr. Text arrives in arbitrary pieces: the "#< CLIXML"
 * sentinel and the document can be split anywhere. Plain (non-CLIXML) text passes through as is;
 * each complete <Objs> document is decoded into records, and error lines are grouped into
 * messages (PowerShell ends each formatted error record with a blank line).
 */
import { decodeClixmlDocument, type ClixmlRecord } from './clixml';

export const CLIXML_SENTINEL = '#< CLIXML';
const END_TAG = '</Objs>';

export interface StderrDecoderEvents {
  /** Human-readable stderr: plain text and the text of every kept record, in order. */
  onText?: (text: string) => void;
  /** One message per error record, CRLF normalised to LF, trailing whitespace trimmed. */
  onError?: (message: string) => void;
  onRecord?: (record: ClixmlRecord) => void;
}

export class PowerShellStderrDecoder {
  private mode: 'plain' | 'block' = 'plain';
  /** Plain text not yet emitted (at most a possible start of the sentinel). */
  private pending = '';
  /**
   * The open CLIXML document, piece by piece. Joined once when </Objs> arrives: appending to one
   * string and searching it made V8 copy the whole document on every Receive (quadratic).
   */
  private blockParts: string[] = [];
  /** The last END_TAG.length - 1 characters of the pieces searched so far, for a split </Objs>. */
  private blockTail = '';
  /** The newest piece has not been searched for </Objs> yet. */
  private unsearched = false;
  /** A document just ended: the line end PowerShell writes after it is framing, wherever it is cut. */
  private afterBlock = false;
  private errorLines: string[] = [];
  private ended = false;
  /** All error text exactly as decoded (the pypsrp sanitise_clixml view). */
  errorText = '';
  readonly errors: string[] = [];
  text = '';

  constructor(private readonly events: StderrDecoderEvents = {}) {}

  push(chunk: string): void {
    if (this.ended || chunk === '') return;
    if (this.mode === 'block') {
      this.blockParts.push(chunk);
      this.unsearched = true;
    } else {
      this.pending += chunk;
    }
    this.drain(false);
  }

  end(): void {
    if (this.ended) return;
    this.drain(true);
    if (this.mode === 'block' && this.blockParts.length > 0) this.decodeBlock(this.blockParts.join(''));
    else if (this.pending !== '') this.emitText(this.pending);
    this.pending = '';
    this.blockParts = [];
    this.flushErrors();
    this.ended = true;
  }

  private drain(final: boolean): void {
    for (;;) {
      if (this.mode === 'plain') {
        if (this.afterBlock) {
          // The framing CR LF may arrive in a later piece than </Objs>: wait for it.
          if (!final && (this.pending === '' || this.pending === '\r')) return;
          this.pending = this.pending.replace(/^\r?\n/, '');
          this.afterBlock = false;
        }
        const at = this.pending.indexOf(CLIXML_SENTINEL);
        if (at >= 0) {
          this.emitText(this.pending.slice(0, at));
          this.blockParts = [this.pending.slice(at + CLIXML_SENTINEL.length)];
          this.blockTail = '';
          this.unsearched = true;
          this.pending = '';
          this.mode = 'block';
          continue;
        }
        // Hold back a tail that could be the start of a sentinel split across chunks.
        const keep = final ? 0 : partialSentinelLength(this.pending);
        this.emitText(this.pending.slice(0, this.pending.length - keep));
        this.pending = this.pending.slice(this.pending.length - keep);
        return;
      }
      // Earlier pieces were searched when they arrived: only the newest (and the tail before it),
      // and only once (a second search would see its own end in the tail).
      if (!this.unsearched) return;
      this.unsearched = false;
      const piece = this.blockParts[this.blockParts.length - 1] ?? '';
      const window = this.blockTail + piece;
      const close = window.indexOf(END_TAG);
      if (close < 0) {
        this.blockTail = window.slice(-(END_TAG.length - 1));
        return;
      }
      const cut = close + END_TAG.length - this.blockTail.length;
      const block = this.blockParts.slice(0, -1).join('') + piece.slice(0, cut);
      this.blockParts = [];
      this.blockTail = '';
      this.decodeBlock(block);
      // PowerShell writes CRLF after the sentinel and between documents; it is framing, not text.
      this.pending = piece.slice(cut);
      this.afterBlock = true;
      this.mode = 'plain';
    }
  }

  private decodeBlock(block: string): void {
    let blockText = '';
    for (const record of decodeClixmlDocument(block)) {
      this.events.onRecord?.(record);
      this.emitText(record.text);
      blockText += record.text;
      if (record.stream !== 'error') continue;
      this.errorText += record.text;
      if (record.text.trim() === '') this.flushErrors();
      else this.errorLines.push(record.text);
    }
    // End the block's text with a newline so plain text after it cannot merge into its last line.
    if (blockText !== '' && !blockText.endsWith('\n')) this.emitText('\n');
    this.flushErrors();
  }

  private flushErrors(): void {
    if (this.errorLines.length === 0) return;
    const message = this.errorLines.join('').replace(/\r\n?/g, '\n').trimEnd();
    this.errorLines = [];
    if (message === '') return;
    this.errors.push(message);
    this.events.onError?.(message);
  }

  private emitText(text: string): void {
    if (text === '') return;
    this.text += text;
    this.events.onText?.(text);
  }
}

/** Length of the longest suffix of text that is a proper prefix of the sentinel. */
function partialSentinelLength(text: string): number {
  for (let n = Math.min(CLIXML_SENTINEL.length - 1, text.length); n > 0; n--) {
    if (text.endsWith(CLIXML_SENTINEL.slice(0, n))) return n;
  }
  return 0;
}
