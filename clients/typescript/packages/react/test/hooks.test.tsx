// @vitest-environment happy-dom
// @vitest-environment-options {"settings": {"fetch": {"disableSameOriginPolicy": true}}}
// The hooks in a DOM, against a real Herald process: shared subscriptions counted in frames at the
// server, operations through a reload, cancel and retry, log streams, metrics, notifications,
// presence and a failed recovery.
import { StrictMode, useState } from "react";
import { act, cleanup, render, screen, waitFor } from "@testing-library/react";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { HeraldClient } from "@herald/client";
import { HeraldProvider, useChannel, useHerald, useLogStream, useMetrics, useNotifications, useOperation, useOperations, usePresence } from "@herald/react";
import { HeraldServer, token, unique, until } from "../../../test/herald.js";

let server: HeraldServer;
const clients: HeraldClient<any>[] = [];

beforeAll(async () => {
  server = await HeraldServer.start({
    env: {
      Herald__Namespaces__metrics__HistorySize: "100",
      Herald__Namespaces__chat__Presence: "true",
      Herald__Namespaces__chat__JoinLeave: "true",
    },
  });
});
afterAll(async () => {
  await server?.dispose();
});
afterEach(() => {
  cleanup();
  for (const c of clients.splice(0)) c.disconnect();
});

function newClient(user = "alice") {
  const c = new HeraldClient(server.url, { WebSocket: WebSocket as any, token: token(user, "acme"), minReconnectDelay: 50, maxReconnectDelay: 200 });
  clients.push(c);
  return c;
}

const wait = { timeout: 10_000 };

describe("HeraldProvider and useHerald", () => {
  it("connects one shared client and shows its state, user and reason", async () => {
    const client = newClient();
    function Status() {
      const { state, user, reason } = useHerald();
      return <p data-testid="status">{`${state}/${user ?? "-"}/${reason}`}</p>;
    }
    render(
      <StrictMode>
        <HeraldProvider client={client}>
          <Status />
        </HeraldProvider>
      </StrictMode>,
    );
    await waitFor(() => expect(screen.getByTestId("status").textContent).toBe("connected/alice/connected"), wait);
  });
});

describe("useChannel", () => {
  it("shares one server subscription between components: StrictMode and inline callbacks send one subscribe, and one unsubscribe after the last unmount", async () => {
    const channel = `service:acme/${unique()}`;
    const client = newClient();
    client.connect();
    await client.ready();
    const before = await server.messagesIn();
    let renders = 0;
    function Card({ n }: { n: number }) {
      // A new options object and a new callback on every render.
      const { latest, status } = useChannel<{ s: string }>(channel, { filters: { env: ["prod"] }, onPublication: () => void n, maxItems: 10 });
      renders++;
      return <li data-testid={`card-${n}`}>{`${status}:${latest.get("db")?.data.s ?? "-"}`}</li>;
    }
    function Board() {
      const [tick, setTick] = useState(0);
      return (
        <>
          <button onClick={() => setTick(tick + 1)}>again</button>
          <ul>{[0, 1, 2].map((n) => <Card key={n} n={n} />)}</ul>
        </>
      );
    }
    const view = render(
      <StrictMode>
        <HeraldProvider client={client}>
          <Board />
        </HeraldProvider>
      </StrictMode>,
    );
    await waitFor(() => expect(screen.getByTestId("card-2").textContent).toBe("subscribed:-"), wait);
    for (let i = 0; i < 5; i++) await act(async () => screen.getByText("again").click());
    await server.publish(channel, "service.status", { s: "UP" }, { key: "db", tags: { env: "prod" } });
    await server.publish(channel, "service.status", { s: "DEV" }, { key: "db", tags: { env: "dev" } });
    await waitFor(() => expect(screen.getByTestId("card-0").textContent).toBe("subscribed:UP"), wait);
    expect(renders).toBeGreaterThan(10);
    expect((await server.messagesIn()) - before).toBe(1); // one subscribe
    view.unmount();
    await until(() => !client.subscriptions.has(channel), 10_000, "the unsubscribe");
    await until(async () => (await server.messagesIn()) - before === 2, 10_000, "exactly one unsubscribe");
  });

  it("after a failed recovery says so and shows the state delivered again", async () => {
    const channel = `service:acme/${unique()}`;
    await server.publish(channel, "service.status", { s: "A" }, { key: "api" });
    const client = newClient();
    function View() {
      const { recovered, latest } = useChannel<{ s: string }>(channel, { since: { offset: 1, epoch: "00000000" } });
      return <p data-testid="view">{`${String(recovered)}:${latest.get("api")?.data.s ?? "-"}`}</p>;
    }
    render(
      <HeraldProvider client={client}>
        <View />
      </HeraldProvider>,
    );
    await waitFor(() => expect(screen.getByTestId("view").textContent).toBe("false:A"), wait);
  });
});

