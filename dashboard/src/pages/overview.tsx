import { useRef, useState } from "react";
import { describe, type NodeStats, type Stats } from "../api";
import { NeedsAdmin } from "../app";
import { Chart } from "../chart";
import { count, duration, rate } from "../format";
import { usePoll, useSession } from "../live";

const POLL_MS = 2000;
const KEEP = 90; // samples per node: three minutes at one every two seconds

interface Sample {
  at: number; // unix seconds
  connections: number;
  subscriptions: number;
  inPerSecond: number | null;
  outPerSecond: number | null;
}

interface NodeHistory {
  last: NodeStats;
  lastAt: number;
  samples: Sample[];
}

/** Rates come from the difference of two reports of the same node (its counters only grow while it runs). */
function accumulate(histories: Map<string, NodeHistory>, stats: Stats, at: number): Map<string, NodeHistory> {
  const next = new Map<string, NodeHistory>();
  for (const node of stats.nodes) {
    const before = histories.get(node.node);
    // Another node's figures are as of its heartbeat: a rate needs two different heartbeats.
    const seen = Date.parse(node.lastSeen) / 1000;
    const prevSeen = before ? Date.parse(before.last.lastSeen) / 1000 : NaN;
    const self = node.node === stats.node;
    const t = self ? at : seen;
    const dt = before ? (self ? at - before.lastAt : seen - prevSeen) : 0;
    const restarted = before !== undefined && (before.last.startedAt !== node.startedAt || node.messagesIn < before.last.messagesIn);
    if (before && !self && dt <= 0) {
      next.set(node.node, before);
      continue;
    }
    const sample: Sample = {
      at: t,
      connections: node.connections,
      subscriptions: node.subscriptions,
      inPerSecond: before && dt > 0 && !restarted ? (node.messagesIn - before.last.messagesIn) / dt : null,
      outPerSecond: before && dt > 0 && !restarted ? (node.messagesOut - before.last.messagesOut) / dt : null,
    };
    next.set(node.node, { last: node, lastAt: t, samples: [...(before?.samples ?? []), sample].slice(-KEEP) });
  }
  return next;
}

export function Overview() {
  const { api } = useSession();
  const histories = useRef(new Map<string, NodeHistory>());
  const [, setVersion] = useState(0);
  const { data, error } = usePoll(
    async (signal) => {
      const stats = await api.stats(signal);
      histories.current = accumulate(histories.current, stats, Date.now() / 1000);
      setVersion((v) => v + 1);
      return stats;
    },
    POLL_MS,
    [api],
  );
  if (!api.isApiKey) return <Page><NeedsAdmin what="The overview (GET /api/stats)" /></Page>;
  return (
    <Page>
      {error !== undefined && <p className="error" role="alert">Could not read /api/stats: {describe(error)}</p>}
      {!data && error === undefined && <p className="muted">Loading /api/stats…</p>}
      {data && (
        <>
          <section aria-label="Totals" className="totals">
            <Figure label="nodes" value={count(data.totals.nodes)} />
            <Figure label="connections" value={count(data.totals.connections)} />
            <Figure label="users" value={count(data.totals.users)} />
            <Figure label="channels" value={count(data.totals.channels)} />
            <Figure label="subscriptions" value={count(data.totals.subscriptions)} />
            <Figure label="publications" value={count(data.totals.publications)} />
            <Figure label="dropped" value={count(data.totals.dropped)} warn={data.totals.dropped > 0} />
            <Figure label="slow consumers" value={count(data.totals.slowConsumers)} warn={data.totals.slowConsumers > 0} />
          </section>
          <div className="nodes">
            {data.nodes.map((node) => (
              <NodeCard key={node.node} node={node} self={node.node === data.node} uptime={node.node === data.node ? data.uptimeSeconds : undefined} history={histories.current.get(node.node)} />
            ))}
          </div>
          <p className="hint">
            Polled from <code>GET /api/stats</code> every {POLL_MS / 1000} s. Other nodes report through the cluster heartbeat, so their figures are as of
            their last heartbeat; rates are the change of <code>messagesIn</code> and <code>messagesOut</code> between two reports.
          </p>
        </>
      )}
    </Page>
  );
}

function Page({ children }: { children: React.ReactNode }) {
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      {children}
    </section>
  );
}

function Figure({ label, value, warn = false }: { label: string; value: string; warn?: boolean }) {
  return (
    <div className={warn ? "figure warn" : "figure"}>
      <span className="value">{value}</span>
      <span className="label">{label}</span>
    </div>
  );
}

function NodeCard({ node, self, uptime, history }: { node: NodeStats; self: boolean; uptime: number | undefined; history: NodeHistory | undefined }) {
  const samples = history?.samples ?? [];
  const latest = samples[samples.length - 1];
  const x = samples.map((s) => s.at);
  const up = uptime ?? (Date.parse(node.lastSeen) - Date.parse(node.startedAt)) / 1000;
  const stale = !self && Date.now() - Date.parse(node.lastSeen) > 15_000;
  return (
    <article className="card node" aria-label={`Node ${node.node}`} data-node={node.node}>
      <h2>
        {node.node} {self && <span className="badge">answering</span>} {stale && <span className="badge warn">no heartbeat for {duration((Date.now() - Date.parse(node.lastSeen)) / 1000)}</span>}
      </h2>
      <dl className="facts">
        <div><dt>version</dt><dd>{node.version}</dd></div>
        <div><dt>uptime</dt><dd>{duration(up)}</dd></div>
        <div><dt>connections</dt><dd data-testid="connections">{count(node.connections)}</dd></div>
        <div><dt>users</dt><dd>{count(node.users)}</dd></div>
        <div><dt>channels</dt><dd>{count(node.channels)}</dd></div>
        <div><dt>subscriptions</dt><dd>{count(node.subscriptions)}</dd></div>
        <div><dt>messages in/s</dt><dd>{rate(latest?.inPerSecond ?? undefined)}</dd></div>
        <div><dt>messages out/s</dt><dd>{rate(latest?.outPerSecond ?? undefined)}</dd></div>
        <div><dt>publications</dt><dd>{count(node.publications)}</dd></div>
        <div className={node.dropped > 0 ? "warn" : ""}><dt>dropped</dt><dd>{count(node.dropped)}</dd></div>
        <div className={node.slowConsumers > 0 ? "warn" : ""}><dt>slow consumers</dt><dd>{count(node.slowConsumers)}</dd></div>
      </dl>
      <div className="sparks">
        <figure>
          <figcaption>connections</figcaption>
          <Chart small title={`${node.node} connections`} series={["connections"]} data={[x, samples.map((s) => s.connections)]} height={48} />
        </figure>
        <figure>
          <figcaption>messages in/s · out/s</figcaption>
          <Chart small title={`${node.node} messages per second`} series={["in/s", "out/s"]} data={[x, samples.map((s) => s.inPerSecond), samples.map((s) => s.outPerSecond)]} height={48} />
        </figure>
      </div>
    </article>
  );
}
