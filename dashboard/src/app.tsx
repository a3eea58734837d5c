import { useEffect, useMemo, useState, type ReactNode } from "react";
import { Api } from "./api";
import { HeraldProvider, useChannel, useHerald } from "@herald/react";
import { createClient, SessionContext, useSession, type Session } from "./live";
import { Link, useLocation } from "./router";
import { claimsOf, clearCredential, loadCredential, remember, remembered, saveCredential, type Credential } from "./session";
import { ToastProvider, useToast } from "./toasts";
import { SignIn } from "./pages/signin";
import { Overview } from "./pages/overview";
import { Channels } from "./pages/channels";
import { Operations } from "./pages/operations";
import { Logs } from "./pages/logs";
import { Metrics } from "./pages/metrics";
import { Notifications, inboxChannelOf } from "./pages/notifications";
import { Connections } from "./pages/connections";
import type { Notification } from "./api";

const PAGES: { path: string; title: string; render: () => ReactNode }[] = [
  { path: "/", title: "Overview", render: () => <Overview /> },
  { path: "/channels", title: "Channels", render: () => <Channels /> },
  { path: "/operations", title: "Operations", render: () => <Operations /> },
  { path: "/logs", title: "Logs", render: () => <Logs /> },
  { path: "/charts", title: "Metrics", render: () => <Metrics /> },
  { path: "/notifications", title: "Notifications", render: () => <Notifications /> },
  { path: "/connections", title: "Connections", render: () => <Connections /> },
];

export function App() {
  const [credential, setCredential] = useState<Credential | undefined>(loadCredential);
  return (
    <ToastProvider>
      {credential ? (
        <SignedIn
          key={credential.value}
          credential={credential}
          onSignOut={() => {
            clearCredential();
            setCredential(undefined);
          }}
        />
      ) : (
        <SignIn
          onSignedIn={(c) => {
            saveCredential(c);
            setCredential(c);
          }}
        />
      )}
    </ToastProvider>
  );
}

function SignedIn({ credential, onSignOut }: { credential: Credential; onSignOut: () => void }) {
  const api = useMemo(() => new Api(credential), [credential]);
  const client = useMemo(() => createClient(credential), [credential]);
  const claims = credential.kind === "token" ? claimsOf(credential.value) : {};
  const [watched, setWatched] = useState(() => remembered("inbox"));
  useEffect(() => () => client.disconnect(), [client]);
  return (
    <HeraldProvider client={client}>
      <SessionFrom api={api} credential={credential} claims={claims} watched={watched} setWatched={setWatched} onSignOut={onSignOut} />
    </HeraldProvider>
  );
}

function SessionFrom(props: { api: Api; credential: Credential; claims: { sub?: string; org?: string }; watched: string; setWatched: (u: string) => void; onSignOut: () => void }) {
  const herald = useHerald();
  const session: Session = {
    api: props.api,
    client: herald.client,
    credential: props.credential,
    user: herald.user ?? props.claims.sub,
    org: herald.org ?? props.claims.org,
    watched: props.watched,
    watch: (user) => {
      remember("inbox", user);
      props.setWatched(user);
    },
    signOut: props.onSignOut,
  };
  return (
    <SessionContext.Provider value={session}>
      <Layout />
      <NotificationToasts />
    </SessionContext.Provider>
  );
}

function Layout() {
  const { path } = useLocation();
  const session = useSession();
  const connection = useHerald();
  const page = PAGES.find((p) => p.path === path);
  useEffect(() => {
    document.title = `${page?.title ?? "Not found"} · Herald`;
  }, [page]);
  return (
    <div className="layout">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header>
        <span className="brand">Herald</span>
        <nav aria-label="Pages">
          <ul>
            {PAGES.map((p) => (
              <li key={p.path}>
                <Link to={p.path} aria-current={p.path === path ? "page" : undefined}>
                  {p.title}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span className={`dot ${connection.state}`} aria-hidden="true" />
          <span title={connection.reason} data-testid="live-state">
            {connection.state === "connected" ? "live" : connection.state === "connecting" ? "connecting…" : `offline (${connection.reason || "not connected"})`}
          </span>
          <span className="muted">
            {session.credential.kind === "apiKey" ? `API key${session.user ? ` ${session.user}` : ""}` : `user ${session.user ?? "?"} · org ${session.org ?? "?"}`}
          </span>
          <button type="button" className="secondary" onClick={session.signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {page ? (
          page.render()
        ) : (
          <section>
            <h1>Not found</h1>
            <p>
              There is no page at <code>{path}</code>. <Link to="/">Go to the overview</Link>.
            </p>
          </section>
        )}
      </main>
    </div>
  );
}

/** Every notification that arrives on the inbox channel being watched pops up, whatever the page. */
function NotificationToasts() {
  const session = useSession();
  const toast = useToast();
  useChannel(inboxChannelOf(session, session.watched) || undefined, {
    maxItems: 1,
    onPublication: (p) => {
      if (p.type !== "notification") return;
      const n = p.data as Notification;
      toast(n.level, n.title, n.message);
    },
  });
  return null;
}

/** The honest answer of a page that needs an admin API key, to a token session. */
export function NeedsAdmin({ what }: { what: string }) {
  return (
    <p className="empty">
      {what} needs an admin API key (<code>X-API-Key</code> with the <code>admin</code> scope); you are signed in with a user token. Sign out and
      sign in with a key to see it.
    </p>
  );
}
