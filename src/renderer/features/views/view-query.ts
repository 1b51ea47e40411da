/**
 * The query a saved view stores for what the table shows: the query box's text plus the table's
 * scope (a host or cluster page) and drop-downs as terms, so the view opened on the overview
 * selects the same VMs. RDP/SSH reachability has no query field and is not carried.
 */
export function quoteValue(value: string): string {
  return /^[A-Za-z0-9._-]+$/.test(value) ? value : `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function viewQueryText(
  text: string,
  parts: { hostName?: string; cluster?: string; state?: string },
): string {
  const terms: string[] = [];
  if (parts.hostName) terms.push(`host:${quoteValue(parts.hostName)}`);
  if (parts.cluster) terms.push(`cluster:${quoteValue(parts.cluster)}`);
  if (parts.state) terms.push(`state:${quoteValue(parts.state.toLowerCase())}`);
  const typed = text.trim();
  // A typed query with OR is grouped, so the added terms apply to all of it.
  if (typed) terms.push(terms.length && /\bOR\b/.test(typed) ? `(${typed})` : typed);
  return terms.join(' ');
}
