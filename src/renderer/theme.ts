import type { Theme } from '../shared/contract';

/**
 * The theme the page shows. Kept out of the app's stores so the page's first script (main.tsx) can
 * use it without loading them: the first screen (first-screen.ts) is painted before the app, and a
 * dark-theme user would otherwise see it flash light.
 */
export function effectiveTheme(theme: Theme | undefined, prefersDark: boolean): 'light' | 'dark' {
  if (theme === 'light' || theme === 'dark') return theme;
  return prefersDark ? 'dark' : 'light';
}

// The settings live in the backend, which the first screen does not wait for; the app remembers
// the chosen theme in the page's own storage whenever it applies it.
const REMEMBERED_THEME_KEY = 'aetherv.theme';

/** Whether the system asks for a dark theme (no matchMedia, as in jsdom: no). */
export function prefersDark(): boolean {
  return typeof window.matchMedia === 'function' && window.matchMedia('(prefers-color-scheme: dark)').matches;
}

/** Applies a theme to the page and remembers it for the next start's first screen. */
export function applyTheme(theme: Theme | undefined, dark: boolean = prefersDark()): void {
  document.documentElement.dataset.theme = effectiveTheme(theme, dark);
  try {
    if (theme) localStorage.setItem(REMEMBERED_THEME_KEY, theme);
  } catch {
    // Storage refused (private mode, quota): the next first screen follows the system theme.
  }
}

/** At start, before anything is painted: the theme the app applied last, or the system's. */
export function applyRememberedTheme(): void {
  let remembered: string | null = null;
  try {
    remembered = localStorage.getItem(REMEMBERED_THEME_KEY);
  } catch {
    // No storage: follow the system theme.
  }
  const theme = remembered === 'light' || remembered === 'dark' || remembered === 'system' ? remembered : undefined;
  document.documentElement.dataset.theme = effectiveTheme(theme as Theme | undefined, prefersDark());
}
