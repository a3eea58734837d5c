// Publications per second one browser tab takes through @herald/client into a React list
// (@herald/react's useChannel, the newest 200 rendered) without dropping frames, in Debian's
// Chromium. For each rate the publisher sends for `seconds` over the HTTP API; the page counts
// what the client received, what the list rendered, and the frames (requestAnimationFrame
// timestamps): a frame interval over 50 ms is a dropped frame, as a long animation frame.
//
//   node scripts/run-ts.mjs bench/throughput.ts [rates, comma-separated] [seconds]
import { Agent, request } from "node:http";
import { HeraldServer, token, unique, until, API_KEY } from "../test/herald.js";
import { bundle, launchChromium, startProxy } from "../test/browser.js";

const rates = (process.argv[3] ?? "250,500,1000,2000,4000,8000").split(",").map(Number);
const seconds = Number(process.argv[4] ?? 5);

const server = await HeraldServer.start({ env: { Logging__LogLevel__Default: "Error" } });
const page_ = `<!doctype html><meta charset="utf-8"><div id="root"></div><script type="module" src="/page.js"></script>`;
const proxy = await startProxy(server.url, { "/bench.html": { type: "text/html", body: page_ }, "/page.js": { type: "text/javascript", body: await bundle("../bench/list-page.tsx") } }, false);
const browser = await launchChromium();
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const target = new URL(server.url);

function publish(channel: string, n: number): Promise<void> {
  const body = JSON.stringify({ channel, type: "line", data: { n } });
  return new Promise((resolve, reject) => {
    const req = request(
      { agent, host: target.hostname, port: target.port, method: "POST", path: "/api/publish", headers: { "X-API-Key": API_KEY, "Content-Type": "application/json", "Content-Length": Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`publish: ${res.statusCode}`))));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

console.log(`rate/s  sent/s  received  rendered  frames  dropped  longest frame`);
const results: string[] = [];
for (const rate of rates) {
  // The page and its WebSocket both go through the proxy (upgrades passed through), so they share an origin.
  const channel = `logs:acme/${unique("bench")}`;
  const page = await browser.newPage();
  await page.goto(`${proxy.url}/bench.html?channel=${encodeURIComponent(channel)}&token=${token("bench", "acme")}`);
  await page.waitForFunction(() => (window as any).connected === true, null, { timeout: 15_000 });
  await new Promise((r) => setTimeout(r, 500));
  const total = rate * seconds;
  const start = performance.now();
  await page.evaluate(() => ((window as any).frames = []));
  let sent = 0;
  const inflight = new Set<Promise<void>>();
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
    while (sent < due && inflight.size < 256) {
      const p = publish(channel, ++sent).finally(() => inflight.delete(p));
      inflight.add(p);
    }
    await (inflight.size >= 256 ? Promise.race(inflight) : new Promise((r) => setTimeout(r, 2)));
  }
  await Promise.all(inflight);
  const sentPerSecond = total / ((performance.now() - start) / 1000);
  await until(async () => (await page.evaluate(() => (window as any).rendered)) === total, 30_000, "the list to catch up").catch(() => undefined);
  const m = await page.evaluate(() => {
    const w = window as any;
    const f: number[] = w.frames;
    let dropped = 0;
    let longest = 0;
    for (let i = 1; i < f.length; i++) {
      const d = f[i]! - f[i - 1]!;
      if (d > 50) dropped++;
      longest = Math.max(longest, d);
    }
    return { received: w.received as number, rendered: w.rendered as number, frames: f.length, dropped, longest };
  });
  const line = `${String(rate).padStart(6)}  ${sentPerSecond.toFixed(0).padStart(6)}  ${String(m.received).padStart(8)}  ${String(m.rendered).padStart(8)}  ${String(m.frames).padStart(6)}  ${String(m.dropped).padStart(7)}  ${m.longest.toFixed(0).padStart(10)} ms`;
  console.log(line);
  results.push(line);
  await page.close();
}
await browser.close();
await proxy.close();
await server.dispose();
agent.destroy();
