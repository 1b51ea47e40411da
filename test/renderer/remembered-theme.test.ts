// @vitest-environment jsdom
/**
 * The first screen is painted before the app (and its settings) load, so the page's first script
 * applies the theme the app applied last: a dark-theme user must not see a light first screen.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { applyRememberedTheme, applyTheme } from '../../src/renderer/theme';

function systemPrefersDark(dark: boolean): void {
  window.matchMedia = ((query: string) => ({ matches: dark && query.includes('dark'), media: query })) as unknown as typeof window.matchMedia;
}

describe('remembered theme for the first screen', () => {
  afterEach(() => {
    localStorage.clear();
    delete document.documentElement.dataset.theme;
  });

  test('the theme the app applied is the one the next start paints with', () => {
    systemPrefersDark(false);
    applyTheme('dark');
    delete document.documentElement.dataset.theme; // a new page
    applyRememberedTheme();
    expect(document.documentElement.dataset.theme).toBe('dark');
  });

  test('"system" follows the system at the next start, not the theme it resolved to before', () => {
    systemPrefersDark(false);
    applyTheme('system');
    expect(document.documentElement.dataset.theme).toBe('light');
    systemPrefersDark(true);
    applyRememberedTheme();
    expect(document.documentElement.dataset.theme).toBe('dark');
  });

  test('nothing remembered (first start) or a foreign value: the system theme', () => {
    systemPrefersDark(true);
    applyRememberedTheme();
    expect(document.documentElement.dataset.theme).toBe('dark');
    localStorage.setItem('aetherv.theme', 'neon');
    systemPrefersDark(false);
    applyRememberedTheme();
    expect(document.documentElement.dataset.theme).toBe('light');
  });
});
