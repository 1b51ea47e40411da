import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { rememberedScroll, rememberScroll } from './scroll-memory';

/** Rows [start, end) to render for a scroll position, with `overscan` extra rows each side. */
export function visibleRange(scrollTop: number, viewportHeight: number, rowHeight: number, count: number, overscan = 6): { start: number; end: number } {
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const visible = Math.ceil(viewportHeight / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + visible + overscan);
  return { start, end: Math.max(start, end) };
}

/** The scrollTop that brings row `index` into view, or undefined when it already is. */
export function scrollToReveal(index: number, scrollTop: number, viewportHeight: number, rowHeight: number): number | undefined {
  const top = index * rowHeight;
  if (top < scrollTop) return top;
  if (top + rowHeight > scrollTop + viewportHeight) return top + rowHeight - viewportHeight;
  return undefined;
}

export interface VirtualListProps {
  count: number;
  rowHeight: number;
  /** Height of the scrolling viewport in px. */
  height: number;
  renderRow(index: number): ReactNode;
  /** When set, scrolls so this row is visible (keyboard navigation). */
  revealIndex?: number;
  className?: string;
  role?: string;
  label?: string;
  testId?: string;
  /** Remembers the scroll position under this key, so the list shows the same rows when its page is opened again. */
  scrollKey?: string;
}

/**
 * Fixed-height windowing: only the rows in view (plus a few) exist in the DOM, positioned inside
 * a spacer as tall as all rows, so 10,000 VMs cost ~40 rows of layout. Row height is fixed on
 * purpose — measuring variable rows would reintroduce the layout work this avoids.
 */
export function VirtualList({ count, rowHeight, height, renderRow, revealIndex, className, role, label, testId, scrollKey }: VirtualListProps) {
  const viewport = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(() => (scrollKey ? rememberedScroll(scrollKey) : 0));

  // The remembered position is applied before the first paint (the rows rendered are already those).
  useLayoutEffect(() => {
    if (viewport.current && scrollKey) viewport.current.scrollTop = rememberedScroll(scrollKey);
  }, [scrollKey]);

  useEffect(() => {
    if (revealIndex === undefined || !viewport.current) return;
    const next = scrollToReveal(revealIndex, viewport.current.scrollTop, height, rowHeight);
    if (next !== undefined) {
      viewport.current.scrollTop = next;
      setScrollTop(next);
    }
  }, [revealIndex, height, rowHeight]);

  // A shrinking list (filtering) must not leave us scrolled past its end.
  const maxTop = Math.max(0, count * rowHeight - height);
  const top = Math.min(scrollTop, maxTop);
  const { start, end } = visibleRange(top, height, rowHeight, count);
  const rows: ReactNode[] = [];
  for (let i = start; i < end; i++) rows.push(renderRow(i));

  return (
    <div
      ref={viewport}
      className={`virtual-viewport ${className ?? ''}`}
      style={{ height, overflowY: 'auto', position: 'relative' }}
      onScroll={(e) => {
        setScrollTop(e.currentTarget.scrollTop);
        if (scrollKey) rememberScroll(scrollKey, e.currentTarget.scrollTop);
      }}
      role={role}
      aria-label={label}
      aria-rowcount={count}
      data-testid={testId}
    >
      <div style={{ height: count * rowHeight, position: 'relative' }}>
        <div style={{ position: 'absolute', top: start * rowHeight, left: 0, right: 0 }}>{rows}</div>
      </div>
    </div>
  );
}
