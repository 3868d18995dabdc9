import { defineConfig } from "vite";
import { fileURLToPath } from "node:url";

// The place serves dist/ at `/`. Hashed files go under /static/ (immutable caching) so they never collide with the
// place's own `GET /assets/<id>` route (PROTOCOL.md §9).
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
  },
});
