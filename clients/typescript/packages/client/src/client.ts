import { Emitter } from "./emitter.js";
import { ErrorCode, HeraldError, UnauthorizedError } from "./errors.js";
import { matches } from "./filters.js";
import { readEventStream } from "./sse.js";
import { Subscription, type SubscribeOptions } from "./subscription.js";
import type {
  ConnectedData,
  DisconnectInfo,
  Frame,
  HistoryOptions,
  HistoryPage,
  PresenceUser,
  Publication,
  PublishOptions,
  PublishResult,
  TransportName,
} from "./types.js";

export type ConnectionState = "disconnected" | "connecting" | "connected";

/** A change of the connection state, with why it happened. */
export interface StateChange {
  state: ConnectionState;
  /** Why: `connect called`, `transport closed`, `no ping`, a server disconnect reason (`shutdown`, `token expired` …), `unauthorized` … */
  reason: string;
  /** The disconnect or close code, when there was one. */
  code?: number;
  /** The transport, when connected. */
  transport?: TransportName;
  /** When reconnecting: the ms until the next attempt (the backoff, or the delay the server asked for). */
  delay?: number;
}

/** Something the offline queue gave up on. */
export interface DroppedRequest {
  type: string;
  channel?: string;
  reason: "queue full" | "timeout";
}

/** Maps channel patterns (template literal types) to the `data` type of their publications. */
export type ChannelTypes = { [pattern: string]: unknown };

/** The `data` type of the publications of `C` under the map `M`: the first matching pattern's, else `unknown`. */
export type DataOf<M, C extends string> = {
  [K in keyof M]: K extends string ? (C extends K ? M[K] : never) : never;
}[keyof M] extends infer D
  ? [D] extends [never]
    ? unknown
    : D
  : never;

/** The WebSocket constructor (the browser's, or for example the `ws` package's in Node). */
export type WebSocketConstructor = new (url: string) => WebSocket;

export interface HeraldClientOptions {
  /** A fixed token. Use `getToken` for tokens that expire. */
  token?: string;
  /**
   * Called on every connect and before the token expires. Throw `UnauthorizedError` to say that
   * no token can be had: the client stops. Any other error is retried with backoff.
   */
  getToken?: () => string | Promise<string>;
  /** The WebSocket implementation; default `globalThis.WebSocket`. */
  WebSocket?: WebSocketConstructor;
  /** The fetch implementation for SSE and the HTTP API; default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Transports to try, in order, until one opens; the first that works is kept. Default `["websocket", "sse"]`. */
  transports?: TransportName[];
  /** Backoff: the first reconnect waits up to this (ms). Default 1000. */
  minReconnectDelay?: number;
  /** Backoff: no reconnect waits longer than this (ms). Default 16000. */
  maxReconnectDelay?: number;
  /** Give up after this many failed attempts in a row. Default `Infinity`. */
  maxReconnectAttempts?: number;
  /** Time for a connect or a request to be answered (ms). Default 10000. */
  timeout?: number;
  /** How long after a missing server ping the connection is given up (ms), on top of the server's interval. Default 10000. */
  maxServerPingDelay?: number;
  /** Requests made while offline that are kept until the connection is back. Default 100; the oldest goes first. */
  offlineQueueSize?: number;
  /** Drop a queued request after this long offline (ms); `0` keeps it until it is sent. Default 0. */
  offlineQueueTimeout?: number;
}

export interface ClientEvents {
  state: StateChange;
  connecting: StateChange;
  connected: StateChange & { data: ConnectedData };
  disconnected: StateChange;
  /** Connection-level problems: a failed token fetch or refresh, an error frame that answers no request. */
  error: Error;
  /** A request left the offline queue without being sent. */
  dropped: DroppedRequest;
  /** The token was refreshed on the open connection. */
  refreshed: ConnectedData;
}