describe("useOperation and useOperations", () => {
  async function createOperation(resource: string, type = "service.restart") {
    return server.api<{ id: string; channel: string }>("POST", "/api/operations", { type, resource, org: "acme" });
  }

  it("follows an operation's progress, survives a reload, cancels, and follows a retry", async () => {
    const resource = `connection:acme/${unique()}`;
    const op = await createOperation(resource);
    await server.api("PATCH", `/api/operations/${op.id}`, { status: "running", progress: 30, message: "connected" });
    function Monitor({ id }: { id: string }) {
      const o = useOperation(id);
      return (
        <div>
          <p data-testid="op">{`${o.id}:${o.status ?? "-"}:${o.progress}:${o.message ?? "-"}:${o.error?.message ?? "-"}`}</p>
          <button onClick={() => o.cancel()}>cancel</button>
          <button onClick={() => o.retry()}>retry</button>
        </div>
      );
    }
    const first = render(
      <HeraldProvider client={newClient()}>
        <Monitor id={op.id} />
      </HeraldProvider>,
    );
    await waitFor(() => expect(screen.getByTestId("op").textContent).toBe(`${op.id}:running:30:connected:-`), wait);
    await server.api("PATCH", `/api/operations/${op.id}`, { progress: 50, message: "executing" });
    await waitFor(() => expect(screen.getByTestId("op").textContent).toBe(`${op.id}:running:50:executing:-`), wait);
    // A reload: everything unmounted, a new client, the same id.
    first.unmount();
    render(
      <HeraldProvider client={newClient()}>
        <Monitor id={op.id} />
      </HeraldProvider>,
    );
    await waitFor(() => expect(screen.getByTestId("op").textContent).toBe(`${op.id}:running:50:executing:-`), wait);
    await act(async () => screen.getByText("cancel").click());
    await until(async () => (await server.api<{ cancelRequested: boolean }>("GET", `/api/operations/${op.id}`)).cancelRequested, 10_000, "the cancel request");
    await server.api("PATCH", `/api/operations/${op.id}`, { status: "failed", error: "ssh refused" });
    await waitFor(() => expect(screen.getByTestId("op").textContent).toBe(`${op.id}:failed:50:executing:ssh refused`), wait);
    await act(async () => screen.getByText("retry").click());
    await waitFor(() => expect(screen.getByTestId("op").textContent).toMatch(/^op_[0-9a-f]+:pending:0:-:-$/), wait);
    expect(screen.getByTestId("op").textContent).not.toContain(op.id);
  });

  it("lists a resource's operations and keeps them live", async () => {
    const resource = `connection:acme/${unique()}`;
    const a = await createOperation(resource);
    function List() {
      const { operations, loading } = useOperations(resource);
      return <p data-testid="ops">{loading ? "loading" : operations.map((o) => `${o.id === a.id ? "a" : "b"}:${o.status}:${o.progress}`).join(",")}</p>;
    }
    render(
      <HeraldProvider client={newClient()}>
        <List />
      </HeraldProvider>,
    );
    await waitFor(() => expect(screen.getByTestId("ops").textContent).toBe("a:pending:0"), wait);
    await server.api("PATCH", `/api/operations/${a.id}`, { status: "running", progress: 10 });
    await createOperation(resource, "service.backup"); // another type: one of a type runs at a time
    await waitFor(() => expect(screen.getByTestId("ops").textContent).toBe("b:pending:0,a:running:10"), wait);
  });
});

