// In Debian's Chromium: a page behind a proxy that refuses WebSocket upgrades. The client falls
// back to SSE plus the HTTP API, with the same subscription API, and resumes with Last-Event-ID.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { HeraldServer, token, unique, until } from "../herald.js";
import { bundle, launchChromium, startProxy, type Proxy } from "../browser.js";

let server: HeraldServer;
let proxy: Proxy;
let browser: Browser;
let page: Page;

const html = `<!doctype html><meta charset="utf-8"><title>fallback</title>
<script type="module">
  import { HeraldClient } from "/client.js";
  window.HeraldClient = HeraldClient;
  window.ready = true;
</script>`;

beforeAll(async () => {
  server = await HeraldServer.start({ sqlite: true });
  const client = await bundle("../packages/client/src/index.ts");
  proxy = await startProxy(server.url, { "/app.html": { type: "text/html", body: html }, "/client.js": { type: "text/javascript", body: client } }, true);
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(proxy.url + "/app.html");
  await page.waitForFunction(() => (window as any).ready === true, null, { timeout: 10_000 });
});

afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  await server?.dispose();
});

describe("in Chromium, with WebSocket blocked by a proxy", () => {
  it("falls back to SSE, delivers publications, answers history over HTTP, and recovers after a server restart", async () => {
    const channel = `build:acme/${unique()}`;
    await page.evaluate(
      ({ url, jwt, channel }) => {
        const w = window as any;
        const c = new w.HeraldClient(url, { token: jwt, minReconnectDelay: 100, maxReconnectDelay: 500 });
        w.events = [] as string[];
        w.got = [] as number[];
        w.client = c;
        c.on("state", (s: any) => w.events.push(`${s.state}:${s.transport ?? ""}`));
        const sub = c.subscribe(channel);
        sub.on("publication", (p: any) => w.got.push(p.data));
        sub.on("subscribed", (s: any) => w.events.push(`subscribed:${s.wasRecovering}:${s.recovered}`));
        c.connect();
      },
      { url: proxy.url, jwt: token("alice", "acme"), channel },
    );
    const read = <T>(expr: string) => page.evaluate((e) => (0, eval)(e), expr) as Promise<T>;
    await until(async () => (await read<string[]>("window.events")).includes("subscribed:false:undefined"), 15_000, "the SSE subscription");
    expect(await read<string>("window.client.transport")).toBe("sse");
    expect(proxy.upgrades).toBe(1); // WebSocket was tried first, and refused
    for (let i = 1; i <= 3; i++) await server.publish(channel, "line", i);
    await until(async () => (await read<number[]>("window.got")).length === 3, 10_000, "three publications");

    const history = await page.evaluate((ch) => (window as any).client.history(ch, { since: { offset: 0 } }).then((p: any) => p.publications.map((x: any) => x.data)), channel);
    expect(history).toEqual([1, 2, 3]);

    await server.restart();
    await server.publish(channel, "line", 4);
    await until(async () => (await read<string[]>("window.events")).includes("subscribed:true:true"), 20_000, "the resume with Last-Event-ID");
    await until(async () => (await read<number[]>("window.got")).length === 4, 10_000, "publication 4");
    expect(await read<number[]>("window.got")).toEqual([1, 2, 3, 4]);
    const events = await read<string[]>("window.events");
    expect(events.filter((e) => e.startsWith("connected:")).every((e) => e === "connected:sse")).toBe(true);
    expect(proxy.upgrades).toBe(1); // the transport that worked is kept across the reconnect
  });
});