interface Pending {
  frame: Frame;
  done: (frame: Frame) => void;
  fail: (error: HeraldError) => void;
  /** Safe to send again after a reconnect. */
  resend: boolean;
  timer?: ReturnType<typeof setTimeout>;
}

interface Connection {
  name: TransportName;
  send(frame: Frame): void;
  close(): void;
}

const PROTOCOL = new Set([
  "connected", "refreshed", "pong", "subscribed", "unsubscribed", "filter_updated", "history",
  "presence", "published", "error", "disconnect", "ping", "batch", "token_expired",
]);

const random = () => Math.random();
const uid = (): string => globalThis.crypto?.randomUUID?.() ?? random().toString(36).slice(2) + Date.now().toString(36) + random().toString(36).slice(2);

/** Full jitter: a random delay in [0, min(max, min·2^attempt)]. */
export function backoff(attempt: number, min: number, max: number): number {
  return Math.floor(random() * Math.min(max, min * 2 ** attempt));
}

/** When to refresh a token that expires in `expires` seconds: 30 s before, or at 80 % for short ones, never before half-time (ms). */
export function refreshDelay(expires: number): number {
  return Math.max(expires / 2, Math.min(expires * 0.8, expires - 30)) * 1000;
}

function claims(token: string): Record<string, any> {
  try {
    const part = token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(part));
  } catch {
    return {};
  }
}

/**
 * A connection to a Herald server, shared by every subscription of an app.
 *
 * The client is a state machine: `disconnected` → `connecting` → `connected`, and back to
 * `connecting` when the connection is lost (after a backoff with full jitter), or to
 * `disconnected` on a terminal disconnect code (3500-3999), an `UnauthorizedError` from
 * `getToken`, too many attempts, or `disconnect()`. Every change is a `state` event with its
 * reason. Subscriptions survive reconnects and recover from their last position; requests made
 * while offline wait in a bounded queue.
 *
 * @typeParam M maps channel patterns to publication types, for `subscribe()`.
 */
export class HeraldClient<M extends ChannelTypes = {}> extends Emitter<ClientEvents> {
  state: ConnectionState = "disconnected";
  /** The reason of the last state change. */
  reason = "";
  /** The server's `connected` data (over SSE, taken from the token's claims). */
  session: ConnectedData | undefined;
  /** The transport of the current connection. */
  transport: TransportName | undefined;
  /** The last error event. */
  lastError: Error | undefined;
  readonly subscriptions = new Map<string, Subscription<any>>();
  private readonly _bases: string[];
  private _base = 0;
  private readonly _o: Required<Omit<HeraldClientOptions, "token" | "getToken" | "WebSocket">> & HeraldClientOptions;
  private _conn: Connection | undefined;
  private _kept: TransportName | undefined;
  private _token: string | undefined;
  private _attempt = 0;
  private _refreshAttempt = 0;
  private _nextId = 1;
  private _epoch = 0; // bumps with every connect cycle, so late callbacks of an old one do nothing
  private readonly _pending = new Map<number, Pending>();
  private _queue: Pending[] = [];
  private _reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private _pingTimer: ReturnType<typeof setTimeout> | undefined;
  private _refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private _sseTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param url The server, `https://herald.example.com` (or its `wss://…/ws` address). Several
   * addresses are tried in turn after a `shutdown` disconnect.
   */
  constructor(url: string | string[], options: HeraldClientOptions = {}) {
    super();
    this._bases = (Array.isArray(url) ? url : [url]).map((u) => u.replace(/^ws/, "http").replace(/\/(ws)?\/?$/, ""));
    this._o = {
      fetch: globalThis.fetch?.bind(globalThis),
      transports: ["websocket", "sse"],
      minReconnectDelay: 1000,
      maxReconnectDelay: 16000,
      maxReconnectAttempts: Infinity,
      timeout: 10000,
      maxServerPingDelay: 10000,
      offlineQueueSize: 100,
      offlineQueueTimeout: 0,
      ...options,
    };
  }

