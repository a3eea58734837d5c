import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { HeraldClient, HeraldError, UnauthorizedError, type Publication, type StateChange } from "@herald/client";
import { HeraldServer, token, unique, until, sleep } from "../../../test/herald.js";

let server: HeraldServer;
const clients: HeraldClient<any>[] = [];

beforeAll(async () => {
  server = await HeraldServer.start();
});
afterAll(async () => {
  await server?.dispose();
});
afterEach(() => {
  for (const c of clients.splice(0)) c.disconnect();
});

function client(options: ConstructorParameters<typeof HeraldClient>[1] = {}) {
  const c = new HeraldClient(server.url, { WebSocket: WebSocket as any, token: token("alice", "acme"), minReconnectDelay: 50, maxReconnectDelay: 200, ...options });
  clients.push(c);
  return c;
}

describe("connect", () => {
  it("connects over WebSocket and reports states with reasons", async () => {
    const c = client();
    const states: StateChange[] = [];
    c.on("state", (s) => states.push(s));
    c.connect();
    await c.ready();
    expect(c.transport).toBe("websocket");
    expect(c.session).toMatchObject({ user: "alice", org: "acme", pingInterval: 25 });
    expect(c.session!.expires).toBeGreaterThan(3500);
    c.disconnect();
    expect(states.map((s) => [s.state, s.reason])).toEqual([
      ["connecting", "connect called"],
      ["connected", "connected"],
      ["disconnected", "disconnect called"],
    ]);
  });

  it("stops on a refused token (terminal 3500) without retrying", async () => {
    const c = client({ token: "not-a-jwt" });
    const states: StateChange[] = [];
    c.on("state", (s) => states.push(s));
    c.connect();
    await expect(c.ready()).rejects.toThrow("invalid token");
    expect(states.at(-1)).toMatchObject({ state: "disconnected", code: 3500 });
    expect(states.filter((s) => s.state === "connecting")).toHaveLength(1);
    expect(c.lastError).toBeInstanceOf(HeraldError);
  });

  it("calls getToken on every connect, and stops on UnauthorizedError", async () => {
    let calls = 0;
    const c = client({
      token: undefined,
      getToken: () => {
        calls++;
        if (calls === 2) throw new Error("auth server down");
        if (calls === 4) throw new UnauthorizedError();
        return token("alice", "acme");
      },
    });
    c.connect();
    await c.ready();
    expect(calls).toBe(1);
    // Force a reconnect: the server disconnects the user (3504 is terminal), so use a second client's view instead:
    (c as any)._lostNow("test");
    await until(() => c.state === "connected" && calls === 3, 5000, "reconnect after a failed token fetch");
    (c as any)._lostNow("test");
    await until(() => c.state === "disconnected");
    expect(c.reason).toBe("unauthorized");
    expect(calls).toBe(4);
  });

  it("does not reconnect after a terminal force disconnect (3504)", async () => {
    const c = client({ token: token("mallory", "acme") });
    c.connect();
    await c.ready();
    await server.api("POST", "/api/users/mallory/disconnect");
    await until(() => c.state === "disconnected");
    expect(c.reason).toBe("force disconnect");
    await sleep(300);
    expect(c.state).toBe("disconnected");
  });

  it("gives up after maxReconnectAttempts when the server cannot be reached", async () => {
    const c = new HeraldClient("http://127.0.0.1:9", { WebSocket: WebSocket as any, token: "x", transports: ["websocket"], minReconnectDelay: 10, maxReconnectDelay: 20, maxReconnectAttempts: 3 });
    clients.push(c);
    const states: StateChange[] = [];
    c.on("state", (s) => states.push(s));
    c.connect();
    await until(() => c.state === "disconnected");
    expect(c.reason).toBe("reconnect attempts exhausted");
  });
});

