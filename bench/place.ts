// bench/place.ts — the place's tick cost (B1) and patch bytes (B2) (docs/performance.md, "The benchmarks"), through a
// real place with 10 agents on real WebSockets: worlds of 100 / 1,000 / 10,000 entities, 1 % of them changing each
// tick, and a fixed 100 changes across sizes. A tick must cost what changed, not the world's size: the ratios
// 10k/100 show it. Baseline in the same run: JSON.stringify of the same changed entities (the encoding floor).
// `npx tsx bench/place.ts [--full]`, or run(profile) from bench/run.ts.
import { fileURLToPath } from "node:url";
import { WebSocket } from "ws";
import { serveParent, startChild, type ChildHandle } from "./lib/child.ts";
import { startPlace, type Place } from "@allo/place";
import { SetFrames } from "../packages/place/src/set-frame.ts";
import type { Entity } from "@allo/protocol";
import {
  figure,
  gc,
  printReport,
  summarize,
  table,
  fmt,
  type BenchReport,
  type Figure,
  type Profile,
} from "./lib/report.ts";
import { makeWorld, rng, yRotation } from "./lib/world.ts";

const AGENTS = 10;
const SIZES = [100, 1000, 10_000];
const FIXED_CHANGES = 100;

/** A thin agent: parses every state frame (real client work) and acknowledges it at once. */
class BenchAgent {
  revision = 0;
  frames = 0;
  private waiters: (() => void)[] = [];
  private constructor(readonly socket: WebSocket) {}