  /** The HTTP address of the server in use. */
  get url(): string {
    return this._bases[this._base]!;
  }

  /** Starts connecting; does nothing unless `disconnected`. */
  connect(): void {
    if (this.state !== "disconnected") return;
    this._attempt = 0;
    this._setState("connecting", "connect called");
    this._open();
  }

  /** Closes the connection and stops reconnecting. Subscriptions are kept and resume on `connect()`. */
  disconnect(): void {
    this._close("disconnect called");
  }

  /** Resolves when connected. */
  ready(): Promise<void> {
    if (this.state === "connected") return Promise.resolve();
    return new Promise((resolve, reject) => {
      const off = this.on("state", (s) => {
        if (s.state === "connected") (off(), resolve());
        else if (s.state === "disconnected") (off(), reject(new HeraldError(s.code ?? ErrorCode.Disconnected, s.reason)));
      });
    });
  }

  /**
   * Subscribes to a channel, or takes another reference to its subscription. Each call needs one
   * `unsubscribe()`. The options of the first call apply; `updateFilter` changes the filter.
   */
  subscribe<C extends string>(channel: C, options?: SubscribeOptions): Subscription<DataOf<M, C>>;
  subscribe<T>(channel: string, options?: SubscribeOptions): Subscription<T>;
  subscribe(channel: string, options?: SubscribeOptions): Subscription<any> {
    let sub = this.subscriptions.get(channel);
    if (!sub) {
      sub = new Subscription(this, channel, options);
      this.subscriptions.set(channel, sub);
    }
    if (sub._refs === 0 && !sub._refused && sub.status === "unsubscribed") sub._setStatus("subscribing", "subscribe called");
    sub._take();
    return sub;
  }

  /** One page of a channel's history (`request_history`, or `GET /api/history` over SSE). */
  async history<T = unknown>(channel: string, options: HistoryOptions = {}): Promise<HistoryPage<T>> {
    const frame: Frame = { type: "request_history", channel };
    if (options.since) frame.since = options.since;
    if (options.limit) frame.limit = options.limit;
    const answer = await this._call(frame, true);
    const page = answer as unknown as HistoryPage<T>;
    const last = page.publications[page.publications.length - 1];
    if (page.hasMore && last) {
      page.next = () => this.history<T>(channel, { since: { offset: last.offset!, epoch: page.epoch }, limit: options.limit! });
    }
    return { channel, offset: page.offset, epoch: page.epoch, publications: page.publications, hasMore: page.hasMore, ...(page.next ? { next: page.next } : {}) };
  }

  /** Who is in a channel (`presence`, or `GET /api/presence` over SSE). */
  async presence(channel: string): Promise<PresenceUser[]> {
    const answer = await this._call({ type: "presence", channel }, true);
    return (answer.data?.users ?? answer.users) as PresenceUser[];
  }

  /**
   * Publishes into a channel whose namespace allows client publish. Sent at once when connected,
   * otherwise queued; a publish whose answer was lost with the connection is sent again with the
   * same `idempotencyKey`. Needs the WebSocket transport.
   */
  async publish(channel: string, event: string, data: unknown, options: PublishOptions = {}): Promise<PublishResult> {
    const frame: Frame = { type: "publish", channel, event, data, idempotencyKey: options.idempotencyKey ?? uid() };
    if (options.tags) frame.tags = options.tags;
    if (options.key !== undefined) frame.key = options.key;
    return (await this._call(frame, true)).data as PublishResult;
  }

