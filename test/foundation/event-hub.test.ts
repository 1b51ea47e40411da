import { describe, expect, test } from 'vitest';
import type { StateEvent } from '../../src/shared/contract';
import { EventHub } from '../../src/main/events/event-hub';

describe('EventHub', () => {
  test('a listener that names its topics gets only those; one that names none gets every topic', () => {
    const hub = new EventHub();
    hub.registerSource('health', () => ({ mode: 'normal', healthy: true, problems: [], services: [] }));
    const hostsOnly: StateEvent[] = [];
    const all: StateEvent[] = [];
    hub.subscribe((e) => hostsOnly.push(e), ['hosts']);
    hub.subscribe((e) => all.push(e));
    hub.publishDelta('hosts', { upsert: [], remove: ['h1'] });
    hub.publishSnapshot('health');
    expect(hostsOnly.map((e) => e.topic)).toEqual(['hosts']);
    expect(all.map((e) => `${e.topic}@${e.revision}`)).toEqual(['hosts@1', 'health@1']);
  });

  test('a snapshot nobody listens for is not built, but its revision still moves on', () => {
    const hub = new EventHub();
    let built = 0;
    hub.registerSource('jobs', () => (built++, []));
    const off = hub.subscribe(() => undefined, ['hosts']);
    hub.publishSnapshot('jobs');
    expect(built).toBe(0);
    expect(hub.revision('jobs')).toBe(1);
    // A client that connects later asks for the snapshot and gets the current revision.
    expect(hub.snapshot('jobs')).toEqual({ topic: 'jobs', revision: 1, payload: [] });
    expect(built).toBe(1);

    off();
    const seen: StateEvent[] = [];
    hub.subscribe((e) => seen.push(e), ['jobs']);
    hub.publishSnapshot('jobs');
    expect(built).toBe(2);
    expect(seen).toEqual([{ topic: 'jobs', revision: 2, kind: 'snapshot', payload: [] }]);
  });
});
