import { describe, expect, test } from 'vitest';
import type { StateEvent, VmReach } from '../../src/shared/contract';
import { reachabilitySync, useReachability } from '../../src/renderer/features/connect/reach-store';
import { stubBackend } from './dom-harness';

const reach = (key: string, rdp: VmReach['rdp']): VmReach => ({ key, rdp, ssh: 'closed', address: '10.0.0.1', rdpAddress: null, sshAddress: null, checkedAt: null });
const event = (revision: number, kind: 'snapshot' | 'delta', payload: unknown) => ({ topic: 'reachability', revision, kind, payload }) as StateEvent;

describe('reachability store', () => {
  test('deltas update the map in place: every upsert and removal lands, and each bumps the version readers follow', () => {
    const sync = reachabilitySync(stubBackend());
    sync.handle(event(1, 'snapshot', [reach('h:a', 'open'), reach('h:b', 'closed'), reach('h:c', 'open')]));
    const map = useReachability.getState().byKey;
    const version = useReachability.getState().version;

    sync.handle(event(2, 'delta', { upsert: [reach('h:b', 'open'), reach('h:d', 'closed')], remove: ['h:a'] }));
    sync.handle(event(3, 'delta', { upsert: [reach('h:c', 'closed')], remove: [] }));

    const state = useReachability.getState();
    expect(state.version).toBe(version + 2);
    expect(state.byKey).toBe(map); // no copy of the whole map per delta
    expect([...state.byKey.keys()].sort()).toEqual(['h:b', 'h:c', 'h:d']);
    expect(state.byKey.get('h:b')!.rdp).toBe('open');
    expect(state.byKey.get('h:c')!.rdp).toBe('closed');

    // A subscriber selecting one entry sees its change.
    const seen: (string | undefined)[] = [];
    const off = useReachability.subscribe((s) => seen.push(s.byKey.get('h:d')?.rdp));
    sync.handle(event(4, 'delta', { upsert: [reach('h:d', 'open')], remove: [] }));
    off();
    expect(seen).toEqual(['open']);
  });
});
