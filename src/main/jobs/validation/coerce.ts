import type { JobField, JobFieldValue } from '../../../shared/contract';

/** A value counts as absent when null/undefined or text that is blank after trimming. */
export function isMissing(raw: unknown): boolean {
  return raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '');
}

const TRUE_WORDS = new Set(['true', 'yes', 'on', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'off', '0']);

export type Coerced = { ok: true; value: JobFieldValue } | { ok: false; rule: 'type'; message: string };

/**
 * Turns what a form or API client sent into the field's type. Forms send text, so integer and
 * boolean text is accepted; anything that would lose information (4.7 → 4, the number 1 for a
 * boolean, an object) is refused rather than guessed. Bounds and formats are checked afterwards.
 */
export function coerce(field: JobField, raw: unknown): Coerced {
  switch (field.type) {
    case 'string':
    case 'secret':
    case 'ipv4':
    case 'hostname':
      return typeof raw === 'string' ? { ok: true, value: raw.trim() } : { ok: false, rule: 'type', message: 'must be text' };
    case 'multiline':
      // Line endings are normalised so a key pasted on Windows matches one pasted elsewhere;
      // trailing line breaks are dropped, inner whitespace is the user's.
      return typeof raw === 'string'
        ? { ok: true, value: raw.replace(/\r\n?/g, '\n').replace(/\n+$/, '') }
        : { ok: false, rule: 'type', message: 'must be text' };
    case 'integer': {
      if (typeof raw === 'number' && Number.isSafeInteger(raw)) return { ok: true, value: raw };
      if (typeof raw === 'string' && /^[+-]?\d{1,15}$/.test(raw.trim())) return { ok: true, value: Number.parseInt(raw.trim(), 10) };
      return { ok: false, rule: 'type', message: 'must be a whole number' };
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return { ok: true, value: raw };
      if (typeof raw === 'string') {
        const word = raw.trim().toLowerCase();
        if (TRUE_WORDS.has(word)) return { ok: true, value: true };
        if (FALSE_WORDS.has(word)) return { ok: true, value: false };
      }
      return { ok: false, rule: 'type', message: 'must be true or false (yes/no, on/off)' };
    }
  }
}
