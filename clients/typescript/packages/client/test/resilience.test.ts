// Token refresh and expiry, reconnects across a server restart, the offline queue and idempotent
// resends, shutdown failover, and the SSE fallback: each against a real Herald process.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { ErrorCode, HeraldClient, type DroppedRequest, type Publication, type StateChange, type SubscribedContext } from "@herald/client";
import { HeraldServer, token, unique, until } from "../../../test/herald.js";

let server: HeraldServer;
const clients: HeraldClient<any>[] = [];

beforeAll(async () => {
  // A SQLite file, so the streams (and their epochs) survive a restart; a short grace after expiry.
  server = await HeraldServer.start({ sqlite: true, env: { Herald__Auth__ExpiryGraceSeconds: "1" } });
});
afterAll(async () => {
  await server?.dispose();
});
afterEach(() => {
  for (const c of clients.splice(0)) c.disconnect();
});

function client(options: ConstructorParameters<typeof HeraldClient>[1] = {}, url: string | string[] = server.url) {
  const c = new HeraldClient(url, { WebSocket: WebSocket as any, token: token("alice", "acme"), minReconnectDelay: 50, maxReconnectDelay: 200, ...options });
  clients.push(c);
  return c;
}

function states(c: HeraldClient<any>): StateChange[] {
  const list: StateChange[] = [];
  c.on("state", (s) => list.push(s));
  return list;
}

/** A WebSocket that cannot open, as behind a proxy that refuses upgrades. */
class BlockedWebSocket {
  readyState = 0;
  onopen: ((e: unknown) => void) | null = null;
  onmessage: ((e: unknown) => void) | null = null;
  onerror: ((e: unknown) => void) | null = null;
  onclose: ((e: { code: number; reason: string }) => void) | null = null;
  opened = 0;
  constructor(_url: string) {
    BlockedWebSocket.attempts++;
    setTimeout(() => {
      this.readyState = 3;
      this.onerror?.({});
      this.onclose?.({ code: 1006, reason: "" });
    }, 0);
  }
  static attempts = 0;
  send(): void {}
  close(): void {}
}

describe("token refresh and expiry", () => {
  it("refreshes in band before expiry and keeps the connection and its subscriptions", async () => {
    const channel = `service:acme/${unique()}`;
    let calls = 0;
    const c = client({ token: undefined, getToken: () => (calls++, token("alice", "acme", 4)) });
    const seen = states(c);
    const refreshed: number[] = [];
    c.on("refreshed", (s) => refreshed.push(s.expires!));
    c.connect();
    const sub = c.subscribe<number>(channel);
    const got: number[] = [];
    sub.on("publication", (p) => got.push(p.data));
    await sub.ready();
    await until(() => refreshed.length >= 1, 10_000, "a refresh");
    expect(refreshed[0]).toBeGreaterThan(2);
    await server.publish(channel, "service.status", 1);
    await until(() => got.length === 1);
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(seen.filter((s) => s.state === "connecting")).toHaveLength(1);
    expect(c.state).toBe("connected");
  });

  it("with a fixed token, is warned at expiry and then closed with 3005, without reconnecting", async () => {
    const c = client({ token: token("alice", "acme", 2) });
    const seen = states(c);
    c.connect();
    await c.ready();
    await until(() => c.state === "disconnected", 10_000, "the expiry disconnect");
    expect(seen.at(-1)).toMatchObject({ state: "disconnected", code: 3005 });
    expect(seen.filter((s) => s.state === "connecting")).toHaveLength(1);
  });

  it("with getToken, a token that expired while offline is replaced on the next connect", async () => {
    let n = 0;
    const c = client({ token: undefined, getToken: () => token("alice", "acme", ++n === 1 ? -10 : 3600) });
    c.connect();
    await until(() => c.state === "connected", 10_000, "a connect with the second token");
    expect(n).toBeGreaterThanOrEqual(2);
  });
});

