// A place restart under a running app: the time from the place being back (listening again on its port, after a
// close with 1012) to the app's entities all being back in it, over 10 restarts, for a 10-entity and a 1,000-entity
// app run with `allo run` (test/restart/fixtures/counter: a button and COUNTER_ITEMS labels). It includes the
// reconnect backoff's first delay (125–250 ms with the defaults). Baseline in the same run: a bare @allo/client
// connecting and spawning the same number of entities in one spawn_entity (what a new app can do at best).
// `npx tsx bench/restart.ts [--full]`, or through bench/run.ts.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { connect } from "@allo/client";
import type { Place } from "@allo/place";
import { startTestPlace } from "@allo/place/testing";
import { createLogger, type EntitySpec } from "@allo/protocol";
import {
  figure,
  latencyStats,
  percentile,
  printReport,
  summarize,
  type BenchReport,
  type Figure,
  type Profile,
} from "./lib/report.ts";

const ALLO = join(import.meta.dirname, "..", "packages", "cli", "bin", "allo.mjs");
const APP = join(import.meta.dirname, "..", "test", "restart", "fixtures", "counter", "src", "app.tsx");
const IDENTITY = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];

export async function run(profile: Profile): Promise<BenchReport> {
  const restarts = Number(process.env.RESTARTS) || (profile === "full" ? 20 : 10);
  const figures: Figure[] = [];
  const details: Record<string, unknown> = {};
  for (const items of [6, 996]) {
    // plus the avatar and the button's 3 entities: 10 and 1,000
    const { restartMs, baselineMs, entities } = await measure(items, restarts);
    const baseline = { name: `connect + one spawn of ${entities}`, median: summarize(baselineMs).median };
    figures.push(figure(`${entities} entities: connect + spawn_entity, bare client (baseline)`, "ms", baselineMs));
    figures.push(
      figure(`${entities} entities: place back → app's entities back`, "ms", restartMs, {
        baseline,
        goal: { op: "<=", value: 5000, on: "p99" },
        note: `p50 ${percentile(restartMs, 0.5).toFixed(0)} ms, p95 ${percentile(restartMs, 0.95).toFixed(0)} ms over ${restartMs.length} restarts`,
      }),
    );
    details[`entities_${entities}`] = { restart: latencyStats(restartMs), baseline: latencyStats(baselineMs) };
  }
  const report: BenchReport = { bench: "restart", profile, figures, details };
  printReport(report);
  return report;
}

async function measure(
  items: number,
  restarts: number,
): Promise<{ restartMs: number[]; baselineMs: number[]; entities: number }> {
  let place: Place = await startTestPlace({ name: "restart bench" });
  const port = place.port;
  const app: ChildProcess = spawn(process.execPath, [ALLO, "run", APP, place.url], {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, COUNTER_ITEMS: String(items), ALLO_LOG_LEVEL: "warn" },
  });
  const appAgent = () => [...place.agents.values()].find((a) => a.identity?.display_name === "Counter");
  const owned = () => appAgent()?.owned.size ?? 0;
  try {
    await waitUntil(() => owned() > items, "the app to spawn its entities", app);
    await waitUntil(stable(owned), "the app's entity count to settle", app);
    const entities = owned();
    const restartMs: number[] = [];
    const baselineMs: number[] = [];
    for (let i = 0; i < restarts; i++) {
      await place.close({ code: 1012, reason: "bench restart" });
      place = await startTestPlace({ name: "restart bench", port });
      const t0 = performance.now();
      await waitUntil(() => owned() >= entities, "the app's entities back", app);
      restartMs.push(performance.now() - t0);
      baselineMs.push(await bareConnectAndSpawn(place, entities));
      process.stderr.write(
        `${entities} entities, restart ${i + 1}: back in ${restartMs.at(-1)!.toFixed(0)} ms (baseline ${baselineMs.at(-1)!.toFixed(0)} ms)\n`,
      );
    }
    return { restartMs, baselineMs, entities };
  } finally {
    app.kill("SIGKILL");
    await place.close();
  }
}

/** A bare client: connect, then spawn `count - 1` children under one root in one spawn_entity, until all exist. */
async function bareConnectAndSpawn(place: Place, count: number): Promise<number> {
  const t0 = performance.now();
  const client = await connect(place.url, {
    identity: { display_name: "baseline" },
    logger: createLogger("baseline", "warn"),
  });
  const spec: EntitySpec = {
    transform: { matrix: IDENTITY },
    children: Array.from({ length: count - 2 }, (_, i) => ({ text: { string: `item ${i}` } })),
  };
  await client.spawnEntity(spec);
  const ms = performance.now() - t0;
  await client.close();
  return ms;
}

/** True once `value()` has not changed for 300 ms. */
function stable(value: () => number): () => boolean {
  let last = -1;
  let since = performance.now();
  return () => {
    const now = value();
    if (now !== last) [last, since] = [now, performance.now()];
    return performance.now() - since > 300;
  };
}

async function waitUntil(check: () => boolean, what: string, app: ChildProcess): Promise<void> {
  const deadline = performance.now() + 60_000;
  while (!check()) {
    if (app.exitCode !== null) throw new Error(`the app exited (${app.exitCode}) while waiting for ${what}`);
    if (performance.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
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
