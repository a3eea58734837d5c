// The live connection: one @herald/client HeraldClient for the whole dashboard, and the small
// hooks the pages use to follow channels through it.
import { createContext, useContext, useEffect, useRef, useState, useSyncExternalStore } from "react";
import { HeraldClient, type ConnectionState, type Publication, type Subscription, type WebSocketConstructor } from "@herald/client";
import type { Api } from "./api";
import type { Credential } from "./session";

/**
 * A WebSocket that authenticates with an API key: the server reads a service's key from the
 * `apiKey` field of the `connect` frame (docs/protocol.md, "Services: an API key instead of a
 * token"). The client sends `{"type":"connect","id":…,"token":…}`; this puts the key in place of
 * the token, so the key travels only inside the socket, never in the URL.
 */
function apiKeySocket(key: string): WebSocketConstructor {
  return class ApiKeyWebSocket extends WebSocket {
    override send(data: Parameters<WebSocket["send"]>[0]): void {
      if (typeof data === "string" && data.startsWith('{"type":"connect"')) {
        const frame = JSON.parse(data) as Record<string, unknown>;
        delete frame.token;
        frame.apiKey = key;
        data = JSON.stringify(frame);
      }
      super.send(data);
    }
  };
}

export function createClient(credential: Credential, url = location.origin): HeraldClient {
  if (credential.kind === "apiKey") {
    // The client needs a token to send; the socket replaces it with the key.
    return new HeraldClient(url, { getToken: () => "api-key", WebSocket: apiKeySocket(credential.value), transports: ["websocket"] });
  }
  return new HeraldClient(url, { token: credential.value });
}

export interface Session {
  api: Api;
  client: HeraldClient;
  credential: Credential;
  /** The token's user and organisation; for an API key, what the server answered in `connected` once connected. */
  user: string | undefined;
  org: string | undefined;
  signOut(): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside a signed-in dashboard");
  return session;
}

/** The live connection's state and its last reason. */
export function useConnection(client: HeraldClient): { state: ConnectionState; reason: string } {
  const state = useSyncExternalStore(
    (notify) => client.on("state", notify),
    () => client.state + "\u0000" + client.reason,
  );
  const [s, reason] = state.split("\u0000");
  return { state: s as ConnectionState, reason: reason ?? "" };
}

export type SubscriptionPhase = "subscribing" | "subscribed" | "failed";

export interface ChannelHandlers {
  publication?: (publication: Publication) => void;
  state?: (publications: Publication[]) => void;
}

/**
 * Follows `channel` (nothing when it is empty) while the component is mounted. Handlers are read
 * through a ref, so a new callback never resubscribes. Answers the subscription's phase and the
 * server's refusal, if any.
 */
export function useChannel(channel: string, handlers: ChannelHandlers): { phase: SubscriptionPhase; error: string | undefined; subscription: Subscription | undefined } {
  const { client } = useSession();
  const ref = useRef(handlers);
  ref.current = handlers;
  const [phase, setPhase] = useState<SubscriptionPhase>("subscribing");
  const [error, setError] = useState<string | undefined>(undefined);
  const [subscription, setSubscription] = useState<Subscription | undefined>(undefined);
  useEffect(() => {
    if (!channel) return;
    setPhase("subscribing");
    setError(undefined);
    const sub = client.subscribe(channel);
    setSubscription(sub);
    if (sub.status === "subscribed") setPhase("subscribed");
    const offs = [
      sub.on("publication", (p) => ref.current.publication?.(p)),
      sub.on("state", (s) => ref.current.state?.(s.publications)),
      sub.on("subscribed", () => (setPhase("subscribed"), setError(undefined))),
      sub.on("subscribing", () => setPhase("subscribing")),
      sub.on("error", (e) => (setPhase("failed"), setError(`${e.message} (code ${e.code})`))),
      sub.on("unsubscribed", (u) => {
        if (u.code !== undefined) (setPhase("failed"), setError(`${u.reason} (code ${u.code})`));
      }),
    ];
    return () => {
      offs.forEach((off) => off());
      sub.unsubscribe();
      setSubscription(undefined);
    };
  }, [client, channel]);
  return { phase, error, subscription };
}

/**
 * Calls `load` now and every `intervalMs` while mounted (and again when `deps` change). Keeps the
 * last answer and the last error; a slow answer never overlaps the next call.
 */
export function usePoll<T>(load: (signal: AbortSignal) => Promise<T>, intervalMs: number, deps: unknown[]): { data: T | undefined; error: unknown; refresh: () => void; loading: boolean } {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const controller = new AbortController();
    const run = async () => {
      try {
        const value = await loadRef.current(controller.signal);
        if (stopped) return;
        setData(value);
        setError(undefined);
      } catch (e) {
        if (stopped) return;
        setError(e);
      }
      setLoading(false);
      if (!stopped && intervalMs > 0) timer = setTimeout(run, intervalMs);
    };
    setLoading(true);
    void run();
    return () => {
      stopped = true;
      controller.abort();
      clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [intervalMs, tick, ...deps]);
  return { data, error, loading, refresh: () => setTick((t) => t + 1) };
}
