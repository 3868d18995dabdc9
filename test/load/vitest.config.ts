// Load, soak and fault tests: `npx vitest run -c test/load/vitest.config.ts` (the quick ones also run in `npm test`).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    root: new URL("../..", import.meta.url).pathname,
    environment: "node",
    include: ["test/load/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Load tests measure the machine: one file at a time.
    fileParallelism: false,
  },
});
