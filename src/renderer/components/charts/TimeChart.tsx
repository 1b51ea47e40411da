import { useEffect, useRef } from 'react';
import type uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './charts.css';
import { readChartColours, useThemeVersion } from './chart-theme';
import type { Column } from './series-gaps';
import { useUplot } from './use-uplot';

export interface ChartSeries {
  label: string;
  /** Index into the theme's chart colours (--chart-1 … --chart-3). */
  colour: number;
  /** Text of a value in the legend and tooltip ("12 %", "3.5 GB"). */
  format: (value: number) => string;
  fill?: boolean;
}

export interface TimeChartProps {
  /** Times in seconds (uPlot's unit), then one column per series. */
  t: number[];
  columns: Column[];
  series: ChartSeries[];
  /** Fixed y range, e.g. [0, 100] for CPU; the top is the data's maximum when absent. */
  yMax?: number;
  yFormat: (value: number) => string;
  height?: number;
  label: string;
  testId?: string;
  /** Samples behind the chart (t also holds the null points that break the line at gaps). */
  samples: number;
}

/**
 * One uPlot time chart (canvas) that fills its container's width: a ResizeObserver resizes it
 * with the window, and it is rebuilt when the theme changes (colours come from CSS variables).
 * New data only calls setData, so a refresh every quick sync costs a redraw, not a rebuild.
 */
function lastOf(column: ArrayLike<number | null | undefined>): number | null {
  for (let i = column.length - 1; i >= 0; i--) if (column[i] !== null && column[i] !== undefined) return column[i]!;
  return null;
}

function when(seconds: number | null): string {
  return seconds === null ? '—' : new Date(seconds * 1000).toLocaleString([], { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** The narrowest time axis, in seconds. */
const MIN_SPAN_S = 600;

/** uPlot's legend line under the plot, at the 12 px legend font. */
const LEGEND_HEIGHT = 26;

export function TimeChart({ t, columns, series, yMax, yFormat, height = 180, label, testId, samples }: TimeChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const theme = useThemeVersion();
  const UPlot = useUplot();
  const data = [t, ...columns] as uPlot.AlignedData;

  useEffect(() => {
    const el = box.current;
    if (!el || !UPlot) return;
    const c = readChartColours();
    const axis = (values?: uPlot.Axis['values']): uPlot.Axis => ({
      stroke: c.muted,
      grid: { stroke: c.grid, width: 1 },
      ticks: { stroke: c.grid, width: 1, size: 4 },
      font: '11px system-ui, sans-serif',
      ...(values ? { values, size: 56 } : {}),
    });
    const u = new UPlot(
      {
        width: Math.max(200, el.clientWidth),
        height,
        series: [
          // Off the chart the legend shows the newest sample (uPlot would show dashes).
          { label: 'Time', value: (u, v) => when(v ?? lastOf(u.data[0])) },
          ...series.map((s, i) => ({
            label: s.label,
            stroke: c.series[s.colour % c.series.length],
            width: 1.5,
            ...(s.fill ? { fill: `${c.series[s.colour % c.series.length]}22` } : {}),
            value: (u: uPlot, v: number | null, _series: number, idx: number | null) => {
              const shown = idx === null ? lastOf(u.data[i + 1] as Array<number | null>) : v;
              return shown === null || shown === undefined ? '—' : s.format(shown);
            },
            points: { show: false },
          })),
        ],
        // At least 10 minutes wide: a history of a few seconds would otherwise get millisecond ticks.
        scales: { x: { time: true, range: (_u, min, max) => [Math.min(min, max - MIN_SPAN_S), max] }, y: { range: (_u, _min, max) => [0, yMax ?? UPlot.rangeNum(0, max > 0 ? max : 1, 0.1, true)[1]] } },
        axes: [axis(), axis((_u, ticks) => ticks.map(yFormat))],
        legend: { live: true },
        cursor: { drag: { x: false, y: false } },
      },
      data,
      el,
    );
    plot.current = u;
    el.dataset.points = String(u.data[0].length);
    // Resizing follows the container, which follows the window (and the sidebar).
    const observer = new ResizeObserver(() => {
      const width = Math.max(200, el.clientWidth);
      if (width !== u.width) u.setSize({ width, height });
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      u.destroy();
      plot.current = null;
    };
    // Rebuilt only for a theme or shape change; data changes go through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [theme, height, yMax, series.length, UPlot]);

  useEffect(() => {
    const u = plot.current;
    if (!u || !box.current) return;
    u.setData(data);
    box.current.dataset.points = String(u.data[0].length);
  });

  // Its height is kept before uPlot (loaded on the first chart) has drawn: nothing below moves then.
  return <div ref={box} className="time-chart" style={{ minHeight: height + LEGEND_HEIGHT }} role="img" aria-label={label} data-testid={testId} data-samples={samples} />;
}
