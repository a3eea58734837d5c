// A restart storm: N @herald/client connections (the `ws` package) to one server, which is stopped
// with SIGTERM and started again on the same port. Measured from the moment the new process
// listens: the time until every client is connected again, the attempts refused while no server
// listened, the handshakes that failed once it did (WebSocket opens after that moment that never
// reached `connected`), the peak rate of reconnects per 100 ms,
// and the CPU the new server used until the last client was back. Run once with the server's
// suggested reconnect delay off (window 0: the clients' own backoff, full jitter from 1 s) and
// once with it on.
//
//   node scripts/run-ts.mjs bench/restart-storm.ts [clients] [windows, comma-separated seconds]
import { readFileSync } from "node:fs";
import WebSocket from "ws";
import { HeraldClient } from "@herald/client";
import { HeraldServer, token, until } from "../test/herald.js";

const clients = Number(process.argv[3] ?? 10_000);
const windows = (process.argv[4] ?? "0,5").split(",").map(Number);

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks of 10 ms
}

let opened = 0;
let handshakes = 0;
class CountingWebSocket extends WebSocket {
  constructor(url: string) {
    super(url);
    opened++;
  }
}

console.log(`clients  window s  all back after s  refused while down  failed handshakes  peak reconnects/100 ms  server CPU s`);
for (const window of windows) {
  const server = await HeraldServer.start({ env: { Herald__ShutdownReconnectWindowSeconds: String(window), Herald__Limits__MaxConnectionsPerUser: "100000", Logging__LogLevel__Default: "Error" } });
  const jwt = token("storm", "acme", 24 * 3600);
  const list: HeraldClient[] = [];
  let connectedAt: number[] = [];
  let restarted = false;
  for (let i = 0; i < clients; i++) {
    const c = new HeraldClient(server.url, { WebSocket: CountingWebSocket as any, token: jwt, transports: ["websocket"], timeout: 30_000 });
    c.on("connected", () => {
      handshakes++;
      if (restarted) connectedAt.push(performance.now());
    });
    list.push(c);
  }
  // Connect them 200 at a time, so that the setup is not a storm of its own.
  for (let i = 0; i < clients; i += 200) {
    const batch = list.slice(i, i + 200);
    for (const c of batch) c.connect();
    await Promise.all(batch.map((c) => c.ready()));
  }
  await until(() => list.every((c) => c.state === "connected"), 120_000, "every client connected");
  const openedBefore = opened;
  const handshakesBefore = handshakes;

  restarted = true;
  connectedAt = [];
  await server.stop();
  await server.launch();
  const listening = performance.now();
  const openedWhileDown = opened - openedBefore;
  const cpuStart = cpuSeconds(server.pid!);
  await until(() => connectedAt.length >= clients, 180_000, "every client back").catch((e) => {
    const states = new Map<string, number>();
    for (const c of list) states.set(`${c.state}/${c.reason}`, (states.get(`${c.state}/${c.reason}`) ?? 0) + 1);
    console.error(`${connectedAt.length} of ${clients} back;`, states);
    throw e;
  });
  const cpu = cpuSeconds(server.pid!) - cpuStart;
  const last = Math.max(...connectedAt);
  const buckets = new Map<number, number>();
  for (const t of connectedAt) buckets.set(Math.floor((t - listening) / 100), (buckets.get(Math.floor((t - listening) / 100)) ?? 0) + 1);
  // Every open after the listen either connected (once per client) or failed.
  const failed = opened - openedBefore - openedWhileDown - (handshakes - handshakesBefore);
  console.log(
    `${String(clients).padStart(7)}  ${String(window).padStart(8)}  ${((last - listening) / 1000).toFixed(2).padStart(16)}  ${String(openedWhileDown).padStart(18)}  ${String(Math.max(0, failed)).padStart(17)}  ${String(Math.max(...buckets.values())).padStart(22)}  ${cpu.toFixed(2).padStart(12)}`,
  );
  for (const c of list) c.disconnect();
  await server.dispose();
}
process.exit(0);