describe("reconnect and recovery", () => {
  it("recovers every publication across a server restart, each once", async () => {
    const channel = `build:acme/${unique()}`;
    const c = client();
    c.connect();
    const sub = c.subscribe<number>(channel);
    const got: number[] = [];
    const subscribed: SubscribedContext[] = [];
    sub.on("publication", (p) => got.push(p.data));
    sub.on("subscribed", (s) => subscribed.push(s));
    await sub.ready();
    for (let i = 1; i <= 3; i++) await server.publish(channel, "line", i);
    await until(() => got.length === 3);
    await server.restart();
    // Published while the client is still reconnecting (or just after): recovery or live, never both.
    for (let i = 4; i <= 6; i++) await server.publish(channel, "line", i);
    await until(() => subscribed.length === 2, 20_000, "the second subscribe");
    await until(() => got.length === 6, 10_000, "publications 4-6");
    expect(got).toEqual([1, 2, 3, 4, 5, 6]);
    expect(subscribed[1]).toMatchObject({ wasRecovering: true, recovered: true });
  });

  it("says so when recovery fails and delivers the latest state again", async () => {
    const channel = `service:acme/${unique()}`;
    await server.publish(channel, "service.status", { s: "A" }, { key: "db" });
    const c = client();
    c.connect();
    // A position from an epoch the channel never had: the server cannot replay from it.
    const sub = c.subscribe<{ s: string }>(channel, { since: { offset: 1, epoch: "00000000" } });
    const stateEvents: { recovered?: boolean; n: number }[] = [];
    sub.on("state", (s) => stateEvents.push({ recovered: s.recovered!, n: s.publications.length }));
    const ctx = await sub.ready();
    expect(ctx).toMatchObject({ wasRecovering: true, recovered: false });
    expect(stateEvents).toEqual([{ recovered: false, n: 1 }]);
    expect(sub.latest.get("db")!.data.s).toBe("A");
  });

  it("waits the delay the server suggests with its shutdown before reconnecting", async () => {
    const other = await HeraldServer.start({ env: { Herald__ShutdownReconnectWindowSeconds: "1.5" } });
    try {
      const c = client({ maxReconnectDelay: 20_000 }, [other.url, server.url]);
      const seen: (StateChange & { at: number })[] = [];
      c.on("state", (s) => seen.push({ ...s, at: performance.now() }));
      c.connect();
      await c.ready();
      await other.stop();
      await until(() => c.state === "connected" && c.url === server.url, 20_000, "the reconnect");
      const shutdown = seen.find((s) => s.state === "connecting" && s.code === 3001)!;
      expect(shutdown.delay).toBeGreaterThanOrEqual(0);
      expect(shutdown.delay).toBeLessThanOrEqual(1500);
      expect(seen.at(-1)!.at - shutdown.at).toBeGreaterThanOrEqual(shutdown.delay! - 5);
    } finally {
      await other.dispose();
    }
  });

  it("moves to the next address after a shutdown disconnect", async () => {
    const other = await HeraldServer.start();
    try {
      const c = client({}, [other.url, server.url]);
      const seen = states(c);
      c.connect();
      await c.ready();
      expect(c.url).toBe(other.url);
      await other.stop();
      await until(() => c.state === "connected" && c.url === server.url, 20_000, "a connect to the second address");
      expect(seen.find((s) => s.state === "connecting" && s.code === 3001)).toBeDefined();
    } finally {
      await other.dispose();
    }
  });
});

