// A uPlot chart that follows its data: created once per series layout, fed with setData after.
import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export const PALETTE = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777"];

export interface ChartProps {
  /** Accessible name of the chart. */
  title: string;
  /** Series names, in the order of `data[1..]`. */
  series: string[];
  /** `[x (unix seconds), ...y]`, as uPlot takes it. */
  data: (number | null)[][];
  height?: number;
  /** A sparkline: no axes, no legend. */
  small?: boolean;
  /** The palette index of the first series. */
  color?: number;
}

export function Chart({ title, series, data, height = 180, small = false, color = 0 }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const layout = series.join("\u0000") + (small ? "s" : "");

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 120),
      height,
      legend: { show: !small },
      cursor: { show: !small },
      scales: { x: { time: true } },
      axes: small ? [{ show: false }, { show: false }] : [{ stroke: "#475569" }, { stroke: "#475569", size: 60 }],
      series: [{}, ...series.map((label, i) => ({ label, stroke: PALETTE[(color + i) % PALETTE.length]!, width: 2, points: { show: false } }))],
    };
    const chart = new uPlot(options, data as uPlot.AlignedData, element);
    plot.current = chart;
    const observer = new ResizeObserver(() => chart.setSize({ width: Math.max(element.clientWidth, 120), height }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      chart.destroy();
      plot.current = null;
    };
    // The chart is rebuilt only when its series change; data goes through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [layout, height, color]);

  useEffect(() => {
    plot.current?.setData(data as uPlot.AlignedData);
  }, [data]);

  const points = data[0]?.length ?? 0;
  return <div ref={box} className={small ? "chart small" : "chart"} role="img" aria-label={`${title}: ${points} points`} data-points={points} />;
}
