import { Emitter } from "./emitter.js";
import { HeraldError } from "./errors.js";
import type {
  Filters,
  Frame,
  HistoryOptions,
  HistoryPage,
  PresenceUser,
  Publication,
  PublishOptions,
  PublishResult,
  StreamPosition,
} from "./types.js";
import type { HeraldClient } from "./client.js";

export type SubscriptionStatus = "unsubscribed" | "subscribing" | "subscribed";

export interface SubscribeOptions {
  /** Tag filters, applied by the server (by the client over SSE). */
  filters?: Filters;
  /** Start from this position: what was published after it is recovered (for example a position kept across a page reload). */
  since?: StreamPosition;
  /** What this connection shows in presence, on namespaces that keep it. */
  info?: Record<string, unknown>;
}

/** The `subscribed` event: the answer of one (re)subscribe. */
export interface SubscribedContext {
  channel: string;
  /** The channel's position when the subscription started (absent on channels without a stream). */
  offset?: number;
  epoch?: string;
  /** The namespace keeps history, so a later recovery can work. */
  recoverable: boolean;
  /** This subscribe tried to recover from a position. */
  wasRecovering: boolean;
  /** With `wasRecovering`: `true` when nothing was lost; `false` when what was missed cannot be replayed, so reload (the `state` event follows). */
  recovered?: boolean;
}

/** The `state` event: the latest publication of every key, on namespaces that keep latest state. */
export interface StateContext<T> {
  publications: Publication<T>[];
  /** `false` after a failed recovery: the state is all there is, reload from it. */
  recovered?: boolean;
}

export interface UnsubscribedContext {
  /** An error code when the server ended the subscription (such as 103 after a refresh), otherwise absent. */
  code?: number;
  reason: string;
}

export interface SubscriptionEvents<T> {
  publication: Publication<T>;
  state: StateContext<T>;
  subscribing: { reason: string };
  subscribed: SubscribedContext;
  unsubscribed: UnsubscribedContext;
  error: HeraldError;
}

/** @internal What the server side of a subscription is doing. */
export type Wire = "none" | "subscribing" | "subscribed" | "unsubscribing";

/**
 * One channel's subscription. The client keeps one per channel and shares it: every
 * `client.subscribe(channel)` adds a reference, every `unsubscribe()` removes one, and the server
 * is told only when the first reference is taken or the last one dropped (after the current task,
 * so that a release followed at once by a take, as in React's StrictMode, sends nothing).
 *
 * Publications are delivered once each, in the server's order (ascending `offset`). After a
 * reconnect the subscription subscribes again from its last position; when that cannot be
 * recovered, `subscribed` says `recovered: false` and `state` follows with the current state.
 */
