import { useEffect, useRef } from 'react';
import type uPlot from 'uplot';
import './charts.css';
import { readChartColours, useThemeVersion } from './chart-theme';
import { useUplot } from './use-uplot';

const WIDTH = 96;
const HEIGHT = 22;

/**
 * A trend line for a table cell: uPlot with no axes, legend or cursor, a fixed 0–100 % scale so
 * rows compare at a glance. Canvas, so a table of many hosts stays cheap to paint.
 */
export function Sparkline({ t, values, label, testId }: { t: number[]; values: Array<number | null>; label: string; testId?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const theme = useThemeVersion();
  const UPlot = useUplot();

  useEffect(() => {
    const el = box.current;
    if (!el || !UPlot) return;
    const c = readChartColours();
    const u = new UPlot(
      {
        width: WIDTH,
        height: HEIGHT,
        pxAlign: false,
        series: [{}, { stroke: c.series[0], width: 1.5, fill: `${c.series[0]}22`, points: { show: false } }],
        scales: { x: { time: false }, y: { range: [-2, 102] } },
        axes: [{ show: false }, { show: false }],
        legend: { show: false },
        cursor: { show: false },
      },
      [t, values] as uPlot.AlignedData,
      el,
    );
    plot.current = u;
    el.dataset.points = String(u.data[0].length);
    return () => {
      u.destroy();
      plot.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [theme, UPlot]);

  useEffect(() => {
    const u = plot.current;
    if (!u || !box.current) return;
    u.setData([t, values] as uPlot.AlignedData);
    box.current.dataset.points = String(u.data[0].length);
  }, [t, values]);

  return <div ref={box} className="sparkline" role="img" aria-label={label} data-testid={testId} />;
}
