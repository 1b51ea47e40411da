/**
 * Structured results: our scripts end with one line of compact JSON (ConvertTo-Json -Compress).
 * Progress noise or log lines may precede it, so the last non-blank line is the result.
 */
import { ProtocolError } from '../errors';

export function parseLastJsonLine<T = unknown>(stdout: string): T {
  const lines = stdout.split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.replace(/^\uFEFF/, '').trim();
    if (line === '') continue;
    try {
      return JSON.parse(line) as T;
    } catch (error) {
      throw new ProtocolError(
        `the script's last output line is not JSON (${shorten(line)}) — did it write other output after its result?`,
        { cause: error },
      );
    }
  }
  throw new ProtocolError('the script printed no output — expected a JSON result line');
}

function shorten(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