  /**
   * An HTTP API call with the user's token (`Authorization: Bearer`), such as
   * `request("POST", "/api/operations/op_1/cancel")`. Resolves with the JSON answer; rejects with
   * a `HeraldError` whose code is the answer's `code`, or else the HTTP status.
   */
  async request<R = any>(method: string, path: string, body?: unknown): Promise<R> {
    for (let again = true; ; again = false) {
      const token = this._token ?? (this._token = await this._getToken());
      const init: RequestInit = { method, headers: { Authorization: "Bearer " + token } };
      if (body !== undefined) {
        init.body = JSON.stringify(body);
        (init.headers as Record<string, string>)["Content-Type"] = "application/json";
      }
      const response = await this._o.fetch(this.url + path, init);
      const json = await response.json().catch(() => ({}));
      if (response.ok) return json as R;
      if (response.status === 401 && again && this._o.getToken) {
        this._token = undefined;
        continue;
      }
      throw new HeraldError(json.code ?? response.status, json.detail ?? json.title ?? response.statusText);
    }
  }

  // ---- requests and the offline queue ----

  private _call(frame: Frame, resend: boolean): Promise<Frame> {
    return new Promise((resolve, reject) => this._request({ frame, done: resolve, fail: reject, resend }));
  }

  /** @internal Sends a request now, or queues it until the connection is back. */
  _request(p: Pending): void {
    if (this.state === "connected" && this._conn) return this._send(p);
    const { offlineQueueSize, offlineQueueTimeout } = this._o;
    if (this._queue.length >= offlineQueueSize) {
      const old = offlineQueueSize > 0 ? this._queue.shift()! : p;
      this._drop(old, "queue full");
      if (old === p) return;
    }
    this._queue.push(p);
    if (offlineQueueTimeout > 0) {
      p.timer = setTimeout(() => {
        this._queue = this._queue.filter((q) => q !== p);
        this._drop(p, "timeout");
      }, offlineQueueTimeout);
    }
  }

  private _drop(p: Pending, reason: DroppedRequest["reason"]): void {
    clearTimeout(p.timer);
    const dropped: DroppedRequest = { type: p.frame.type, reason };
    if (p.frame.channel) dropped.channel = p.frame.channel;
    p.fail(new HeraldError(ErrorCode.Dropped, `${p.frame.type} dropped from the offline queue: ${reason}`));
    this.emit("dropped", dropped);
  }

  private _send(p: Pending): void {
    clearTimeout(p.timer);
    if (this.transport === "sse") return void this._http(p);
    const id = this._nextId++;
    p.timer = setTimeout(() => {
      this._pending.delete(id);
      p.fail(new HeraldError(ErrorCode.Timeout, `${p.frame.type} timed out`));
    }, this._o.timeout);
    this._pending.set(id, p);
    this._conn!.send({ ...p.frame, id });
  }

  /** Over SSE the requests that have an HTTP twin go over HTTP. */
  private async _http(p: Pending): Promise<void> {
    const { type, channel, since, limit } = p.frame;
    const q = "?channel=" + encodeURIComponent(channel!);
    try {
      if (type === "request_history") {
        p.done(await this.request("GET", "/api/history" + q + (since ? `&since=${(since as any).offset}` + ((since as any).epoch ? `&epoch=${(since as any).epoch}` : "") : "") + (limit ? `&limit=${limit}` : "")));
      } else if (type === "presence") {
        p.done(await this.request("GET", "/api/presence" + q));
      } else {
        p.fail(new HeraldError(ErrorCode.Transport, `${type} needs the WebSocket transport`));
      }
    } catch (e) {
      p.fail(e instanceof HeraldError ? e : new HeraldError(0, String(e)));
    }
  }

  // ---- subscriptions ----

