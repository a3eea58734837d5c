import { useState, type FormEvent } from "react";
import { describe, type ConnectionInfo } from "../api";
import { NeedsAdmin } from "../app";
import { usePoll, useSession } from "../live";
import { useToast } from "../toasts";

interface UserRow {
  user: string;
  org: string | null;
  connections: ConnectionInfo[];
}

function byUser(connections: ConnectionInfo[]): { users: UserRow[]; anonymous: number } {
  const users = new Map<string, UserRow>();
  let anonymous = 0;
  for (const c of connections) {
    if (c.user === null) {
      anonymous++;
      continue;
    }
    const row = users.get(c.user) ?? { user: c.user, org: c.org, connections: [] };
    row.connections.push(c);
    users.set(c.user, row);
  }
  return { users: [...users.values()], anonymous };
}

export function Connections() {
  const { api, user: me } = useSession();
  const toast = useToast();
  const { data, error, refresh } = usePoll((signal) => api.connections(signal), 3000, [api]);
  const [filter, setFilter] = useState("");
  const [confirming, setConfirming] = useState<string | undefined>(undefined);
  const [other, setOther] = useState("");

  const disconnect = async (user: string) => {
    setConfirming(undefined);
    try {
      const answer = await api.disconnect(user);
      toast("success", `Disconnected ${user}`, `${answer.disconnected} connection(s) closed on ${answer.node}; other nodes close theirs when the signal reaches them.`);
      refresh();
    } catch (e) {
      toast("error", `Could not disconnect ${user}`, describe(e));
    }
  };

  const submitOther = (e: FormEvent) => {
    e.preventDefault();
    const user = other.trim();
    if (user) void disconnect(user).then(() => setOther(""));
  };

  if (!api.isApiKey) {
    return (
      <section aria-labelledby="connections-title">
        <h1 id="connections-title">Connections</h1>
        <NeedsAdmin what="Listing and disconnecting connections" />
      </section>
    );
  }
  const grouped = data ? byUser(data.connections) : undefined;
  const shown = grouped?.users.filter((u) => !filter || u.user.includes(filter) || (u.org ?? "").includes(filter)) ?? [];
  return (
    <section aria-labelledby="connections-title">
      <h1 id="connections-title">Connections</h1>
      <p className="hint">
        Connections of the node that answers (<code>GET /api/connections</code>{data ? <>, node <strong>{data.node}</strong></> : null}), grouped by user, refreshed every 3 s. A
        forced disconnect (<code>POST /api/users/{"{id}"}/disconnect</code>) closes the user's connections on every node with code 3504, and they do not reconnect by themselves.
      </p>
      {error !== undefined && <p className="error" role="alert">Could not list connections: {describe(error)}</p>}
      <div className="toolbar">
        <label>
          Filter by user or organisation <input type="search" value={filter} onChange={(e) => setFilter(e.target.value)} />
        </label>
        <form onSubmit={submitOther} className="inline">
          <label>
            Disconnect a user by id <input value={other} onChange={(e) => setOther(e.target.value)} placeholder="user id" />
          </label>
          <button type="submit" className="danger" disabled={!other.trim()}>
            Disconnect everywhere
          </button>
        </form>
      </div>
      {grouped && grouped.users.length === 0 && (
        <p className="empty">
          No authenticated connections on this node{grouped.anonymous > 0 ? ` (${grouped.anonymous} not authenticated yet)` : ""}. Clients connect to <code>/ws</code>,{" "}
          <code>/sse</code> or <code>/socket.io/</code> with a token.
        </p>
      )}
      {shown.length > 0 && (
        <table>
          <caption className="sr-only">Connections by user</caption>
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Organisation</th>
              <th scope="col">Connections</th>
              <th scope="col">Channels</th>
              <th scope="col"><span className="sr-only">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {shown.map((row) => {
              const channels = [...new Set(row.connections.flatMap((c) => c.channels))].sort();
              return (
                <tr key={row.user} data-user={row.user}>
                  <th scope="row">
                    {row.user} {row.user === me && <span className="badge">this dashboard</span>}
                  </th>
                  <td>{row.org === "*" ? "any (API key)" : row.org}</td>
                  <td>
                    {row.connections.length}{" "}
                    <span className="muted">({[...new Set(row.connections.map((c) => c.transport))].join(", ")})</span>
                  </td>
                  <td className="channels">{channels.length === 0 ? <span className="muted">none</span> : channels.join(", ")}</td>
                  <td className="actions">
                    <div>
                    {row.user === me ? (
                      <span className="muted">the key this dashboard uses</span>
                    ) : confirming === row.user ? (
                      <>
                        <button type="button" className="danger" onClick={() => void disconnect(row.user)} autoFocus>
                          Yes, disconnect {row.user}
                        </button>
                        <button type="button" className="secondary" onClick={() => setConfirming(undefined)}>
                          Keep
                        </button>
                      </>
                    ) : (
                      <button type="button" className="secondary" onClick={() => setConfirming(row.user)}>
                        Disconnect…
                      </button>
                    )}
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {grouped && grouped.anonymous > 0 && grouped.users.length > 0 && <p className="muted">{grouped.anonymous} connection(s) not authenticated yet.</p>}
    </section>
  );
}
