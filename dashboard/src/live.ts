// The live connection: one @herald/client HeraldClient for the whole dashboard (shared by
// @herald/react's HeraldProvider), the signed-in session, and polling of the HTTP API.
import { createContext, useContext, useEffect, useRef, useState } from "react";
import { HeraldClient, type WebSocketConstructor } from "@herald/client";
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

/** A fetch that sends the API key instead of the client's bearer token, for the client's HTTP calls (`client.request`, history over HTTP). */
function apiKeyFetch(key: string): typeof fetch {
  return (input, init = {}) => {
    const headers = new Headers(init.headers);
    headers.delete("Authorization");
    headers.set("X-API-Key", key);
    return fetch(input, { ...init, headers });
  };
}

export function createClient(credential: Credential, url = location.origin): HeraldClient {
  if (credential.kind === "apiKey") {
    // The client needs a token to send; the socket and the fetch put the key in its place.
    return new HeraldClient(url, {
      getToken: () => "api-key",
      WebSocket: apiKeySocket(credential.value),
      fetch: apiKeyFetch(credential.value),
      transports: ["websocket"],
    });
  }
  return new HeraldClient(url, { token: credential.value });
}

export interface Session {
  api: Api;
  client: HeraldClient;
  credential: Credential;
  /** The token's user and organisation; for an API key, its name and `*` once connected. */
  user: string | undefined;
  org: string | undefined;
  /** The user whose inbox channel an API-key session watches (a token session watches its own). */
  watched: string;
  watch(user: string): void;
  signOut(): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession outside a signed-in dashboard");
  return session;
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
