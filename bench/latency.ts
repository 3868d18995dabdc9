// B5 and B6 (docs/performance.md, "The benchmarks"), through the real @allo/client on both ends and a real place in
// its own process with 50 agents connected: an app's change → another agent's mirror (the place flushes on a place
// interaction, docs/protocol.md §5), and a routed request app A → place → app B → place → app A. Divided by a bare ws
// relay doing the same hops in the same run.
import { connect, type AlloClient } from "@allo/client";
import { identityMatrix } from "@allo/protocol";
import { filter, firstValueFrom } from "rxjs";
import { rawRelayRoundTrip } from "./baselines.ts";
import { startChild } from "./lib/child.ts";
import { WireAgent } from "../test/load/lib/wire-agent.ts";
import { figure, printReport, sleep, summarize, type BenchReport, type Figure, type Profile } from "./lib/report.ts";

/**
 * Changes go 50 a second (a fast-moving app), and the relay baseline is measured with the same gap: back to back,
 * a viewer would outrun @allo/client's ack budget (100/s) and be skipped as lagging (docs/protocol.md §5).
 */
const GAP_MS = 20;
const IDLE_AGENTS = Number(process.env.ALLO_BENCH_IDLE_AGENTS ?? 48); // + app and viewer = 50

async function changeToMirror(app: AlloClient, viewer: AlloClient, id: string, samples: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    const seen = firstValueFrom(
      viewer.entityChanged$.pipe(
        filter((c) => c.entity.id === id && (c.entity.components.stamp as { i?: number } | undefined)?.i === i),
      ),
    );
    const t0 = performance.now();
    await Promise.all([
      app.changeComponents(id, {
        stamp: { i },
        transform: { matrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, i % 7, 1, 0, 1] },
      }),
      seen.then(() => out.push(performance.now() - t0)),
    ]);
    await sleep(GAP_MS);
  }
  return out;
}

/** The same through bare wire agents (no @allo/client): separates the client's share from the place's. */
async function wireChangeToMirror(url: string, samples: number): Promise<number[]> {
  const app = await WireAgent.connect(url, { name: "wire app", mirror: false });
  let waiting: { i: number; resolve: () => void } | undefined;
  const viewer = await WireAgent.connect(url, {
    name: "wire viewer",
    mirror: false,
    onState(frame) {
      if (!waiting) return;
      const entities = (frame.entities ?? {}) as Record<string, { components?: { stamp?: { i: number } } }>;
      for (const id in entities) if (entities[id]?.components?.stamp?.i === waiting.i) return waiting.resolve();
    },
  });
  const spawned = await app.place(["spawn_entity", { transform: { matrix: identityMatrix() } }]);
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    const seen = new Promise<void>((resolve) => (waiting = { i, resolve }));
    void app.place(["change_components", spawned[1] as string, "add_or_change", { stamp: { i } }, "remove", []]);
    await seen;
    out.push(performance.now() - t0);
    await sleep(GAP_MS);
  }
  app.terminate();
  viewer.terminate();
  return out;
}

async function routedRequests(a: AlloClient, bEntity: string, samples: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now();
    await a.request(a.avatarId, bEntity, ["poke", true]);
    out.push(performance.now() - t0);
  }
  return out;
}

async function pipelined(a: AlloClient, bEntity: string, total: number, depth: number): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: depth }, async () => {
      while (next++ < total) await a.request(a.avatarId, bEntity, ["poke", true]);
    }),
  );
  return total / ((performance.now() - t0) / 1000);
}

export async function run(profile: Profile): Promise<BenchReport> {
  const full = profile === "full";
  const samples = full ? 2000 : 400;
  // The default budget (200 messages/s, docs/protocol.md §5) would drop serial requests at ~1 k/s; lifted here.
  const limits = { messagesPerSecond: 1e6, messageBurst: 1e6 };
  const host = startChild(new URL("../test/load/lib/place-host.ts", import.meta.url), [JSON.stringify({ limits })]);
  const { url } = (await host.ready) as { url: string };
  const figures: Figure[] = [];
  // The other 48 agents live in their own process, so their parsing does not queue ahead of the measured viewer.
  const others = startChild(new URL("../test/load/lib/app-swarm.ts", import.meta.url), [url]);
  try {
    await host.call("scenery", { n: 1000 });
    await others.ready;
    await others.call("connect", { count: IDLE_AGENTS, entities: 1 });
    // The place's budget is lifted, so the clients' own pacing (180/s, under the default budget) is turned off too.
    const app = await connect(url, { identity: { display_name: "bench app" }, sendBudget: false });
    const other = await connect(url, { identity: { display_name: "bench viewer" }, sendBudget: false });
    other.interactions$.subscribe((i) => {
      if (i.type === "request") i.respond([i.name, "ok"]);
    });
    const { id } = await app.spawnEntity({ transform: { matrix: identityMatrix() } });

    const relay = await rawRelayRoundTrip(samples);
    const relayMedian = summarize(relay).median;
    const relayGap = summarize(await rawRelayRoundTrip(Math.min(samples, 400), GAP_MS)).median;

    const change = await changeToMirror(app, other, id, Math.min(samples, 400));
    figures.push(
      figure("app change → other agent's mirror", "ms", change, {
        baseline: { name: "raw relay RTT, same gap", median: relayGap },
        goal: { op: "<=", value: 2 },
        note: `p99 goal ≤ 5 ms; from changeComponents() to the viewer's entityChanged$; one every 20 ms, as the baseline`,
      }),
    );
    const wire = await wireChangeToMirror(url, Math.min(samples, 400));
    figures.push(
      figure("same, bare wire agents (no @allo/client)", "ms", wire, {
        baseline: { name: "raw relay RTT, same gap", median: relayGap },
      }),
    );
    const rtt = await routedRequests(app, other.avatarId, samples);
    figures.push(
      figure("routed request round trip", "ms", rtt, {
        baseline: { name: "raw relay round trip", median: relayMedian },
        goal: { op: "<=", value: 0.3 },
      }),
    );
    figures.push(figure("raw ws relay round trip (2 hops each way)", "ms", relay));
    const rate = await pipelined(app, other.avatarId, full ? 20_000 : 5_000, 32);
    figures.push(figure("routed requests, 32 in flight", "req/s", rate, { goal: { op: ">=", value: 15_000 } }));
    app.close();
    other.close();
  } finally {
    await others.kill();
    await host.kill();
  }
  const report: BenchReport = { bench: "latency", profile, figures };
  printReport(report);
  return report;
}
