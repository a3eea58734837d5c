// The HTTP API of docs/protocol.md, with the signed-in credential: `X-API-Key` for an API key,
// `Authorization: Bearer` for a token. Field names are the server's.
import type { Publication } from "@herald/client";
import type { Credential } from "./session";

export interface NodeStats {
  node: string;
  version: string;
  startedAt: string;
  lastSeen: string;
  connections: number;
  users: number;
  channels: number;
  subscriptions: number;
  messagesIn: number;
  messagesOut: number;
  publications: number;
  dropped: number;
  slowConsumers: number;
}

export interface Totals {
  nodes: number;
  connections: number;
  users: number;
  channels: number;
  subscriptions: number;
  messagesIn: number;
  messagesOut: number;
  publications: number;
  dropped: number;
  slowConsumers: number;
}

export interface Stats {
  node: string;
  uptimeSeconds: number;
  nodes: NodeStats[];
  totals: Totals;
}

export interface ChannelInfo {
  channel: string;
  subscribers: number;
}

export interface ConnectionInfo {
  client: string;
  user: string | null;
  org: string | null;
  transport: string;
  channels: string[];
}

export interface HistoryAnswer {
  channel: string;
  offset: number;
  epoch: string;
  publications: Publication[];
  hasMore: boolean;
}

export interface PresenceAnswer {
  channel: string;
  users: { user: string; connections: number; info: Record<string, unknown> | null; since: string }[];
}

export type OperationStatus = "pending" | "running" | "completed" | "failed" | "cancelled";

export interface Operation {
  id: string;
  channel: string;
  org: string;
  type: string;
  resource: string;
  status: OperationStatus;
  progress: number;
  message: string | null;
  error: string | null;
  parameters: unknown;
  result: unknown;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
  attempt: number;
  retryOf: string | null;
  cancelRequested: boolean;
}

export type Level = "info" | "success" | "warning" | "error";

export interface Notification {
  id: string;
  user?: string;
  org?: string;
  title: string;
  message: string;
  level: Level;
  link?: string | null;
  data?: unknown;
  createdAt: string;
  read: boolean;
}

export interface Inbox {
  items: Notification[];
  unread: number;
  nextCursor: string | null;
}

/** A refused request: the status, Herald's error code when the answer has one, and the problem's detail. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: number,
  ) {
    super(message);
  }
}

export class Api {
  constructor(
    readonly credential: Credential,
    private readonly base = "",
  ) {}

  get isApiKey(): boolean {
    return this.credential.kind === "apiKey";
  }

  async call<R>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<R> {
    const headers: Record<string, string> = { Accept: "application/json" };
    if (this.credential.kind === "apiKey") headers["X-API-Key"] = this.credential.value;
    else headers["Authorization"] = "Bearer " + this.credential.value;
    const init: RequestInit = { method, headers, cache: "no-store", credentials: "omit" };
    if (signal) init.signal = signal;
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(this.base + path, init);
    const text = await response.text();
    let json: any = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!response.ok) {
      const detail = json?.detail ?? json?.title ?? (response.statusText || `HTTP ${response.status}`);
      throw new ApiError(response.status, String(detail), typeof json?.code === "number" ? json.code : undefined);
    }
    return json as R;
  }

  stats = (signal?: AbortSignal) => this.call<Stats>("GET", "/api/stats", undefined, signal);
  channels = (prefix?: string, signal?: AbortSignal) =>
    this.call<{ channels: ChannelInfo[] }>("GET", "/api/channels" + (prefix ? "?prefix=" + encodeURIComponent(prefix) : ""), undefined, signal);
  connections = (signal?: AbortSignal) => this.call<{ node: string; connections: ConnectionInfo[] }>("GET", "/api/connections", undefined, signal);
  disconnect = (user: string) => this.call<{ user: string; disconnected: number; node: string }>("POST", `/api/users/${encodeURIComponent(user)}/disconnect`);

  history(channel: string, options: { since?: number; epoch?: string; limit?: number } = {}) {
    const q = new URLSearchParams({ channel });
    if (options.since !== undefined) q.set("since", String(options.since));
    if (options.epoch) q.set("epoch", options.epoch);
    if (options.limit) q.set("limit", String(options.limit));
    return this.call<HistoryAnswer>("GET", "/api/history?" + q.toString());
  }

  presence = (channel: string) => this.call<PresenceAnswer>("GET", "/api/presence?channel=" + encodeURIComponent(channel));

  publish = (body: { channel: string; type: string; data: unknown; key?: string; tags?: Record<string, string> }) =>
    this.call<{ id: string; channel: string; type: string; timestamp: string; offset: number | null; epoch: string | null }>("POST", "/api/publish", body);

  operations(options: { org?: string; status?: "active" | "all"; limit?: number }) {
    const q = new URLSearchParams();
    if (options.org) q.set("org", options.org);
    if (options.status) q.set("status", options.status);
    q.set("limit", String(options.limit ?? 200));
    return this.call<{ items: Operation[] }>("GET", "/api/operations?" + q.toString());
  }

  startOperation = (body: { type: string; resource: string; parameters?: unknown; org?: string }) => this.call<Operation>("POST", "/api/operations", body);
  cancelOperation = (id: string) => this.call<Operation>("POST", `/api/operations/${encodeURIComponent(id)}/cancel`);
  retryOperation = (id: string) => this.call<Operation>("POST", `/api/operations/${encodeURIComponent(id)}/retry`);

  sendNotification = (body: { user?: string; org?: string; title: string; message: string; level?: Level; link?: string }) =>
    this.call<Notification>("POST", "/api/notifications", body);
  inbox = (limit = 50) => this.call<Inbox>("GET", `/api/notifications?limit=${limit}`);
  markRead = (id: string) => this.call<{ unread: number }>("POST", `/api/notifications/${encodeURIComponent(id)}/read`);
  markAllRead = () => this.call<{ unread: number }>("POST", "/api/notifications/read-all");
  dismiss = (id: string) => this.call<{ unread: number }>("DELETE", `/api/notifications/${encodeURIComponent(id)}`);
}

/** A message for a failed request that a person can act on. */
export function describe(error: unknown): string {
  if (error instanceof ApiError) return `${error.message} (HTTP ${error.status}${error.code !== undefined ? `, code ${error.code}` : ""})`;
  if (error instanceof Error) return error.message;
  return String(error);
}
