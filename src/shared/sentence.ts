/** Ends a message as one sentence: "… firewall?" stays as it is, "timed out" becomes "timed out.". */
export function asSentence(text: string): string {
  const trimmed = text.trimEnd();
  return /[.?!]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
