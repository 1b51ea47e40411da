import { useRef } from 'react';
import { useCountsPace, type CountsGroup } from '../stores/counts-pace';
import { useInventory } from '../stores/inventory-store';
import { useOnScreen } from './use-on-screen';

/**
 * One host's running/total VM counts for a count shown in a long list (the overview's hosts, the
 * sidebar tree): at `group`'s counts pace while the element `box` is put on is on screen, standing
 * still while it is not (useOnScreen). With 2,000 hosts under a stream of VM deltas most hosts'
 * counts change every tick; re-rendering counts nobody can see cost every tick ~100 ms.
 */
export function useHostCountsOnScreen<E extends Element>(hostId: string, group: CountsGroup) {
  const box = useRef<E>(null);
  useCountsPace(group, useOnScreen(box));
  return { box, counts: useInventory.getState().model.counts.get(hostId) };
}
