import { describe, expect, test } from 'vitest';
import { ago, newestFirst } from '../../src/renderer/components/time';

describe('time helpers', () => {
  test('newestFirst orders ISO-stamped records newest first, equal stamps kept together', () => {
    const stamped = ['2026-11-23T00:00:05.000Z', '2026-11-22T23:59:59.000Z', '2026-11-23T00:00:05.000Z', '2026-11-23T01:00:00.000Z'].map((updatedAt, i) => ({ i, updatedAt }));
    expect(stamped.sort(newestFirst).map((r) => r.i)).toEqual([3, 0, 2, 1]);
  });

  test('ago speaks in the unit an admin scans for', () => {
    const now = Date.parse('2026-11-23T12:00:00.000Z');
    expect(ago(undefined, now)).toBe('never');
    expect(ago('2026-11-23T11:59:18.000Z', now)).toBe('42 s ago');
    expect(ago('2026-11-23T11:55:00.000Z', now)).toBe('5 min ago');
    expect(ago('2026-11-23T09:00:00.000Z', now)).toBe('3 h ago');
  });
});
