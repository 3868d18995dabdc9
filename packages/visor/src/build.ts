// Node side: build the visor when dist/ is missing or older than its sources, so `npm start` and the browser tests
// work from a fresh clone. Builds into a fresh folder and swaps it in, so a place serving dist/ never sees it half-written.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { VISOR_DIST_DIR } from "./serve.ts";

const PACKAGE_DIR = fileURLToPath(new URL("../", import.meta.url));
/** Sources that end up in the bundle: the visor's own, and the packages it bundles. */
const SOURCE_DIRS = [
  join(PACKAGE_DIR, "src"),
  join(PACKAGE_DIR, "index.html"),
  join(PACKAGE_DIR, "vite.config.ts"),
  join(PACKAGE_DIR, "../client/src"),
  join(PACKAGE_DIR, "../protocol/src"),
];

let building: Promise<BuildOutcome> | undefined;

export interface BuildOutcome {
  built: boolean;
  /** Why it was (re)built, or why not. */
  reason: string;
  ms: number;
}

/** Whether dist/ is missing or older than a source file; returns the reason, or undefined when it is current. */
export function visorBuildReason(distDir = VISOR_DIST_DIR): string | undefined {
  const index = join(distDir, "index.html");
  if (!existsSync(index)) return "the visor has not been built";
  const builtAt = statSync(index).mtimeMs;
  for (const source of SOURCE_DIRS) {
    const newer = newestFile(source);
    if (newer && newer.mtimeMs > builtAt) return `${newer.path} changed since the last build`;
  }
  return undefined;
}

/**
 * Builds the visor if it is missing or stale. Concurrent callers share one build: in one process through a promise,
 * across processes (parallel test files) through a lock directory.
 */
export function ensureVisorBuilt(options: { force?: boolean } = {}): Promise<BuildOutcome> {
  const reason = options.force ? "forced" : visorBuildReason();
  if (!reason) return Promise.resolve({ built: false, reason: "up to date", ms: 0 });
  building ??= underLock(() => {
    const still = options.force ? "forced" : visorBuildReason(); // another process may have built it meanwhile
    return still ? buildVisor(still) : Promise.resolve({ built: false, reason: "built by another process", ms: 0 });
  }).finally(() => (building = undefined));
  return building;
}

const LOCK_DIR = join(PACKAGE_DIR, "dist.lock");
const STALE_LOCK_MS = 5 * 60_000;

async function underLock<T>(work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + STALE_LOCK_MS;
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const age = existsSync(LOCK_DIR) ? Date.now() - statSync(LOCK_DIR).mtimeMs : 0;
      if (age > STALE_LOCK_MS || Date.now() > deadline)
        rmSync(LOCK_DIR, { recursive: true, force: true }); // a builder died
      else await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}

async function buildVisor(reason: string): Promise<BuildOutcome> {
  const started = performance.now();
  const { build } = await import("vite");
  const staging = join(PACKAGE_DIR, `dist.building-${process.pid}`);
  await build({
    configFile: join(PACKAGE_DIR, "vite.config.ts"),
    logLevel: "warn",
    build: { outDir: staging, emptyOutDir: true },
  });
  const old = join(PACKAGE_DIR, `dist.old-${process.pid}`);
  if (existsSync(VISOR_DIST_DIR)) renameSync(VISOR_DIST_DIR, old);
  renameSync(staging, VISOR_DIST_DIR);
  rmSync(old, { recursive: true, force: true });
  return { built: true, reason, ms: performance.now() - started };
}

function newestFile(path: string): { path: string; mtimeMs: number } | undefined {
  if (!existsSync(path)) return undefined;
  const stat = statSync(path);
  if (!stat.isDirectory()) return { path, mtimeMs: stat.mtimeMs };
  let newest: { path: string; mtimeMs: number } | undefined;
  for (const entry of readdirSync(path)) {
    const found = newestFile(join(path, entry));
    if (found && (!newest || found.mtimeMs > newest.mtimeMs)) newest = found;
  }
  return newest;
}
