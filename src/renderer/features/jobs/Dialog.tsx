import { useEffect, useRef, type KeyboardEvent, type ReactNode } from 'react';

const FOCUSABLE = 'button:not([disabled]), [href], input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * A modal dialog: Escape or the backdrop closes it; focus moves into it on open, stays inside it
 * (Tab and Shift+Tab wrap around) and returns where it was on close. `onEnter`: what Enter does
 * when the focus is on the dialog itself rather than on one of its controls.
 */
export function Dialog({ title, onClose, children, wide = false, onEnter }: { title: string; onClose(): void; children: ReactNode; wide?: boolean; onEnter?(): void }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    if (!box.current?.contains(document.activeElement)) box.current?.focus();
    return () => previous?.focus?.();
  }, []);
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      onClose();
    } else if (e.key === 'Tab') {
      trapTab(e, box.current);
    } else if (e.key === 'Enter' && onEnter && e.target === box.current) {
      e.preventDefault();
      onEnter();
    }
  };
  return (
    <div className="dialog-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div ref={box} className={wide ? 'dialog wide' : 'dialog'} role="dialog" aria-modal="true" aria-label={title} tabIndex={-1} onKeyDown={onKeyDown}>
        <div className="dialog-head">
          <h2>{title}</h2>
          <button aria-label="Close" onClick={onClose}>
            ×
          </button>
        </div>
        {children}
      </div>
    </div>
  );
}

/** Keeps Tab inside the dialog: from the last control to the first, and Shift+Tab the other way. */
function trapTab(e: KeyboardEvent, box: HTMLElement | null): void {
  if (!box) return;
  const items = Array.from(box.querySelectorAll<HTMLElement>(FOCUSABLE));
  if (items.length === 0) {
    e.preventDefault();
    return;
  }
  const first = items[0]!;
  const last = items[items.length - 1]!;
  const active = document.activeElement;
  const outside = !active || !box.contains(active) || active === box;
  if (e.shiftKey && (active === first || outside)) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && (active === last || outside)) {
    e.preventDefault();
    first.focus();
  }
}
