import { useEffect, useState, type FormEvent } from "react";
import { useChannel, useNotifications } from "@herald/react";
import type { Publication } from "@herald/client";
import { describe, type Level, type Notification } from "../api";
import { dateTime } from "../format";
import { useSession, type Session } from "../live";
import { useToast } from "../toasts";

/** The channel whose notifications the dashboard shows and toasts: the token's user's, or the user an API-key session watches. */
export function inboxChannelOf(session: Pick<Session, "credential" | "user">, watched: string): string {
  if (session.credential.kind === "token") return session.user ? `user:${session.user}` : "";
  return watched ? `user:${watched}` : "";
}

const LEVELS: Level[] = ["info", "success", "warning", "error"];

export function Notifications() {
  const { api } = useSession();
  return (
    <section aria-labelledby="notifications-title">
      <h1 id="notifications-title">Notifications</h1>
      <div className="grid2">
        {api.isApiKey ? <Send /> : <p className="empty">Sending notifications needs an API key with the <code>publish</code> scope (<code>POST /api/notifications</code>).</p>}
        {api.isApiKey ? <WatchedInbox /> : <OwnInbox />}
      </div>
    </section>
  );
}

function Send() {
  const { api, watch, watched } = useSession();
  const toast = useToast();
  const [to, setTo] = useState<"user" | "org">("user");
  const [id, setId] = useState(watched);
  const [title, setTitle] = useState("");
  const [message, setMessage] = useState("");
  const [level, setLevel] = useState<Level>("info");
  const [link, setLink] = useState("");
  const [error, setError] = useState("");
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError("");
    try {
      const sent = await api.sendNotification({ [to]: id.trim(), title, message, level, ...(link.trim() ? { link: link.trim() } : {}) });
      toast("success", `Sent to ${to} ${id.trim()}`, sent.title);
      if (to === "user" && !watched) watch(id.trim());
      setTitle("");
      setMessage("");
    } catch (err) {
      setError(describe(err));
    }
  };
  return (
    <form className="card stack" onSubmit={submit} aria-labelledby="send-title">
      <h2 id="send-title">Send</h2>
      <div className="row">
        <label>
          To
          <select value={to} onChange={(e) => setTo(e.target.value as "user" | "org")}>
            <option value="user">a user</option>
            <option value="org">an organisation</option>
          </select>
        </label>
        <label>
          {to === "user" ? "User id" : "Organisation id"}
          <input value={id} onChange={(e) => setId(e.target.value)} required spellCheck={false} />
        </label>
        <label>
          Level
          <select value={level} onChange={(e) => setLevel(e.target.value as Level)}>
            {LEVELS.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
      </div>
      <label>
        Title
        <input value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={256} />
      </label>
      <label>
        Message
        <textarea rows={3} value={message} onChange={(e) => setMessage(e.target.value)} required maxLength={4096} />
      </label>
      <label>
        Link (optional)
        <input value={link} onChange={(e) => setLink(e.target.value)} />
      </label>
      {error && <p className="error" role="alert">{error}</p>}
      <div>
        <button type="submit">Send</button> <span className="hint">POST /api/notifications; delivered live on <code>user:{"{id}"}</code> or <code>org:{"{org}"}</code>, and kept in the inbox.</span>
      </div>
    </form>
  );
}

function Item({ n, actions }: { n: Notification; actions?: React.ReactNode }) {
  return (
    <li className={`${n.level}${n.read ? " read" : ""}`} data-notification={n.id}>
      <strong>{n.title}</strong> {!n.read && <span className="badge">unread</span>}
      <div>{n.message}</div>
      <div className="meta">
        {n.level} · {dateTime(n.createdAt)}
        {n.org && !n.user ? ` · to organisation ${n.org}` : ""}
        {n.link ? (
          <>
            {" "}· <code>{n.link}</code>
          </>
        ) : null}
      </div>
      {actions}
    </li>
  );
}

/**
 * An API key cannot read inboxes (GET /api/notifications takes a user token), so an API-key session
 * shows what was delivered on the user's channel: its history, then live, with the unread count the
 * server publishes there. Notifications arriving on it pop up as toasts on every page.
 */
