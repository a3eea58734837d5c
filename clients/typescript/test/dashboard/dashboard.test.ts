// The dashboard that the standalone server serves at /, in Debian's Chromium, against the real
// server (the Release build, with the dashboard embedded): every page is driven as a person would,
// through its buttons and forms, and each test saves a screenshot for docs/dashboard.md.
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Browser, BrowserContext, Page } from "playwright-core";
import WebSocket from "ws";
import { API_KEY, HeraldServer, token, unique, until } from "../herald.js";
import { launchChromium } from "../browser.js";

const IMAGES = resolve(import.meta.dirname, "../../../../docs/images");
const STEP = 10_000; // the longest any one step may take

let server: HeraldServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

/** A promise that fails after `ms` instead of hanging. */
function within<T>(promise: Promise<T>, what: string, ms = STEP): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms)))]).finally(() => clearTimeout(timer));
}

/** A new tab, signed in with `credential` through the sign-in form, on `path`. */
async function signedIn(path = "/", credential = API_KEY): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 860 } });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(STEP);
  page.setDefaultNavigationTimeout(STEP);
  await page.goto(server.url + path);
  await page.getByLabel("API key or token").fill(credential);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByTestId("live-state").filter({ hasText: "live" }).waitFor();
  return page;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.mouse.move(0, 0);
  await page.screenshot({ path: resolve(IMAGES, `dashboard-${name}.png`), timeout: STEP });
}

beforeAll(async () => {
  mkdirSync(IMAGES, { recursive: true });
  server = await HeraldServer.start({ env: { Herald__NodeName: "node-1" } });
  browser = await launchChromium();
});

// Each test's tabs close after it, so that the next one sees only its own connections.
afterEach(async () => {
  for (const c of contexts.splice(0)) await within(c.close(), "closing a tab").catch(() => {});
});

afterAll(async () => {
  await within(browser?.close() ?? Promise.resolve(), "closing Chromium").catch(() => {});
  await server?.dispose();
});

