import { useMemo, useState } from 'react';
import type { MetricsHistory, MetricsHistoryRequest } from '../../../shared/contract';
import { useApp } from '../../stores/app-store';
import { latest, withGaps } from './series-gaps';
import { TimeChart, type ChartSeries } from './TimeChart';
import { useMetricsHistory } from './useMetricsHistory';

const RANGES = [
  { label: '1 h', hours: 1 },
  { label: '6 h', hours: 6 },
  { label: '24 h', hours: 24 },
  { label: 'All kept', hours: null },
] as const;
type RangeLabel = (typeof RANGES)[number]['label'];

export const percent = (v: number) => `${v.toFixed(v < 10 ? 1 : 0)} %`;
export const gigabytes = (mb: number) => `${(mb / 1024).toFixed(mb < 10_240 ? 1 : 0)} GB`;
/** The memory chart plots GB, so uPlot's ticks fall on round gigabytes. */
const gb = (value: number) => `${value.toFixed(value < 10 ? 1 : 0)} GB`;
const axisGb = (value: number) => `${Number(value.toFixed(2))} GB`;
const toGb = (column: ReadonlyArray<number | null>) => column.map((v) => (v === null ? null : v / 1024));

type MemoryColumn = 'memoryUsedMb' | 'memoryAssignedMb' | 'memoryDemandMb';

export interface ResourceChartsProps {
  /** The series, without sinceMs (the range picker sets it). */
  target: Omit<MetricsHistoryRequest, 'sinceMs'>;
  syncedAt: string | null;
  cpuLabel: string;
  memory: Array<{ column: MemoryColumn; label: string }>;
  /** A host's physical memory, named beside the memory chart's title. */
  memoryTotalMb?: number;
  testId: string;
}

/** CPU and memory charts of one host or VM over a chosen range, with the newest values as text. */
export function ResourceCharts({ target, syncedAt, cpuLabel, memory, memoryTotalMb, testId }: ResourceChartsProps) {
  const [range, setRange] = useState<RangeLabel>('6 h');
  const quickS = useApp((s) => s.settings?.inventory.quickSyncIntervalS);
  const hours = RANGES.find((r) => r.label === range)!.hours;
  // The window moves with each sync, not with each render (a new sinceMs is a new request).
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const sinceMs = useMemo(() => (hours === null ? 0 : Math.floor((Date.now() - hours * 3_600_000) / 1000) * 1000), [hours, syncedAt]);
  const state = useMetricsHistory({ ...target, sinceMs } as MetricsHistoryRequest, syncedAt);

  return (
    <section className="resource-charts" data-testid={testId} aria-label={`${cpuLabel} and memory over time`}>
      <div className="resource-charts-head">
        <h2>CPU and memory</h2>
        <div role="group" aria-label="Time range" className="range-picker">
          {RANGES.map((r) => (
            <button key={r.label} type="button" className={range === r.label ? 'tab active' : 'tab'} aria-pressed={range === r.label} onClick={() => setRange(r.label)}>
              {r.label === 'All kept' && state.status === 'ready' ? `All kept (${state.history.retentionHours} h)` : r.label}
            </button>
          ))}
        </div>
      </div>
      {state.status === 'loading' && (
        // Cards of the charts' own height: the page below (the VM table) does not jump when they arrive.
        <div className="chart-grid" aria-busy="true">
          <div className="chart-card chart-placeholder muted">Loading history…</div>
          <div className="chart-card chart-placeholder" />
        </div>
      )}
      {state.status === 'error' && (
        <p className="error" role="alert">
          Could not read the history: {state.message}
        </p>
      )}
      {state.status === 'ready' && <Charts history={state.history} cpuLabel={cpuLabel} memory={memory} memoryTotalMb={memoryTotalMb} quickS={quickS} />}
    </section>
  );
}

function Charts({ history, cpuLabel, memory, memoryTotalMb, quickS }: { history: MetricsHistory; cpuLabel: string; memory: ResourceChartsProps['memory']; memoryTotalMb?: number; quickS?: number }) {
  const cpu = useMemo(() => withGaps(history.t, [history.cpuPercent]), [history]);
  const mem = useMemo(() => withGaps(history.t, memory.map((m) => toGb(history[m.column]))), [history, memory]);
  const cpuSeries = useMemo<ChartSeries[]>(() => [{ label: cpuLabel, colour: 0, format: percent, fill: true }], [cpuLabel]);
  const memSeries = useMemo<ChartSeries[]>(() => memory.map((m, i) => ({ label: m.label, colour: i + 1, format: gb })), [memory]);
  if (history.t.length === 0) {
    return (
      <p className="muted" data-testid="charts-empty">
        No samples in this range yet. Each quick status sync{quickS ? ` (every ${quickS} s)` : ''} adds one while the host answers and the VM runs.
      </p>
    );
  }
  const nowCpu = latest(history.cpuPercent);
  return (
    <div className="chart-grid">
      <figure className="chart-card">
        <figcaption>
          {cpuLabel} <span className="chart-now">{nowCpu === null ? '—' : percent(nowCpu)}</span>
        </figcaption>
        <TimeChart t={cpu.t} columns={cpu.columns} series={cpuSeries} yMax={100} yFormat={(v) => `${v} %`} label={`${cpuLabel} over time`} testId="cpu-chart" samples={history.t.length} />
      </figure>
      <figure className="chart-card">
        <figcaption>
          Memory{memoryTotalMb ? ` (of ${gigabytes(memoryTotalMb)})` : ''}{' '}
          <span className="chart-now">
            {memory
              .map((m) => {
                const v = latest(history[m.column]);
                return `${m.label} ${v === null ? '—' : gigabytes(v)}`;
              })
              .join(' · ')}
          </span>
        </figcaption>
        <TimeChart t={mem.t} columns={mem.columns} series={memSeries} yFormat={axisGb} label="Memory over time" testId="memory-chart" samples={history.t.length} />
      </figure>
    </div>
  );
}
