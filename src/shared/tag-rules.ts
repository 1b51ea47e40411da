/**
 * What a VM tag may be: 1–40 characters of letters, digits and `-_.:/`, unique per VM without
 * regard to case, at most 32 per VM. Shared by the backend (which refuses bad input) and the page
 * (which says so before sending).
 */
export const TAG_MAX_LENGTH = 40;
export const TAGS_PER_VM = 32;
const TAG_PATTERN = /^[\p{L}\p{N}\-_.:/]+$/u;

/** The form two tags are compared in ("Prod" and "prod" are one tag). */
export function tagKey(tag: string): string {
  return tag.toLowerCase();
}

/** Why `tag` cannot be a tag, naming it; null when it can. */
export function tagProblem(tag: string): string | null {
  if (tag.length === 0) return 'A tag cannot be empty.';
  if (tag.length > TAG_MAX_LENGTH) return `Tag "${tag.slice(0, 60)}" is ${tag.length} characters long; a tag has at most ${TAG_MAX_LENGTH}.`;
  if (!TAG_PATTERN.test(tag)) return `Tag "${tag}" has a character other than letters, digits and - _ . : /; remove it (spaces included).`;
  return null;
}

/** `current` with `add` added and `remove` removed (case-insensitively); the first spelling added stays. */
export function applyTagChange(current: readonly string[], add: readonly string[], remove: readonly string[]): string[] {
  const removing = new Set(remove.map(tagKey));
  const out = current.filter((t) => !removing.has(tagKey(t)));
  const have = new Set(out.map(tagKey));
  for (const tag of add) {
    if (removing.has(tagKey(tag)) || have.has(tagKey(tag))) continue;
    have.add(tagKey(tag));
    out.push(tag);
  }
  return out;
}

/** Splits what a user typed ("prod, web  team:a") into tags. */
export function splitTags(text: string): string[] {
  return text.split(/[\s,]+/).filter((t) => t.length > 0);
}
