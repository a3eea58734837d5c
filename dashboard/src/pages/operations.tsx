import { useState, type FormEvent } from "react";
import { useOperation } from "@herald/react";
import { describe, type Operation, type OperationStatus } from "../api";
import { dateTime, json, orgOf } from "../format";
import { usePoll, useSession } from "../live";
import { remember, remembered } from "../session";
import { useToast } from "../toasts";

const FILTERS: { id: "all" | "active" | OperationStatus; label: string }[] = [
  { id: "all", label: "All" },
  { id: "active", label: "Active" },
  { id: "pending", label: "Pending" },
  { id: "running", label: "Running" },
  { id: "completed", label: "Completed" },
  { id: "failed", label: "Failed" },
  { id: "cancelled", label: "Cancelled" },
];
const ACTIVE = new Set<OperationStatus>(["pending", "running"]);

/** Organisations seen in channel names (namespace:org/…), to offer in the organisation field. */
function useKnownOrgs(): string[] {
  const { api } = useSession();
  const { data } = usePoll((signal) => (api.isApiKey ? api.channels(undefined, signal) : Promise.resolve(undefined)), 10_000, [api]);
  return [...new Set((data?.channels ?? []).map((c) => orgOf(c.channel)).filter((o): o is string => !!o))].sort();
}

export function Operations() {
  const session = useSession();
  const { api } = session;
  const orgs = useKnownOrgs();
  const [org, setOrg] = useState(() => (api.isApiKey ? remembered("org") : ""));
  const [filter, setFilter] = useState<(typeof FILTERS)[number]["id"]>("all");
  const needsOrg = api.isApiKey && !org;
  const { data, error, refresh } = usePoll(
    () => (needsOrg ? Promise.resolve(undefined) : api.operations({ ...(api.isApiKey ? { org } : {}), status: filter === "active" ? "active" : "all", limit: 200 })),
    3000,
    [api, org, filter, needsOrg],
  );
  const items = (data?.items ?? []).filter((o) => filter === "all" || filter === "active" || o.status === filter);
  const chooseOrg = (value: string) => {
    setOrg(value);
    remember("org", value);
  };
  return (
    <section aria-labelledby="operations-title">
      <h1 id="operations-title">Operations</h1>
      <div className="toolbar">
        {api.isApiKey ? (
          <label>
            Organisation
            <input list="known-orgs" value={org} onChange={(e) => chooseOrg(e.target.value.trim())} placeholder="acme" spellCheck={false} />
            <datalist id="known-orgs">
              {orgs.map((o) => (
                <option key={o} value={o} />
              ))}
            </datalist>
          </label>
        ) : (
          <span className="muted">Organisation {session.org}</span>
        )}
        <div role="group" aria-label="Status" className="inline">
          {FILTERS.map((f) => (
            <button key={f.id} type="button" className="secondary" aria-pressed={filter === f.id} onClick={() => setFilter(f.id)}>
              {f.label}
            </button>
          ))}
        </div>
      </div>
      {needsOrg && <p className="empty">Name an organisation: operations are listed per organisation (<code>GET /api/operations?org=…</code>).{orgs.length > 0 ? ` Seen in channel names: ${orgs.join(", ")}.` : ""}</p>}
      {error !== undefined && <p className="error" role="alert">Could not list operations: {describe(error)}</p>}
      {data && items.length === 0 && (
        <p className="empty">
          {data.items.length === 0
            ? <>No operations yet — start one with <code>POST /api/operations</code>, or with the form below.</>
            : `No ${filter} operations among the ${data.items.length} listed.`}
        </p>
      )}
      {items.length > 0 && (
        <table>
          <caption className="sr-only">Operations, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Operation</th>
              <th scope="col">Resource</th>
              <th scope="col">Status</th>
              <th scope="col">Progress</th>
              <th scope="col">Message</th>
              <th scope="col">Created</th>
              <th scope="col"><span className="sr-only">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {items.map((op) => (ACTIVE.has(op.status) ? <LiveRow key={op.id} listed={op} onChange={refresh} /> : <Row key={op.id} op={op} onChange={refresh} />))}
          </tbody>
        </table>
      )}
      <Start org={org} onStarted={refresh} />
    </section>
  );
}

