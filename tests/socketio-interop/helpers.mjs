// What the socket.io-client tests share: HS256 user tokens, bounded waits, events and acks, HTTP publishes.
import { createHmac } from "node:crypto";

export const TIMEOUT = 10_000;

function b64url(value) {
  return Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
}

/** An HS256 token for `sub` in `org`, valid for an hour, signed with `secret`. */
export function signedToken(secret, sub, org) {
  const head = `${b64url({ alg: "HS256", typ: "JWT" })}.${b64url({ sub, org, exp: Math.floor(Date.now() / 1000) + 3600 })}`;
  return `${head}.${createHmac("sha256", secret).update(head).digest("base64url")}`;
}

/** `promise`, or a rejection naming `what` after TIMEOUT. */
export function within(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), TIMEOUT); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The next `event` on `socket`, within TIMEOUT. */
export const once = (socket, event) => within(new Promise((resolve) => socket.once(event, resolve)), event);

/** Emits `event` with `arg` and waits for its ack, within TIMEOUT. */
export const call = (socket, event, arg) => within(socket.emitWithAck(event, arg), `${event} ack`);

/** POST /api/publish with an API key; fails unless the answer is 200, and returns it parsed. */
export async function publishWith(url, apiKey, body) {
  const response = await within(fetch(`${url}/api/publish`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-API-Key": apiKey },
    body: JSON.stringify(body),
  }), "publish");
  const text = await response.text();
  if (response.status !== 200) throw new Error(`publish answered ${response.status}: ${text}`);
  return JSON.parse(text);
}
