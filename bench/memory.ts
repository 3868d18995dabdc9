// B8 memory (docs/performance.md, "The benchmarks"), measured inside a real place in its own process after forced GC:
// (a) heap per entity at 1k/10k(/50k), and what a joiner's `set` frame adds while it is kept; (b) the revision
// history after 64+ revisions at 1 % changing per tick, as a share of the world's heap; (c) heap and RSS per idle
// announced agent, next to a bare ws connection: over the first N agents, and for the next N (the marginal cost,
// without V8's young generation growing to its 32 MB once, which the first agents pay for all).
import WebSocket from "ws";
import { startChild, type ChildHandle } from "./lib/child.ts";
import { figure, gc, printReport, sleep, type BenchReport, type Figure, type Profile } from "./lib/report.ts";
import { makeWorld } from "./lib/world.ts";
import { WireAgent } from "../test/load/lib/wire-agent.ts";

type Memory = { heapUsed: number; rss: number; external: number; arrayBuffers: number };
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
    const out = [
      figure(`heap per entity, ${n / 1000}k world`, "KB", kb(worldHeap / n), {
        baseline: { name: "same objects in a plain Map", median: kb(plainHeapPerEntity(n)) },
        goal: { op: "<=", value: 1.5 },
        note: `its JSON is ${(JSON.stringify([...makeWorld(1000).values()]).length / 1000).toFixed(0)} B an entity`,
      }),
    ];
    // A joiner: the place encodes a set and keeps it (and then a spare block) while joins are recent.
    const url = (await host.ready).url as string;
    const joiner = await WireAgent.connect(url, { name: "joiner", mirror: false });
    await sleep(300);
    const joined = await host.call<Memory>("memory", { collect: true });
    joiner.terminate();
    const held = joined.heapUsed + joined.arrayBuffers - (full.heapUsed + full.arrayBuffers);
    out.push(
      figure(
        `heap + buffers per entity after a join, ${n / 1000}k world`,
        "KB",
        kb((joined.heapUsed + joined.arrayBuffers - empty.heapUsed - empty.arrayBuffers) / n),
        {
          note: `the kept set frame (+${kb(held / n).toFixed(2)} KB an entity) is rebuilt for the next joiner from what changed; dropped ~3 s after the last join at 20 Hz (64 revisions), its block 30 s after`,
        },
      ),
    );
    if (history) {
      // 1 % of the world moves every tick; after 80 ticks the 64-revision history is full.
      await host.call("animate", { perTick: n / 100 });
      await sleep(80 * 50 + 500);
      await host.call("animate", { perTick: 0 });
      await sleep(200);
      const after = await host.call<Memory>("memory", { collect: true });
      const historyHeap = after.heapUsed - full.heapUsed;
      out.push(
        figure(`revision history (64 × 1 %), ${n / 1000}k world`, "KB", kb(historyHeap), {
          note: `${((historyHeap / worldHeap) * 100).toFixed(1)} % of the world's heap (goal ≤ 20 %; a 64-snapshot history would be 6,400 %)`,
        }),
      );
      out.push(
        figure(`revision history share of world heap, ${n / 1000}k`, "%", (historyHeap / worldHeap) * 100, {
          goal: { op: "<=", value: 20 },
        }),
      );
    }
    return out;
  } finally {
    await host.kill();
  }
}

/** Connects `count` agents in batches of 100, as agents arrive in a real place (one by one, each would patch all). */
async function connectAll<T>(count: number, connect: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < count; i += 100)
    out.push(...(await Promise.all(Array.from({ length: Math.min(100, count - i) }, (_, j) => connect(i + j)))));
  return out;
}

async function perAgent(count: number): Promise<Figure[]> {
  // Baseline: bare ws connections to a bare ws server, same counts.
  const raw = startChild(new URL("./lib/raw-server.ts", import.meta.url));
  const { port } = (await raw.ready) as { port: number };
  const openRaw = () =>
    new Promise<WebSocket>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${port}/`);
      ws.once("open", () => resolve(ws));
    });
  const raw0 = await raw.call<Memory>("memory");
  const sockets = await connectAll(count, openRaw);
  await sleep(300);
  const raw1 = await raw.call<Memory>("memory");
  sockets.push(...(await connectAll(count, openRaw)));
  await sleep(300);
  const raw2 = await raw.call<Memory>("memory");
  for (const s of sockets) s.terminate();
  await raw.kill();

  const { host, url } = startHost();
  const agents: WireAgent[] = [];
  try {
    const u = await url;
    await sleep(200);
    const connect = (i: number) => WireAgent.connect(u, { name: `idle${i}`, mirror: false });
    const m0 = await host.call<Memory>("memory", { collect: true });
    agents.push(...(await connectAll(count, connect)));
    await sleep(1000);
    const m1 = await host.call<Memory>("memory", { collect: true });
    agents.push(...(await connectAll(count, (i) => connect(count + i))));
    await sleep(1000);
    const m2 = await host.call<Memory>("memory", { collect: true });
    const per = (a: Memory, b: Memory, k: keyof Memory) => kb((b[k] - a[k]) / count);
    return [
      figure(`place RSS per idle agent (first ${count})`, "KB", per(m0, m1, "rss"), {
        baseline: { name: "bare ws connection RSS", median: per(raw0, raw1, "rss") },
        note: "an announced agent with its avatar entity, acking every state; includes V8's young generation growing to 32 MB once",
      }),
      figure(`place RSS per idle agent (next ${count})`, "KB", per(m1, m2, "rss"), {
        baseline: { name: "bare ws connection RSS", median: per(raw1, raw2, "rss") },
        goal: { op: "<=", value: 12 },
        note: `what one more agent costs, with ${count} already there`,
      }),
      figure(`place heap per idle agent (first ${count})`, "KB", per(m0, m1, "heapUsed"), {
        baseline: { name: "bare ws connection heap", median: per(raw0, raw1, "heapUsed") },
      }),
      figure(`place heap per idle agent (next ${count})`, "KB", per(m1, m2, "heapUsed"), {
        baseline: { name: "bare ws connection heap", median: per(raw1, raw2, "heapUsed") },
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
  figures.push(...(await perAgent(full ? 2500 : 1000)));
  const report: BenchReport = { bench: "memory", profile, figures };
  printReport(report);
  return report;
}
