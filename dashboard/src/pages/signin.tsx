import { useState, type FormEvent } from "react";
import { Api, ApiError, describe } from "../api";
import { kindOf, type Credential } from "../session";

/** Checks a credential against the server before keeping it: an admin key reads /api/stats, a token its inbox. */
async function check(credential: Credential): Promise<void> {
  const api = new Api(credential);
  try {
    if (credential.kind === "apiKey") await api.stats();
    else await api.inbox(1);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      throw new Error(credential.kind === "apiKey" ? "The server does not accept this API key." : `The server refused this token: ${e.message}.`);
    }
    if (e instanceof ApiError && e.status === 403) throw new Error(`This API key cannot administer the server: ${e.message}. Sign in with a key that has the admin scope.`);
    throw new Error("Could not reach the server: " + describe(e));
  }
}

export function SignIn({ onSignedIn }: { onSignedIn: (credential: Credential) => void }) {
  const [value, setValue] = useState("");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const trimmed = value.trim();
    if (!trimmed) return setError("Enter an admin API key or a user token.");
    const credential: Credential = { kind: kindOf(trimmed), value: trimmed };
    setBusy(true);
    setError("");
    try {
      await check(credential);
      setValue("");
      onSignedIn(credential);
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="signin">
      <form onSubmit={submit} aria-labelledby="signin-title" className="card">
        <h1 id="signin-title">Herald dashboard</h1>
        <p>
          Sign in with an <strong>admin API key</strong> (the <code>X-API-Key</code> of a key with the <code>admin</code> scope; a server without
          configured keys prints a development key when it starts) or with a <strong>user token</strong> (JWT), which sees its own organisation's
          channels, operations and inbox.
        </p>
        <label htmlFor="credential">API key or token</label>
        <input
          id="credential"
          name="credential"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={value}
          onChange={(e) => setValue(e.target.value)}
          autoFocus
          required
        />
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? "Checking…" : "Sign in"}
        </button>
        <p className="hint">It is kept in this tab's session storage only, and sent only to this server in request headers and the WebSocket connect frame.</p>
      </form>
    </main>
  );
}
