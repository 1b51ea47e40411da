import { useLayoutEffect, useState, type RefObject } from 'react';

/**
 * Where a drop-down panel opens: to the left of its button (right-aligned, as the Columns panel),
 * unless that would reach past the table's left edge — the button wrapped to the start of a new
 * filter line — then to the right.
 */
export function usePanelSide(open: boolean, box: RefObject<HTMLElement | null>, panelWidth: number): { left?: number; right?: string } | undefined {
  const [style, setStyle] = useState<{ left?: number; right?: string } | undefined>();
  useLayoutEffect(() => {
    if (!open || !box.current) return;
    const button = box.current.getBoundingClientRect();
    const table = box.current.closest('.vm-table')?.getBoundingClientRect();
    setStyle(button.right - panelWidth < (table?.left ?? 0) ? { left: 0, right: 'auto' } : undefined);
  }, [open, box, panelWidth]);
  return style;
}
