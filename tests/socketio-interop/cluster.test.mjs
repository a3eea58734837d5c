// socket.io-client, unchanged, against two nodes of a Herald cluster on PostgreSQL: a client that
// leaves one node recovers on the other what it missed, through `subscribe` with `since`.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { io } from "socket.io-client";
import { signedToken, within, once, call } from "./helpers.mjs";

const URL_A = process.env.HERALD_URL_A;
const URL_B = process.env.HERALD_URL_B;
const SECRET = process.env.HERALD_JWT_SECRET;
const API_KEY = process.env.HERALD_API_KEY;
assert.ok(URL_A && URL_B && SECRET && API_KEY, "HERALD_URL_A, HERALD_URL_B, HERALD_JWT_SECRET and HERALD_API_KEY must be set");
const sockets = [];

const token = (sub, org) => signedToken(SECRET, sub, org);

function connect(url, transports) {
  const socket = io(url, { reconnection: false, transports, auth: { token: token("u_1", "acme") } });
  sockets.push(socket);
  return socket;
}


async function publish(url, channel, i) {
  const response = await within(fetch(`${url}/api/publish`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-API-Key": API_KEY },
    body: JSON.stringify({ channel, type: "build.step", data: { i } }),
  }), "publish");
  const text = await response.text();
  assert.equal(response.status, 200, text);
  return JSON.parse(text);
}

after(() => sockets.forEach((s) => s.disconnect()));

for (const transports of [["websocket"], ["polling"]]) {
  test(`recovers on the other node over ${transports[0]}`, async () => {
    const channel = `build:acme/sio-${transports[0]}`;
    const first = connect(URL_A, transports);
    await once(first, "connect");
    const answer = await call(first, "subscribe", { channel });
    assert.equal(answer.ok, true, JSON.stringify(answer));
    const seen = [];
    first.on("build.step", (event) => seen.push(event));
    for (let i = 0; i < 3; i++) {
      await publish(URL_B, channel, i);
    }
    await within((async () => { while (seen.length < 3) await new Promise((r) => setTimeout(r, 10)); })(), "three live events on node A");
    first.disconnect();

    // Published while the client is away, on either node.
    const missed = [await publish(URL_A, channel, 3), await publish(URL_B, channel, 4)];

    const again = connect(URL_B, transports);
    await once(again, "connect");
    const last = seen[seen.length - 1];
    const recovered = await call(again, "subscribe", { channel, since: { offset: last.offset, epoch: last.epoch } });
    assert.equal(recovered.ok, true, JSON.stringify(recovered));
    assert.equal(recovered.recovered, true);
    assert.deepEqual(recovered.publications.map((p) => p.publicationId), missed.map((p) => p.id));
    assert.deepEqual(recovered.publications.map((p) => p.offset), [4, 5]);
    const live = once(again, "build.step");
    const next = await publish(URL_A, channel, 5);
    assert.equal((await live).publicationId, next.id);
  });
}
