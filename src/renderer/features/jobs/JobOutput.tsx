import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { JobLine } from '../../../shared/contract';
import { useApp } from '../../stores/app-store';
import { clockTime, followAfterScroll, highlightSegments, linesAsText, searchLines, stepHit } from './output-model';
import { counted } from '../../../shared/counted';

/**
 * A job's live output: follows the tail until the user scrolls up (then a "Follow" button brings
 * it back), copies all lines, and finds text with every match highlighted and next/previous.
 */
export function JobOutput({ lines, loading, error }: { lines: readonly JobLine[]; loading: boolean; error?: string }) {
  const toast = useApp((s) => s.toast);
  const box = useRef<HTMLDivElement>(null);
  const [follow, setFollow] = useState(true);
  const [query, setQuery] = useState('');
  const [hit, setHit] = useState(-1);
  const hits = useMemo(() => searchLines(lines, query), [lines, query]);
  const hitSet = useMemo(() => new Set(hits), [hits]);

  useLayoutEffect(() => {
    const el = box.current;
    if (el && follow) el.scrollTop = el.scrollHeight;
  }, [lines.length, follow]);

  useEffect(() => {
    const index = hits[hit];
    if (index === undefined) return;
    box.current?.querySelector(`[data-seq-index="${index}"]`)?.scrollIntoView({ block: 'nearest' });
  }, [hit, hits]);

  const step = (dir: 1 | -1) => {
    setFollow(false);
    setHit((h) => stepHit(hits.length, h, dir));
  };

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(linesAsText(lines));
      toast('success', `Copied ${counted(lines.length, 'line')}.`);
    } catch (e) {
      toast('error', `Could not copy: ${(e as Error).message}`);
    }
  };

  return (
    <div className="job-output" data-testid="job-output-panel">
      <div className="job-output-tools" role="toolbar" aria-label="Output">
        <input
          type="search"
          placeholder="Find in output"
          aria-label="Find in output"
          value={query}
          data-testid="output-search"
          onChange={(e) => {
            setQuery(e.target.value);
            setHit(-1);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') step(e.shiftKey ? -1 : 1);
          }}
        />
        <span className="muted" data-testid="output-hits">
          {query.trim() ? `${hit >= 0 && hits.length ? `${hit + 1}/` : ''}${hits.length} match${hits.length === 1 ? '' : 'es'}` : `${lines.length} lines`}
        </span>
        <button disabled={!hits.length} onClick={() => step(-1)} aria-label="Previous match">
          ↑
        </button>
        <button disabled={!hits.length} onClick={() => step(1)} aria-label="Next match">
          ↓
        </button>
        <button onClick={() => void copy()} disabled={!lines.length}>
          Copy
        </button>
        <button aria-pressed={follow} onClick={() => setFollow(!follow)} data-testid="output-follow">
          {follow ? 'Following' : 'Follow'}
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          Output could not be loaded: {error}
        </p>
      )}
      <div
        ref={box}
        className="job-lines"
        role="log"
        aria-live="off"
        aria-label="Job output"
        data-testid="job-output"
        data-following={follow}
        tabIndex={0}
        onScroll={(e) => {
          const el = e.currentTarget;
          setFollow(followAfterScroll(el.scrollTop, el.clientHeight, el.scrollHeight));
        }}
      >
        {lines.length === 0 && <p className="muted">{loading ? 'Loading output…' : 'No output yet.'}</p>}
        {lines.map((line, i) => (
          <div key={line.seq} className={`job-line stream-${line.stream} level-${line.level} ${hitSet.has(i) ? 'hit' : ''} ${hits[hit] === i ? 'current' : ''}`} data-seq-index={i} data-seq={line.seq}>
            <span className="at">{clockTime(line.at)}</span>
            {line.step && <span className="step">{line.step}</span>}
            <span className="text">
              {highlightSegments(line.text, query).map((s, j) => (s.match ? <mark key={j}>{s.text}</mark> : s.text))}
            </span>
          </div>
        ))}
      </div>
    </div>
  );
}
