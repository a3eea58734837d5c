import { createContext, useContext, useEffect, useRef, useState, useSyncExternalStore, type ReactNode } from "react";
import { HeraldClient, type ConnectionState, type HeraldClientOptions } from "@herald/client";
import { Store } from "./store.js";

const Context = createContext<HeraldClient<any> | null>(null);

export interface HeraldProviderProps {
  /** A client of your own (the provider connects it, and leaves it connected when it unmounts). */
  client?: HeraldClient<any>;
  /** Or the server's address and options: the provider makes one client, connects it on mount and disconnects it when the last provider using it unmounts. */
  url?: string | string[];
  options?: HeraldClientOptions;
  children?: ReactNode;
}

// Providers that share a client, and the deferred disconnect of an owned one: React's StrictMode
// unmounts and mounts again at once, which must not close and reopen the connection.
const mounts = new WeakMap<HeraldClient<any>, { count: number; timer?: ReturnType<typeof setTimeout> }>();

/** One shared connection for everything below it. */
export function HeraldProvider({ client, url, options, children }: HeraldProviderProps) {
  const [owned] = useState(() => (client ? undefined : new HeraldClient(url ?? location.origin, options)));
  const value = client ?? owned!;
  useEffect(() => {
    const entry = mounts.get(value) ?? { count: 0 };
    mounts.set(value, entry);
    entry.count++;
    clearTimeout(entry.timer);
    value.connect();
    return () => {
      entry.count--;
      if (!owned || entry.count > 0) return;
      entry.timer = setTimeout(() => entry.count === 0 && value.disconnect(), 0);
    };
  }, [value, owned]);
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

/** The client of the nearest `HeraldProvider`. */
export function useHeraldClient<M extends object = any>(): HeraldClient<M & Record<string, unknown>> {
  const client = useContext(Context);
  if (!client) throw new Error("useHerald hooks need a <HeraldProvider> above them");
  return client as HeraldClient<any>;
}

export interface HeraldState {
  client: HeraldClient<any>;
  state: ConnectionState;
  /** Why the last change happened (`connected`, `transport closed`, `token expired` …). */
  reason: string;
  /** The last connection-level error, if any. */
  error: Error | undefined;
  /** The user and organisation of the connection, once connected. */
  user: string | undefined;
  org: string | undefined;
}

const connectionStores = new WeakMap<HeraldClient<any>, Store<HeraldState>>();

function connectionStore(client: HeraldClient<any>): Store<HeraldState> {
  let store = connectionStores.get(client);
  if (!store) {
    const read = (): HeraldState => ({ client, state: client.state, reason: client.reason, error: client.lastError, user: client.session?.user, org: client.session?.org });
    const s = new Store(read());
    store = s;
    client.on("state", () => s.update(read, true));
    client.on("error", () => s.update(read, true));
    client.on("refreshed", () => s.update(read, true));
    connectionStores.set(client, s);
  }
  return store;
}

/** The connection: its state, why, the last error, who is connected. Re-renders on every change. */
export function useHerald(): HeraldState {
  const client = useHeraldClient();
  const store = connectionStore(client);
  return useSyncExternalStore(store.subscribe, store.get, store.get);
}

/** The value of `current`, kept in a ref: for callbacks given inline, so a new function each render changes nothing. */
export function useLatest<T>(current: T): { readonly current: T } {
  const ref = useRef(current);
  ref.current = current;
  return ref;
}

/** A store made once per component. */
export function useStore<S>(initial: () => S): Store<S> {
  return useState(() => new Store(initial()))[0];
}
