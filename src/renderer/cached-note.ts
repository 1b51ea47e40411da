/**
 * The "Cached, as of …" note's look, shared by the app's note (app-root.tsx) and the first screen
 * (first-screen.ts), so the note does not move or change colour when the app takes over.
 */
export const CACHED_NOTE_STYLE = {
  position: 'fixed',
  insetInlineEnd: '12px',
  insetBlockEnd: '12px',
  zIndex: '50',
  margin: '0',
  padding: '6px 10px',
  borderRadius: '6px',
  font: 'inherit',
  fontSize: '13px',
  background: 'var(--warning-bg, #fff4ce)',
  color: 'var(--warning-fg, #3b2e00)',
  boxShadow: '0 1px 4px rgb(0 0 0 / 0.2)',
} as const;

const two = (n: number) => String(n).padStart(2, '0');

/**
 * The first screen's note: the snapshot's local date and time, written out by hand. Not
 * toLocaleString: its first call sets up ICU's date formatting, tens of milliseconds on the
 * first screen's path (the app's own note uses it, later).
 */
export function cachedNoteText(cachedAt: string): string {
  const at = new Date(cachedAt);
  if (Number.isNaN(at.getTime())) return 'Cached: confirming with the backend…';
  const when = `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())} ${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}`;
  return `Cached, as of ${when}: confirming with the backend…`;
}
