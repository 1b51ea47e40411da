import { describe, expect, test } from 'vitest';
import { latest, typicalStepMs, withGaps } from '../../src/renderer/components/charts/series-gaps';

describe('chart data: gaps where a host did not answer', () => {
  test('a hole much longer than the usual step gets a null point, so the line breaks', () => {
    const t = [0, 30_000, 60_000, 90_000, 600_000, 630_000];
    const { t: seconds, columns } = withGaps(t, [[1, 2, 3, 4, 5, 6]]);
    expect(seconds).toEqual([0, 30, 60, 90, 345, 600, 630]);
    expect(columns[0]).toEqual([1, 2, 3, 4, null, 5, 6]);
  });

  test('5-minute averages of older history join up, and the raw samples after them too', () => {
    const t = [0, 300_000, 600_000, 900_000, 930_000, 960_000, 990_000, 1_020_000];
    expect(typicalStepMs(t)).toBe(30_000);
    const { columns } = withGaps(t, [t.map(() => 1)]);
    expect(columns[0]!.includes(null)).toBe(false);
  });

  test('jitter under the minimum is no gap; latest skips trailing nulls', () => {
    const { columns } = withGaps([0, 5_000, 10_000, 60_000], [[1, 1, 1, 1]]);
    expect(columns[0]).toEqual([1, 1, 1, 1]);
    expect(latest([3, 4, null])).toBe(4);
    expect(latest([null])).toBeNull();
  });
});
