// The raw floors every Allo figure is divided by, measured in the same run (docs/performance.md, "The benchmarks"):
// JSON.stringify / JSON.parse of the world, the dirty-tracked patch floor (a merge patch of only the changed
// entities), raw `ws` fan-out and
// a raw two-hop relay round trip. Other benches import these functions; run() prints the floors themselves.
import WebSocket from "ws";
import type { Entity } from "@allo/protocol";
import { figure, printReport, sampleSync, sleep, summarize, type BenchReport, type Profile } from "./lib/report.ts";
import { makeWorld, movedMatrix, pickIds, worldDocument } from "./lib/world.ts";
import { startChild } from "./lib/child.ts";

/** ms per JSON.stringify of the whole world document. */
export function stringifyWorld(world: Map<string, Entity>, samples = 7): number[] {
  const doc = worldDocument(world);
  return sampleSync(() => JSON.stringify(doc), samples, 2);
}

/** ms per JSON.parse of the whole world document. */
export function parseWorld(world: Map<string, Entity>, samples = 7): number[] {
  const text = JSON.stringify(worldDocument(world));
  return sampleSync(() => JSON.parse(text), samples, 2);
}

/**
 * The dirty-tracked patch floor: the change log knows which entity/component changed, the patch is built from the
 * live values and stringified. Nothing a real place does can be cheaper than this.
 */
export function dirtyPatch(
  world: Map<string, Entity>,
  changed: Map<string, Set<string>>,
  revision: number,
  from: number,
): string {
  const entities: Record<string, unknown> = {};
  for (const [id, names] of changed) {
    const entity = world.get(id);
    if (!entity) {
      entities[id] = null;
      continue;
    }
    const components: Record<string, unknown> = {};
    for (const name of names) components[name] = (entity.components as Record<string, unknown>)[name] ?? null;
    entities[id] = { components };
  }
  return JSON.stringify({ patch_style: "merge", patch_from: from, revision, entities });
}

/** Moves `count` entities (new transform) and returns the change set, as a tick would see it. */
export function moveEntities(world: Map<string, Entity>, ids: string[], t: number): Map<string, Set<string>> {
  const changed = new Map<string, Set<string>>();
  ids.forEach((id, i) => {
    world.get(id)!.components.transform = { matrix: movedMatrix(i, t) };
    changed.set(id, new Set(["transform"]));
  });
  return changed;
}

/** ms to mark `changes` entities moved and build + stringify their patch (the floor of one tick's shared patch). */
export function dirtyFloor(world: Map<string, Entity>, changes: number, samples = 21): { ms: number[]; bytes: number } {
  const ids = pickIds(world, changes);
  let t = 0;
  let bytes = 0;
  const ms = sampleSync(() => {
    const changed = moveEntities(world, ids, ++t);
    bytes = dirtyPatch(world, changed, t + 1, t).length;
  }, samples);
  return { ms, bytes };
}

export interface RawFanoutResult {
  /** place-side CPU ms per tick (user + system) */
  cpuMsPerTick: number;
  /** synchronous send loop per tick, ms */
  sendMs: number[];
  /** one-way latency server send → client parsed, ms */
  oneWay: number[];
  delivered: number;
  expected: number;
}

/**
 * Raw ws fan-out: a bare ws server in its own process sends one stamped Buffer of `bytes` to `clients` sockets
 * every `tickMs`, for `ticks` ticks; the clients here JSON.parse each message (as an agent applies a patch).
 */
