import { useLayoutEffect, type RefObject } from 'react';

/**
 * Each page's scroll position, so coming back to a page (Back, the tree, a link) shows it where it
 * was left. Keyed by the page's route; kept for the tab's session (sessionStorage), so a reload
 * keeps it too. Inner scrollers (the virtualized VM table) keep theirs under their own keys.
 */
const STORAGE_KEY = 'aetherv.scroll.v1';
const positions = new Map<string, number>(readStored());

function readStored(): [string, number][] {
  try {
    const raw = globalThis.sessionStorage?.getItem(STORAGE_KEY);
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    return Array.isArray(parsed) ? parsed.filter((e): e is [string, number] => Array.isArray(e) && typeof e[0] === 'string' && typeof e[1] === 'number') : [];
  } catch {
    return []; // storage disabled or damaged: start without remembered positions
  }
}

let saveTimer: ReturnType<typeof setTimeout> | undefined;
function save(): void {
  clearTimeout(saveTimer);
  saveTimer = undefined;
  try {
    globalThis.sessionStorage?.setItem(STORAGE_KEY, JSON.stringify([...positions].slice(-200)));
  } catch {
    // A full or disabled storage only loses positions across reloads.
  }
}
function saveSoon(): void {
  if (saveTimer === undefined) saveTimer = setTimeout(save, 250);
}
// A reload within the debounce still keeps the last position.
globalThis.addEventListener?.('pagehide', () => saveTimer !== undefined && save());

export function rememberScroll(key: string, top: number): void {
  if (top > 0) positions.set(key, top);
  else positions.delete(key);
  saveSoon();
}

export function rememberedScroll(key: string): number {
  return positions.get(key) ?? 0;
}

/** How long a restore waits for the page's content to become tall enough (data still arriving). */
const RESTORE_WINDOW_MS = 1500;

/**
 * Keeps `scroller`'s position per `pageKey`: records it as the user scrolls, and on a page change
 * restores the new page's position — retrying for a moment while the page's content grows, and
 * giving up as soon as the user scrolls themselves.
 */
export function usePageScroll(scroller: RefObject<HTMLElement | null>, pageKey: string): void {
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const target = rememberedScroll(pageKey);
    el.scrollTop = target;
    if (el.scrollTop >= target - 1) return record(el, pageKey);
    const started = performance.now();
    let frame = 0;
    let cancelled = false;
    const cancel = () => (cancelled = true);
    el.addEventListener('wheel', cancel, { once: true, passive: true });
    el.addEventListener('keydown', cancel, { once: true });
    el.addEventListener('pointerdown', cancel, { once: true });
    const stopRecording = { fn: () => undefined as void };
    const tick = () => {
      if (cancelled) {
        stopRecording.fn = record(el, pageKey);
        return;
      }
      el.scrollTop = target;
      if (el.scrollTop >= target - 1 || performance.now() - started > RESTORE_WINDOW_MS) {
        stopRecording.fn = record(el, pageKey);
        return;
      }
      frame = requestAnimationFrame(tick);
    };
    frame = requestAnimationFrame(tick);
    return () => {
      cancelAnimationFrame(frame);
      el.removeEventListener('wheel', cancel);
      el.removeEventListener('keydown', cancel);
      el.removeEventListener('pointerdown', cancel);
      stopRecording.fn();
    };
  }, [scroller, pageKey]);
}

/** Records the scroller's position under `pageKey` as it scrolls; returns the unsubscribe. */
function record(el: HTMLElement, pageKey: string): () => void {
  const onScroll = () => rememberScroll(pageKey, el.scrollTop);
  el.addEventListener('scroll', onScroll, { passive: true });
  return () => el.removeEventListener('scroll', onScroll);
}
