import { useEffect, useRef, useState } from "react";
import { useLogStream } from "@herald/react";
import type { Publication } from "@herald/client";
import { json, time } from "../format";
import { useLocation } from "../router";
import { ChannelList } from "./channels";

/** What a log line says, whatever shape its publisher gave it: `message`, `line`, `msg` or `text`, else the data as JSON. */
function textOf(p: Publication): string {
  const d = p.data as Record<string, unknown> | string | null;
  if (typeof d === "string") return d;
  if (d && typeof d === "object") {
    for (const field of ["message", "line", "msg", "text"]) if (typeof d[field] === "string") return d[field] as string;
  }
  return json(d);
}

/** Its level: `level` or `severity` in the data, or the `level` tag; lower-cased. */
function levelOf(p: Publication): string {
  const d = p.data as Record<string, unknown> | null;
  const value = (d && typeof d === "object" && (d.level ?? d.severity)) || p.tags?.level || "";
  const level = String(value).toLowerCase();
  return level === "warning" ? "warn" : level === "err" ? "error" : level;
}

export function Logs() {
  const { query } = useLocation();
  const channel = query.get("c") ?? "";
  return (
    <section aria-labelledby="logs-title">
      <h1 id="logs-title">Logs</h1>
      <div className="split">
        <ChannelList selected={channel} prefix="logs:" page="/logs" label="log channel" />
        {channel ? (
          <LogView key={channel} channel={channel} />
        ) : (
          <p className="empty">Choose a <code>logs:</code> channel to follow. A line is a publication whose data has a <code>message</code> (or <code>line</code>) and optionally a <code>level</code>.</p>
        )}
      </div>
    </section>
  );
}

function Highlight({ text, term }: { text: string; term: string }) {
  if (!term) return <>{text}</>;
  const parts: React.ReactNode[] = [];
  const lower = text.toLowerCase();
  const t = term.toLowerCase();
  let at = 0;
  for (let i = lower.indexOf(t); i >= 0; i = lower.indexOf(t, at)) {
    parts.push(text.slice(at, i), <mark key={i}>{text.slice(i, i + t.length)}</mark>);
    at = i + t.length;
  }
  parts.push(text.slice(at));
  return <>{parts}</>;
}

function LogView({ channel }: { channel: string }) {
  const stream = useLogStream(channel, { tail: 200, maxBufferSize: 5000 });
  const [search, setSearch] = useState("");
  const [level, setLevel] = useState("");
  const box = useRef<HTMLDivElement>(null);
  const lines = stream.lines.filter((p) => (!level || levelOf(p) === level) && (!search || textOf(p).toLowerCase().includes(search.toLowerCase())));

  // Following keeps the newest line in view; scrolling up stops it, scrolling to the bottom starts it again.
  useEffect(() => {
    if (stream.follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [stream.follow, stream.lines, lines.length]);
  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 8;
    if (atBottom !== stream.follow) stream.setFollow(atBottom);
  };
  return (
    <div className="card" aria-label={`Log ${channel}`}>
      <h2>
        <code>{channel}</code> <span className="badge" data-testid="subscription-status">{stream.error ? "refused" : stream.status}</span>
      </h2>
      {stream.error && <p className="error" role="alert">The server refused the subscription: {stream.error.message} (code {stream.error.code}).</p>}
      <div className="toolbar">
        <button type="button" aria-pressed={stream.follow} onClick={() => stream.setFollow(!stream.follow)}>
          Follow
        </button>
        <button type="button" aria-pressed={stream.paused} onClick={stream.paused ? stream.resume : stream.pause}>
          {stream.paused ? `Resume (${stream.buffered} new)` : "Pause"}
        </button>
        <button type="button" className="secondary" onClick={stream.clear}>
          Clear
        </button>
        <label>
          Search <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
        </label>
        <label>
          Level
          <select value={level} onChange={(e) => setLevel(e.target.value)}>
            <option value="">all</option>
            {["trace", "debug", "info", "warn", "error"].map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <span className="muted" aria-live="polite">
          {lines.length} of {stream.lines.length} lines{stream.dropped > 0 ? ` · ${stream.dropped} dropped from the buffer` : ""}
        </span>
      </div>
      <div className="feed logs" ref={box} onScroll={onScroll} data-testid="log">
        {stream.lines.length === 0 ? (
          <p className="when">No lines yet: the last 200 lines of history are shown on open, then lines as they are published.</p>
        ) : (
          lines.map((p) => {
            const l = levelOf(p);
            return (
              <div key={p.publicationId} className={`line ${l}`}>
                <span className="when">{time(p.timestamp)}</span>
                <span className={`level ${l}`}>{l || "–"}</span>
                <span className="text">
                  <Highlight text={textOf(p)} term={search} />
                </span>
              </div>
            );
          })
        )}
      </div>
    </div>
  );
}
