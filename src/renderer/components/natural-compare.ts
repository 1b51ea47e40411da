const ZERO = 48;
const NINE = 57;
const isDigit = (code: number) => code >= ZERO && code <= NINE;

/** ASCII letters folded to lower case; other characters by their own lower-case form. */
function folded(s: string, i: number): number {
  const code = s.charCodeAt(i);
  if (code >= 65 && code <= 90) return code + 32;
  if (code < 128) return code;
  return s[i]!.toLowerCase().charCodeAt(0);
}

/**
 * Orders names the way an admin reads them: case-insensitive, digit runs by their value ("HV2"
 * before "HV10", "hv02" next to "hv2"). A cheap stand-in for localeCompare on the first-paint path:
 * the first localeCompare call initialises ICU's collator, which alone costs ~75 ms. Names equal
 * under those rules fall back to code-unit order, so the result is one total order.
 */
export function compareNatural(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(j);
    if (isDigit(ca) && isDigit(cb)) {
      // Compare the two digit runs by value: skip leading zeros, then the longer run is larger,
      // and runs of the same length compare digit by digit.
      while (a.charCodeAt(i) === ZERO && isDigit(a.charCodeAt(i + 1))) i++;
      while (b.charCodeAt(j) === ZERO && isDigit(b.charCodeAt(j + 1))) j++;
      let endA = i;
      let endB = j;
      while (isDigit(a.charCodeAt(endA))) endA++;
      while (isDigit(b.charCodeAt(endB))) endB++;
      if (endA - i !== endB - j) return endA - i - (endB - j);
      for (; i < endA; i++, j++) {
        const d = a.charCodeAt(i) - b.charCodeAt(j);
        if (d !== 0) return d;
      }
      continue;
    }
    const d = folded(a, i) - folded(b, j);
    if (d !== 0) return d;
    i++;
    j++;
  }
  const rest = a.length - i - (b.length - j);
  if (rest !== 0) return rest;
  return a < b ? -1 : a > b ? 1 : 0;
}
