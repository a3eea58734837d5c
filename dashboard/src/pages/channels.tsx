import { useRef, useState, type FormEvent } from "react";
import { useChannel, usePresence } from "@herald/react";
import type { Publication } from "@herald/client";
import { describe, type HistoryAnswer } from "../api";
import { json, time } from "../format";
import { usePoll, useSession } from "../live";
import { Link, setQuery, useLocation } from "../router";
import { useToast } from "../toasts";

export function Channels() {
  const { query } = useLocation();
  const channel = query.get("c") ?? "";
  return (
    <section aria-labelledby="channels-title">
      <h1 id="channels-title">Channels</h1>
      <div className="split">
        <ChannelList selected={channel} />
        {channel ? <ChannelView key={channel} channel={channel} /> : <p className="empty">Choose a channel on the left, or open one by name, to tail it, read its history, latest state and presence, and publish into it.</p>}
      </div>
    </section>
  );
}

/** A list of channels with subscribers on this node, and a form to open any channel. Used by the logs and metrics pages too. */
export function ChannelList({ selected, prefix = "", page = "/channels", label = "channel" }: { selected: string; prefix?: string; page?: string; label?: string }) {
  const { api } = useSession();
  const [filter, setFilter] = useState("");
  const [name, setName] = useState(prefix);
  const { data, error } = usePoll((signal) => (api.isApiKey ? api.channels(prefix || undefined, signal) : Promise.resolve(undefined)), 3000, [api, prefix, selected]);
  const open = (e: FormEvent) => {
    e.preventDefault();
    const value = name.trim();
    if (value) setQuery("c", value);
  };
  const channels = data?.channels.filter((c) => !filter || c.channel.includes(filter)) ?? [];
  return (
    <div className="card">
      <form onSubmit={open} className="inline">
        <label>
          Open a {label} by name
          <input value={name} onChange={(e) => setName(e.target.value)} placeholder={prefix ? `${prefix}acme/app` : "org:acme"} spellCheck={false} />
        </label>
        <button type="submit">Open</button>
      </form>
      {api.isApiKey ? (
        <>
          <h2 style={{ marginTop: "1rem" }}>With subscribers on this node</h2>
          <label>
            Filter <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />
          </label>
          {error !== undefined && <p className="error" role="alert">Could not list channels: {describe(error)}</p>}
          {data && data.channels.length === 0 && (
            <p className="muted">
              No {prefix ? <code>{prefix}</code> : null} channel has subscribers on this node yet. Open one by name above: publications are kept in its history whether or not anyone listens.
            </p>
          )}
          <ul className="list" aria-label="Channels">
            {channels.map((c) => (
              <li key={c.channel}>
                <Link to={`${page}?c=${encodeURIComponent(c.channel)}`} aria-current={c.channel === selected ? "true" : undefined}>
                  <span>{c.channel}</span>
                  <span className="muted" title="subscribers on this node">{c.subscribers}</span>
                </Link>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p className="hint">Listing channels (GET /api/channels) needs an admin API key; with a token, open your organisation's channels by name.</p>
      )}
    </div>
  );
}

type Tab = "tail" | "history" | "state" | "presence" | "publish";
const TABS: { id: Tab; label: string }[] = [
  { id: "tail", label: "Live tail" },
  { id: "history", label: "History" },
  { id: "state", label: "Latest state" },
  { id: "presence", label: "Presence" },
  { id: "publish", label: "Publish" },
];

function ChannelView({ channel }: { channel: string }) {
  const [tab, setTab] = useState<Tab>("tail");
  // One subscription for the whole view: the tail and the latest state read it, presence shares it.
  const total = useRef(0);
  const types = useRef(new Set<string>());
  const live = useChannel(channel, {
    maxItems: 1000,
    onPublication: (p) => {
      total.current++;
      types.current.add(p.type);
    },
  });
  return (
    <div className="card" aria-label={`Channel ${channel}`}>
      <h2>
        <code>{channel}</code> <span className="badge" data-testid="subscription-status">{live.error ? "refused" : live.status}</span>
      </h2>
      {live.error && (
        <p className="error" role="alert">
          The server refused the subscription: {live.error.message} (code {live.error.code}).
        </p>
      )}
      <div className="tabs" role="tablist" aria-label="Channel views">
        {TABS.map((t) => (
          <button key={t.id} type="button" role="tab" id={`tab-${t.id}`} aria-selected={tab === t.id} aria-controls={`panel-${t.id}`} onClick={() => setTab(t.id)}>
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === "tail" && <Tail publications={live.publications} total={total.current} types={[...types.current].sort()} />}
        {tab === "history" && <History channel={channel} />}
        {tab === "state" && <LatestState latest={live.latest} />}
        {tab === "presence" && <Presence channel={channel} />}
        {tab === "publish" && <Publish channel={channel} />}
      </div>
    </div>
  );
}

function Entry({ p }: { p: Publication }) {
  return (
    <div className="entry" data-type={p.type}>
      <span className="when">{time(p.timestamp)}</span>
      <span className="when">{p.offset !== undefined ? `#${p.offset}` : "–"}</span>
      <span className="type" title={p.type}>
        {p.type}
        {p.key ? ` [${p.key}]` : ""}
      </span>
      <span className="data">
        {json(p.data)}
        {p.tags ? <span className="when"> {json(p.tags)}</span> : null}
      </span>
    </div>
  );
}

/** The live publications, with pause (the view stops, arrivals are counted), clear and a type filter. */
function Tail({ publications, total, types }: { publications: Publication[]; total: number; types: string[] }) {
  const [clearedAt, setClearedAt] = useState(0);
  const [pausedAt, setPausedAt] = useState<number | undefined>(undefined);
  const [type, setType] = useState("");
  const first = total - publications.length; // absolute index of publications[0]
  const end = pausedAt ?? total;
  const shown = publications.filter((p, i) => first + i >= clearedAt && first + i < end && (!type || p.type === type));
  return (
    <>
      <div className="toolbar">
        <button type="button" aria-pressed={pausedAt !== undefined} onClick={() => setPausedAt(pausedAt === undefined ? total : undefined)}>
          {pausedAt === undefined ? "Pause" : `Resume (${total - pausedAt} new)`}
        </button>
        <button type="button" className="secondary" onClick={() => setClearedAt(pausedAt ?? total)}>
          Clear
        </button>
        <label>
          Type
          <select value={type} onChange={(e) => setType(e.target.value)}>
            <option value="">all types</option>
            {types.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <span className="muted" aria-live="polite">
          {shown.length} shown · {total} received since opening
        </span>
      </div>
      <div className="feed" data-testid="tail">
        {shown.length === 0 ? <p className="when">Nothing yet: publications into this channel appear here as they arrive.</p> : shown.map((p) => <Entry key={p.publicationId} p={p} />)}
      </div>
    </>
  );
}

const PAGE = 50;

/** The channel's history from GET /api/history, a page at a time. */
function History({ channel }: { channel: string }) {
  const { api } = useSession();
  const [page, setPage] = useState<HistoryAnswer | undefined>(undefined);
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const load = async (options: { since?: number; epoch?: string; limit?: number }) => {
    setBusy(true);
    setError("");
    try {
      setPage(await api.history(channel, options));
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  };
  const firstOffset = page?.publications[0]?.offset;
  const lastOffset = page?.publications[page.publications.length - 1]?.offset;
  const older = () => {
    if (firstOffset === undefined || !page) return;
    const since = Math.max(0, firstOffset - PAGE - 1);
    void load({ since, epoch: page.epoch, limit: Math.min(PAGE, firstOffset - 1 - since) });
  };
  return (
    <>
      <div className="toolbar">
        <button type="button" onClick={() => void load({ limit: PAGE })} disabled={busy}>
          {page ? "Newest" : "Load history"}
        </button>
        <button type="button" className="secondary" onClick={older} disabled={busy || firstOffset === undefined || firstOffset <= 1}>
          Older
        </button>
        <button type="button" className="secondary" onClick={() => page && lastOffset !== undefined && void load({ since: lastOffset, epoch: page.epoch, limit: PAGE })} disabled={busy || !page?.hasMore}>
          Newer
        </button>
        {page && (
          <span className="muted">
            offsets {firstOffset ?? "–"}–{lastOffset ?? "–"} of {page.offset} · epoch <code>{page.epoch}</code>
          </span>
        )}
      </div>
      {error && <p className="error" role="alert">{error}</p>}
      {page && (
        <div className="feed" data-testid="history">
          {page.publications.length === 0 ? <p className="when">The history of this channel is empty.</p> : page.publications.map((p) => <Entry key={p.publicationId} p={p} />)}
        </div>
      )}
      {!page && !error && <p className="hint">Reads <code>GET /api/history</code>, {PAGE} publications a page, oldest first within a page.</p>}
    </>
  );
}

function LatestState({ latest }: { latest: ReadonlyMap<string, Publication> }) {
  const entries = [...latest.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) {
    return <p className="empty">No latest state: the namespace keeps none (<code>KeepLatestState</code>), or nothing was published with a <code>key</code> yet.</p>;
  }
  return (
    <table>
      <caption className="sr-only">Latest publication per key</caption>
      <thead>
        <tr>
          <th scope="col">Key</th>
          <th scope="col">Type</th>
          <th scope="col">Time</th>
          <th scope="col">Data</th>
        </tr>
      </thead>
      <tbody>
        {entries.map(([key, p]) => (
          <tr key={key}>
            <th scope="row"><code>{key}</code></th>
            <td>{p.type}</td>
            <td>{time(p.timestamp)}</td>
            <td className="channels">{json(p.data)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Presence({ channel }: { channel: string }) {
  const { user } = useSession();
  const presence = usePresence(channel);
  if (presence.error) {
    return <p className="empty">No presence for this channel: {presence.error.message} (code {presence.error.code}). Namespaces track it with <code>Presence: true</code>.</p>;
  }
  if (presence.loading) return <p className="muted">Reading presence…</p>;
  return (
    <table>
      <caption className="sr-only">Who is in the channel</caption>
      <thead>
        <tr>
          <th scope="col">User</th>
          <th scope="col">Connections</th>
          <th scope="col">Since</th>
          <th scope="col">Info</th>
        </tr>
      </thead>
      <tbody>
        {presence.users.map((u) => (
          <tr key={u.user}>
            <th scope="row">
              {u.user} {u.user === user && <span className="badge">this dashboard</span>}
            </th>
            <td>{u.connections}</td>
            <td>{time(u.since)}</td>
            <td className="channels">{u.info ? json(u.info) : ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function parseTags(text: string): Record<string, string> | undefined {
  const tags: Record<string, string> = {};
  for (const part of text.split(",")) {
    const [k, ...v] = part.split("=");
    if (k?.trim()) tags[k.trim()] = v.join("=").trim();
  }
  return Object.keys(tags).length ? tags : undefined;
}

function Publish({ channel }: { channel: string }) {
  const { api, client } = useSession();
  const toast = useToast();
  const [type, setType] = useState("");
  const [data, setData] = useState("{}");
  const [key, setKey] = useState("");
  const [tags, setTags] = useState("");
  const [error, setError] = useState("");
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError("");
    let value: unknown;
    try {
      value = JSON.parse(data);
    } catch (err) {
      return setError("Data is not JSON: " + (err as Error).message);
    }
    const t = parseTags(tags);
    try {
      if (api.isApiKey) {
        const answer = await api.publish({ channel, type: type.trim(), data: value, ...(key.trim() ? { key: key.trim() } : {}), ...(t ? { tags: t } : {}) });
        toast("success", `Published ${answer.type}`, answer.offset !== null ? `offset ${answer.offset} in ${answer.channel}` : answer.channel);
      } else {
        // A token publishes over the socket, where the namespace allows client publish.
        const answer = await client.publish(channel, type.trim(), value, { ...(key.trim() ? { key: key.trim() } : {}), ...(t ? { tags: t } : {}) });
        toast("success", `Published ${type.trim()}`, answer.offset !== undefined ? `offset ${answer.offset}` : channel);
      }
    } catch (err) {
      setError(describe(err));
    }
  };
  return (
    <form className="stack" onSubmit={submit} aria-label="Publish">
      <div className="row">
        <label>
          Type
          <input value={type} onChange={(e) => setType(e.target.value)} required placeholder="workspace.status" spellCheck={false} />
        </label>
        <label>
          Key (optional, for latest state)
          <input value={key} onChange={(e) => setKey(e.target.value)} spellCheck={false} />
        </label>
        <label>
          Tags (optional, k=v, …)
          <input value={tags} onChange={(e) => setTags(e.target.value)} spellCheck={false} />
        </label>
      </div>
      <label>
        Data (JSON)
        <textarea rows={5} value={data} onChange={(e) => setData(e.target.value)} spellCheck={false} />
      </label>
      {error && <p className="error" role="alert">{error}</p>}
      <div>
        <button type="submit">Publish</button>{" "}
        <span className="hint">{api.isApiKey ? "POST /api/publish with the API key." : "A publish frame over the socket: the namespace must allow client publish."}</span>
      </div>
    </form>
  );
}
