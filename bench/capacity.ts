// B11 capacity.ramp (docs/performance.md, "The benchmarks"): a place in its own process with 1k entities, 1 % moving
// every tick; viewers (parse and ack, like the raw baseline's clients) join 50 at a time. At each step: the place's
// CPU share of one core (CPU time, which other processes on a shared VM disturb least), flush p99 and states
// skipped. Viewers per core = viewers ÷ CPU share at the largest step. The step "passes" when flush p99 ≤ 25 ms
// (half the tick) and ≤ 0.1 % of states were skipped; on a loaded VM wall-clock figures fail first.
import { rawFanout } from "./baselines.ts";
import { startChild } from "./lib/child.ts";
import { figure, printReport, sleep, type BenchReport, type Figure, type Profile } from "./lib/report.ts";
import { WireAgent } from "../test/load/lib/wire-agent.ts";

type Stats = {
  place: { statesSent: number; statesSkipped: number; revisionsMade: number };
  flush: { p99: number };
  cpuMs: number;
};
interface Step {
  viewers: number;
  cpuShare: number;
  flushP99: number;
  skippedShare: number;
  ok: boolean;
}

export async function run(profile: Profile): Promise<BenchReport> {
  const full = profile === "full";
  const maxViewers = full ? 1000 : 300;
  const stepSeconds = full ? 5 : 2;
  const host = startChild(new URL("../test/load/lib/place-host.ts", import.meta.url));
  const { url } = (await host.ready) as { url: string };
  const agents: WireAgent[] = [];
  const steps: Step[] = [];
  try {
    await host.call("scenery", { n: 1000 });
    await host.call("animate", { perTick: 10 });
    while (agents.length < maxViewers) {
      const batch = await Promise.all(
        Array.from({ length: 50 }, (_, i) => WireAgent.connect(url, { name: `v${agents.length + i}`, mirror: false })),
      );
      agents.push(...batch);
      await sleep(1500); // let the joiners' full states settle
      const before = await host.call<Stats>("stats", { reset: true });
      const t0 = performance.now();
      await sleep(stepSeconds * 1000);
      const after = await host.call<Stats>("stats", { reset: true });
      const wallMs = performance.now() - t0;
      const sent = after.place.statesSent - before.place.statesSent;
      const skipped = after.place.statesSkipped - before.place.statesSkipped;
      const step: Step = {
        viewers: agents.length,
        cpuShare: after.cpuMs / wallMs,
        flushP99: after.flush.p99,
        skippedShare: skipped / Math.max(1, sent + skipped),
        ok: false,
      };
      step.ok = step.flushP99 <= 25 && step.skippedShare <= 0.001;
      steps.push(step);
      console.log(
        `${step.viewers} viewers: place CPU ${(step.cpuShare * 100).toFixed(0)} % of a core, flush p99 ${step.flushP99.toFixed(1)} ms, skipped ${(step.skippedShare * 100).toFixed(2)} % (${skipped} of ${sent + skipped})`,
      );
      if (step.cpuShare > 0.9) break;
    }
  } finally {
    for (const a of agents) a.terminate();
    await host.kill();
  }
  const good = steps.filter((s) => s.ok);
  const last = steps[steps.length - 1];
  const perCore = last.viewers / Math.max(0.01, last.cpuShare);
  // The same number of bare ws clients getting a 2 KB frame at 20 Hz: the transport's own ceiling per core.
  const raw = await rawFanout({ clients: last.viewers, bytes: 2048, ticks: stepSeconds * 20 });
  const rawPerCore = last.viewers / Math.max(0.01, raw.cpuMsPerTick / 50);
  const figures: Figure[] = [
    figure("viewers per core (1k entities, 1 %/tick, 20 Hz)", "viewers", perCore, {
      baseline: { name: "raw ws fan-out", median: rawPerCore },
      goal: { op: ">=", value: 500 },
      note: `extrapolated from ${last.viewers} viewers at ${(last.cpuShare * 100).toFixed(0)} % of a core, flush p99 ${last.flushP99.toFixed(1)} ms, ${(last.skippedShare * 100).toFixed(2)} % skipped`,
    }),
    figure(
      "largest step with flush p99 ≤ 25 ms and ≤ 0.1 % skipped",
      "viewers",
      good.length ? good[good.length - 1].viewers : 0,
    ),
  ];
  const report: BenchReport = { bench: "capacity", profile, figures, details: { steps } };
  printReport(report);
  return report;
}
