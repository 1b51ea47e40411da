/**
 * Masking secret values out of anything the app writes or shows: text, and structured values
 * before they are serialised. Shared by the app log and the job masker.
 */

/** Secrets shorter than this are not masked: masking every "ab" in a log would hide everything. */
export const MIN_MASKED_LENGTH = 3;

const DEFAULT_MASK = '********';
/** Field names whose values are never written, whatever they hold. */
export const SECRET_KEY = /pass(word)?|secret|token|credential|authorization/i;
/** A string longer than this is cut (with a note), so one field cannot make a log line unbounded. */
const MAX_STRING = 16_384;
const MAX_DEPTH = 8;
// Values that travel on are kept whole, but a pathological nesting still cannot exhaust the stack.
const MAX_DEPTH_UNBOUNDED = 64;
const MAX_ENTRIES = 200;

/**
 * The forms a secret takes in text the app handles: as typed, JSON-escaped (a password holding
 * `"` or `\` reaches a JSON line as `\"` or `\\`), and JSON-escaped twice (JSON carried in a JSON
 * string, e.g. agent output inside a job line). Longest first, so a longer form is masked whole.
 */
export function secretForms(secret: string): string[] {
  const once = JSON.stringify(secret).slice(1, -1);
  const twice = JSON.stringify(once).slice(1, -1);
  return [...new Set([twice, once, secret])].sort((a, b) => b.length - a.length);
}

/**
 * Secret values grouped by scope (a host, a job), so a scope's secrets can be forgotten when it
 * ends without forgetting the same value still held by another scope.
 */
export class SecretSet {
  private readonly scopes = new Map<string, Set<string>>();
  /** Every form of every held secret, by its first three characters (see `mask`). */
  private index: Map<number, string[]> | undefined;

  constructor(private readonly maskText: string = DEFAULT_MASK) {}

  add(scope: string, values: Iterable<string>): void {
    const set = this.scopes.get(scope) ?? new Set<string>();
    let added = false;
    for (const value of values) {
      if (typeof value !== 'string' || value.length < MIN_MASKED_LENGTH || set.has(value)) continue;
      set.add(value);
      added = true;
    }
    if (!added) return;
    this.scopes.set(scope, set);
    this.index = undefined;
  }

  /** Replaces a scope's secrets (a host whose password changed). */
  replace(scope: string, values: Iterable<string>): void {
    this.scopes.delete(scope);
    this.add(scope, values);
  }

  forget(scope: string): void {
    if (this.scopes.delete(scope)) this.index = undefined;
  }

  /** How many distinct secret values are held (for tests and diagnostics). */
  get size(): number {
    return new Set([...this.scopes.values()].flatMap((s) => [...s])).size;
  }

  /**
   * `text` with every form of every held secret replaced by the mask. One pass over the text,
   * looking up each position's first three characters, so the cost does not grow with the number
   * of secrets held (hundreds of host passwords): at each position the longest form wins.
   */
  mask(text: string): string {
    const index = this.formIndex();
    if (index.size === 0 || text.length < MIN_MASKED_LENGTH) return text;
    let out = '';
    let copied = 0;
    let i = 0;
    while (i + MIN_MASKED_LENGTH <= text.length) {
      const candidates = index.get(trigram(text, i));
      const hit = candidates?.find((form) => text.startsWith(form, i));
      if (hit === undefined) {
        i++;
        continue;
      }
      out += text.slice(copied, i) + this.maskText;
      i += hit.length;
      copied = i;
    }
    return copied === 0 ? text : out + text.slice(copied);
  }

  /**
   * A copy of `value` safe to serialise: strings masked (keys too), fields named like secrets
   * replaced, Error objects turned into plain fields (message, code, stack, cause), cycles and
   * depth cut. Masking before serialising means an escaped form can never slip past the mask and
   * the mask can never break the JSON around it.
   */
  maskValue(value: unknown, options: { bounded?: boolean } = {}): unknown {
    return this.walk(value, 0, new WeakSet(), options.bounded ?? true);
  }

