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
  private pending = '';
  /** How far the pending block has been searched for </Objs>, so long documents stay linear. */
  private scanned = 0;
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
    this.pending += chunk;
    this.drain(false);
  }

  end(): void {
    if (this.ended) return;
    this.drain(true);
    if (this.mode === 'block' && this.pending !== '') this.decodeBlock(this.pending);
    else if (this.pending !== '') this.emitText(this.pending);
    this.pending = '';
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
          this.pending = this.pending.slice(at + CLIXML_SENTINEL.length);
          this.mode = 'block';
          continue;
        }
        // Hold back a tail that could be the start of a sentinel split across chunks.
        const keep = final ? 0 : partialSentinelLength(this.pending);
        this.emitText(this.pending.slice(0, this.pending.length - keep));
        this.pending = this.pending.slice(this.pending.length - keep);
        return;
      }
      const close = this.pending.indexOf(END_TAG, Math.max(0, this.scanned - END_TAG.length + 1));
      if (close < 0) {
        this.scanned = this.pending.length;
        return;
      }
      this.scanned = 0;
      const cut = close + END_TAG.length;
      this.decodeBlock(this.pending.slice(0, cut));
      // PowerShell writes CRLF after the sentinel and between documents; it is framing, not text.
      this.pending = this.pending.slice(cut);
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
