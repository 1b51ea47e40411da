import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { create } from 'zustand';

/** One entry of a context menu; a separator before it when `separated`. */
export interface MenuItem {
  id: string;
  label: string;
  run(): void;
  danger?: boolean;
  separated?: boolean;
  /** Shown but not runnable: why (the one table's reason, e.g. "it must be Off"). */
  disabled?: string;
}

interface MenuState {
  open?: { x: number; y: number; label: string; items: MenuItem[] };
  show(x: number, y: number, label: string, items: MenuItem[]): void;
  close(): void;
}

/** The one context menu of the app (a store, so any row or tree node can open it). */
export const useContextMenu = create<MenuState>((set) => ({
  show: (x, y, label, items) => set({ open: { x, y, label, items } }),
  close: () => set({ open: undefined }),
}));

/** Opens the menu for a right-click, or for the keyboard (context-menu key, Shift+F10) at the element. */
export function openContextMenu(e: { clientX?: number; clientY?: number; currentTarget: Element; preventDefault(): void; stopPropagation(): void }, label: string, items: MenuItem[]): void {
  e.preventDefault();
  e.stopPropagation();
  let { clientX: x, clientY: y } = e;
  if (!x && !y) {
    const r = e.currentTarget.getBoundingClientRect();
    x = r.left + 24;
    y = r.bottom;
  }
  useContextMenu.getState().show(x ?? 0, y ?? 0, label, items);
}

/** True for the keys that open a context menu from the keyboard. */
export function isContextMenuKey(e: Pick<KeyboardEvent, 'key' | 'shiftKey'>): boolean {
  return e.key === 'ContextMenu' || (e.shiftKey && e.key === 'F10');
}

/** The open context menu (mounted once by App): keyboard operable, closes on Escape, outside click, scroll or resize. */
export function ContextMenu() {
  const open = useContextMenu((s) => s.open);
  if (!open) return null;
  return <Menu key={`${open.x},${open.y},${open.label}`} {...open} />;
}

function Menu({ x, y, label, items }: { x: number; y: number; label: string; items: MenuItem[] }) {
  const close = useContextMenu((s) => s.close);
  const ref = useRef<HTMLUListElement>(null);
  const [place, setPlace] = useState({ left: x, top: y });
  const [active, setActive] = useState(0);

  // Kept inside the window: a menu opened near the right or bottom edge opens leftwards/upwards.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const { width, height } = el.getBoundingClientRect();
    setPlace({ left: Math.max(4, Math.min(x, window.innerWidth - width - 4)), top: Math.max(4, y + height > window.innerHeight - 4 ? y - height : y) });
    el.querySelector<HTMLElement>('[role=menuitem]')?.focus();
  }, [x, y]);

  useEffect(() => {
    const outside = (e: Event) => {
      if (!ref.current?.contains(e.target as Node)) close();
    };
    window.addEventListener('mousedown', outside, true);
    // Scrolling closes the menu, but only a scroll after it opened: a scroll made just before the
    // right-click (the row scrolled into view, the page's scroll position restored) is delivered at
    // the next frame's scroll steps, which run before animation-frame callbacks. Listening from
    // that callback on keeps such a late event from closing a menu that just opened.
    const frame = requestAnimationFrame(() => window.addEventListener('scroll', close, true));
    window.addEventListener('resize', close);
    window.addEventListener('blur', close);
    return () => {
      cancelAnimationFrame(frame);
      window.removeEventListener('mousedown', outside, true);
      window.removeEventListener('scroll', close, true);
      window.removeEventListener('resize', close);
      window.removeEventListener('blur', close);
    };
  }, [close]);

  const choose = (item: MenuItem | undefined) => {
    if (!item || item.disabled) return;
    close();
    item.run();
  };
  const focusItem = (index: number) => {
    const next = (index + items.length) % items.length;
    setActive(next);
    ref.current?.querySelectorAll<HTMLElement>('[role=menuitem]')[next]?.focus();
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown') focusItem(active + 1);
    else if (e.key === 'ArrowUp') focusItem(active - 1);
    else if (e.key === 'Home') focusItem(0);
    else if (e.key === 'End') focusItem(items.length - 1);
    else if (e.key === 'Enter' || e.key === ' ') choose(items[active]);
    else if (e.key === 'Escape' || e.key === 'Tab') close();
    else return;
    e.preventDefault();
  };

  return (
    <ul ref={ref} className="context-menu" role="menu" aria-label={label} style={place} onKeyDown={onKeyDown} onContextMenu={(e) => e.preventDefault()} data-testid="context-menu">
      {items.map((item, i) => (
        <li
          key={item.id}
          role="menuitem"
          tabIndex={i === active ? 0 : -1}
          className={`${item.danger ? 'danger' : ''} ${item.separated ? 'separated' : ''} ${item.disabled ? 'disabled' : ''}`}
          aria-disabled={item.disabled ? true : undefined}
          title={item.disabled}
          data-testid={`menu-${item.id}`}
          onMouseEnter={() => setActive(i)}
          onClick={() => choose(item)}
        >
          {item.label}
        </li>
      ))}
    </ul>
  );
}