  /**
   * `bounded` (for log lines) cuts long strings and lists; values that travel on (error bodies,
   * job records) keep their length, only the secrets in them change.
   */
  private walk(value: unknown, depth: number, seen: WeakSet<object>, bounded: boolean): unknown {
    if (typeof value === 'string') return this.mask(bounded && value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}… (${value.length - MAX_STRING} more characters)` : value);
    if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
    if (value === undefined) return undefined;
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'symbol' || typeof value === 'function') return `[${typeof value}]`;
    const object = value as object;
    if (seen.has(object)) return '[circular]';
    if (depth >= (bounded ? MAX_DEPTH : MAX_DEPTH_UNBOUNDED)) return '[nested too deep]';
    seen.add(object);
    try {
      if (object instanceof Date) return Number.isNaN(object.getTime()) ? 'Invalid Date' : object.toISOString();
      if (ArrayBuffer.isView(object) || object instanceof ArrayBuffer) return `[${object.byteLength} bytes]`;
      if (object instanceof Error) return this.walkError(object, depth, seen, bounded);
      if (Array.isArray(object)) return this.walkList(object, depth, seen, bounded);
      if (object instanceof Set) return this.walkList([...object], depth, seen, bounded);
      if (object instanceof Map) return this.walkEntries([...object.entries()].map(([k, v]) => [String(k), v]), depth, seen, bounded);
      return this.walkEntries(Object.entries(object), depth, seen, bounded);
    } finally {
      seen.delete(object);
    }
  }

  private walkList(items: unknown[], depth: number, seen: WeakSet<object>, bounded: boolean): unknown[] {
    const cut = bounded && items.length > MAX_ENTRIES;
    const out = (cut ? items.slice(0, MAX_ENTRIES) : items).map((item) => this.walk(item, depth + 1, seen, bounded) ?? null);
    if (cut) out.push(`… ${items.length - MAX_ENTRIES} more`);
    return out;
  }

  private walkEntries(entries: [string, unknown][], depth: number, seen: WeakSet<object>, bounded: boolean): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const cut = bounded && entries.length > MAX_ENTRIES;
    for (const [key, item] of cut ? entries.slice(0, MAX_ENTRIES) : entries) {
      const safeKey = this.mask(key);
      out[safeKey] = SECRET_KEY.test(key) && item !== undefined && item !== null && item !== '' ? this.maskText : this.walk(item, depth + 1, seen, bounded);
    }
    if (cut) out['…'] = `${entries.length - MAX_ENTRIES} more fields`;
    return out;
  }

  private walkError(error: Error, depth: number, seen: WeakSet<object>, bounded: boolean): Record<string, unknown> {
    const own = Object.entries(error).filter(([key]) => key !== 'cause');
    const fields: [string, unknown][] = [
      ['name', error.name],
      ['message', error.message],
      ...own,
      ...(error.stack ? ([['stack', error.stack]] as [string, unknown][]) : []),
      ...(error.cause !== undefined ? ([['cause', error.cause]] as [string, unknown][]) : []),
    ];
    return this.walkEntries(fields, depth, seen, bounded);
  }

  private formIndex(): Map<number, string[]> {
    if (!this.index) {
      const values = new Set([...this.scopes.values()].flatMap((s) => [...s]));
      const forms = [...new Set([...values].flatMap(secretForms))].sort((a, b) => b.length - a.length);
      const index = new Map<number, string[]>();
      for (const form of forms) {
        const key = trigram(form, 0);
        const list = index.get(key);
        if (list) list.push(form);
        else index.set(key, [form]);
      }
      this.index = index;
    }
    return this.index;
  }
}

/** The three UTF-16 code units at `at` as one number (exact: 3 × 16 bits fit a double). */
function trigram(text: string, at: number): number {
  return (text.charCodeAt(at) * 65_536 + text.charCodeAt(at + 1)) * 65_536 + text.charCodeAt(at + 2);
}
