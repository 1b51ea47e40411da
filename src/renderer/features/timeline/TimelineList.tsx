import { useCallback, useEffect, useState } from 'react';
import type { TimelineEntry, TimelinePage } from '../../../shared/contract';
import type { Result } from '../../../shared/contract';
import { useApp } from '../../stores/app-store';
import { clockTime, entryWords, groupByDay } from './timeline-words';
import './timeline.css';

const PAGE = 100;

type Load = (before: number | undefined, limit: number) => Promise<Result<TimelinePage>> | undefined;

/**
 * A timeline, newest first, grouped by day, with "Show older". Reloads its first page whenever
 * `reloadOn` changes (the VM's row changed: a refresh may have written entries).
 */
export function TimelineList({ load, reloadOn, label }: { load: Load; reloadOn: string; label: string }) {
  const hosts = useApp((s) => s.hosts);
  const [entries, setEntries] = useState<TimelineEntry[] | undefined>();
  const [more, setMore] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const hostName = useCallback((id: string) => hosts[id]?.displayName ?? id, [hosts]);

  useEffect(() => {
    let live = true;
    void load(undefined, PAGE)?.then((r) => {
      if (!live) return;
      if (!r.ok) return setError(r.error.message);
      // A backend without the timeline (an older one, or a test's stub) answers no page: nothing to show.
      if (!r.data) return;
      setError(undefined);
      setEntries(r.data.entries);
      setMore(r.data.more);
    });
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [reloadOn]);

  const older = async () => {
    const last = entries?.[entries.length - 1];
    const r = await load(last?.id, PAGE);
    if (!r) return;
    if (!r.ok) return setError(r.error.message);
    setEntries([...(entries ?? []), ...r.data.entries]);
    setMore(r.data.more);
  };

  if (error) return <p className="error" role="alert">Could not read the timeline: {error}</p>;
  if (!entries) return <p className="muted">Loading the timeline…</p>;
  if (!entries.length) return <p className="muted">Nothing recorded yet. Changes that inventory sees, jobs and pending operations show here.</p>;
  return (
    <div className="timeline" aria-label={label} data-testid="timeline">
      {groupByDay(entries).map(({ day, entries: ofDay }) => (
        <section key={day} className="timeline-day">
          <h3>{new Date(ofDay[0]!.at).toLocaleDateString(undefined, { weekday: 'short', year: 'numeric', month: 'short', day: 'numeric' })}</h3>
          <ol>
            {ofDay.map((e) => (
              <li key={e.id} className={`timeline-entry timeline-${e.kind}`} data-testid="timeline-entry">
                <time dateTime={e.at}>{clockTime(e.at)}</time> <span>{entryWords(e, hostName)}</span>
              </li>
            ))}
          </ol>
        </section>
      ))}
      {more && (
        <button className="link" onClick={() => void older()}>
          Show older
        </button>
      )}
    </div>
  );
}