  /** @internal Brings the server side of a subscription in line with its references. */
  _sync(sub: Subscription<any>): void {
    const want = sub._refs > 0 && !sub._refused;
    if (!want && sub._wire === "none") {
      if (sub._refs === 0) {
        this.subscriptions.delete(sub.channel);
        sub._dispose();
        sub._setStatus("unsubscribed", "unsubscribe called");
      }
      return;
    }
    if (this.state !== "connected" || !this._conn) return;
    if (this.transport === "sse") {
      if (want !== (sub._wire !== "none")) this._sseReopen();
      return;
    }
    if (want && sub._wire === "none") {
      sub._wire = "subscribing";
      this._send({
        frame: sub._frame(),
        resend: false,
        done: (f) => {
          sub._wire = "subscribed";
          sub._onSubscribed(f, false);
          sub._schedule();
        },
        fail: (e) => {
          if (e.code === ErrorCode.Timeout || e.code === ErrorCode.Internal) {
            // Try again on a new connection: the answer may still come on this one.
            sub._wire = "none";
            this._lostNow(e.message);
          } else sub._fail(e);
        },
      });
    } else if (!want && sub._wire === "subscribed") {
      sub._wire = "unsubscribing";
      const settle = () => {
        sub._wire = "none";
        this._sync(sub);
      };
      this._send({ frame: { type: "unsubscribe", channel: sub.channel }, resend: false, done: settle, fail: settle });
    }
  }

  /** @internal */
  _updateFilter(sub: Subscription<any>): Promise<void> {
    if (sub._wire !== "subscribed" || this.transport !== "websocket") return Promise.resolve();
    return this._call({ type: "update_filter", channel: sub.channel, filters: sub.filters ?? null }, false).then(() => {});
  }

  // ---- connecting ----

  private _setState(state: ConnectionState, reason: string, code?: number, delay?: number): void {
    this.state = state;
    this.reason = reason;
    const change: StateChange = { state, reason };
    if (code !== undefined) change.code = code;
    if (delay !== undefined) change.delay = delay;
    if (state === "connected") change.transport = this.transport!;
    this.emit("state", change);
    if (state === "connected") this.emit("connected", { ...change, data: this.session! });
    else this.emit(state as "connecting" | "disconnected", change);
  }

  private _error(error: Error): void {
    this.lastError = error;
    this.emit("error", error);
  }

  private async _getToken(): Promise<string> {
    if (this._o.getToken) return await this._o.getToken();
    if (this._o.token !== undefined) return this._o.token;
    throw new UnauthorizedError("no token and no getToken");
  }

  private async _open(): Promise<void> {
    const epoch = ++this._epoch;
    let token: string;
    try {
      token = await this._getToken();
    } catch (e) {
      if (epoch !== this._epoch) return;
      if (e instanceof UnauthorizedError) return this._close("unauthorized");
      this._error(e as Error);
      return this._retry("token fetch failed");
    }
    if (epoch !== this._epoch) return;
    this._token = token;
    const ws = this._o.WebSocket ?? globalThis.WebSocket;
    const order = this._kept ? [this._kept] : this._o.transports.filter((t) => t !== "websocket" || ws);
    this._try(order, 0, token, epoch);
  }

  private _try(order: TransportName[], index: number, token: string, epoch: number): void {
    const name = order[index];
    if (!name) return this._retry("transport closed");
    const next = () => epoch === this._epoch && this._try(order, index + 1, token, epoch);
    if (name === "websocket") this._openWebSocket(token, epoch, next);
    else this._openSse(token, epoch);
  }

  private _openWebSocket(token: string, epoch: number, cannotOpen: () => void): void {
    const WS = (this._o.WebSocket ?? globalThis.WebSocket)!;
    let socket: WebSocket;
    try {
      socket = new WS(this.url.replace(/^http/, "ws") + "/ws");
    } catch {
      return cannotOpen();
    }
    let opened = false;
    const timer = setTimeout(() => finish(0, "connect timeout"), this._o.timeout);
    const finish = (code: number, reason: string, notify = true) => {
      clearTimeout(timer);
      socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
      try {
        socket.close();
      } catch {}
      if (!notify || epoch !== this._epoch) return;
      if (!opened) return cannotOpen();
      this._lost(code, reason);
    };
    const conn: Connection = {
      name: "websocket",
      send: (frame) => socket.readyState === 1 && socket.send(JSON.stringify(frame)),
      close: () => finish(0, "", false),
    };
    socket.onopen = () => {
      opened = true;
      const id = this._nextId++;
      this._pending.set(id, {
        frame: { type: "connect" },
        resend: false,
        done: (f) => {
          clearTimeout(timer);
          this._connected(conn, f.data as ConnectedData);
        },
        fail: (e) => this._error(e), // the disconnect frame that follows decides what happens
      });
      socket.send(JSON.stringify({ type: "connect", id, token }));
    };
    socket.onmessage = (e) => {
      let frame: Frame;
      try {
        frame = JSON.parse(e.data as string);
      } catch {
        return;
      }
      this._frame(frame, conn);
    };
    socket.onerror = () => {};
    socket.onclose = (e) => finish(e.code, e.reason || "transport closed");
  }

