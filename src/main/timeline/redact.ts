/** Longest error text the timeline keeps (the job record and the log have the whole of it). */
const MAX_DETAIL = 300;

/**
 * Text for the timeline from an error message: anything shaped like a credential assignment
 * masked, and cut short. Errors the app builds never carry secrets; this is the second line of
 * defence for text a host sent back.
 */
export function redactSecrets(text: string): string {
  const masked = text.replace(/\b(password|passwd|pwd|secret|token|apikey|api_key|credential)(\s*[:=]\s*)("[^"]*"|'[^']*'|\S+)/gi, '$1$2••••');
  return masked.length > MAX_DETAIL ? `${masked.slice(0, MAX_DETAIL)}…` : masked;
}
