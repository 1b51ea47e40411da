import { describe, expect, it } from 'vitest';
import { HostFairQueue } from '../../src/main/tasks/fair-queue';

const always = (): boolean => true;

describe('HostFairQueue', () => {
  it('serves hosts round-robin even when one host queued far more first', () => {
    const q = new HostFairQueue<string>();
    for (let i = 1; i <= 4; i++) q.push('a', `a${i}`);
    q.push('b', 'b1');
    q.push('c', 'c1');
    const order: string[] = [];
    for (let next = q.take(always); next; next = q.take(always)) order.push(next.item);
    expect(order).toEqual(['a1', 'b1', 'c1', 'a2', 'a3', 'a4']);
    expect(q.size).toBe(0);
  });

  it('skips hosts without room instead of blocking behind them', () => {
    const q = new HostFairQueue<string>();
    q.push('busy', 'x1');
    q.push('busy', 'x2');
    q.push('free', 'y1');
    const next = q.take((host) => host !== 'busy');
    expect(next).toEqual({ hostId: 'free', item: 'y1' });
    expect(q.take((host) => host !== 'busy')).toBeUndefined();
    expect(q.size).toBe(2);
  });

  it('orders by priority within a host and prefers the higher head across hosts', () => {
    const q = new HostFairQueue<string>();
    q.push('a', 'low1', 0);
    q.push('a', 'high', 5);
    q.push('a', 'low2', 0);
    q.push('b', 'mid', 3);
    const order: string[] = [];
    for (let next = q.take(always); next; next = q.take(always)) order.push(next.item);
    expect(order).toEqual(['high', 'mid', 'low1', 'low2']);
  });

  it('removes a waiting item, counts only hosts with room, and drains', () => {
    const q = new HostFairQueue<string>();
    q.push('a', 'a1');
    q.push('a', 'a2');
    q.push('b', 'b1');
    expect(q.remove('a', 'a1')).toBe(true);
    expect(q.remove('a', 'a1')).toBe(false);
    expect(q.sizeOf('a')).toBe(1);
    expect(q.countWhere((host) => host === 'b')).toBe(1);
    expect(q.countWhere(always)).toBe(2);
    expect(q.drain().sort()).toEqual(['a2', 'b1']);
    expect(q.size).toBe(0);
    expect(q.take(always)).toBeUndefined();
  });
});

describe('HostFairQueue turn order', () => {
  it('gives a host that joins after the last-served host the next turn', () => {
    const q = new HostFairQueue<string>();
    q.push('a', 'a1');
    q.push('a', 'a2');
    expect(q.take(always)?.item).toBe('a1');
    q.push('b', 'b1');
    expect(q.take(always)?.item).toBe('b1');
    expect(q.take(always)?.item).toBe('a2');
  });
});

describe('HostFairQueue memory of turns', () => {
  it('a host that was just served and queues again waits behind a host not yet served', () => {
    const q = new HostFairQueue<string>();
    q.push('a', 'a1');
    expect(q.take(always)?.item).toBe('a1');
    q.push('a', 'a2');
    q.push('b', 'b1');
    expect(q.take(always)?.item).toBe('b1');
    expect(q.take(always)?.item).toBe('a2');
  });
});