  private _connected(conn: Connection, data: ConnectedData): void {
    this._conn = conn;
    this.transport = this._kept = conn.name;
    this.session = data;
    this._attempt = 0;
    this._watch();
    this._scheduleRefresh(data.expires);
    this._setState("connected", "connected");
    for (const sub of this.subscriptions.values()) this._sync(sub);
    const queue = this._queue;
    this._queue = [];
    for (const p of queue) this._send(p);
  }

  /** Every frame from the server. */
  private _frame(frame: Frame, conn: Connection): void {
    this._watch();
    const { type, id } = frame;
    if (type === "ping") return conn.send({ type: "pong" });
    if (typeof id === "number" && this._pending.has(id) && type !== "disconnect") {
      const p = this._pending.get(id)!;
      this._pending.delete(id);
      clearTimeout(p.timer);
      return type === "error" ? p.fail(new HeraldError(frame.code!, frame.message!)) : p.done(frame);
    }
    const sub = frame.channel === undefined ? undefined : this.subscriptions.get(frame.channel);
    if (type === "disconnect") return this._disconnectFrame(frame as unknown as DisconnectInfo);
    if (type === "error") return this._error(new HeraldError(frame.code!, frame.message!));
    if (type === "unsubscribed") {
      sub?._fail(new HeraldError(frame.code ?? 0, frame.message ?? "unsubscribed by the server"));
      return;
    }
    if (type === "batch") {
      for (const p of frame.publications ?? []) sub?._onPublication(p);
      return;
    }
    if (type === "token_expired") return void this._refresh();
    if (!PROTOCOL.has(type)) sub?._onPublication(frame as unknown as Publication);
  }

  private _disconnect: DisconnectInfo | undefined;

  private _disconnectFrame(info: DisconnectInfo): void {
    this._disconnect = info;
  }

  /** The transport is gone: decide between reconnect and stop. */
  private _lost(code: number, reason: string): void {
    const info = this._disconnect;
    this._disconnect = undefined;
    if (info) ({ code, reason } = info);
    this._teardown(reason);
    const terminal = info ? !info.reconnect : code >= 3500 && code < 4000;
    if (terminal || (code === 3005 && !this._o.getToken)) return this._close(reason, code);
    if (code === 3001) {
      // Shutdown: the next address (or the same one, behind a balancer, on another node), soon.
      this._base = (this._base + 1) % this._bases.length;
      this._attempt = 0;
    }
    // The server's suggested delay spreads the reconnects of a restart; otherwise, the backoff.
    const delay = info?.reconnectDelay;
    this._retry(reason, code, typeof delay === "number" && delay >= 0 ? Math.min(delay * 1000, this._o.maxReconnectDelay) : undefined);
  }

  /** Forgets the connection: timers, in-flight requests (back to the queue when safe), subscription wire state. */
  private _teardown(reason: string): void {
    clearTimeout(this._pingTimer);
    clearTimeout(this._refreshTimer);
    clearTimeout(this._sseTimer);
    const conn = this._conn;
    this._conn = undefined;
    this.transport = undefined;
    conn?.close();
    const inflight = [...this._pending.values()];
    this._pending.clear();
    const again: Pending[] = [];
    for (const p of inflight) {
      clearTimeout(p.timer);
      if (p.resend) again.push(p);
      else if (p.frame.type === "update_filter" || p.frame.type === "unsubscribe") p.done({ type: "lost" }); // carried by the next subscribe
      else if (p.frame.type !== "connect" && p.frame.type !== "subscribe" && p.frame.type !== "refresh") p.fail(new HeraldError(ErrorCode.Disconnected, reason));
    }
    this._queue = [...again, ...this._queue];
    for (const sub of this.subscriptions.values()) sub._lost(reason);
  }

