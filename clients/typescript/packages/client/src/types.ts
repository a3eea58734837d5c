// The frames of Herald's native protocol, with the field names of docs/protocol.md.

/** A position in a channel's stream: the offset of a publication and the stream's epoch. */
export interface StreamPosition {
  offset: number;
  epoch: string;
}

/** Tag filters: for every tag named, the publication must carry one of the values (AND across tags, OR within one). */
export type Filters = Record<string, string | string[]>;

/** One publication, as the server sends it. */
export interface Publication<T = unknown> {
  /** The publication type, such as `operation.progress` or `log_entry`. */
  type: string;
  channel: string;
  data: T;
  /** ISO 8601 in UTC, to the millisecond. */
  timestamp: string;
  publicationId: string;
  /** Present on channels with a stream; never on `presence.join` and `presence.leave`. */
  offset?: number;
  epoch?: string;
  key?: string;
  tags?: Record<string, string>;
}

/** The `data` of `connected` and `refreshed`. */
export interface ConnectedData {
  client: string;
  user: string;
  org: string;
  pingInterval: number;
  pongTimeout: number;
  /** Seconds until the token expires; absent for a token without `exp`. */
  expires?: number;
}

/** What a `disconnect` frame (or a close) carries. */
export interface DisconnectInfo {
  code: number;
  reason: string;
  reconnect: boolean;
  /** Seconds the server asks the client to wait before reconnecting (sent on shutdown, spread so that clients come back over time). */
  reconnectDelay?: number;
}

/** One page of `request_history` / `GET /api/history`. */
export interface HistoryPage<T = unknown> {
  channel: string;
  /** The channel's current position. */
  offset: number;
  epoch: string;
  publications: Publication<T>[];
  hasMore: boolean;
  /** The next page (publications after the last one of this page), or `undefined` when `hasMore` is false. */
  next?: () => Promise<HistoryPage<T>>;
}

export interface HistoryOptions {
  /** Publications after this position, oldest first. Without it, the newest `limit` publications. */
  since?: { offset: number; epoch?: string };
  /** 1-1000; the namespace's default otherwise. */
  limit?: number;
}

/** One user in a channel's presence. */
export interface PresenceUser {
  user: string;
  connections: number;
  info: Record<string, unknown> | null;
  since: string;
}

export interface PublishOptions {
  tags?: Record<string, string>;
  key?: string;
  /** Makes a resend after a reconnect a no-op at the server; generated when absent. */
  idempotencyKey?: string;
}

/** The `data` of a `published` answer. */
export interface PublishResult {
  publicationId: string;
  offset?: number;
  epoch?: string;
}

/** Which transport carries the connection. */
export type TransportName = "websocket" | "sse";

// A server frame as it is parsed; only the fields the client reads.
export interface Frame {
  type: string;
  id?: number | string;
  channel?: string;
  data?: any;
  code?: number;
  message?: string;
  reason?: string;
  reconnect?: boolean;
  offset?: number;
  epoch?: string;
  recoverable?: boolean;
  recovered?: boolean;
  publications?: Publication[];
  state?: Publication[];
  hasMore?: boolean;
  [field: string]: unknown;
}
