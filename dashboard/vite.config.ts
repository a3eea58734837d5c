import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// The dashboard ships inside the server: the build writes into the server project's embedded
// assets folder, and scripts/test.sh checks that what is committed there equals a fresh build.
export default defineConfig({
  base: "/",
  resolve: {
    alias: {
      "@herald/client": here("../clients/typescript/packages/client/src/index.ts"),
      "@herald/react": here("../clients/typescript/packages/react/src/index.ts"),
    },
    // The workspace sources import react too: one copy, this project's.
    dedupe: ["react", "react-dom"],
  },
  build: {
    outDir: here("../src/Herald.Server/Dashboard"),
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 1000,
  },
  server: { proxy: { "/api": "http://127.0.0.1:5080", "/ws": { target: "ws://127.0.0.1:5080", ws: true } } },
});