  static async connect(url: string, name: string): Promise<BenchAgent> {
    const socket = new WebSocket(url, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    const agent = new BenchAgent(socket);
    const announced = new Promise<void>((resolve, reject) => {
      socket.on("message", (data: Buffer) => {
        const message = JSON.parse(data.toString());
        if (Array.isArray(message)) {
          if (message[4] === "ann") {
            if (message[5][1] === "error") reject(new Error(JSON.stringify(message)));
            else resolve();
          }
          return;
        }
        if (message.patch_style) agent.onState(message.revision);
      });
    });
    socket.send(
      JSON.stringify([
        "interaction",
        "request",
        "",
        "place",
        "ann",
        ["announce", "version", 3, "identity", { display_name: name }, "spawn_avatar", {}],
      ]),
    );
    await announced;
    return agent;
  }

  private onState(revision: number): void {
    this.revision = revision;
    this.frames++;
    this.socket.send(`{"cmd":"intent","intent":{"ack_state_rev":${revision}}}`);
    for (const w of this.waiters.splice(0)) w();
  }

  async reach(revision: number): Promise<void> {
    while (this.revision !== revision) await new Promise<void>((r) => this.waiters.push(r));
  }

  close(): void {
    this.socket.terminate();
  }
}

interface Run {
  entities: number;
  changes: number;
  tick: number[];
  /** The tick minus its socket sends: the place's own work (commit → history → patch → encode, plus the simulation). */
  own: number[];
  /** JSON.stringify of the changed entities. */
  baseline: number[];
  /** The raw floor: that stringify, one Buffer, and a ws.send of it to every agent. */
  floor: number[];
  /** The simulation step inside each tick. */
  simulation: number[];
  bytesPerAgent: number;
  bytesPerChange: number;
  framesEncodedPerTick: number;
}

/** The agents live in a child process (bench/lib/child.ts): their parsing and GC stay out of the place's tick. */
interface Agents {
  reach(revision: number): Promise<void>;
  close(): Promise<void>;
}

async function startAgents(url: string): Promise<Agents> {
  const child: ChildHandle = startChild(new URL(import.meta.url), ["--agents"]);
  await child.ready;
  await child.call("connect", { url, count: AGENTS });
  return {
    reach: (revision) => child.call("reach", { revision }),
    close: async () => {
      await child.kill();
    },
  };
}

function serveAgents(): void {
  const agents: BenchAgent[] = [];
  serveParent({
    async connect(args) {
      for (let i = 0; i < (args.count as number); i++)
        agents.push(await BenchAgent.connect(args.url as string, `agent ${i}`));
      return agents.length;
    },
    async reach(args) {
      await Promise.all(agents.map((a) => a.reach(args.revision as number)));
      return true;
    },
  });
  process.on("exit", () => agents.forEach((a) => a.close()));
}

async function measure(
  place: Place,
  agents: Agents,
  ids: string[],
  changes: number,
  ticks: number,
  seed: number,
): Promise<Run> {
  const random = rng(seed);
  const world = place.ctx.world;
  const tick: number[] = [];
  const baseline: number[] = [];
  const floor: number[] = [];
  const sockets = [...place.agents.values()].map((a) => a.socket);
  const sent = () => [...place.agents.values()].reduce((s, a) => s + a.stats.bytesSent, 0);
  // Time the place's sends inside a tick (not the floor's, which use the same sockets).
  let inTick = false;
  let sendMs = 0;
  for (const socket of sockets) {
    const send = socket.send.bind(socket) as (...args: unknown[]) => void;
    socket.send = ((...args: unknown[]) => {
      if (!inTick) return send(...args);
      const s0 = performance.now();
      send(...args);
      sendMs += performance.now() - s0;
    }) as typeof socket.send;
  }
  // State frames framed once go to each agent's TCP socket as they are (agent.ts sendFrame), not through socket.send.
  for (const agent of place.agents.values()) {
    const sendFrame = agent.sendFrame.bind(agent);
    agent.sendFrame = (frame: Buffer) => {
      if (!inTick) return sendFrame(frame);
      const s0 = performance.now();
      inTick = false; // its fallback is socket.send: count it once
      const ok = sendFrame(frame);
      inTick = true;
      sendMs += performance.now() - s0;
      return ok;
    };
  }
  const own: number[] = [];
  // The simulation's share of the tick, timed apart (it runs inside place.tick()).
  const simulation: number[] = [];
  const sim = place.ctx.simulation;
  let simMs = 0;
  if (sim) {
    place.ctx.simulation = {
      step(ctx, now) {
        const s0 = performance.now();
        sim.step(ctx, now);
        simMs = performance.now() - s0;
      },
    };
  }
  const warmup = Math.max(20, ticks >> 2);
  let bytes = 0;
  let encoded = 0;
  for (let t = 0; t < warmup + ticks; t++) {
    const changed: Record<string, Entity> = {};
    const start = Math.floor(random() * ids.length);
    for (let k = 0; k < changes; k++) {
      const id = ids[(start + k * Math.max(1, Math.floor(ids.length / changes))) % ids.length];
      const transform = { matrix: yRotation(random() * 6.283, random() * 20 - 10, random() * 3, random() * 20 - 10) };
      world.setComponent(id, "transform", transform);
      changed[id] = { id, components: { transform } } as Entity;
    }
    // The floor: the same bytes to every agent as a frame they ignore (no patch_style). Measured before the tick
    // on odd ticks and after it on even ones, so neither always meets cold caches.
    const floorRun = () => {
      const f0 = performance.now();
      const frame = Buffer.from(JSON.stringify(changed));
      for (const socket of sockets) socket.send(frame, { binary: false });
      return performance.now() - f0;
    };
    const floorFirst = t % 2 === 1 ? floorRun() : undefined;
    const bytesBefore = sent();
    const encodedBefore = place.stats().framesEncoded;
    sendMs = 0;
    inTick = true;
    const t0 = performance.now();
    place.tick();
    const t1 = performance.now();
    inTick = false;
    JSON.stringify(changed);
    const t2 = performance.now();
    const t3 = t2 + (floorFirst ?? floorRun());
    if (t >= warmup) {
      tick.push(t1 - t0);
      own.push(t1 - t0 - sendMs);
      baseline.push(t2 - t1);
      floor.push(t3 - t2);
      simulation.push(simMs);
      bytes += sent() - bytesBefore;
      encoded += place.stats().framesEncoded - encodedBefore;
    }
    // Agents keep up: every one has the revision (and acked it) before the next tick.
    await agents.reach(world.revision);
  }
  const bytesPerAgent = bytes / ticks / AGENTS;
  place.ctx.simulation = sim;
  return {
    entities: world.size,
    changes,
    tick,
    own,
    baseline,
    floor,
    simulation,
    bytesPerAgent,
    bytesPerChange: bytesPerAgent / changes,
    framesEncodedPerTick: encoded / ticks,
  };
}

async function worldOf(size: number): Promise<{ place: Place; agents: Agents; ids: string[] }> {
  // tickRate 0: the bench drives ticks itself; the clock would add a change a second, so it is pushed far out.
  const place = await startPlace({
    port: 0,
    tickRate: 0,
    logLevel: "warn",
    name: `bench ${size}`,
    limits: { clockIntervalMs: 3_600_000, ackTimeoutMs: 600_000 },
  });
  const agents = await startAgents(place.url);
  const ids: string[] = [];
  for (const [id, entity] of makeWorld(size, size)) {
    place.ctx.world.add(id, "place", entity.components);
    ids.push(id);
  }
  place.tick();
  await agents.reach(place.world.revision);
  return { place, agents, ids };
}

export async function run(profile: Profile = "quick"): Promise<BenchReport> {
  const ticks = profile === "full" ? 200 : 40;
  const runs: { label: string; run: Run }[] = [];
  {
    // JIT warm-up on a small world, thrown away, so the first measured size is not penalised.
    const { place, agents, ids } = await worldOf(100);
    await measure(place, agents, ids, 10, 40, 3);
    await agents.close();
    await place.close();
  }
  for (const size of SIZES) {
    const { place, agents, ids } = await worldOf(size);
    gc();
    runs.push({ label: `1% of ${size}`, run: await measure(place, agents, ids, Math.max(1, size / 100), ticks, 1) });
    gc();
    runs.push({
      label: `${FIXED_CHANGES} changes in ${size}`,
      run: await measure(place, agents, ids, FIXED_CHANGES, ticks, 2),
    });
    // Join (B3): the place's set encoder on the whole world (nothing kept, into a reused block) vs JSON.stringify
    // of a plain copy of the same document, alternating.
    const joinSamples: number[] = [];
    const plainSamples: number[] = [];
    const plain = JSON.parse(JSON.stringify(place.world.toDocument()));
    const frames = new SetFrames(place.ctx.world);
    frames.encode();
    for (let i = 0; i < (profile === "full" ? 10 : 3); i++) {
      frames.forget();
      const t0 = performance.now();
      frames.encode();
      const t1 = performance.now();
      JSON.stringify(plain);
      joinSamples.push(t1 - t0);
      plainSamples.push(performance.now() - t1);
    }
    runs.push({
      label: `set frame of ${size}`,
      run: {
        entities: size,
        changes: 0,
        tick: joinSamples,
        own: [],
        baseline: plainSamples,
        floor: [],
        simulation: [],
        bytesPerAgent: 0,
        bytesPerChange: 0,
        framesEncodedPerTick: 1,
      },
    });
    await agents.close();
    await place.close();
  }

  const figures: Figure[] = [];
  const byLabel = new Map(runs.map((r) => [r.label, r.run]));
  for (const { label, run: r } of runs) {
    if (label.startsWith("set frame")) {
      figures.push(
        figure(`join: encode the whole world (${r.entities} entities)`, "ms", r.tick, {
          baseline: { name: "JSON.stringify of a plain copy", median: summarize(r.baseline).median },
        }),
      );
      continue;
    }
    const floorMedian = summarize(r.floor).median;
    const goal =
      label === "1% of 1000"
        ? { op: "<=" as const, value: 0.5, on: "p99" as const }
        : label === "1% of 10000"
          ? { op: "<=" as const, value: 2.5, on: "p99" as const }
          : undefined;
    figures.push(
      figure(`tick, ${label} (${AGENTS} agents)`, "ms", r.tick, {
        baseline: { name: "raw floor (stringify + ws.send ×10)", median: floorMedian },
        goal,
        note: `JSON.stringify alone: ${fmt(summarize(r.baseline).median)} ms; simulation step: ${fmt(summarize(r.simulation).median)} ms`,
      }),
    );
    figures.push(
      figure(`tick without its sends, ${label}`, "ms", r.own, {
        baseline: { name: "JSON.stringify of the changed entities", median: summarize(r.baseline).median },
        goal: label === "1% of 10000" ? { op: "<=", value: 0.4 } : undefined,
        note: "commit → history → merge patch → encode, the simulation step and the per-agent checks (B1's tick cost)",
      }),
    );
    figures.push(
      figure(`bytes per agent per tick, ${label}`, "B", r.bytesPerAgent, {
        note: `${fmt(r.bytesPerChange)} B per changed entity; ${fmt(r.framesEncodedPerTick)} frame(s) encoded per tick for ${AGENTS} agents`,
      }),
    );
  }
  const median = (label: string) => summarize(byLabel.get(label)!.tick).median;
  const scaling1 = median("1% of 10000") / median("1% of 100");
  const scalingFixed = median(`${FIXED_CHANGES} changes in 10000`) / median(`${FIXED_CHANGES} changes in 100`);
  figures.push(
    figure("scaling: tick 10k / 100 entities at 1 % (100× the changes)", "×", scaling1, {
      note: "grows with the changes",
    }),
  );
  figures.push(
    figure(`scaling: tick 10k / 100 entities at ${FIXED_CHANGES} changes`, "×", scalingFixed, {
      goal: { op: "<=", value: 2 },
      note: "flat: cost follows changes, not world size",
    }),
  );

  const report: BenchReport = {
    bench: "place",
    profile,
    figures,
    details: {
      agents: AGENTS,
      ticks,
      runs: runs.map(({ label, run: r }) => ({
        label,
        entities: r.entities,
        changes: r.changes,
        tick: summarize(r.tick),
        baseline: summarize(r.baseline),
        floor: summarize(r.floor),
        simulation: summarize(r.simulation),
        bytesPerAgent: r.bytesPerAgent,
        bytesPerChange: r.bytesPerChange,
        framesEncodedPerTick: r.framesEncodedPerTick,
      })),
    },
  };
  return report;
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes("--agents")) {
  serveAgents();
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const report = await run(process.argv.includes("--full") ? "full" : "quick");
  printReport(report);
  type Row = {
    label: string;
    tick: { median: number; p99: number };
    baseline: { median: number };
    floor: { median: number };
    simulation: { median: number };
    bytesPerAgent: number;
  };
  const rows = (report.details!.runs as Row[])
    .filter((r) => !r.label.startsWith("set"))
    .map((r) => [
      r.label,
      fmt(r.tick.median),
      fmt(r.tick.p99),
      fmt(r.baseline.median),
      fmt(r.floor.median),
      fmt(r.tick.median / r.floor.median),
      fmt(r.simulation.median),
      fmt(r.bytesPerAgent),
    ]);
  console.log(
    "\n" +
      table(
        ["workload", "tick ms", "p99", "stringify ms", "floor ms", "tick/floor", "of it simulation ms", "B/agent/tick"],
        rows,
      ),
  );
  process.exit(0);
}
