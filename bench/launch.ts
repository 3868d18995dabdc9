// launch_app end to end (docs/protocol.md §8): the time from sending launch_app to receiving ["launch_app","ok",id],
// through a real place, @allo/gateway and the greeter app (node + tsx + the Solid hook + @allo/ui).
//
// Headline: a launch into an idle gateway, served by its warm standby (a process that already loaded and compiled
// the app and waits in runApp). Baseline in the same run, interleaved launch by launch so load drifts hit both: the
// path before standbys and the compile cache (a cold process, Babel compiling everything) — `standby: 0` and
// ALLO_BABEL_CACHE=0. Also: cold processes with a warm compile cache, launches back to back (faster than the pool
// refills), and `allo run` started by hand with the compile cache cold and warm.
// `npx tsx bench/launch.ts [--full]`, or through bench/run.ts.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createLogger } from "@allo/protocol";
import { loadAppFolder, startGateway, type Gateway } from "@allo/gateway";
import { connectRawAgent, startTestPlace } from "@allo/place/testing";
import { configureLaunchApp } from "../packages/place/src/interactions/launch-app.ts";
import {
  figure,
  latencyStats,
  percentile,
  printReport,
  summarize,
  type BenchReport,
  type Profile,
} from "./lib/report.ts";

const APP_DIR = join(import.meta.dirname, "..", "test", "hosting", "fixtures", "greeter");
const ALLO = join(import.meta.dirname, "..", "packages", "cli", "bin", "allo.mjs");

