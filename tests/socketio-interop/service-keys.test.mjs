// Services on Socket.IO: socket.io-client, unchanged, authenticating with an API key in the CONNECT
// packet's auth ({ auth: { apiKey } }) or in the handshake's X-API-Key header (extraHeaders). Every
// wait is bounded. Run by tests/Herald.Server.Tests (SocketIOInteropTests) with HERALD_URL,
// HERALD_API_KEY (a key without the subscribe scope), HERALD_SUBSCRIBE_KEY (every channel) and
// HERALD_ORG_KEY (bound to the organisation acme) set.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { io } from "socket.io-client";
import { within, once, call, publishWith } from "./helpers.mjs";

const URL = process.env.HERALD_URL;
const PUBLISH_KEY = process.env.HERALD_API_KEY;
const SUBSCRIBE_KEY = process.env.HERALD_SUBSCRIBE_KEY;
const ORG_KEY = process.env.HERALD_ORG_KEY;
assert.ok(URL && PUBLISH_KEY && SUBSCRIBE_KEY && ORG_KEY, "HERALD_URL, HERALD_API_KEY, HERALD_SUBSCRIBE_KEY and HERALD_ORG_KEY must be set");
const sockets = [];

function connect(options) {
  const socket = io(URL, { reconnection: false, forceNew: true, ...options });
  sockets.push(socket);
  return socket;
}


const publish = (channel, type, data) => publishWith(URL, PUBLISH_KEY, { channel, type, data });

after(() => sockets.forEach((s) => s.disconnect()));

test("an API key in auth subscribes to any organisation's channel and receives its publications", async () => {
  const socket = connect({ auth: { apiKey: SUBSCRIBE_KEY } });
  await once(socket, "connect");
  for (const channel of ["org:acme", "org:globex"]) {
    const answer = await call(socket, "subscribe", { channel });
    assert.equal(answer.ok, true, JSON.stringify(answer));
  }
  const received = once(socket, "billing.paid");
  await publish("org:globex", "billing.paid", { amount: 5 });
  const event = await received;
  assert.equal(event.channel, "org:globex");
  assert.deepEqual(event.data, { amount: 5 });
});

test("an API key in the X-API-Key header of the handshake works over WebSocket and long-polling", async () => {
  for (const transports of [["websocket"], ["polling"]]) {
    const socket = connect({ transports, extraHeaders: { "X-API-Key": SUBSCRIBE_KEY } });
    await once(socket, "connect");
    const answer = await call(socket, "subscribe", { channel: "build:globex/header" });
    assert.equal(answer.ok, true, `${transports}: ${JSON.stringify(answer)}`);
  }
});

test("a key without the subscribe scope gets connect_error 101 naming the scope", async () => {
  const socket = connect({ auth: { apiKey: PUBLISH_KEY } });
  const error = await once(socket, "connect_error");
  assert.equal(error.message, "the API key 'publisher' lacks the 'subscribe' scope");
  assert.equal(error.data.code, 101);
});

test("an unknown key gets connect_error 101", async () => {
  const socket = connect({ auth: { apiKey: "no-such-key-0123456789" } });
  const error = await once(socket, "connect_error");
  assert.equal(error.message, "the API key is not valid");
  assert.equal(error.data.code, 101);
});

test("a key bound to an organisation sees only that organisation's channels", async () => {
  const socket = connect({ auth: { apiKey: ORG_KEY } });
  await once(socket, "connect");
  assert.equal((await call(socket, "subscribe", { channel: "org:acme" })).ok, true);
  const other = await call(socket, "subscribe", { channel: "org:globex" });
  assert.equal(other.ok, false);
  assert.equal(other.error.code, 103);
  const user = await call(socket, "subscribe", { channel: "user:u_1" });
  assert.equal(user.error.code, 103);
});

test("presence shows the key's name as the user", async () => {
  const socket = connect({ auth: { apiKey: ORG_KEY } });
  await once(socket, "connect");
  const answer = await call(socket, "subscribe", { channel: "workspace:acme/ws_svc", info: { role: "indexer" } });
  assert.equal(answer.ok, true, JSON.stringify(answer));
  const presence = await call(socket, "presence", { channel: "workspace:acme/ws_svc" });
  assert.deepEqual(presence.users.map((u) => [u.user, u.info.role]), [["svc-acme", "indexer"]]);
});
