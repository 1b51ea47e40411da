/**
 * Keyboard hints as the user's keyboard spells them: "Ctrl+K" on Windows and Linux, "⌘K" on macOS
 * (where the app's shortcuts also answer to Cmd). Hints are written once, in the Windows form.
 */
export function isMacPlatform(nav: { platform?: string; userAgentData?: { platform?: string } } | undefined = globalThis.navigator as never): boolean {
  const platform = nav?.userAgentData?.platform || nav?.platform || '';
  return /^mac/i.test(platform);
}

const MAC_KEYS: Record<string, string> = { Ctrl: '⌘', Shift: '⇧', Alt: '⌥' };

/** "Ctrl+Shift+P" → "Ctrl+Shift+P", or "⇧⌘P" on macOS (modifiers in Apple's order). */
export function keyHint(combo: string, mac = isMacPlatform()): string {
  if (!mac) return combo;
  const parts = combo.split('+');
  const key = parts.pop() ?? '';
  const order = ['Alt', 'Shift', 'Ctrl'];
  return parts.sort((a, b) => order.indexOf(a) - order.indexOf(b)).map((m) => MAC_KEYS[m] ?? m).join('') + key;
}