export async function run(profile: Profile): Promise<BenchReport> {
  const launches = Number(process.env.LAUNCHES) || (profile === "full" ? 40 : 20);
  const baselines = Number(process.env.BY_HAND) || (profile === "full" ? 20 : 8);
  const backToBack = profile === "full" ? 20 : 10;
  const caches = mkdtempSync(join(tmpdir(), "allo-bench-launch-"));
  const warmCache = join(caches, "warm");
  const cacheBefore = process.env.ALLO_BABEL_CACHE;
  // App processes inherit the environment when they are spawned: this is the cache every process below uses,
  // except where withCache() swaps it for the duration of one launch.
  process.env.ALLO_BABEL_CACHE = warmCache;

  const place = await startTestPlace({
    setup: (ctx) =>
      configureLaunchApp(ctx, {
        connectTimeoutMs: 60_000,
        allowPrivateAddresses: ["127.0.0.1"],
        launchesPerMinute: 1e6,
      }),
  });
  const app = loadAppFolder(APP_DIR, "/greeter");
  const logger = createLogger("gateway", "warn");
  const warm = await startGateway({ apps: [app], port: 0, host: "127.0.0.1", logger, standby: 1 });
  const cold = await startGateway({ apps: [app], port: 0, host: "127.0.0.1", logger, standby: 0 });
  const agent = await connectRawAgent(place.url, { timeoutMs: 60_000 });
  await agent.announce({ display_name: "bench" }, {});
  const avatars = () => [...place.agents.values()].filter((a) => a.identity?.display_name === "Greeter");
  const waitUntil = async (check: () => boolean, what: string) => {
    const deadline = performance.now() + 60_000;
    while (!check()) {
      if (performance.now() > deadline) throw new Error(`gave up waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  // Idle: the warm gateway's standby is ready (nothing starting that would compete for the CPU), no app running.
  const idle = () =>
    waitUntil(
      () => warm.standbys().length === 1 && warm.standbys()[0].ready && avatars().length === 0,
      "an idle gateway",
    );

  async function launch(gateway: Gateway, label: string, into: number[]): Promise<void> {
    const t0 = performance.now();
    const response = await agent.request(["launch_app", `alloapp:${gateway.url}/greeter`, { color: "bench" }], {
      timeoutMs: 60_000,
    });
    const ms = performance.now() - t0;
    if (response[1] !== "ok") throw new Error(`${label} launch failed: ${JSON.stringify(response)}`);
    into.push(ms);
    process.stderr.write(`${label} ${into.length}: ${ms.toFixed(0)} ms\n`);
    // Stop it (as `allo serve` would on shutdown), so the next launch starts with no app running.
    for (const instance of gateway.instances()) process.kill(instance.pid, "SIGTERM");
    await waitUntil(() => gateway.instances().length === 0 && avatars().length === 0, "the app to stop");
  }

  async function byHand(cache: string, label: string, into: number[]): Promise<void> {
    const t0 = performance.now();
    const child = spawn(process.execPath, [ALLO, "run", app.entry, place.url], {
      cwd: app.dir,
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, ALLO_BABEL_CACHE: cache },
    });
    await waitUntil(() => avatars().length === 1 || child.exitCode !== null, "the app to join");
    if (child.exitCode !== null) throw new Error(`allo run exited with ${child.exitCode} before joining`);
    into.push(performance.now() - t0);
    process.stderr.write(`${label} ${into.length}: ${into.at(-1)!.toFixed(0)} ms\n`);
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    await waitUntil(() => avatars().length === 0, "the app to leave");
  }

  try {
    const standbyMs: number[] = [];
    const beforeMs: number[] = [];
    const coldCachedMs: number[] = [];
    for (let i = 0; i < launches; i++) {
      await idle();
      await launch(warm, "warm standby", standbyMs);
      if (i >= baselines) continue;
      await idle();
      await withCache("0", () => launch(cold, "before (cold, no compile cache)", beforeMs));
      await idle();
      await launch(cold, "cold, compile cache warm", coldCachedMs);
    }
    const backToBackMs: number[] = [];
    await idle();
    for (let i = 0; i < backToBack; i++) await launch(warm, "back to back", backToBackMs);

    const handColdMs: number[] = [];
    const handWarmMs: number[] = [];
    for (let i = 0; i < baselines; i++) {
      await idle();
      await byHand(join(caches, `cold-${i}`), "allo run, compile cache cold", handColdMs);
      await idle();
      await byHand(warmCache, "allo run, compile cache warm", handWarmMs);
    }

    const before = { name: "before", median: summarize(beforeMs).median };
    const launchNote = (samples: number[]) =>
      `p95 ${percentile(samples, 0.95).toFixed(0)} ms over ${samples.length} launches`;
    const report: BenchReport = {
      bench: "launch",
      profile,
      figures: [
        figure("launch_app → ok before: cold process, no compile cache", "ms", beforeMs, {
          note: launchNote(beforeMs),
        }),
        figure("launch_app → ok, warm standby (idle gateway)", "ms", standbyMs, {
          baseline: before,
          goal: { op: "<=", value: 250 },
          note: launchNote(standbyMs),
        }),
        figure("launch_app → ok, cold process, compile cache warm", "ms", coldCachedMs, {
          baseline: before,
          note: launchNote(coldCachedMs),
        }),
        figure("launch_app → ok, back to back (standby still starting)", "ms", backToBackMs, {
          baseline: before,
          note: launchNote(backToBackMs),
        }),
        figure("allo run, spawn → avatar, compile cache cold", "ms", handColdMs),
        figure("allo run, spawn → avatar, compile cache warm", "ms", handWarmMs, {
          baseline: { name: "cache cold", median: summarize(handColdMs).median },
        }),
      ],
      details: {
        standby: latencyStats(standbyMs),
        before: latencyStats(beforeMs),
        cold_cache_warm: latencyStats(coldCachedMs),
        back_to_back: latencyStats(backToBackMs),
        allo_run_cache_cold: latencyStats(handColdMs),
        allo_run_cache_warm: latencyStats(handWarmMs),
      },
    };
    printReport(report);
    return report;
  } finally {
    await agent.close();
    await warm.close();
    await cold.close();
    await place.close();
    if (cacheBefore === undefined) delete process.env.ALLO_BABEL_CACHE;
    else process.env.ALLO_BABEL_CACHE = cacheBefore;
    rmSync(caches, { recursive: true, force: true });
  }

  /** Runs fn with ALLO_BABEL_CACHE set to `setting` for the processes it spawns. */
  async function withCache<T>(setting: string, fn: () => Promise<T>): Promise<T> {
    process.env.ALLO_BABEL_CACHE = setting;
    try {
      return await fn();
    } finally {
      process.env.ALLO_BABEL_CACHE = warmCache;
    }
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  run(process.argv.includes("--full") ? "full" : "quick").then(
    (report) => {
      console.log(JSON.stringify(report.details));
      process.exit(0);
    },
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
