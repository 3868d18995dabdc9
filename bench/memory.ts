// B8 memory (perf-and-reliability-anchors.md §4), measured inside a real place in its own process after forced GC:
// (a) heap per entity at 1k/10k(/50k); (b) the revision history after 64+ revisions at 1 % changing per tick,
// as a share of the world's heap; (c) heap and RSS per idle announced agent, next to a bare ws connection.
import WebSocket from "ws";
import { startChild, type ChildHandle } from "./lib/child.ts";
import { figure, gc, printReport, sleep, type BenchReport, type Figure, type Profile } from "./lib/report.ts";
import { makeWorld } from "./lib/world.ts";
import { WireAgent } from "../test/load/lib/wire-agent.ts";

type Memory = { heapUsed: number; rss: number; external: number };
const kb = (bytes: number) => bytes / 1024;

function startHost(): { host: ChildHandle; url: Promise<string> } {
  const host = startChild(new URL("../test/load/lib/place-host.ts", import.meta.url));
  return { host, url: host.ready.then((r) => r.url as string) };
}

/** Heap per entity of the bench world as plain objects in a Map, in this process: what the data itself costs. */
function plainHeapPerEntity(n: number): number {
  gc();
  const before = process.memoryUsage().heapUsed;
  const world = makeWorld(n);
  gc();
  const bytes = (process.memoryUsage().heapUsed - before) / n;
  if (world.size !== n) throw new Error("world size");
  return bytes;
}

async function perEntity(n: number, history: boolean): Promise<Figure[]> {
  const { host } = startHost();
  try {
    await host.ready;
    const empty = await host.call<Memory>("memory", { collect: true });
    await host.call("scenery", { n });
    // Push the big "added" change-set out of the 64-revision history, so (a) measures the world alone.
    await host.call("animate", { perTick: 1 });
    await sleep(70 * 50 + 500);
    await host.call("animate", { perTick: 0 });
    await sleep(200);
    const full = await host.call<Memory>("memory", { collect: true });
    const worldHeap = full.heapUsed - empty.heapUsed;
    const out = [figure(`heap per entity, ${n / 1000}k world`, "KB", kb(worldHeap / n), {
      baseline: { name: "same objects in a plain Map", median: kb(plainHeapPerEntity(n)) },
      goal: { op: "<=", value: 1.5 },
      note: `its JSON is ${(JSON.stringify([...makeWorld(1000).values()]).length / 1000).toFixed(0)} B an entity`,
    })];
    if (history) {
      // 1 % of the world moves every tick; after 80 ticks the 64-revision history is full.
      await host.call("animate", { perTick: n / 100 });
      await sleep(80 * 50 + 500);
      await host.call("animate", { perTick: 0 });
      await sleep(200);
      const after = await host.call<Memory>("memory", { collect: true });
      const historyHeap = after.heapUsed - full.heapUsed;
      out.push(figure(`revision history (64 × 1 %), ${n / 1000}k world`, "KB", kb(historyHeap), {
        note: `${((historyHeap / worldHeap) * 100).toFixed(1)} % of the world's heap (goal ≤ 20 %; a 64-snapshot history would be 6,400 %)`,
      }));
      out.push(figure(`revision history share of world heap, ${n / 1000}k`, "%", (historyHeap / worldHeap) * 100, { goal: { op: "<=", value: 20 } }));
    }
    return out;
  } finally {
    await host.kill();
  }
}

async function perAgent(count: number): Promise<Figure[]> {
  // Baseline: bare ws connections to a bare ws server, same count.
  const raw = startChild(new URL("./lib/raw-server.ts", import.meta.url));
  const { port } = (await raw.ready) as { port: number };
  const rawBefore = await raw.call<Memory>("memory");
  const sockets: WebSocket[] = [];
  for (let i = 0; i < count; i += 100) {
    sockets.push(...(await Promise.all(Array.from({ length: Math.min(100, count - i) }, () => new Promise<WebSocket>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
      ws.once("open", () => resolve(ws));
    })))));
  }
  await sleep(300);
  const rawAfter = await raw.call<Memory>("memory");
  for (const s of sockets) s.terminate();
  await raw.kill();

  const { host, url } = startHost();
  const agents: WireAgent[] = [];
  try {
    const u = await url;
    await sleep(200);
    const before = await host.call<Memory>("memory", { collect: true });
    // In batches, as agents arrive in a real place; one by one, each arrival would patch every agent before it.
    for (let i = 0; i < count; i += 100) {
      agents.push(...(await Promise.all(Array.from({ length: Math.min(100, count - i) }, (_, j) => WireAgent.connect(u, { name: `idle${i + j}`, mirror: false })))));
    }
    await sleep(1000);
    const after = await host.call<Memory>("memory", { collect: true });
    const rawRss = (rawAfter.rss - rawBefore.rss) / count;
    return [
      figure(`place RSS per idle agent (${count})`, "KB", kb((after.rss - before.rss) / count), {
        baseline: { name: "bare ws connection RSS", median: kb(rawRss) },
        goal: { op: "<=", value: 12 },
        note: "an announced agent with its avatar entity, acking every state",
      }),
      figure(`place heap per idle agent (${count})`, "KB", kb((after.heapUsed - before.heapUsed) / count), {
        baseline: { name: "bare ws connection heap", median: kb((rawAfter.heapUsed - rawBefore.heapUsed) / count) },
      }),
    ];
  } finally {
    for (const a of agents) a.terminate();
    await host.kill();
  }
}

export async function run(profile: Profile): Promise<BenchReport> {
  const full = profile === "full";
  const figures: Figure[] = [];
  figures.push(...(await perEntity(1_000, false)));
  figures.push(...(await perEntity(10_000, true)));
  if (full) figures.push(...(await perEntity(50_000, true)));
  figures.push(...(await perAgent(full ? 5000 : 1000)));
  const report: BenchReport = { bench: "memory", profile, figures };
  printReport(report);
  return report;
}
