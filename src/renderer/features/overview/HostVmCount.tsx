import { useHostCountsOnScreen } from '../../components/use-host-counts';

/** "running/total" for one host, at the counts' pace while on screen. */
export function HostVmCount({ hostId }: { hostId: string }) {
  const { box, counts: c } = useHostCountsOnScreen<HTMLSpanElement>(hostId, 'page');
  return (
    <span ref={box} className="live-box live-count">
      {`${c?.running ?? 0}/${c?.total ?? 0}`}
    </span>
  );
}