export async function rawFanout(opts: {
  clients: number;
  bytes: number;
  ticks: number;
  tickMs?: number;
}): Promise<RawFanoutResult> {
  const server = startChild(new URL("./lib/raw-server.ts", import.meta.url));
  const { port } = (await server.ready) as { port: number };
  const oneWay: number[] = [];
  let delivered = 0;
  const sockets = await Promise.all(
    Array.from({ length: opts.clients }, () =>
      openSocket(`ws://127.0.0.1:${port}/`, (data) => {
        const msg = JSON.parse(data);
        oneWay.push(Number(process.hrtime.bigint() - BigInt(msg.t)) / 1e6);
        delivered++;
      }),
    ),
  );
  try {
    const sendMs: number[] = [];
    const cpu0 = await server.call<NodeJS.CpuUsage>("cpu");
    for (let i = 0; i < opts.ticks; i++) {
      const r = await server.call<{ sendMs: number }>("tick", { bytes: opts.bytes });
      sendMs.push(r.sendMs);
      await sleep(opts.tickMs ?? 50);
    }
    await sleep(100);
    const cpu1 = await server.call<NodeJS.CpuUsage>("cpu");
    const cpuMsPerTick = (cpu1.user - cpu0.user + cpu1.system - cpu0.system) / 1000 / opts.ticks;
    return { cpuMsPerTick, sendMs, oneWay, delivered, expected: opts.ticks * opts.clients };
  } finally {
    for (const s of sockets) s.terminate();
    await server.kill();
  }
}

/**
 * Raw two-hop round trip: client A → relay → client B → relay → A, through a bare ws server in its own process.
 * The floor of a routed request (app A → place → app B → place → app A).
 */
export async function rawRelayRoundTrip(samples: number, gapMs = 0): Promise<number[]> {
  const server = startChild(new URL("./lib/raw-server.ts", import.meta.url));
  const { port } = (await server.ready) as { port: number };
  let answer: ((text: string) => void) | undefined;
  const b = await openSocket(`ws://127.0.0.1:${port}/`, (text) => b.send(text));
  const a = await openSocket(`ws://127.0.0.1:${port}/`, (text) => answer?.(text));
  try {
    const body = JSON.stringify(["interaction", "request", "aaaaaaaaaa", "bbbbbbbbbb", "r1", ["poke", true]]);
    const rtts: number[] = [];
    for (let i = 0; i < samples + 50; i++) {
      const t0 = performance.now();
      await new Promise<string>((resolve) => {
        answer = resolve;
        a.send(body);
      });
      if (i >= 50) rtts.push(performance.now() - t0);
      if (gapMs) await sleep(gapMs);
    }
    return rtts;
  } finally {
    a.terminate();
    b.terminate();
    await server.kill();
  }
}

export function openSocket(url: string, onText: (text: string) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.on("message", (data) => onText(data.toString()));
    ws.once("open", () => resolve(ws));
    ws.once("error", reject);
  });
}

export async function run(profile: Profile): Promise<BenchReport> {
  const full = profile === "full";
  const figures = [];
  for (const n of full ? [1_000, 10_000, 50_000] : [1_000, 10_000]) {
    const world = makeWorld(n);
    figures.push(figure(`JSON.stringify world ${n / 1000}k`, "ms", stringifyWorld(world)));
    figures.push(figure(`JSON.parse world ${n / 1000}k`, "ms", parseWorld(world)));
    const floor = dirtyFloor(world, n / 100);
    figures.push(figure(`dirty patch floor ${n / 1000}k @1 %`, "ms", floor.ms, { note: `${floor.bytes} B` }));
  }
  const fan = await rawFanout({ clients: 50, bytes: 2048, ticks: full ? 200 : 60 });
  figures.push(figure("raw ws fan-out 50×2 KB, CPU/tick", "ms", fan.cpuMsPerTick));
  figures.push(
    figure("raw ws fan-out 50×2 KB, one-way", "ms", fan.oneWay, { note: `${fan.delivered}/${fan.expected} delivered` }),
  );
  const rtt = await rawRelayRoundTrip(full ? 5000 : 1000);
  figures.push(figure("raw ws relay round trip (2 hops)", "ms", rtt));
  const report: BenchReport = { bench: "baselines", profile, figures, details: { relayRtt: summarize(rtt) } };
  printReport(report);
  return report;
}