describe("subscriptions", () => {
  it("delivers publications in order, with latest state on subscribe", async () => {
    const channel = `service:acme/${unique()}`;
    await server.publish(channel, "service.status", { status: "RUNNING" }, { key: "db" });
    const c = client();
    c.connect();
    const sub = c.subscribe<{ status: string }>(channel);
    const states: Publication<{ status: string }>[][] = [];
    sub.on("state", (s) => states.push(s.publications));
    const got: Publication<{ status: string }>[] = [];
    sub.on("publication", (p) => got.push(p));
    const ctx = await sub.ready();
    expect(ctx).toMatchObject({ recoverable: true, wasRecovering: false, offset: 1 });
    expect(states[0]![0]!.data.status).toBe("RUNNING");
    for (let i = 0; i < 5; i++) await server.publish(channel, "service.status", { status: `S${i}` }, { key: "db" });
    await until(() => got.length === 5);
    expect(got.map((p) => p.offset)).toEqual([2, 3, 4, 5, 6]);
    expect(sub.latest.get("db")!.data.status).toBe("S4");
  });

  it("filters at the server and replaces the filter with updateFilter", async () => {
    const channel = `executions:acme/${unique()}`;
    const c = client();
    c.connect();
    const sub = c.subscribe(channel, { filters: { status: ["failed"] } });
    const got: unknown[] = [];
    sub.on("publication", (p) => got.push(p.data));
    await sub.ready();
    await server.publish(channel, "e", 1, { tags: { status: "running" } });
    await server.publish(channel, "e", 2, { tags: { status: "failed" } });
    await until(() => got.length === 1);
    await sub.updateFilter({ status: "running" });
    await server.publish(channel, "e", 3, { tags: { status: "failed" } });
    await server.publish(channel, "e", 4, { tags: { status: "running" } });
    await until(() => got.length === 2);
    expect(got).toEqual([2, 4]);
  });

  it("pages through history", async () => {
    const channel = `build:acme/${unique()}`;
    for (let i = 1; i <= 7; i++) await server.publish(channel, "line", i);
    const c = client();
    c.connect();
    let page = await c.history<number>(channel, { since: { offset: 0 }, limit: 3 });
    const seen: number[] = page.publications.map((p) => p.data);
    while (page.next) {
      page = await page.next();
      seen.push(...page.publications.map((p) => p.data));
    }
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const newest = await c.history<number>(channel, { limit: 2 });
    expect(newest.publications.map((p) => p.data)).toEqual([6, 7]);
    expect(newest.next).toBeUndefined();
  });

  it("reports a refused subscription as error and unsubscribed", async () => {
    const c = client();
    c.connect();
    const sub = c.subscribe("org:globex");
    const errors: HeraldError[] = [];
    sub.on("error", (e) => errors.push(e));
    await expect(sub.ready()).rejects.toThrow("permission denied");
    expect(errors[0]!.code).toBe(103);
    expect(sub.status).toBe("unsubscribed");
  });

  it("shares one server subscription between references", async () => {
    const channel = `task:acme/${unique()}`;
    const c = client();
    c.connect();
    await c.ready();
    const before = await server.messagesIn();
    const a = c.subscribe(channel);
    const b = c.subscribe(channel);
    expect(a).toBe(b);
    a.unsubscribe();
    const again = c.subscribe(channel);
    await again.ready();
    b.unsubscribe();
    again.unsubscribe();
    await until(() => !c.subscriptions.has(channel));
    // one subscribe and one unsubscribe
    expect((await server.messagesIn()) - before).toBe(2);
  });

  it("shows presence and join events", async () => {
    const channel = `chat:${unique()}`;
    const a = client();
    const b = client({ token: token("bob", "acme") });
    a.connect();
    b.connect();
    const subA = a.subscribe(channel, { info: { viewing: "a" } });
    const joins: string[] = [];
    subA.on("publication", (p) => p.type === "presence.join" && joins.push((p.data as any).user));
    await subA.ready();
    await b.subscribe(channel, { info: { viewing: "b" } }).ready();
    await until(() => joins.includes("bob"));
    const users = await subA.presence();
    expect(users.map((u) => [u.user, u.info])).toEqual([
      ["alice", { viewing: "a" }],
      ["bob", { viewing: "b" }],
    ]);
  });

  it("publishes with an idempotency key", async () => {
    const channel = `chat:${unique()}`;
    const c = client();
    c.connect();
    const sub = c.subscribe(channel);
    const got: unknown[] = [];
    sub.on("publication", (p) => p.type === "chat.message" && got.push(p.data));
    await sub.ready();
    const result = await sub.publish("chat.message", { text: "hi" });
    expect(result.offset).toBe(1);
    await until(() => got.length === 1);
  });
});

describe("typed publications", () => {
  it("types data by the channel pattern map, and per call", async () => {
    type Channels = {
      [c: `service:${string}`]: { status: string };
      [c: `metrics:${string}`]: { value: number };
    };
    const c = new HeraldClient<Channels>(server.url, { WebSocket: WebSocket as any, token: token("alice", "acme") });
    clients.push(c);
    c.connect();
    const channel = `service:acme/${unique()}` as const;
    const sub = c.subscribe(channel);
    const got: string[] = [];
    // Compile-time checks (the typecheck of the tests): data is { status: string } here.
    sub.on("publication", (p) => got.push(p.data.status.toUpperCase()));
    const perCall = c.subscribe<{ n: number }>(`task:acme/${unique()}`);
    perCall.on("publication", (p) => void (p.data.n satisfies number));
    await sub.ready();
    await server.publish(channel, "service.status", { status: "up" });
    await until(() => got.length === 1);
    expect(got).toEqual(["UP"]);
  });
});
