/** "1 host", "3 hosts": a count with its noun, singular for one (main and renderer text alike). */
export function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
