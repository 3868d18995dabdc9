import { defineConfig } from "vite";
import { fileURLToPath } from "node:url";

// The place serves dist/ at `/`. Hashed files go under /static/ (immutable caching) so they never collide with the
// place's own `GET /assets/<id>` route (docs/protocol.md §9).
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  logLevel: "warn",
  build: {
    outDir: "dist",
    assetsDir: "static",
    emptyOutDir: true,
    sourcemap: true,
    target: "es2022",
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      onLog(level, log, handler) {
        // @allo/client reads files for asset publishing with a dynamic import("node:fs/promises") that only Node
        // reaches; the browser bundle never calls it.
        if (log.message?.includes('"node:fs/promises" has been externalized')) return;
        handler(level, log);
      },
    },
  },
});
