// A real place in its own process, for load tests and benchmarks (server and load generator on different cores,
// so the generator's parsing and GC stay out of the place's timings). It times every state flush (tick or flush-on-change), records the
// event-loop delay, and answers the parent's questions over IPC: stats, the world document, invariants, memory.
// Usage: startChild(place-host.ts, [JSON PlaceOptions]).
import { monitorEventLoopDelay } from "node:perf_hooks";
import { startPlace, type PlaceOptions } from "@allo/place";
import { Sync } from "../../../packages/place/src/sync.ts";
import { serveParent } from "../../../bench/lib/child.ts";
import { summarize } from "../../../bench/lib/report.ts";
import { benchComponents, rng } from "../../../bench/lib/world.ts";
import { checkWorldInvariants } from "./invariants.ts";

// Time every flush: the place's per-revision work (commit → patches → sends), whether from a tick or an interaction.
let flushMs: number[] = [];
const originalFlush = Sync.prototype.flush;
Sync.prototype.flush = function timedFlush(this: Sync) {
  const t0 = performance.now();
  originalFlush.call(this);
  flushMs.push(performance.now() - t0);
};

const options = JSON.parse(process.argv[2] ?? "{}") as PlaceOptions;
const place = await startPlace({ port: 0, host: "127.0.0.1", logLevel: "warn", ...options });
const eld = monitorEventLoopDelay({ resolution: 5 });
eld.enable();
let cpuAt = process.cpuUsage();

const gc = () => {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) for (let i = 0; i < 3; i++) g();
};

serveParent(
  {
    /** Adds n place-owned scenery entities straight into the world (a big world without n spawn requests). */
    scenery: ({ n, seed }) => {
      const random = rng(Number(seed ?? 7));
      const world = place.ctx.world;
      for (let i = 0; i < Number(n); i++) world.add(`scenery${i}`, "place", benchComponents(random) as never);
      place.ctx.requestFlush();
      return world.size;
    },
    /** Moves `perTick` scenery entities every tick from the place's simulation hook (a busy world, no network load). */
    animate: ({ perTick }) => {
      const n = Number(perTick);
      let next = 0;
      let t = 0;
      const scenery = [...place.ctx.world.ids()].filter((id) => id.startsWith("scenery"));
      place.ctx.simulation =
        n > 0 && scenery.length
          ? {
              step(ctx) {
                t++;
                for (let i = 0; i < n; i++) {
                  const id = scenery[next++ % scenery.length];
                  const a = t * 0.05 + i;
                  ctx.world.setComponent(id, "transform", {
                    matrix: [
                      Math.cos(a),
                      0,
                      -Math.sin(a),
                      0,
                      0,
                      1,
                      0,
                      0,
                      Math.sin(a),
                      0,
                      Math.cos(a),
                      0,
                      i % 10,
                      1,
                      t % 10,
                      1,
                    ],
                  });
                }
                // When the tick's revision was made (monotonic ns, shared by every process): one-way latency for viewers.
                ctx.world.setComponent(scenery[0], "stamp", { ns: String(process.hrtime.bigint()), tick: t });
              },
            }
          : undefined;
      return scenery.length;
    },
    stats: ({ reset }) => {
      const cpu = process.cpuUsage(cpuAt);
      const out = {
        place: place.stats(),
        flush: summarize(flushMs),
        flushes: flushMs.length,
        eventLoopDelayP99Ms: eld.percentile(99) / 1e6,
        eventLoopDelayMaxMs: eld.max / 1e6,
        cpuMs: (cpu.user + cpu.system) / 1000,
        memory: process.memoryUsage(),
      };
      if (reset) {
        flushMs = [];
        eld.reset();
        cpuAt = process.cpuUsage();
      }
      return out;
    },
    document: () => place.world.toDocument(),
    invariants: () => checkWorldInvariants(place.world.toDocument()),
    memory: ({ collect }) => {
      if (collect) gc();
      return process.memoryUsage();
    },
    agents: () =>
      [...place.agents.values()].map((a) => ({
        id: a.id,
        avatarId: a.avatarId,
        owned: a.owned.size,
        lagging: a.lagging,
        unacked: a.unacked.length,
        buffered: a.socket.bufferedAmount,
        stats: a.stats,
      })),
    close: async () => {
      await place.close();
      setImmediate(() => process.exit(0));
      return true;
    },
  },
  { url: place.url, port: place.port },
);
