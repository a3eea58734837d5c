import { useCallback, useEffect, useState, useSyncExternalStore } from "react";
import type { HeraldError } from "@herald/client";
import { useHeraldClient, useStore } from "./provider.js";

export type OperationStatus = "pending" | "running" | "completed" | "failed" | "cancelled";

/** An operation as the server sends it (docs/operations.md). */
export interface Operation<P = unknown, R = unknown> {
  id: string;
  channel: string;
  org: string;
  type: string;
  resource: string;
  status: OperationStatus;
  progress: number;
  message: string | null;
  error: string | null;
  parameters: P | null;
  result: R | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
  attempt: number;
  retryOf: string | null;
  idempotencyKey: string | null;
  cancelRequested: boolean;
}

const FINAL = new Set<OperationStatus>(["completed", "failed", "cancelled"]);

export interface OperationState<P = unknown, R = unknown> {
  /** The operation, or `undefined` until it has been read. */
  operation: Operation<P, R> | undefined;
  /** The id followed now: the one given, or the latest retry of it. */
  id: string | undefined;
  status: OperationStatus | undefined;
  /** 0-100. */
  progress: number;
  message: string | null;
  /** Why it failed: the operation's `error`, or a request that went wrong (reading, cancel, retry). */
  error: HeraldError | { message: string } | undefined;
  result: R | null;
  /** The status is final. */
  done: boolean;
  loading: boolean;
  /** Asks to cancel it. */
  cancel: () => Promise<void>;
  /** Retries a failed operation as a new one, and follows the new one. */
  retry: () => Promise<void>;
}

/**
 * Follows one operation: its status, progress and message live, with cancel and retry. It reads
 * the operation first (so a page reload or a second tab shows where it is), then follows its
 * channel, which keeps the latest state: nothing between the read and the subscription is missed.
 */
export function useOperation<P = unknown, R = unknown>(id: string | undefined): OperationState<P, R> {
  const client = useHeraldClient();
  const [current, setCurrent] = useState(id);
  useEffect(() => setCurrent(id), [id]);
  const store = useStore<{ operation?: Operation<P, R>; failure?: HeraldError; loading: boolean }>(() => ({ loading: id !== undefined }));

  useEffect(() => {
    if (!current) return;
    let live = true;
    let off: (() => void) | undefined;
    let sub: ReturnType<typeof client.subscribe> | undefined;
    const apply = (op: Operation<P, R>) => {
      if (op.id !== current) return;
      // Events and the read may cross: the newest update wins.
      store.update((s) => (s.operation && s.operation.updatedAt > op.updatedAt ? s : { ...s, operation: op, loading: false }));
    };
    store.update((s) => ({ ...s, loading: true, failure: undefined }), true);
    client
      .request<Operation<P, R>>("GET", `/api/operations/${encodeURIComponent(current)}`)
      .then((op) => {
        if (!live) return;
        apply(op);
        sub = client.subscribe(op.channel);
        const offs = [
          sub.on("publication", (p) => apply(p.data as Operation<P, R>)),
          sub.on("state", ({ publications }) => publications.forEach((p) => apply(p.data as Operation<P, R>))),
        ];
        for (const p of sub.latest.values()) apply(p.data as Operation<P, R>);
        off = () => offs.forEach((f) => f());
      })
      .catch((failure: HeraldError) => live && store.update((s) => ({ ...s, failure, loading: false })));
    return () => {
      live = false;
      off?.();
      sub?.unsubscribe();
    };
  }, [client, current, store]);

  const state = useSyncExternalStore(store.subscribe, store.get, store.get);
  const cancel = useCallback(async () => {
    if (!current) return;
    try {
      await client.request("POST", `/api/operations/${encodeURIComponent(current)}/cancel`);
    } catch (failure) {
      store.update((s) => ({ ...s, failure: failure as HeraldError }));
      throw failure;
    }
  }, [client, current, store]);
  const retry = useCallback(async () => {
    if (!current) return;
    try {
      const next = await client.request<Operation<P, R>>("POST", `/api/operations/${encodeURIComponent(current)}/retry`);
      store.update(() => ({ operation: next, loading: false }), true);
      setCurrent(next.id);
    } catch (failure) {
      store.update((s) => ({ ...s, failure: failure as HeraldError }));
      throw failure;
    }
  }, [client, current, store]);

  const op = state.operation?.id === current ? state.operation : undefined;
  const error = state.failure ?? (op?.error ? { message: op.error } : undefined);
  return {
    operation: op,
    id: current,
    status: op?.status,
    progress: op?.progress ?? 0,
    message: op?.message ?? null,
    error,
    result: op?.result ?? null,
    done: op !== undefined && FINAL.has(op.status),
    loading: state.loading,
    cancel,
    retry,
  };
}

export interface UseOperationsOptions {
  /** Only operations with these statuses. */
  status?: OperationStatus[];
  /** At most this many, newest first. Default 50. */
  limit?: number;
}

export interface OperationsState {
  /** Newest first. */
  operations: Operation[];
  loading: boolean;
  error: HeraldError | undefined;
}

/**
 * The operations of one resource (a channel such as `connection:acme/7`), newest first, kept up to
 * date by the resource channel's operation events.
 */
export function useOperations(resource: string | undefined, options: UseOperationsOptions = {}): OperationsState {
  const client = useHeraldClient();
  const limit = options.limit ?? 50;
  const statusKey = (options.status ?? []).join(",");
  const store = useStore<OperationsState>(() => ({ operations: [], loading: resource !== undefined, error: undefined }));

  useEffect(() => {
    if (!resource) return;
    let live = true;
    const wanted = statusKey ? new Set(statusKey.split(",")) : undefined;
    const upsert = (list: Operation[], op: Operation): Operation[] => {
      const old = list.find((o) => o.id === op.id);
      if (old && old.updatedAt > op.updatedAt) return list;
      const rest = list.filter((o) => o.id !== op.id);
      const next = !wanted || wanted.has(op.status) ? [op, ...rest] : rest;
      return next.sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0)).slice(0, limit); // ids sort by creation time
    };
    const sub = client.subscribe(resource);
    const off = sub.on("publication", (p) => {
      if (p.type.startsWith("operation.") && p.data && typeof p.data === "object") store.update((s) => ({ ...s, operations: upsert(s.operations, p.data as Operation) }));
    });
    const query = new URLSearchParams({ resource, limit: String(limit) });
    if (wanted && [...wanted].every((w) => w === "pending" || w === "running")) query.set("status", "active");
    store.update((s) => ({ ...s, loading: true }), true);
    client
      .request<{ items: Operation[] }>("GET", `/api/operations?${query}`)
      .then(({ items }) => live && store.update((s) => ({ ...s, loading: false, error: undefined, operations: items.reduce(upsert, s.operations) })))
      .catch((error: HeraldError) => live && store.update((s) => ({ ...s, loading: false, error })));
    return () => {
      live = false;
      off();
      sub.unsubscribe();
    };
  }, [client, resource, statusKey, limit, store]);

  return useSyncExternalStore(store.subscribe, store.get, store.get);
}
