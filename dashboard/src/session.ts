// The credential the dashboard signs in with. It lives in sessionStorage only (gone when the tab
// closes), is sent in headers or the WebSocket connect frame, and never appears in a URL or a log.

export type CredentialKind = "apiKey" | "token";

export interface Credential {
  kind: CredentialKind;
  value: string;
}

const KEY = "herald.dashboard.credential";

/** A JWT is three base64url parts; anything else is taken for an API key. */
export function kindOf(value: string): CredentialKind {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(value) && value.startsWith("eyJ") ? "token" : "apiKey";
}

export function loadCredential(): Credential | undefined {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return undefined;
    const parsed = JSON.parse(raw) as Partial<Credential>;
    if ((parsed.kind === "apiKey" || parsed.kind === "token") && typeof parsed.value === "string") return { kind: parsed.kind, value: parsed.value };
  } catch {
    // A damaged entry is the same as none.
  }
  return undefined;
}

export function saveCredential(credential: Credential): void {
  sessionStorage.setItem(KEY, JSON.stringify(credential));
}

export function clearCredential(): void {
  sessionStorage.removeItem(KEY);
}

/** The claims of a token, for display only (the server checks the signature). */
export function claimsOf(token: string): { sub?: string; org?: string; exp?: number } {
  try {
    const part = token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(part)) as { sub?: string; org?: string; exp?: number };
  } catch {
    return {};
  }
}

/** A small value kept for this tab (the organisation chosen, the inbox watched …). */
export function remembered(name: string): string {
  return sessionStorage.getItem("herald.dashboard." + name) ?? "";
}

export function remember(name: string, value: string): void {
  sessionStorage.setItem("herald.dashboard." + name, value);
}