describe("the dashboard in Chromium", () => {
  it("signs in with an admin API key, keeps it out of the URL, and shows each node's figures", async () => {
    const page = await signedIn();
    const node = page.locator("article[data-node='node-1']");
    await node.waitFor();
    // The dashboard's own connection is one of them.
    await until(async () => Number(await node.getByTestId("connections").textContent({ timeout: STEP })) >= 1, STEP, "the dashboard's connection in the figures");
    expect(page.url()).not.toContain(API_KEY);
    expect(await page.evaluate(() => sessionStorage.getItem("herald.dashboard.credential"))).toContain(API_KEY);
    // The sparklines fill as polls come in (one every two seconds).
    await until(async () => Number(await node.locator(".chart").first().getAttribute("data-points", { timeout: STEP })) >= 2, STEP, "two samples in the charts");
    await shot(page, "overview");

    // Signing out forgets the key.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("API key or token").waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem("herald.dashboard.credential"))).toBeNull();
  });

  it("refuses a wrong key with a message", async () => {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(STEP);
    await page.goto(server.url + "/");
    await page.getByLabel("API key or token").fill("hk_not_a_key_of_this_server");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(within(page.getByRole("alert").textContent(), "the alert")).resolves.toContain("does not accept this API key");
  });

  it("tails a channel live: a publication arrives, pause holds it back, the type filter narrows, history pages", async () => {
    const channel = `org:${unique("acme")}`;
    await server.publish(channel, "before.open", { n: 0 });
    const page = await signedIn("/channels");
    await page.getByLabel("Open a channel by name").fill(channel);
    await page.getByRole("button", { name: "Open", exact: true }).click();
    await page.getByTestId("subscription-status").filter({ hasText: "subscribed" }).waitFor();

    await server.publish(channel, "workspace.status", { status: "RUNNING" }, { key: "ws_1" });
    const tail = page.getByTestId("tail");
    await tail.locator(".entry[data-type='workspace.status']").filter({ hasText: "RUNNING" }).waitFor();

    await page.getByRole("button", { name: "Pause" }).click();
    await server.publish(channel, "deploy.done", { version: "1.2.3" });
    await page.getByRole("button", { name: "Resume (1 new)" }).waitFor();
    expect(await tail.locator(".entry").count()).toBe(1);
    await page.getByRole("button", { name: "Resume (1 new)" }).click();
    await tail.locator(".entry[data-type='deploy.done']").waitFor();
    await page.getByLabel("Type").selectOption("workspace.status");
    await until(async () => (await tail.locator(".entry").count()) === 1, STEP, "the type filter");
    await shot(page, "channels");

    await page.getByRole("tab", { name: "Latest state" }).click();
    await page.getByRole("row", { name: /ws_1/ }).waitFor();
    await page.getByRole("tab", { name: "History" }).click();
    await page.getByRole("button", { name: "Load history" }).click();
    await page.getByTestId("history").locator(".entry[data-type='before.open']").waitFor();
    expect(await page.getByTestId("history").locator(".entry").count()).toBe(3);

    await page.getByRole("tab", { name: "Publish" }).click();
    await page.getByLabel("Type", { exact: true }).fill("from.dashboard");
    await page.getByLabel("Data (JSON)").fill('{"hello":"world"}');
    await page.getByRole("button", { name: "Publish", exact: true }).click();
    const history = await within(server.api<{ publications: { type: string }[] }>("GET", `/api/history?channel=${encodeURIComponent(channel)}`), "history");
    await until(async () => (await server.api<{ publications: { type: string }[] }>("GET", `/api/history?channel=${encodeURIComponent(channel)}`)).publications.some((p) => p.type === "from.dashboard"), STEP, "the dashboard's publication");
    expect(history.publications.length).toBeGreaterThanOrEqual(3);
  });

  it("follows an operation's progress live and cancels it", async () => {
    const org = unique("ops");
    const op = await within(server.api<{ id: string }>("POST", "/api/operations", { type: "demo.sleep", resource: `service:${org}/db`, parameters: { seconds: 60, steps: 60 } }), "starting an operation");
    const page = await signedIn("/operations");
    await page.getByLabel("Organisation").fill(org);
    const row = page.locator(`tr[data-operation='${op.id}']`);
    await row.and(page.locator("[data-status='running']")).waitFor();
    // The progress bar moves with the handler's steps, from the operation's channel.
    await until(async () => Number(await row.locator("progress").getAttribute("value", { timeout: STEP })) >= 2, 15_000, "progress");
    await shot(page, "operations");
    await row.getByRole("button", { name: "Cancel" }).click();
    await row.and(page.locator("[data-status='cancelled']")).waitFor({ timeout: 15_000 });
    const after = await within(server.api<{ status: string; cancelRequested: boolean }>("GET", `/api/operations/${op.id}`), "reading the operation");
    expect(after).toMatchObject({ status: "cancelled", cancelRequested: true });
    await page.getByRole("button", { name: "Cancelled" }).click();
    await row.waitFor();
  });

  it("says so when an organisation has no operations", async () => {
    const page = await signedIn("/operations");
    await page.getByLabel("Organisation").fill(unique("none"));
    await expect(within(page.locator(".empty").textContent(), "the empty state")).resolves.toContain("No operations yet — start one with POST /api/operations");
  });

  it("follows a log: the tail from history on open, live lines with level colours, search, pause", async () => {
    const channel = `logs:${unique("acme")}/api`;
    await server.publish(channel, "log_entry", { level: "info", message: "server starting" });
    await server.publish(channel, "log_entry", { level: "warn", message: "cache is cold" });
    const page = await signedIn(`/logs?c=${encodeURIComponent(channel)}`);
    const log = page.getByTestId("log");
    await log.locator(".line").filter({ hasText: "cache is cold" }).waitFor();
    await page.getByTestId("subscription-status").filter({ hasText: "subscribed" }).waitFor();
    for (let i = 1; i <= 5; i++) await server.publish(channel, "log_entry", { level: i === 3 ? "error" : "info", message: `request ${i} served` });
    await log.locator(".line.error").filter({ hasText: "request 3 served" }).waitFor();
    expect(await log.locator(".line").count()).toBe(7);

    await page.getByLabel("Search").fill("request 3");
    await until(async () => (await log.locator(".line").count()) === 1, STEP, "the search");
    await shot(page, "logs");
    await page.getByLabel("Search").fill("");

    await page.getByRole("button", { name: "Pause" }).click();
    await server.publish(channel, "log_entry", { level: "info", message: "while paused" });
    await page.getByRole("button", { name: "Resume (1 new)" }).click();
    await log.locator(".line").filter({ hasText: "while paused" }).waitFor();
    await page.getByRole("button", { name: "Clear" }).click();
    await until(async () => (await log.locator(".line").count()) === 0, STEP, "the clear");
  });

  it("charts a metrics channel, and the chart moves as points are published", async () => {
    const channel = `metrics:${unique("acme")}/node`;
    for (const cpu of [0.2, 0.35, 0.3]) await server.publish(channel, "sample", { cpu, rss: 180 + cpu * 10 }, { key: "node-a" });
    const page = await signedIn(`/charts?c=${encodeURIComponent(channel)}`);
    const chart = page.locator("figure[data-series='node-a'] [data-field='cpu'] .chart");
    await until(async () => Number(await chart.getAttribute("data-points", { timeout: STEP })) === 3, STEP, "the three points of history");
    for (const cpu of [0.55, 0.7]) {
      await server.publish(channel, "sample", { cpu, rss: 190 }, { key: "node-a" });
      await new Promise((r) => setTimeout(r, 1100)); // the namespace is conflated: one point per key a second
    }
    await until(async () => Number(await chart.getAttribute("data-points", { timeout: STEP })) === 5, STEP, "two live points");
    await page.getByTestId("latest").filter({ hasText: "cpu 0.7" }).waitFor();
    await shot(page, "metrics");
  });

  it("sends a notification to a user, shows it in the watched inbox and as a toast; the user reads it with a token", async () => {
    const user = unique("alice");
    const page = await signedIn("/notifications");
    await page.getByLabel("User id").first().fill(user);
    await page.getByLabel("Title").fill("Backup done");
    await page.getByLabel("Message").fill("ws_12 was backed up");
    await page.getByLabel("Level").selectOption("success");
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await page.locator(".inbox li").filter({ hasText: "Backup done" }).waitFor();
    await page.locator(".toast").filter({ hasText: `Sent to user ${user}` }).waitFor();
    // A second one arrives live on the watched channel, and pops up as a toast.
    await within(server.api("POST", "/api/notifications", { user, title: "Disk almost full", message: "92 % used", level: "warning" }), "sending");
    await page.locator(".toast.warning").filter({ hasText: "Disk almost full" }).waitFor();
    await page.locator(".inbox li").filter({ hasText: "Disk almost full" }).waitFor();
    await shot(page, "notifications");

    // The user, signed in with a token, reads the inbox and marks a notification read.
    const own = await signedIn("/notifications", token(user, "acme"));
    await own.getByTestId("unread").filter({ hasText: "2 unread" }).waitFor();
    const item = own.locator(".inbox li").filter({ hasText: "Backup done" });
    await item.getByRole("button", { name: "Mark read" }).click();
    await own.getByTestId("unread").filter({ hasText: "1 unread" }).waitFor();
    const inbox = await within(
      fetch(server.url + "/api/notifications", { headers: { Authorization: "Bearer " + token(user, "acme") } }).then((r) => r.json() as Promise<{ unread: number }>),
      "the inbox",
    );
    expect(inbox.unread).toBe(1);
    await shot(own, "inbox");
  });

  it("lists connections by user and disconnects one", async () => {
    const user = unique("bob");
    const socket = new WebSocket(server.url.replace(/^http/, "ws") + "/ws");
    const frames: { type: string; code?: number }[] = [];
    socket.on("message", (data) => frames.push(JSON.parse(String(data))));
    await within(new Promise((done, fail) => (socket.once("open", done), socket.once("error", fail))), "the socket opening");
    socket.send(JSON.stringify({ type: "connect", id: 1, token: token(user, "acme") }));
    await until(() => frames.some((f) => f.type === "connected"), STEP, "connected");
    socket.send(JSON.stringify({ type: "subscribe", id: 2, channel: "org:acme" }));
    await until(() => frames.some((f) => f.type === "subscribed"), STEP, "subscribed");
    const closed = new Promise<number>((done) => socket.once("close", (code) => done(code)));

    const page = await signedIn("/connections");
    const row = page.locator(`tr[data-user='${user}']`);
    await row.filter({ hasText: "org:acme" }).waitFor();
    await row.getByRole("button", { name: "Disconnect…" }).click();
    await shot(page, "connections");
    await row.getByRole("button", { name: `Yes, disconnect ${user}` }).click();
    await page.locator(".toast").filter({ hasText: `Disconnected ${user}` }).waitFor();
    await within(closed, "the socket closing");
    expect(frames.find((f) => f.type === "disconnect")?.code).toBe(3504);
    await row.waitFor({ state: "detached" });
  });
});