function WatchedInbox() {
  const { client, watched, watch } = useSession();
  const [user, setUser] = useState(watched);
  useEffect(() => setUser(watched), [watched]);
  const [past, setPast] = useState<Notification[]>([]);
  const [error, setError] = useState("");
  const channel = watched ? `user:${watched}` : undefined;
  const live = useChannel(channel, { maxItems: 200 });
  useEffect(() => {
    setPast([]);
    setError("");
    if (!channel) return;
    let current = true;
    client
      .history(channel, { limit: 100 })
      .then((page) => current && setPast(page.publications.filter((p) => p.type === "notification").map((p) => p.data as Notification)))
      .catch((e) => current && setError(describe(e)));
    return () => {
      current = false;
    };
  }, [client, channel]);
  const arrived = live.publications.filter((p: Publication) => p.type === "notification").map((p) => p.data as Notification);
  const all = [...new Map([...past, ...arrived].map((n) => [n.id, n])).values()].sort((a, b) => (a.id < b.id ? 1 : -1));
  const unread = (live.latest.get("unread")?.data as { unread?: number } | undefined)?.unread;
  return (
    <div className="card" aria-labelledby="inbox-title">
      <h2 id="inbox-title">Inbox {watched && <>of {watched}</>} {unread !== undefined && <span className="badge" data-testid="unread">{unread} unread</span>}</h2>
      <form
        className="inline"
        onSubmit={(e) => {
          e.preventDefault();
          watch(user.trim());
        }}
      >
        <label>
          User id
          <input value={user} onChange={(e) => setUser(e.target.value)} spellCheck={false} />
        </label>
        <button type="submit" className="secondary">
          Watch
        </button>
      </form>
      <p className="hint">
        An API key cannot read inboxes (that takes the user's token), so this shows what was delivered on <code>user:{watched || "{id}"}</code>: its history (100 publications, 10 minutes by
        default), then live. Organisation-wide notifications go to <code>org:{"{org}"}</code>, tailed on the channels page.
      </p>
      {error && <p className="error" role="alert">Could not read the history: {error}</p>}
      {live.error && <p className="error" role="alert">{live.error.message}</p>}
      {!watched ? (
        <p className="empty">Name a user to watch their inbox channel.</p>
      ) : all.length === 0 ? (
        <p className="empty">No notifications for {watched} in the channel's history yet — send one with the form.</p>
      ) : (
        <ul className="inbox" aria-label="Notifications">
          {all.map((n) => (
            <Item key={n.id} n={n} />
          ))}
        </ul>
      )}
    </div>
  );
}

/** A token session's own inbox, through @herald/react's useNotifications: read, read all, dismiss. */
function OwnInbox() {
  const toast = useToast();
  const inbox = useNotifications<unknown>({ limit: 50 });
  const run = (what: string, action: () => Promise<void>) => action().catch((e) => toast("error", `${what} failed`, describe(e)));
  return (
    <div className="card" aria-labelledby="inbox-title">
      <h2 id="inbox-title">
        Your inbox <span className="badge" data-testid="unread">{inbox.unreadCount} unread</span>
      </h2>
      <div className="toolbar">
        <button type="button" className="secondary" disabled={inbox.unreadCount === 0} onClick={() => void run("Mark all read", inbox.markAllRead)}>
          Mark all read
        </button>
      </div>
      {inbox.error && <p className="error" role="alert">{inbox.error.message}</p>}
      {inbox.loading ? (
        <p className="muted">Reading the inbox…</p>
      ) : inbox.items.length === 0 ? (
        <p className="empty">Your inbox is empty.</p>
      ) : (
        <ul className="inbox" aria-label="Notifications">
          {inbox.items.map((n) => (
            <Item
              key={n.id}
              n={n as Notification}
              actions={
                <div className="toolbar">
                  {!n.read && (
                    <button type="button" className="secondary" onClick={() => void run("Mark read", () => inbox.markAsRead(n.id))}>
                      Mark read
                    </button>
                  )}
                  <button type="button" className="secondary" onClick={() => void run("Dismiss", () => inbox.dismiss(n.id))}>
                    Dismiss
                  </button>
                </div>
              }
            />
          ))}
        </ul>
      )}
    </div>
  );
}