describe("offline queue", () => {
  it("keeps at most offlineQueueSize requests, drops the oldest with an event, and sends the rest on connect", async () => {
    const channel = `chat:${unique()}`;
    const c = client({ offlineQueueSize: 2 });
    const dropped: DroppedRequest[] = [];
    c.on("dropped", (d) => dropped.push(d));
    const first = c.publish(channel, "chat.message", 1);
    const rest = [c.publish(channel, "chat.message", 2), c.publish(channel, "chat.message", 3)];
    await expect(first).rejects.toMatchObject({ code: ErrorCode.Dropped });
    expect(dropped).toEqual([{ type: "publish", channel, reason: "queue full" }]);
    c.connect();
    const results = await Promise.all(rest);
    expect(results.map((r) => r.offset)).toEqual([1, 2]);
    const history = await c.history<number>(channel, { since: { offset: 0 } });
    expect(history.publications.map((p) => p.data)).toEqual([2, 3]);
  });

  it("drops a queued request after offlineQueueTimeout", async () => {
    const c = client({ offlineQueueTimeout: 50 });
    const dropped: DroppedRequest[] = [];
    c.on("dropped", (d) => dropped.push(d));
    await expect(c.publish(`chat:${unique()}`, "chat.message", 1)).rejects.toMatchObject({ code: ErrorCode.Dropped });
    expect(dropped[0]!.reason).toBe("timeout");
  });

  it("resends a publish whose answer was lost with the connection, and the server publishes it once", async () => {
    const channel = `chat:${unique()}`;
    let cut = true;
    // The network fails right after the server answered the publish: the answer never arrives.
    class LossyWebSocket extends WebSocket {
      override emit(event: string | symbol, ...args: any[]): boolean {
        if (event === "message" && cut && String(args[0]).includes('"type":"published"')) {
          cut = false;
          this.terminate();
          return true;
        }
        return super.emit(event, ...args);
      }
    }
    const c = client({ WebSocket: LossyWebSocket as any });
    const reconnects = states(c);
    c.connect();
    await c.ready();
    const result = await c.publish(channel, "chat.message", { text: "once" });
    expect(cut).toBe(false);
    expect(reconnects.filter((s) => s.state === "connected")).toHaveLength(2);
    expect(result.offset).toBe(1);
    const history = await c.history(channel, { since: { offset: 0 } });
    expect(history.publications).toHaveLength(1);
  });
});

describe("SSE fallback", () => {
  it("falls back to SSE when WebSocket cannot open, with the same subscription API, and recovers with Last-Event-ID", async () => {
    const channel = `build:acme/${unique()}`;
    const status = `service:acme/${unique()}`;
    await server.publish(status, "service.status", { s: "UP" }, { key: "api" });
    BlockedWebSocket.attempts = 0;
    const c = client({ WebSocket: BlockedWebSocket as any });
    c.connect();
    await c.ready();
    expect(c.transport).toBe("sse");
    expect(BlockedWebSocket.attempts).toBe(1);
    const sub = c.subscribe<number>(channel);
    const got: Publication<number>[] = [];
    sub.on("publication", (p) => got.push(p));
    const subscribed: SubscribedContext[] = [];
    sub.on("subscribed", (s) => subscribed.push(s));
    const statusSub = c.subscribe<{ s: string }>(status);
    await until(() => subscribed.length === 1 && statusSub.status === "subscribed", 10_000, "both SSE subscriptions");
    await until(() => statusSub.latest.get("api") !== undefined, 10_000, "the latest state over SSE");
    await server.publish(channel, "line", 1);
    await server.publish(channel, "line", 2);
    await until(() => got.length === 2);
    const page = await c.history<number>(channel, { since: { offset: 0 } });
    expect(page.publications.map((p) => p.data)).toEqual([1, 2]);
    expect(await c.presence(`chat:${unique()}`)).toEqual([]); // over HTTP

    await server.restart();
    await server.publish(channel, "line", 3);
    await until(() => subscribed.length === 2, 20_000, "the SSE resume");
    await until(() => got.length === 3, 10_000, "publication 3");
    expect(got.map((p) => p.data)).toEqual([1, 2, 3]);
    expect(subscribed[1]).toMatchObject({ wasRecovering: true, recovered: true });
    expect(c.transport).toBe("sse");
    expect(BlockedWebSocket.attempts).toBe(1); // the transport that worked is kept
    await expect(c.publish(channel, "chat.message", 1)).rejects.toMatchObject({ code: ErrorCode.Transport });
  });
});
