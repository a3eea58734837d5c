// Starts a real Herald server process for the tests, and talks to it the way a backend would.
import { spawn, type ChildProcess } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const SECRET = "test-secret-0123456789-abcdefghijklmnop";
export const API_KEY = "hk_test_admin_0123456789";

const dll = resolve(import.meta.dirname, "../../../src/Herald.Server/bin/Release/net10.0/Herald.Server.dll");

export interface ServerOptions {
  /** Keep the store across restarts in a SQLite file (default: memory). */
  sqlite?: boolean;
  env?: Record<string, string>;
}

/** One server process; `restart()` starts it again on the same port. */
export class HeraldServer {
  url = "";
  private process: ChildProcess | undefined;
  private port = 0;
  private readonly dir = mkdtempSync(join(tmpdir(), "herald-ts-"));
  output = "";

  constructor(private readonly options: ServerOptions = {}) {}

  static async start(options?: ServerOptions): Promise<HeraldServer> {
    const server = new HeraldServer(options);
    await server.launch();
    return server;
  }

  async launch(): Promise<void> {
    if (!existsSync(dll)) throw new Error(`build the server first: dotnet build src/Herald.Server -c Release (${dll} is missing)`);
    const args = [dll, "--urls", `http://127.0.0.1:${this.port}`];
    const env: Record<string, string> = {
      ...(process.env as Record<string, string>),
      DOTNET_NOLOGO: "1",
      Logging__LogLevel__Default: "Warning",
      Logging__LogLevel__Microsoft__Hosting__Lifetime: "Information",
      Herald__Storage__Provider: this.options.sqlite ? "Sqlite" : "Memory",
      Herald__Storage__SqlitePath: join(this.dir, "herald.db"),
      Herald__Auth__JwtSecret: SECRET,
      Herald__Auth__ApiKeys__0__Name: "test",
      Herald__Auth__ApiKeys__0__Key: API_KEY,
      Herald__Auth__ApiKeys__0__Scopes__0: "admin",
      Herald__Namespaces__chat__Scope: "Public",
      Herald__Namespaces__chat__AllowPublish: "true",
      Herald__Namespaces__chat__HistorySize: "100",
      Herald__Namespaces__chat__Presence: "true",
      Herald__Namespaces__chat__JoinLeave: "true",
      ...this.options.env,
    };
    const child = spawn("dotnet", args, { env, stdio: ["ignore", "pipe", "pipe"] });
    this.process = child;
    this.url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(() => reject(new Error("server did not start:\n" + this.output)), 60_000);
      const onData = (chunk: Buffer) => {
        this.output += chunk.toString();
        const match = /Now listening on: (http:\/\/[^\s]+)/.exec(this.output);
        if (match) {
          clearTimeout(timer);
          resolveUrl(match[1]!);
        }
      };
      child.stdout!.on("data", onData);
      child.stderr!.on("data", (c: Buffer) => (this.output += c.toString()));
      child.once("exit", (code) => reject(new Error(`server exited with ${code}:\n${this.output}`)));
    });
    this.port = Number(new URL(this.url).port);
  }

  /** SIGTERM (a clean shutdown: clients get 3001) and wait for the exit. */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((done) => {
      child.once("exit", () => done());
      child.kill("SIGTERM");
    });
    this.process = undefined;
  }

  /** The server's process id, while it runs. */
  get pid(): number | undefined {
    return this.process?.pid;
  }

  async restart(): Promise<void> {
    await this.stop();
    this.output = "";
    await this.launch();
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  async api<R = any>(method: string, path: string, body?: unknown): Promise<R> {
    const response = await fetch(this.url + path, {
      method,
      headers: { "X-API-Key": API_KEY, "Content-Type": "application/json" },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : (undefined as R);
  }

  publish(channel: string, type: string, data: unknown, extra: { key?: string; tags?: Record<string, string> } = {}) {
    return this.api<{ id: string; offset: number | null; epoch: string | null }>("POST", "/api/publish", { channel, type, data, ...extra });
  }

  /** Frames received from clients, over every transport, since the start. */
  async messagesIn(): Promise<number> {
    return (await this.api<{ messagesIn: number }>("GET", "/api/stats")).messagesIn;
  }
}

/** An HS256 token as a backend would make it. */
export function token(sub: string, org: string, lifetimeSeconds = 3600, extra: Record<string, unknown> = {}): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64({ alg: "HS256", typ: "JWT" })}.${b64({ sub, org, iat: now, exp: now + lifetimeSeconds, ...extra })}`;
  return `${input}.${createHmac("sha256", SECRET).update(input).digest("base64url")}`;
}

export const unique = (prefix = "t") => `${prefix}${randomUUID().slice(0, 8)}`;

/** Waits until `check` returns a truthy value. */
export async function until<R>(check: () => R | Promise<R>, timeout = 10_000, what = "condition"): Promise<NonNullable<R>> {
  const end = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<R>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
