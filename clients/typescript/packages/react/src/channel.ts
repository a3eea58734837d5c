import { useEffect, useSyncExternalStore } from "react";
import type { Filters, HeraldError, Publication, StreamPosition, Subscription, SubscriptionStatus } from "@herald/client";
import { useHeraldClient, useLatest, useStore } from "./provider.js";
import { bounded, valueKey } from "./store.js";

export interface UseChannelOptions<T> {
  /** Tag filters, applied at the server. Compared by value: an inline object is fine. */
  filters?: Filters;
  /** Start from this position (publications after it are replayed first). */
  since?: StreamPosition;
  /** Presence info shown to others (namespaces with presence). */
  info?: Record<string, unknown>;
  /** `false` holds the subscription off (for example until an id is known). Default `true`. */
  enabled?: boolean;
  /** Publications kept in `publications`, newest last. Default 100. */
  maxItems?: number;
  /** Called for every publication, in order (also those beyond `maxItems`). Need not be stable. */
  onPublication?: (publication: Publication<T>) => void;
}

export interface ChannelState<T> {
  /** The newest `maxItems` publications, oldest first. */
  publications: Publication<T>[];
  /** The latest publication per key: the channel's latest state, kept up to date by live publications. */
  latest: ReadonlyMap<string, Publication<T>>;
  status: SubscriptionStatus;
  /** After a reconnect: `true` when nothing was missed, `false` when the history could not be replayed (the state was delivered again: reload from `latest`). */
  recovered: boolean | undefined;
  /** Why the subscription failed or ended (permission denied, revoked after a token refresh …). */
  error: HeraldError | undefined;
  /** The subscription itself, for `history()`, `presence()`, `publish()`, `updateFilter()`. */
  subscription: Subscription<T> | undefined;
}

/**
 * Subscribes to a channel while the component is mounted. Components on the same channel share
 * one server subscription; React StrictMode's double mount and new callback or option objects on
 * every render send nothing to the server.
 */
export function useChannel<T = unknown>(channel: string | undefined, options: UseChannelOptions<T> = {}): ChannelState<T> {
  const client = useHeraldClient();
  const { enabled = true, maxItems = 100 } = options;
  const onPublication = useLatest(options.onPublication);
  const optionsRef = useLatest(options);
  const filtersKey = valueKey(options.filters);
  const store = useStore<ChannelState<T>>(() => ({ publications: [], latest: new Map(), status: "unsubscribed", recovered: undefined, error: undefined, subscription: undefined }));

  useEffect(() => {
    if (!channel || !enabled) return;
    const { filters, since, info } = optionsRef.current;
    const sub = client.subscribe<T>(channel, { ...(filters ? { filters } : {}), ...(since ? { since } : {}), ...(info ? { info } : {}) });
    const max = maxItems;
    const read = (s: ChannelState<T>): ChannelState<T> => ({ ...s, status: sub.status, latest: new Map(sub.latest), subscription: sub });
    const offs = [
      sub.on("publication", (p) => {
        onPublication.current?.(p);
        store.update((s) => read({ ...s, publications: bounded(s.publications, [p], max) }));
      }),
      sub.on("state", ({ publications, recovered }) =>
        store.update((s) => read(recovered === false ? { ...s, publications: bounded([], publications, max), recovered } : s)),
      ),
      sub.on("subscribed", (ctx) => store.update((s) => read({ ...s, recovered: ctx.wasRecovering ? ctx.recovered : s.recovered, error: undefined }))),
      sub.on("subscribing", () => store.update(read)),
      sub.on("error", (error) => store.update((s) => read({ ...s, error }))),
      sub.on("unsubscribed", () => store.update(read)),
    ];
    store.update(read, true);
    return () => {
      for (const off of offs) off();
      sub.unsubscribe();
    };
  }, [client, channel, enabled, maxItems, store, onPublication, optionsRef]);

  // A new filter (by value) on the live subscription: one update_filter, no resubscribe.
  useEffect(() => {
    const sub = channel ? client.subscriptions.get(channel) : undefined;
    if (!sub || valueKey(sub.filters) === filtersKey) return;
    sub.updateFilter(optionsRef.current.filters).catch(() => {});
  }, [client, channel, filtersKey, optionsRef]);

  return useSyncExternalStore(store.subscribe, store.get, store.get);
}