  private _retry(reason: string, code?: number, suggested?: number): void {
    if (this.state === "disconnected") return;
    if (this._attempt >= this._o.maxReconnectAttempts) return this._close("reconnect attempts exhausted", code);
    const delay = suggested ?? backoff(this._attempt, this._o.minReconnectDelay, this._o.maxReconnectDelay);
    this._attempt++;
    if (this.state !== "connecting" || this.reason !== reason) this._setState("connecting", reason, code, delay);
    clearTimeout(this._reconnectTimer);
    this._reconnectTimer = setTimeout(() => this._open(), delay);
  }

  private _close(reason: string, code?: number): void {
    this._epoch++;
    clearTimeout(this._reconnectTimer);
    this._teardown(reason);
    const queue = [...this._queue];
    this._queue = [];
    for (const p of queue) (clearTimeout(p.timer), p.fail(new HeraldError(code ?? ErrorCode.Disconnected, reason)));
    if (this.state !== "disconnected") this._setState("disconnected", reason, code);
  }

  /** The server pings every `pingInterval`; silence beyond that and `maxServerPingDelay` means the connection is dead. */
  private _watch(): void {
    clearTimeout(this._pingTimer);
    const interval = (this.session?.pingInterval ?? 25) * 1000 + this._o.maxServerPingDelay;
    this._pingTimer = setTimeout(() => this._conn && this._lostNow("no ping"), interval);
  }

  private _lostNow(reason: string): void {
    const conn = this._conn;
    this._epoch++;
    this._teardown(reason);
    conn?.close();
    this._retry(reason);
  }

  // ---- token refresh ----

  private _scheduleRefresh(expires: number | undefined): void {
    clearTimeout(this._refreshTimer);
    if (expires === undefined || !this._o.getToken) return;
    this._refreshTimer = setTimeout(() => this._refresh(), refreshDelay(expires));
  }

  private async _refresh(): Promise<void> {
    const conn = this._conn;
    if (!conn || !this._o.getToken) return;
    clearTimeout(this._refreshTimer);
    let token: string;
    try {
      token = await this._o.getToken();
    } catch (e) {
      if (e instanceof UnauthorizedError) return this._close("unauthorized");
      return this._refreshFailed(e as Error);
    }
    if (conn !== this._conn) return;
    this._token = token;
    if (conn.name === "sse") {
      // An SSE stream cannot take a new token: open a new stream with it, resuming where it was.
      this._refreshAttempt = 0;
      this.session = { ...this.session!, ...this._sseSession(token) };
      this._scheduleRefresh(this.session.expires);
      return this._sseReopen();
    }
    this._send({
      frame: { type: "refresh", token },
      resend: false,
      done: (f) => {
        this._refreshAttempt = 0;
        this.session = f.data as ConnectedData;
        this._scheduleRefresh(this.session.expires);
        this.emit("refreshed", this.session);
      },
      fail: (e) => this._refreshFailed(e),
    });
  }

  private _refreshFailed(error: Error): void {
    this._error(error);
    if (!this._conn) return;
    clearTimeout(this._refreshTimer);
    this._refreshTimer = setTimeout(() => this._refresh(), backoff(this._refreshAttempt++, this._o.minReconnectDelay, this._o.maxReconnectDelay));
  }

  // ---- SSE ----

  private _sseSession(token: string): ConnectedData {
    const c = claims(token);
    const data: ConnectedData = { client: "", user: c.sub, org: c.org, pingInterval: 25, pongTimeout: 10 };
    if (typeof c.exp === "number") data.expires = Math.max(0, c.exp - Date.now() / 1000);
    return data;
  }

