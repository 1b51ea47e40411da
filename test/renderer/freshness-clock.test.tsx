// @vitest-environment jsdom
import { act } from 'react';
import { createRoot } from 'react-dom/client';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { Ago } from '../../src/renderer/components/Freshness';
import { BETWEEN_COUNTS_PHASE_MS, COUNTS_INTERVAL_MS } from '../../src/renderer/stores/counts-pace';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

beforeEach(() => void vi.useFakeTimers());
afterEach(() => void vi.useRealTimers());

test('the freshness clock ticks once a second, between the slots where counts update', () => {
  vi.setSystemTime(100_000 + 437); // an arbitrary phase
  const container = document.createElement('div');
  const root = createRoot(container);
  act(() => root.render(<Ago at={new Date(100_000 - 5_000).toISOString()} />));
  const ticks: number[] = [];
  let last = container.textContent;
  for (let i = 0; i < 3500; i++) {
    act(() => void vi.advanceTimersByTime(1));
    if (container.textContent !== last) {
      ticks.push(Date.now());
      last = container.textContent;
    }
  }
  expect(ticks.length).toBe(3);
  for (const t of ticks) {
    expect(t % 1000).toBe(BETWEEN_COUNTS_PHASE_MS);
    // Away from both groups' slots (every COUNTS_INTERVAL_MS / 2) by more than a frame.
    const offset = t % (COUNTS_INTERVAL_MS / 2);
    expect(Math.min(offset, COUNTS_INTERVAL_MS / 2 - offset)).toBeGreaterThan(17);
  }
  expect(ticks[1]! - ticks[0]!).toBe(1000);
  act(() => root.unmount());
});
