import { useEffect, useRef, useState } from 'react';

/**
 * `value`, but changing at most once per `ms` (the latest value wins at the end of the window).
 * Used for re-sorting on live columns: rows re-order twice a second instead of on every delta,
 * which keeps frames short and keeps rows from jumping under the pointer.
 */
export function useThrottled<T>(value: T, ms: number): T {
  const [shown, setShown] = useState(value);
  const last = useRef(0);
  useEffect(() => {
    if (Object.is(value, shown)) return;
    const wait = last.current + ms - Date.now();
    if (wait <= 0) {
      last.current = Date.now();
      setShown(value);
      return;
    }
    const timer = setTimeout(() => {
      last.current = Date.now();
      setShown(value);
    }, wait);
    return () => clearTimeout(timer);
  }, [value, shown, ms]);
  return shown;
}
