// Size of @herald/client as an app ships it: bundled with esbuild, minified, gzipped (level 9).
// With the path of a socket.io-client install (for example ../../tests/socketio-interop), the
// same figure for socket.io-client, bundled the same way.
import { build } from "esbuild";
import { gzipSync } from "node:zlib";
import { resolve } from "node:path";

async function measure(name, contents, resolveDir) {
  const result = await build({
    stdin: { contents, resolveDir, loader: "ts" },
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2022",
    platform: "browser",
    write: false,
    logLevel: "silent",
  });
  const code = result.outputFiles[0].contents;
  const gz = gzipSync(code, { level: 9 }).length;
  console.log(`${name}: ${code.length} B minified, ${gz} B minified and gzipped`);
  return gz;
}

const here = resolve(import.meta.dirname, "..");
const herald = await measure("@herald/client", 'export * from "./packages/client/src/index.ts";', here);
if (process.argv[2]) {
  await measure("socket.io-client", 'export * from "socket.io-client";', resolve(process.argv[2]));
}
if (herald > 8 * 1024) {
  console.error(`@herald/client is over its budget of 8 KiB minified and gzipped`);
  process.exit(1);
}