describe("useLogStream", () => {
  it("tails history on open, follows live lines, buffers while paused, and clears", async () => {
    const channel = `logs:acme/${unique()}`;
    for (let i = 1; i <= 5; i++) await server.publish(channel, "log_entry", { line: i });
    let controls: ReturnType<typeof useLogStream<{ line: number }>> | undefined;
    function Logs() {
      const logs = useLogStream<{ line: number }>(channel, { tail: 3, maxBufferSize: 10 });
      controls = logs;
      return <pre data-testid="logs">{`${logs.lines.map((l) => l.data.line).join(" ")}|${logs.buffered}|${logs.paused}`}</pre>;
    }
    render(
      <HeraldProvider client={newClient()}>
        <Logs />
      </HeraldProvider>,
    );
    await waitFor(() => expect(screen.getByTestId("logs").textContent).toBe("3 4 5|0|false"), wait);
    await server.publish(channel, "log_entry", { line: 6 });
    await waitFor(() => expect(screen.getByTestId("logs").textContent).toBe("3 4 5 6|0|false"), wait);
    act(() => controls!.pause());
    await server.publish(channel, "log_entry", { line: 7 });
    await waitFor(() => expect(screen.getByTestId("logs").textContent).toBe("3 4 5 6|1|true"), wait);
    act(() => controls!.resume());
    await waitFor(() => expect(screen.getByTestId("logs").textContent).toBe("3 4 5 6 7|0|false"), wait);
    act(() => controls!.clear());
    await waitFor(() => expect(screen.getByTestId("logs").textContent).toBe("|0|false"), wait);
  });
});

describe("useMetrics", () => {
  it("groups points into series with a bounded history", async () => {
    const channel = `metrics:acme/${unique()}`;
    for (let i = 1; i <= 4; i++) await server.publish(channel, "metric", { v: i }, { key: "cpu" });
    function Chart() {
      const { series } = useMetrics<{ v: number }>(channel, { historyLength: 3 });
      return <p data-testid="chart">{[...series].map(([k, pts]) => `${k}=${pts.map((p) => p.data.v).join(",")}`).join(";")}</p>;
    }
    render(
      <HeraldProvider client={newClient()}>
        <Chart />
      </HeraldProvider>,
    );
    await waitFor(() => expect(screen.getByTestId("chart").textContent).toBe("cpu=2,3,4"), wait);
    await server.publish(channel, "metric", { v: 5 }, { key: "cpu" });
    await server.publish(channel, "metric", { v: 9 }, { key: "mem" });
    await waitFor(() => expect(screen.getByTestId("chart").textContent).toBe("cpu=3,4,5;mem=9"), wait);
  });
});

describe("useNotifications", () => {
  it("reads the inbox, shows new ones with a callback, and marks and dismisses", async () => {
    const user = unique("u");
    await server.api("POST", "/api/notifications", { user, title: "first", message: "m" });
    const toasts: string[] = [];
    let inbox: ReturnType<typeof useNotifications> | undefined;
    function Bell() {
      inbox = useNotifications({ onNotification: (n) => toasts.push(n.title) });
      return <p data-testid="bell">{`${inbox.unreadCount}:${inbox.items.map((i) => `${i.title}${i.read ? "+" : ""}`).join(",")}`}</p>;
    }
    render(
      <HeraldProvider client={newClient(user)}>
        <Bell />
      </HeraldProvider>,
    );
    await waitFor(() => expect(screen.getByTestId("bell").textContent).toBe("1:first"), wait);
    await server.api("POST", "/api/notifications", { user, title: "second", message: "m" });
    await waitFor(() => expect(screen.getByTestId("bell").textContent).toBe("2:second,first"), wait);
    expect(toasts).toEqual(["second"]);
    const second = inbox!.items[0]!.id;
    await act(() => inbox!.markAsRead(second));
    await waitFor(() => expect(screen.getByTestId("bell").textContent).toBe("1:second+,first"), wait);
    await act(() => inbox!.dismiss(second));
    await waitFor(() => expect(screen.getByTestId("bell").textContent).toBe("1:first"), wait);
    await act(() => inbox!.markAllRead());
    await waitFor(() => expect(screen.getByTestId("bell").textContent).toBe("0:first+"), wait);
  });
});

describe("usePresence", () => {
  it("shows who is in a channel and follows joins and leaves", async () => {
    const channel = `chat:${unique()}`;
    function Who() {
      const { users } = usePresence(channel, { viewing: "overview" });
      return <p data-testid="who">{users.map((u) => u.user).join(",")}</p>;
    }
    render(
      <HeraldProvider client={newClient("alice")}>
        <Who />
      </HeraldProvider>,
    );
    await waitFor(() => expect(screen.getByTestId("who").textContent).toBe("alice"), wait);
    const bob = newClient("bob");
    bob.connect();
    const sub = bob.subscribe(channel);
    await sub.ready();
    await waitFor(() => expect(screen.getByTestId("who").textContent).toBe("alice,bob"), wait);
    sub.unsubscribe();
    await waitFor(() => expect(screen.getByTestId("who").textContent).toBe("alice"), wait);
  });
});
