// socket.io-client, unchanged, against a running Herald. Every wait is bounded.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { io } from "socket.io-client";
import { signedToken, within, once, call, publishWith } from "./helpers.mjs";

const URL = process.env.HERALD_URL;
const SECRET = process.env.HERALD_JWT_SECRET;
const API_KEY = process.env.HERALD_API_KEY;
assert.ok(URL && SECRET && API_KEY, "HERALD_URL, HERALD_JWT_SECRET and HERALD_API_KEY must be set");
const sockets = [];

const token = (sub, org) => signedToken(SECRET, sub, org);

function connect(options = {}) {
  const socket = io(URL, { reconnection: false, auth: { token: token("u_1", "acme") }, ...options });
  sockets.push(socket);
  return socket;
}


const publish = (channel, type, data) => publishWith(URL, API_KEY, { channel, type, data });

after(() => sockets.forEach((s) => s.disconnect()));

async function subscribeAndReceive(transports, channel) {
  const socket = connect({ transports });
  await once(socket, "connect");
  const answer = await call(socket, "subscribe", { channel });
  assert.equal(answer.ok, true, JSON.stringify(answer));
  assert.equal(answer.channel, channel);
  assert.equal(typeof answer.epoch, "string");
  const received = once(socket, "workspace.status");
  await publish(channel, "workspace.status", { status: "RUNNING" });
  const event = await received;
  assert.equal(event.channel, channel);
  assert.deepEqual(event.data, { status: "RUNNING" });
  assert.equal(event.offset, answer.offset + 1);
  assert.equal(event.epoch, answer.epoch);
  return socket;
}

test("WebSocket only: subscribe with ack, then receive a publication made over HTTP", async () => {
  const socket = await subscribeAndReceive(["websocket"], "build:acme/ws-only");
  assert.equal(socket.io.engine.transport.name, "websocket");
});

test("long-polling only: subscribe with ack, then receive a publication made over HTTP", async () => {
  const socket = await subscribeAndReceive(["polling"], "build:acme/polling-only");
  assert.equal(socket.io.engine.transport.name, "polling");
});

test("long-polling upgraded to WebSocket keeps delivering", async () => {
  const socket = connect({ transports: ["polling", "websocket"] });
  await once(socket, "connect");
  if (socket.io.engine.transport.name !== "websocket") {
    await within(new Promise((resolve) => socket.io.engine.once("upgrade", resolve)), "upgrade");
  }
  assert.equal(socket.io.engine.transport.name, "websocket");
  const answer = await call(socket, "subscribe", { channel: "build:acme/upgraded" });
  assert.equal(answer.ok, true);
  const received = once(socket, "build.step");
  await publish("build:acme/upgraded", "build.step", { step: 1 });
  assert.deepEqual((await received).data, { step: 1 });
});

test("binary round trip through an acknowledged echo", async () => {
  const socket = connect({ transports: ["websocket"] });
  await once(socket, "connect");
  const bytes = Buffer.from([0, 1, 2, 250, 255]);
  // emitWithAck resolves with the ack's first argument: send one object holding the bytes.
  const echoed = await call(socket, "echo", { bytes, text: "and text" });
  assert.ok(Buffer.isBuffer(echoed.bytes));
  assert.deepEqual([...echoed.bytes], [...bytes]);
  assert.equal(echoed.text, "and text");
});

test("reconnect with the last position recovers what was missed", async () => {
  const channel = "build:acme/recovery";
  const first = connect();
  await once(first, "connect");
  const answer = await call(first, "subscribe", { channel });
  const received = once(first, "build.step");
  await publish(channel, "build.step", { step: 1 });
  const last = await received;
  first.disconnect();
  await publish(channel, "build.step", { step: 2 });
  await publish(channel, "build.step", { step: 3 });

  const again = connect();
  await once(again, "connect");
  const recovered = await call(again, "subscribe", { channel, since: { offset: last.offset, epoch: last.epoch } });
  assert.equal(recovered.ok, true);
  assert.equal(recovered.recovered, true);
  assert.equal(recovered.epoch, answer.epoch);
  assert.deepEqual(recovered.publications.map((p) => p.data.step), [2, 3]);
  const live = once(again, "build.step");
  await publish(channel, "build.step", { step: 4 });
  assert.equal((await live).offset, last.offset + 3);
});

test("a bad token gets connect_error with Herald's code", async () => {
  const socket = connect({ auth: { token: "not-a-token" } });
  const error = await once(socket, "connect_error");
  assert.match(error.message, /token/);
  assert.equal(error.data.code, 101);
});

test("another organisation's channel gets an error ack", async () => {
  const socket = connect();
  await once(socket, "connect");
  const answer = await call(socket, "subscribe", { channel: "org:globex" });
  assert.equal(answer.ok, false);
  assert.equal(answer.error.code, 103);
  const fine = await call(socket, "subscribe", { channel: "org:acme" });
  assert.equal(fine.ok, true);
});

test("presence lists who is in a workspace, with their info", async () => {
  const socket = connect();
  await once(socket, "connect");
  const answer = await call(socket, "subscribe", { channel: "workspace:acme/ws_p", info: { viewing: "logs" } });
  assert.equal(answer.ok, true);
  const presence = await call(socket, "presence", { channel: "workspace:acme/ws_p" });
  assert.equal(presence.ok, true);
  assert.deepEqual(presence.users.map((u) => [u.user, u.connections, u.info.viewing]), [["u_1", 1, "logs"]]);
});

test("fifty clients at once all receive one publication", async () => {
  const channel = "build:acme/fifty";
  const clients = Array.from({ length: 50 }, (_, i) => connect({ auth: { token: token(`u_${i}`, "acme") } }));
  await Promise.all(clients.map((c) => once(c, "connect")));
  const answers = await Promise.all(clients.map((c) => call(c, "subscribe", { channel })));
  assert.ok(answers.every((a) => a.ok));
  const received = Promise.all(clients.map((c) => once(c, "build.done")));
  await publish(channel, "build.done", { ok: true });
  const events = await received;
  assert.equal(events.length, 50);
  assert.ok(events.every((e) => e.data.ok === true));
});

test("bad requests get error acks with Herald's codes, and the connection stays", async () => {
  const socket = connect();
  await once(socket, "connect");
  assert.equal((await call(socket, "subscribe", {})).error.code, 114);
  assert.equal((await call(socket, "subscribe", { channel: "nope:acme" })).error.code, 102);
  assert.equal((await call(socket, "subscribe", { channel: "org:acme", since: { offset: -1 } })).error.code, 107);
  assert.equal((await call(socket, "subscribe", "not an object")).error.code, 107);
  assert.equal((await call(socket, "launch_missiles", { channel: "org:acme" })).error.code, 104);
  assert.equal((await call(socket, "publish", { channel: "org:acme", event: "chat", data: {} })).error.code, 108);
  assert.equal((await call(socket, "unsubscribe", { channel: "org:acme" })).error.code, 113);
  assert.equal((await call(socket, "subscribe", { channel: "org:acme" })).ok, true);
});

test("an unknown namespace gets connect_error", async () => {
  const socket = io(`${URL}/secret`, { reconnection: false, auth: { token: token("u_1", "acme") } });
  sockets.push(socket);
  const error = await once(socket, "connect_error");
  assert.equal(error.message, "Invalid namespace");
});
