/**
 * Incremental UTF-8 decoding for one output stream. A multi-byte character can be split across two
 * Receive replies, so each stream keeps one streaming decoder for the life of the command.
 */
export class Utf8Stream {
  // The default (ignoreBOM: false) drops one leading BOM, which codepage 65001 sometimes emits.
  private readonly decoder = new TextDecoder('utf-8');
  private ended = false;

  push(bytes: Uint8Array): string {
    if (this.ended) return '';
    return this.decoder.decode(bytes, { stream: true });
  }

  /** Flushes a dangling partial character (as U+FFFD) once the stream is over. */
  end(): string {
    if (this.ended) return '';
    this.ended = true;
    return this.decoder.decode();
  }
}
