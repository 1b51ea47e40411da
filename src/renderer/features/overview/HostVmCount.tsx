import { useRef } from 'react';
import { useOnScreen } from '../../components/use-on-screen';
import { useInventory } from '../../stores/inventory-store';
import { useCountsPace } from '../../stores/counts-pace';

/** "running/total" for one host, at the counts' pace while on screen (see useOnScreen). */
export function HostVmCount({ hostId }: { hostId: string }) {
  const box = useRef<HTMLSpanElement>(null);
  useCountsPace('page', useOnScreen(box));
  const c = useInventory.getState().model.counts.get(hostId);
  return (
    <span ref={box} className="live-box live-count">
      {`${c?.running ?? 0}/${c?.total ?? 0}`}
    </span>
  );
}
