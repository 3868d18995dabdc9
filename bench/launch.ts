// launch_app end to end (PROTOCOL.md §8): the time from sending launch_app to receiving ["launch_app","ok",id], through
// a real place, @allo/gateway and a fresh app process (node + tsx + the Solid hook + @allo/ui) each time. Baseline in
// the same run: the same app started by hand, from spawn to its avatar in the place — the ratio is what the launch
// path (POST, gateway, token) adds. `npx tsx bench/launch.ts [--full]`, or through bench/run.ts.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createLogger } from "@allo/protocol";
import { loadAppFolder, startGateway } from "@allo/gateway";
import { connectRawAgent, startTestPlace } from "@allo/place/testing";
import { configureLaunchApp } from "../packages/place/src/interactions/launch-app.ts";
import { figure, printReport, summarize, type BenchReport, type Profile } from "./lib/report.ts";

const APP_DIR = join(import.meta.dirname, "..", "test", "hosting", "fixtures", "greeter");

export async function run(profile: Profile): Promise<BenchReport> {
  const launches = Number(process.env.LAUNCHES) || (profile === "full" ? 40 : 20);
  const byHand = Number(process.env.BY_HAND) || (profile === "full" ? 20 : 8);
  const place = await startTestPlace({ setup: (ctx) => configureLaunchApp(ctx, { connectTimeoutMs: 60_000 }) });
  const app = loadAppFolder(APP_DIR, "/greeter");
  const gateway = await startGateway({ apps: [app], port: 0, host: "127.0.0.1", logger: createLogger("gateway", "warn") });
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
  try {
    const launchMs: number[] = [];
    for (let i = 0; i < launches; i++) {
      const t0 = performance.now();
      const response = await agent.request(["launch_app", `alloapp:${gateway.url}/greeter`, { color: "bench" }], { timeoutMs: 60_000 });
      launchMs.push(performance.now() - t0);
      process.stderr.write(`launch ${i + 1}/${launches}: ${launchMs[i].toFixed(0)} ms\n`);
      if (response[1] !== "ok") throw new Error(`launch ${i} failed: ${JSON.stringify(response)}`);
      // Stop it (as `allo serve` would on shutdown), so the next launch starts from an idle gateway.
      for (const instance of gateway.instances()) process.kill(instance.pid, "SIGTERM");
      await waitUntil(() => gateway.instances().length === 0 && avatars().length === 0, "the app to stop");
    }

    const handMs: number[] = [];
    const [file, ...args] = app.command;
    for (let i = 0; i < byHand; i++) {
      const t0 = performance.now();
      const child = spawn(file, [...args, place.url], { cwd: app.dir, stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, ALLO_APP_BOOT_ARGS: "{}" } });
      await waitUntil(() => avatars().length === 1 || child.exitCode !== null, "the app to join");
      if (child.exitCode !== null) throw new Error(`the app exited with ${child.exitCode} before joining`);
      handMs.push(performance.now() - t0);
      process.stderr.write(`by hand ${i + 1}/${byHand}: ${handMs[i].toFixed(0)} ms\n`);
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
      await waitUntil(() => avatars().length === 0, "the app to leave");
    }

    const launch = summarize(launchMs);
    const p95 = percentile(launchMs, 0.95);
    const hand = summarize(handMs);
    const report: BenchReport = {
      bench: "launch",
      profile,
      figures: [
        figure("app started by hand, spawn → avatar in place", "ms", handMs),
        figure("launch_app sent → ok received (gateway + fresh app process)", "ms", launchMs, {
          baseline: { name: "by hand", median: hand.median },
          note: `p95 ${p95.toFixed(0)} ms over ${launchMs.length} launches`,
        }),
      ],
      details: { launches: launchMs.length, median_ms: launch.median, p95_ms: p95, min_ms: launch.min, max_ms: launch.max, by_hand_median_ms: hand.median, samples_ms: launchMs.map((x) => Math.round(x)) },
    };
    printReport(report);
    return report;
  } finally {
    await agent.close();
    await gateway.close();
    await place.close();
  }
}

function percentile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
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