export class Subscription<T = unknown> extends Emitter<SubscriptionEvents<T>> {
  /** Position of the newest publication seen (or of the subscribe answer). */
  position: StreamPosition | undefined;
  filters: Filters | undefined;
  readonly info: Record<string, unknown> | undefined;
  /** The newest publication of every key seen (from `state` and live keyed publications). */
  readonly latest = new Map<string, Publication<T>>();
  status: SubscriptionStatus = "unsubscribed";
  /** The last subscribe answer. */
  context: SubscribedContext | undefined;
  /** @internal */ _refs = 0;
  /** @internal */ _wire: Wire = "none";
  /** @internal set after the server refused or ended the subscription: no automatic resubscribe */
  _refused = false;
  /** @internal SSE: the subscribe answer's offset, below which publications are recovery or state */
  _top = -1;
  private _stateBuffer: Publication<T>[] = [];
  private _stateTimer: ReturnType<typeof setTimeout> | undefined;
  private _syncTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly _client: HeraldClient<any>,
    readonly channel: string,
    options: SubscribeOptions = {},
  ) {
    super();
    this.filters = options.filters;
    this.position = options.since;
    this.info = options.info;
  }

  /** Drops one reference; the last one unsubscribes at the server. */
  unsubscribe(): void {
    if (this._refs > 0 && --this._refs === 0) this._schedule();
  }

  /** Resolves when subscribed; rejects if the subscription fails or ends first. */
  ready(): Promise<SubscribedContext> {
    if (this.status === "subscribed" && this.context) return Promise.resolve(this.context);
    return new Promise((resolve, reject) => {
      const offs = [
        this.once("subscribed", (c) => {
          offs.forEach((f) => f());
          resolve(c);
        }),
        this.once("unsubscribed", (c) => {
          offs.forEach((f) => f());
          reject(new HeraldError(c.code ?? 0, c.reason));
        }),
      ];
    });
  }

  /** Replaces the filter (an empty or absent one passes everything). */
  updateFilter(filters: Filters | undefined): Promise<void> {
    this.filters = filters;
    return this._client._updateFilter(this);
  }

  /** One page of the channel's history; `page.next()` reads the following one. */
  history(options?: HistoryOptions): Promise<HistoryPage<T>> {
    return this._client.history<T>(this.channel, options);
  }

  /** Who is in the channel now. */
  presence(): Promise<PresenceUser[]> {
    return this._client.presence(this.channel);
  }

  publish(event: string, data: T, options?: PublishOptions): Promise<PublishResult> {
    return this._client.publish(this.channel, event, data, options);
  }

  /** @internal Takes one reference. */
  _take(): void {
    this._refs++;
    this._refused = false;
    this._schedule();
  }

  /** @internal Brings the server in line with the references, after the current task. */
  _schedule(): void {
    if (this._syncTimer === undefined) {
      this._syncTimer = setTimeout(() => {
        this._syncTimer = undefined;
        this._client._sync(this);
      }, 0);
    }
  }

  /** @internal The subscribe frame for the current position and options. */
  _frame(): Frame {
    const frame: Frame = { type: "subscribe", channel: this.channel };
    if (this.filters) frame.filters = this.filters;
    if (this.position) frame.since = this.position;
    if (this.info) frame.info = this.info;
    return frame;
  }

  /** @internal */
  _setStatus(status: SubscriptionStatus, reason: string, code?: number): void {
    if (status === this.status) return;
    this.status = status;
    if (status === "subscribing") this.emit("subscribing", { reason });
    if (status === "unsubscribed") this.emit("unsubscribed", code === undefined ? { reason } : { code, reason });
  }

  /** @internal A subscribe answer (WebSocket) or `subscribed` event (SSE, whose publications follow as events). */
  _onSubscribed(frame: Frame, sse: boolean): void {
    const wasRecovering = this.position !== undefined;
    const recovered = wasRecovering && frame.offset !== undefined ? frame.recovered : undefined;
    const context: SubscribedContext = { channel: this.channel, recoverable: frame.recoverable === true, wasRecovering };
    if (frame.offset !== undefined) {
      context.offset = frame.offset;
      context.epoch = frame.epoch!;
    }
    if (recovered !== undefined) context.recovered = recovered;
    this.context = context;
    this._wire = "subscribed";
    this.status = "subscribed";
    this.emit("subscribed", context);
    if (frame.offset === undefined) return;
    if (sse) {
      // Recovered publications and state follow as events with offsets up to the answer's.
      this._top = frame.offset;
      if (recovered !== true) this.position = { offset: frame.offset, epoch: frame.epoch! };
      return;
    }
    for (const p of frame.publications ?? []) this._onPublication(p as Publication<T>);
    this.position = { offset: frame.offset, epoch: frame.epoch! };
    const state = (frame.state ?? []) as Publication<T>[];
    for (const p of state) if (p.key !== undefined) this.latest.set(p.key, p);
    if (state.length > 0 || recovered === false) {
      this.emit("state", recovered === undefined ? { publications: state } : { publications: state, recovered });
    }
  }

  /** @internal */
  _onPublication(p: Publication<T>, filtered = true): void {
    if (p.offset !== undefined) {
      const pos = this.position;
      const seen = pos !== undefined && pos.epoch === p.epoch && p.offset <= pos.offset;
      if (this._top >= 0) {
        if (p.offset > this._top) this._flushState();
        else if (seen || !pos || pos.epoch !== p.epoch) {
          // SSE: the latest state, sent as events after the subscribed event.
          if (filtered) {
            if (p.key !== undefined) this.latest.set(p.key, p);
            this._stateBuffer.push(p);
          }
          this._stateTimer ??= setTimeout(() => this._flushState(), 0);
          return;
        }
      }
      if (seen) return;
      this.position = { offset: p.offset, epoch: p.epoch! };
    }
    if (!filtered) return;
    if (p.key !== undefined) this.latest.set(p.key, p);
    this.emit("publication", p);
  }

  /** @internal */
  _flushState(): void {
    clearTimeout(this._stateTimer);
    this._stateTimer = undefined;
    this._top = -1;
    const publications = this._stateBuffer;
    if (publications.length === 0) return;
    this._stateBuffer = [];
    this.emit("state", { publications });
  }

  /** @internal The transport is gone: the server side of the subscription with it. */
  _lost(reason: string): void {
    this._flushState();
    this._wire = "none";
    if (this._refs > 0 && !this._refused) this._setStatus("subscribing", reason);
  }

  /** @internal */
  _fail(error: HeraldError): void {
    this._wire = "none";
    this._refused = true;
    this.emit("error", error);
    this._setStatus("unsubscribed", error.message, error.code);
  }

  /** @internal */
  _dispose(): void {
    clearTimeout(this._syncTimer);
    this._syncTimer = undefined;
    this._flushState();
  }
}
