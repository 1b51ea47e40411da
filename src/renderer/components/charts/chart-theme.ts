import { useEffect, useState } from 'react';

/** Chart colours come from the page's CSS variables, so both themes (and any later) apply. */
export interface ChartColours {
  text: string;
  muted: string;
  grid: string;
  panel: string;
  series: string[];
}

export function readChartColours(): ChartColours {
  const css = getComputedStyle(document.documentElement);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    text: v('--text', '#1d2129'),
    muted: v('--muted', '#5f6673'),
    grid: v('--border', '#d9dde3'),
    panel: v('--panel', '#ffffff'),
    series: [v('--chart-1', v('--accent', '#2563c9')), v('--chart-2', v('--ok', '#23915a')), v('--chart-3', v('--warn', '#b57f00'))],
  };
}

/** A number that changes whenever the theme does (App.tsx sets <html data-theme>), to rebuild charts. */
export function useThemeVersion(): number {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const observer = new MutationObserver(() => setVersion((n) => n + 1));
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme', 'class', 'style'] });
    return () => observer.disconnect();
  }, []);
  return version;
}
