// Runs a TypeScript file with Node: bundles it with esbuild (packages stay external) and imports it.
// Its own arguments follow the file: process.argv[3] on.
import { build } from "esbuild";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const entry = resolve(process.argv[2] ?? "");
const dir = mkdtempSync(join(resolve(import.meta.dirname, ".."), ".run-"));
const out = join(dir, "main.mjs");
try {
  await build({ entryPoints: [entry], bundle: true, platform: "node", format: "esm", target: "node20", packages: "external", outfile: out, logLevel: "warning" });
  await import(pathToFileURL(out).href);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
