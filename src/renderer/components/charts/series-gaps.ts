/**
 * Chart data helpers, pure so they are unit-tested. A host that did not answer for a while has no
 * samples then; uPlot would draw a straight line across the hole, which reads as "steady". A null
 * inserted in every gap much longer than the usual spacing makes the line break instead.
 */

export type Column = Array<number | null>;

/** The usual spacing of samples: the median step (robust against the gaps themselves). */
export function typicalStepMs(t: readonly number[]): number {
  if (t.length < 2) return 0;
  const steps: number[] = [];
  for (let i = 1; i < t.length; i++) steps.push(t[i]! - t[i - 1]!);
  steps.sort((a, b) => a - b);
  return steps[steps.length >> 1]!;
}

/**
 * Returns times in seconds (uPlot's unit) and the columns with a null point in the middle of every
 * gap longer than `factor` times the usual step (and at least `minGapMs`, so jitter is no gap).
 * Older history is kept as 5-minute averages: there the neighbouring steps set the scale, so
 * those points join up instead of each one standing alone.
 */
export function withGaps(tMs: readonly number[], columns: readonly Column[], factor = 3, minGapMs = 90_000): { t: number[]; columns: Column[] } {
  const typical = typicalStepMs(tMs);
  const t: number[] = [];
  const out: Column[] = columns.map(() => []);
  for (let i = 0; i < tMs.length; i++) {
    const stepBefore = i > 1 ? tMs[i - 1]! - tMs[i - 2]! : 0;
    const stepAfter = i + 1 < tMs.length ? tMs[i + 1]! - tMs[i]! : 0;
    const limit = Math.max(factor * Math.max(typical, stepBefore, stepAfter), minGapMs);
    if (i > 0 && tMs[i]! - tMs[i - 1]! > limit) {
      t.push((tMs[i - 1]! + tMs[i]!) / 2000);
      for (const c of out) c.push(null);
    }
    t.push(tMs[i]! / 1000);
    columns.forEach((c, k) => out[k]!.push(c[i] ?? null));
  }
  return { t, columns: out };
}

/** The newest non-null value of a column, for a chart's "now" figure. */
export function latest(column: readonly (number | null)[]): number | null {
  for (let i = column.length - 1; i >= 0; i--) if (column[i] !== null && column[i] !== undefined) return column[i]!;
  return null;
}
