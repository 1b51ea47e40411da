import type { JobLine } from '../../../shared/contract';

/** Pixels from the bottom within which the output counts as "at the tail" (follow stays on). */
export const FOLLOW_SLACK_PX = 24;

/**
 * Following the tail: on while the user is at the bottom, off as soon as they scroll up, on again
 * when they scroll back down. Programmatic scrolls to the bottom keep it on.
 */
export function followAfterScroll(scrollTop: number, clientHeight: number, scrollHeight: number): boolean {
  return scrollHeight - (scrollTop + clientHeight) <= FOLLOW_SLACK_PX;
}

/** Indexes of the lines containing `query` (case-insensitive); empty query → none. */
export function searchLines(lines: readonly JobLine[], query: string): number[] {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  const hits: number[] = [];
  lines.forEach((line, i) => {
    if (line.text.toLowerCase().includes(q)) hits.push(i);
  });
  return hits;
}

export interface Segment {
  text: string;
  match: boolean;
}

/** Splits `text` into plain and matching segments for highlighting. */
export function highlightSegments(text: string, query: string): Segment[] {
  const q = query.trim().toLowerCase();
  if (!q) return [{ text, match: false }];
  const lower = text.toLowerCase();
  const out: Segment[] = [];
  let at = 0;
  for (let i = lower.indexOf(q); i >= 0; i = lower.indexOf(q, at)) {
    if (i > at) out.push({ text: text.slice(at, i), match: false });
    out.push({ text: text.slice(i, i + q.length), match: true });
    at = i + q.length;
  }
  if (at < text.length) out.push({ text: text.slice(at), match: false });
  return out;
}

/** The next hit index (wrapping) for "find next" / "find previous". */
export function stepHit(count: number, current: number, dir: 1 | -1): number {
  if (count === 0) return -1;
  if (current < 0) return dir === 1 ? 0 : count - 1;
  return (current + dir + count) % count;
}

/** The text "Copy" puts on the clipboard: one line per output line, like the .log export's body. */
export function linesAsText(lines: readonly JobLine[]): string {
  return lines.map((l) => `${l.at} [${l.stream}/${l.level}]${l.step ? ` (${l.step})` : ''} ${l.text}`).join('\n');
}

export function clockTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function duration(startIso: string | null, endIso: string | null, now = Date.now()): string {
  if (!startIso) return '—';
  const ms = (endIso ? Date.parse(endIso) : now) - Date.parse(startIso);
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s} s` : s < 3600 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