  private _sseAbort: AbortController | undefined;

  /** Over SSE: the stream carries a fixed list of channels, so a change of subscriptions opens a new stream that resumes the others. */
  private _sseReopen(): void {
    clearTimeout(this._sseTimer);
    this._sseTimer = setTimeout(() => this._conn?.name === "sse" && this._openSse(this._token!, this._epoch, true), 0);
  }

  private _openSse(token: string, epoch: number, reopen = false): void {
    this._sseAbort?.abort();
    const abort = (this._sseAbort = new AbortController());
    const subs = [...this.subscriptions.values()].filter((s) => s._refs > 0 && !s._refused);
    const conn: Connection = {
      name: "sse",
      send: () => {},
      close: () => abort.abort(),
    };
    for (const s of this.subscriptions.values()) if (!subs.includes(s) && s._wire !== "none") (s._wire = "none"), this._sync(s);
    if (subs.length === 0) {
      if (!reopen) {
        this.session = this._sseSession(token);
        this._connected(conn, this.session);
      }
      return;
    }
    const ids = subs.map((s) => (s.position ? `${s.position.epoch}:${s.position.offset}` : ""));
    const headers: Record<string, string> = { Authorization: "Bearer " + token, Accept: "text/event-stream" };
    if (ids.some((i) => i)) headers["Last-Event-ID"] = ids.join(",");
    const url = this.url + "/sse?" + subs.map((s) => "channel=" + encodeURIComponent(s.channel)).join("&");
    let opened = false;
    const ended = (code: number, reason: string) => {
      if (epoch !== this._epoch || abort.signal.aborted) return;
      abort.abort();
      if (!opened && !reopen) return this._try(["sse"], 1, token, epoch);
      this._lost(code, reason);
    };
    for (const s of subs) if (s._wire === "none") s._wire = "subscribing";
    this._o
      .fetch(url, { headers, signal: abort.signal })
      .then(async (response) => {
        if (epoch !== this._epoch || abort.signal.aborted) return;
        if (!response.ok) {
          const problem = await response.json().catch(() => ({}));
          const detail: string = problem.detail ?? response.statusText;
          const bad = subs.find((s) => detail.includes(`'${s.channel}'`));
          if (bad && response.status !== 401) {
            bad._fail(new HeraldError(problem.code ?? response.status, detail));
            opened = true;
            return reopen ? this._sseReopen() : this._openSse(token, epoch);
          }
          const code = response.status === 401 ? (problem.code === ErrorCode.TokenExpired ? 3005 : 3500) : response.status >= 500 ? 3001 : 3002;
          this._error(new HeraldError(problem.code ?? response.status, detail));
          opened = true;
          return ended(code, detail);
        }
        opened = true;
        if (!reopen) {
          this.session = this._sseSession(token);
          this._connected(conn, this.session);
        } else this._conn = conn;
        this._watch();
        await readEventStream(
          response.body!,
          (event, data) => {
            this._watch();
            let frame: Frame;
            try {
              frame = JSON.parse(data);
            } catch {
              return;
            }
            const sub = frame.channel === undefined ? undefined : this.subscriptions.get(frame.channel);
            if (event === "subscribed") sub?._onSubscribed(frame, true);
            else if (event === "disconnect") this._disconnectFrame(frame as unknown as DisconnectInfo);
            else if (event === "error") {
              const error = new HeraldError(frame.code!, frame.message!);
              const bad = subs.find((s) => error.message.includes(`'${s.channel}'`));
              bad ? bad._fail(error) : this._error(error);
            } else if (sub) sub._onPublication(frame as unknown as Publication, matches(sub.filters, (frame as any).tags));
          },
          () => this._watch(),
        );
        ended(0, "stream ended");
      })
      .catch(() => ended(0, "transport closed"));
  }
}
