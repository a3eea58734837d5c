import { useEffect, useSyncExternalStore } from "react";
import type { Publication } from "@herald/client";
import { useHeraldClient, useLatest, useStore } from "./provider.js";

export interface UseMetricsOptions<T> {
  /** Points kept per series, for a chart. Default 60. */
  historyLength?: number;
  /** Which series a publication belongs to: default its `key`, else its type. */
  seriesOf?: (publication: Publication<T>) => string;
}

export interface MetricsState<T> {
  /** Per series, its newest `historyLength` points, oldest first. */
  series: ReadonlyMap<string, Publication<T>[]>;
  /** The newest point of every series. */
  latest: ReadonlyMap<string, Publication<T>>;
}

/**
 * Live metrics from a channel (a `metrics:` channel): points grouped into series with a short
 * history each, starting with what the channel's history holds.
 */
export function useMetrics<T = unknown>(channel: string | undefined, options: UseMetricsOptions<T> = {}): MetricsState<T> {
  const client = useHeraldClient();
  const length = options.historyLength ?? 60;
  const seriesOf = useLatest(options.seriesOf ?? ((p: Publication<T>) => p.key ?? p.type));
  const store = useStore<MetricsState<T>>(() => ({ series: new Map(), latest: new Map() }));

  useEffect(() => {
    if (!channel) return;
    let live = true;
    let cleanup: (() => void) | undefined;
    const add = (points: Publication<T>[]) =>
      store.update((s) => {
        const series = new Map(s.series);
        const latest = new Map(s.latest);
        for (const p of points) {
          const name = seriesOf.current(p);
          const list = (series.get(name) ?? []).concat(p);
          series.set(name, list.length > length ? list.slice(-length) : list);
          latest.set(name, p);
        }
        return { series, latest };
      });
    const start = (since?: { offset: number; epoch: string }) => {
      if (!live) return;
      const sub = client.subscribe<T>(channel, since ? { since } : {});
      const off = sub.on("publication", (p) => add([p]));
      cleanup = () => {
        off();
        sub.unsubscribe();
      };
    };
    client
      .history<T>(channel, { limit: Math.min(1000, length * 10) })
      .then((page) => {
        if (!live) return;
        add(page.publications);
        start({ offset: page.offset, epoch: page.epoch });
      })
      .catch(() => start());
    return () => {
      live = false;
      cleanup?.();
    };
  }, [client, channel, length, store, seriesOf]);

  return useSyncExternalStore(store.subscribe, store.get, store.get);
}
