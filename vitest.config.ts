import { existsSync } from "node:fs";
import { defineConfig } from "vitest/config";
import { alloSolid } from "./packages/ui/src/vite.ts";

export default defineConfig({
  plugins: [alloSolid()],
  test: {
    environment: "node",
    include: ["packages/*/test/**/*.test.{ts,tsx}", "examples/*/test/**/*.test.{ts,tsx}", "test/**/*.test.{ts,tsx}"],
    // Browser tests run where Debian's chromium is installed (.ci/run installs it).
    exclude: ["**/node_modules/**", ...(existsSync("/usr/bin/chromium") ? [] : ["test/browser/**"])],
    // Two files at a time on this 2-core machine class: most files wait on real processes, sockets and Chromium
    // (vitest's default is one worker fewer than the cores, i.e. one here).
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