/** An active operation: followed live on its channel (useOperation), with cancel. */
function LiveRow({ listed, onChange }: { listed: Operation; onChange: () => void }) {
  const live = useOperation(listed.id);
  const op = (live.operation as Operation | undefined) ?? listed;
  return <Row op={op} onChange={onChange} cancel={live.cancel} />;
}

function Row({ op, onChange, cancel }: { op: Operation; onChange: () => void; cancel?: () => Promise<void> }) {
  const { api } = useSession();
  const toast = useToast();
  const [busy, setBusy] = useState(false);
  const act = async (what: string, run: () => Promise<unknown>) => {
    setBusy(true);
    try {
      await run();
      toast("success", `${what}: ${op.id}`);
      onChange();
    } catch (e) {
      toast("error", `${what} failed`, describe(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <tr data-operation={op.id} data-status={op.status}>
      <th scope="row">
        <div>{op.type}</div>
        <code className="muted">{op.id}</code>
        {op.attempt > 1 && <div className="muted">attempt {op.attempt}{op.retryOf ? `, retries ${op.retryOf}` : ""}</div>}
      </th>
      <td className="channels">{op.resource}</td>
      <td>
        <span className={`status ${op.status}`}>{op.status}</span>
        {op.cancelRequested && !["cancelled", "completed", "failed"].includes(op.status) && <div className="muted">cancel requested</div>}
      </td>
      <td>
        <progress max={100} value={op.progress} aria-label={`${op.type} progress`} /> <span className="num">{op.progress}%</span>
      </td>
      <td>
        {op.error ? <span className="error">{op.error}</span> : op.message}
        {op.result !== null && op.result !== undefined && <div className="channels">{json(op.result)}</div>}
      </td>
      <td>
        {dateTime(op.createdAt)}
        <div className="muted">by {op.createdBy}</div>
      </td>
      <td className="actions">
        <div>
        {ACTIVE.has(op.status) && (
          <button type="button" className="danger" disabled={busy || op.cancelRequested} onClick={() => void act("Cancel requested", cancel ?? (() => api.cancelOperation(op.id)))}>
            {op.cancelRequested ? "Cancelling…" : "Cancel"}
          </button>
        )}
        {op.status === "failed" && (
          <button type="button" disabled={busy} onClick={() => void act("Retried", () => api.retryOperation(op.id))}>
            Retry
          </button>
        )}
        </div>
      </td>
    </tr>
  );
}

/** Starts an operation through the API; the standalone server runs `demo.sleep` itself. */
function Start({ org, onStarted }: { org: string; onStarted: () => void }) {
  const { api } = useSession();
  const toast = useToast();
  const [type, setType] = useState("demo.sleep");
  const [resource, setResource] = useState("");
  const [parameters, setParameters] = useState('{"seconds":30,"steps":30}');
  const [error, setError] = useState("");
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError("");
    let value: unknown = undefined;
    if (parameters.trim()) {
      try {
        value = JSON.parse(parameters);
      } catch (err) {
        return setError("Parameters are not JSON: " + (err as Error).message);
      }
    }
    try {
      const op = await api.startOperation({ type: type.trim(), resource: resource.trim(), ...(value !== undefined ? { parameters: value } : {}), ...(api.isApiKey && org ? { org } : {}) });
      toast("success", `Started ${op.type}`, op.id);
      onStarted();
    } catch (err) {
      setError(describe(err));
    }
  };
  return (
    <details className="card" style={{ marginTop: "1rem" }}>
      <summary>Start an operation</summary>
      <form className="stack" onSubmit={submit} aria-label="Start an operation">
        <p className="hint">
          <code>POST /api/operations</code>. The standalone server runs <code>demo.sleep</code> in process (parameters <code>seconds</code>, <code>steps</code>, <code>fail</code>); any other type waits for a worker.
        </p>
        <div className="row">
          <label>
            Type
            <input value={type} onChange={(e) => setType(e.target.value)} required spellCheck={false} />
          </label>
          <label>
            Resource channel
            <input value={resource} onChange={(e) => setResource(e.target.value)} required placeholder={`service:${org || "acme"}/db`} spellCheck={false} />
          </label>
        </div>
        <label>
          Parameters (JSON, optional)
          <textarea rows={2} value={parameters} onChange={(e) => setParameters(e.target.value)} spellCheck={false} />
        </label>
        {error && <p className="error" role="alert">{error}</p>}
        <div>
          <button type="submit">Start</button>
        </div>
      </form>
    </details>
  );
}
