// Debian's Chromium driven by playwright-core (never a browser download), and a proxy in front of
// Herald that serves a test page and the client bundle and can refuse WebSocket upgrades, as a
// corporate proxy does.
import { createServer, request, type Server } from "node:http";
import { connect } from "node:net";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { build } from "esbuild";
import { chromium, type Browser } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium package (scripts/test.sh does)`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
}

/** Bundles an entry point for the browser (ESM, minified), as an app's bundler would. */
export async function bundle(entry: string, minify = true): Promise<string> {
  const result = await build({
    entryPoints: [resolve(import.meta.dirname, entry)],
    bundle: true,
    format: "esm",
    minify,
    write: false,
    target: "es2022",
    jsx: "automatic",
    define: { "process.env.NODE_ENV": '"production"' },
    alias: { "@herald/client": resolve(import.meta.dirname, "../packages/client/src/index.ts"), "@herald/react": resolve(import.meta.dirname, "../packages/react/src/index.ts") },
    logLevel: "silent",
  });
  return result.outputFiles[0]!.text;
}

export interface Proxy {
  url: string;
  /** WebSocket upgrades the proxy saw (and refused, when blocking). */
  upgrades: number;
  close(): Promise<void>;
}

/**
 * An HTTP proxy to `target` on a loopback port. `files` are served by the proxy itself (the
 * page and its scripts, same origin as the API). With `blockWebSocket` every upgrade is refused
 * with 403 before it reaches the server.
 */
export async function startProxy(target: string, files: Record<string, { type: string; body: string }>, blockWebSocket: boolean): Promise<Proxy> {
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const file = files[(req.url ?? "").split("?")[0]!];
    if (file) {
      res.writeHead(200, { "Content-Type": file.type, "Cache-Control": "no-store" });
      res.end(file.body);
      return;
    }
    const forward = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on("error", () => (res.headersSent ? res.destroy() : (res.writeHead(502), res.end())));
    req.pipe(forward);
    res.on("close", () => forward.destroy());
  });
  let upgrades = 0;
  server.on("upgrade", (req, socket, head) => {
    upgrades++;
    if (blockWebSocket) {
      socket.end("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      return;
    }
    // Passed through as bytes: the request head again, then both directions piped.
    const up = connect(Number(upstream.port), upstream.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      up.write(lines.join("\r\n") + "\r\n\r\n");
      if (head.length > 0) up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    const end = () => (up.destroy(), socket.destroy());
    up.on("error", end);
    socket.on("error", end);
    up.on("close", end);
    socket.on("close", end);
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    get upgrades() {
      return upgrades;
    },
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
