import { useCallback, useEffect, useState, useSyncExternalStore } from "react";
import type { HeraldError, Publication, SubscriptionStatus } from "@herald/client";
import { useHeraldClient, useStore } from "./provider.js";
import { bounded } from "./store.js";

export interface UseLogStreamOptions {
  /** Lines kept, oldest dropped first (also while paused). Default 1000. */
  maxBufferSize?: number;
  /** Lines read from history when the stream opens. Default 100. */
  tail?: number;
}

export interface LogStreamState<T> {
  /** What is shown: the tail from history, then live lines, oldest first. */
  lines: Publication<T>[];
  /** Lines that arrived while paused, shown on `resume()`. */
  buffered: number;
  /** Lines that were dropped from the buffer (over `maxBufferSize`) since the last `clear()`. */
  dropped: number;
  paused: boolean;
  pause: () => void;
  resume: () => void;
  clear: () => void;
  /** Whether the view should keep scrolling to the newest line; the app's scroll handler turns it off and on. */
  follow: boolean;
  setFollow: (follow: boolean) => void;
  status: SubscriptionStatus;
  error: HeraldError | undefined;
}

/**
 * A live log view of a channel (a `logs:` channel, batched at the server): the last `tail` lines
 * from history on open, then live lines, with pause (lines keep arriving into a buffer), resume,
 * clear and a bounded buffer. The history read and the subscription meet exactly: the
 * subscription starts from the position the history answer ended at.
 */
export function useLogStream<T = unknown>(channel: string | undefined, options: UseLogStreamOptions = {}): LogStreamState<T> {
  const client = useHeraldClient();
  const max = options.maxBufferSize ?? 1000;
  const tail = options.tail ?? 100;
  const [follow, setFollow] = useState(true);
  const store = useStore(() => ({ lines: [] as Publication<T>[], pending: [] as Publication<T>[], dropped: 0, paused: false, status: "unsubscribed" as SubscriptionStatus, error: undefined as HeraldError | undefined }));

  useEffect(() => {
    if (!channel) return;
    let live = true;
    let cleanup: (() => void) | undefined;
    const add = (p: Publication<T>) =>
      store.update((s) => {
        if (s.paused) {
          const pending = bounded(s.pending, [p], max);
          return { ...s, pending, dropped: s.dropped + (s.pending.length + 1 - pending.length) };
        }
        const lines = bounded(s.lines, [p], max);
        return { ...s, lines, dropped: s.dropped + (s.lines.length + 1 - lines.length) };
      });
    const start = (since?: { offset: number; epoch: string }) => {
      if (!live) return;
      const sub = client.subscribe<T>(channel, since ? { since } : {});
      const offs = [
        sub.on("publication", add),
        sub.on("subscribed", () => store.update((s) => ({ ...s, status: sub.status, error: undefined }))),
        sub.on("subscribing", () => store.update((s) => ({ ...s, status: sub.status }))),
        sub.on("error", (error) => store.update((s) => ({ ...s, error }))),
        sub.on("unsubscribed", () => store.update((s) => ({ ...s, status: sub.status }))),
      ];
      cleanup = () => {
        offs.forEach((f) => f());
        sub.unsubscribe();
      };
    };
    client
      .history<T>(channel, { limit: tail })
      .then((page) => {
        if (!live) return;
        store.update((s) => ({ ...s, lines: bounded([], page.publications, max) }), true);
        start({ offset: page.offset, epoch: page.epoch });
      })
      // No history (a namespace without it, or not allowed): live lines only; the subscription reports a refusal.
      .catch(() => start());
    return () => {
      live = false;
      cleanup?.();
    };
  }, [client, channel, tail, max, store]);

  const state = useSyncExternalStore(store.subscribe, store.get, store.get);
  const pause = useCallback(() => store.update((s) => ({ ...s, paused: true }), true), [store]);
  const resume = useCallback(
    () =>
      store.update((s) => {
        const lines = bounded(s.lines, s.pending, max);
        return { ...s, paused: false, pending: [], lines, dropped: s.dropped + (s.lines.length + s.pending.length - lines.length) };
      }, true),
    [store, max],
  );
  const clear = useCallback(() => store.update((s) => ({ ...s, lines: [], pending: [], dropped: 0 }), true), [store]);
  return { lines: state.lines, buffered: state.pending.length, dropped: state.dropped, paused: state.paused, pause, resume, clear, follow, setFollow, status: state.status, error: state.error };
}
