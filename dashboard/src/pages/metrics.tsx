import { useMemo } from "react";
import { useMetrics } from "@herald/react";
import type { Publication } from "@herald/client";
import { Chart } from "../chart";
import { time } from "../format";
import { useLocation } from "../router";
import { ChannelList } from "./channels";

/** The numbers a metric point carries: the data itself when it is a number, else its numeric fields (one level deep). */
function numbersOf(p: Publication): [string, number][] {
  const d = p.data;
  if (typeof d === "number") return [["value", d]];
  if (!d || typeof d !== "object") return [];
  const out: [string, number][] = [];
  for (const [k, v] of Object.entries(d as Record<string, unknown>)) {
    if (typeof v === "number" && Number.isFinite(v)) out.push([k, v]);
    else if (v && typeof v === "object") for (const [k2, v2] of Object.entries(v as Record<string, unknown>)) if (typeof v2 === "number") out.push([`${k}.${k2}`, v2]);
  }
  return out;
}

export function Metrics() {
  const { query } = useLocation();
  const channel = query.get("c") ?? "";
  return (
    <section aria-labelledby="metrics-title">
      <h1 id="metrics-title">Metrics</h1>
      <div className="split">
        <ChannelList selected={channel} prefix="metrics:" page="/charts" label="metrics channel" />
        {channel ? (
          <MetricsView key={channel} channel={channel} />
        ) : (
          <p className="empty">
            Choose a <code>metrics:</code> channel to chart. Every numeric field of a publication's data is a line, per <code>key</code> (or type): <code>{'{"cpu":0.42,"rss":181}'}</code>.
          </p>
        )}
      </div>
    </section>
  );
}

interface Panel {
  name: string;
  fields: string[];
  data: (number | null)[][];
  latest: Publication | undefined;
}

function MetricsView({ channel }: { channel: string }) {
  const metrics = useMetrics(channel, { historyLength: 300 });
  // One chart per series (the publication's key, else its type), one line per numeric field.
  const panels = useMemo<Panel[]>(() => {
    const out: Panel[] = [];
    for (const [name, points] of [...metrics.series.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const fields = [...new Set(points.flatMap((p) => numbersOf(p).map(([f]) => f)))].slice(0, 8);
      if (fields.length === 0) continue;
      const x = points.map((p) => Date.parse(p.timestamp) / 1000);
      const ys = fields.map((f) => points.map((p) => numbersOf(p).find(([k]) => k === f)?.[1] ?? null));
      out.push({ name, fields, data: [x, ...ys], latest: metrics.latest.get(name) });
    }
    return out;
  }, [metrics]);
  return (
    <div className="card" aria-label={`Metrics ${channel}`}>
      <h2>
        <code>{channel}</code>
      </h2>
      {panels.length === 0 ? (
        <p className="empty">No numeric points yet: the chart starts from the channel's history and moves as points are published.</p>
      ) : (
        <div className="charts">
          {panels.map((panel) => (
            <figure key={panel.name} className="card" style={{ margin: 0 }} data-series={panel.name}>
              <figcaption>
                <strong>{panel.name}</strong>{" "}
                {panel.latest && (
                  <span className="muted" data-testid="latest">
                    {numbersOf(panel.latest).map(([k, v]) => `${k} ${v}`).join(" · ")} at {time(panel.latest.timestamp)}
                  </span>
                )}
              </figcaption>
              {/* One chart per field: fields of one point often differ in scale (a ratio beside a size in MiB). */}
              <div className="fields">
                {panel.fields.map((field, i) => (
                  <div key={field} data-field={field}>
                    <div className="muted">{field}</div>
                    <Chart title={`${channel} ${panel.name} ${field}`} series={[field]} data={[panel.data[0]!, panel.data[i + 1]!]} height={150} color={i} />
                  </div>
                ))}
              </div>
            </figure>
          ))}
        </div>
      )}
      <p className="hint">The <code>metrics</code> namespace is conflated: the server sends at most one point per key a second.</p>
    </div>
  );
}
