// A soak run: minutes of connect, subscribe, publish and disconnect churn against one server,
// sampling its memory, open file descriptors and threads every 30 s. Not part of the tests.
//
//   node scripts/run-ts.mjs bench/soak.ts [minutes, default 10] [clients at a time, default 300]
//
// Every second a tenth of the clients disconnect and as many new ones connect and subscribe to
// one of 50 channels; the publisher sends 200 publications/s over the HTTP API. Each client
// checks its publications arrive in order. At the end the churn stops, every client disconnects,
// and one more sample shows what is left.
import { readFileSync, readdirSync } from "node:fs";
import WebSocket from "ws";
import { HeraldClient } from "@herald/client";
import { HeraldServer, token, until, API_KEY } from "../test/herald.js";

const minutes = Number(process.argv[3] ?? 10);
const size = Number(process.argv[4] ?? 300);
const server = await HeraldServer.start({ sqlite: true, env: { Logging__LogLevel__Default: "Error", Herald__Limits__MaxConnectionsPerUser: "100000" } });
const pid = server.pid!;

function sample() {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(status)![1]);
  return { rssMiB: field("VmRSS") / 1024, fds: readdirSync(`/proc/${pid}/fd`).length, threads: field("Threads") };
}

const jwt = token("soak", "acme", 24 * 3600);
const live = new Set<HeraldClient>();
let connects = 0;
let outOfOrder = 0;
let received = 0;
function open() {
  const c = new HeraldClient(server.url, { WebSocket: WebSocket as any, token: jwt, transports: ["websocket"] });
  const channel = `build:acme/soak${Math.floor(Math.random() * 50)}`;
  let last = 0;
  c.subscribe<number>(channel).on("publication", (p) => {
    received++;
    if (p.offset! <= last) outOfOrder++;
    last = p.offset!;
  });
  c.connect();
  connects++;
  live.add(c);
}
for (let i = 0; i < size; i++) open();
await until(() => [...live].every((c) => c.state === "connected"), 60_000, "the first clients");

let published = 0;
let failed = 0;
const publisher = setInterval(() => {
  for (let i = 0; i < 20; i++) {
    fetch(`${server.url}/api/publish`, {
      method: "POST",
      headers: { "X-API-Key": API_KEY, "Content-Type": "application/json" },
      body: JSON.stringify({ channel: `build:acme/soak${Math.floor(Math.random() * 50)}`, type: "line", data: { n: published } }),
    }).then((r) => (r.ok ? published++ : failed++), () => failed++);
  }
}, 100);
const churn = setInterval(() => {
  const leaving = [...live].slice(0, Math.floor(size / 10));
  for (const c of leaving) {
    c.disconnect();
    live.delete(c);
  }
  for (let i = 0; i < leaving.length; i++) open();
}, 1000);

console.log(`minute  RSS MiB  fds  threads  connects  published  received  out of order  failed publishes`);
const start = Date.now();
const row = (label: string) => {
  const s = sample();
  console.log(`${label.padStart(6)}  ${s.rssMiB.toFixed(1).padStart(7)}  ${String(s.fds).padStart(3)}  ${String(s.threads).padStart(7)}  ${String(connects).padStart(8)}  ${String(published).padStart(9)}  ${String(received).padStart(8)}  ${String(outOfOrder).padStart(12)}  ${String(failed).padStart(16)}`);
};
row("0");
while (Date.now() - start < minutes * 60_000) {
  await new Promise((r) => setTimeout(r, 30_000));
  row(((Date.now() - start) / 60_000).toFixed(1));
}
clearInterval(publisher);
clearInterval(churn);
for (const c of live) c.disconnect();
live.clear();
await new Promise((r) => setTimeout(r, 10_000));
row("idle");
await server.dispose();
process.exit(0);
