// @allo/visor, Node side: serve the built web visor from a place, and build it when needed.
// (The browser app itself starts at src/main.ts, bundled by vite into dist/.)
export { VISOR_DIST_DIR, isVisorBuilt, visorHttpHandler, type VisorHandlerOptions } from "./serve.ts";
export { ensureVisorBuilt, visorBuildReason, type BuildOutcome } from "./build.ts";
