import { useEffect, useSyncExternalStore } from "react";
import type { HeraldError, PresenceUser } from "@herald/client";
import { useHeraldClient, useLatest, useStore } from "./provider.js";
import { valueKey } from "./store.js";

export interface PresenceState {
  /** Who is in the channel, by user, sorted by id. */
  users: PresenceUser[];
  loading: boolean;
  error: HeraldError | undefined;
}

/**
 * Who is in a channel (a namespace with presence), including this connection, which subscribes
 * with `info`. Kept up to date by the channel's join and leave events (namespaces with
 * `JoinLeave`): each one reads the list again, at most once per 100 ms.
 */
export function usePresence(channel: string | undefined, info?: Record<string, unknown>): PresenceState {
  const client = useHeraldClient();
  const infoRef = useLatest(info);
  const infoKey = valueKey(info);
  const store = useStore<PresenceState>(() => ({ users: [], loading: true, error: undefined }));

  useEffect(() => {
    if (!channel) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const sub = client.subscribe(channel, infoRef.current ? { info: infoRef.current } : {});
    const read = () =>
      sub
        .presence()
        .then((users) => live && store.update((s) => ({ ...s, users, loading: false, error: undefined })))
        .catch((error: HeraldError) => live && store.update((s) => ({ ...s, loading: false, error })));
    const soon = () => (timer ??= setTimeout(() => ((timer = undefined), read()), 100));
    const offs = [
      sub.on("subscribed", () => void read()),
      sub.on("publication", (p) => (p.type === "presence.join" || p.type === "presence.leave") && soon()),
      sub.on("error", (error) => store.update((s) => ({ ...s, loading: false, error }))),
    ];
    if (sub.status === "subscribed") void read();
    return () => {
      live = false;
      clearTimeout(timer);
      offs.forEach((f) => f());
      sub.unsubscribe();
    };
  }, [client, channel, infoKey, store, infoRef]);

  return useSyncExternalStore(store.subscribe, store.get, store.get);
}
