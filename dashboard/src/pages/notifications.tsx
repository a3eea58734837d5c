import type { Session } from "../live";

/** The channel whose notifications the dashboard shows and toasts: the token's user's, or the user an API-key session watches. */
export function inboxChannelOf(session: Pick<Session, "credential" | "user">, watched: string): string {
  if (session.credential.kind === "token") return session.user ? `user:${session.user}` : "";
  return watched ? `user:${watched}` : "";
}

export function Notifications() {
  return (
    <section>
      <h1>Notifications</h1>
      <p className="empty">This page is being written.</p>
    </section>
  );
}
