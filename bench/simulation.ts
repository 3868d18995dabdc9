// Simulation tick cost (docs/protocol.md §6): a real place ticking at 20 Hz with 1,000 running property animations
// while 50 agents send intents at 20 Hz (hand poses, half of them grabbing). The agents run in a child process (they
// would otherwise share this event loop and its GC); the simulation's step is timed inside the place; the baseline,
// measured in the same run, is the bare cost of writing the same 1,000 component values (world.setComponent with
// precomputed values, no math). A second pair shows that the step costs what is animated, not the size of the world:
// the same 1,000 animations in a world of 1,000 vs 20,000 entities. `npx tsx bench/simulation.ts [--full]`, or through
// `npm run bench simulation`.
import { fileURLToPath } from "node:url";
import { mat4, quat } from "gl-matrix";
import { startPlace, type Place } from "@allo/place";
import { startChild, serveParent } from "./lib/child.ts";
import { figure, printReport, sleep, summarize, type BenchReport, type Figure, type Profile } from "./lib/report.ts";
import { WireAgent } from "../test/load/lib/wire-agent.ts";

const ANIMATIONS = 1000;
const AGENTS = 50;
const INTENT_HZ = 20;

interface Timed {
  samples: number[];
  cpu: number[];
  restore(): void;
}

/**
 * Wraps the place's simulation step with a timer: wall time, and the process's CPU time during the step (on a loaded
 * machine the OS may preempt the place mid-step; CPU time is what the step itself costs).
 */
function timeSteps(place: Place): Timed {
  const sim = place.ctx.simulation!;
  const original = sim.step.bind(sim);
  const samples: number[] = [];
  const cpu: number[] = [];
  sim.step = (ctx, now) => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    original(ctx, now);
    samples.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  };
  return { samples, cpu, restore: () => (sim.step = original) };
}

async function spawnAnimated(agent: WireAgent, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 100) {
    const batch = Math.min(100, count - i);
    const r = await agent.place([
      "spawn_entity",
      {
        transform: { matrix: translation(i % 40, 0, Math.floor(i / 40)) },
        children: Array.from({ length: batch - 1 }, (_, k) => ({ transform: { matrix: translation(k, 1, 0) } })),
      },
    ]);
    ids.push(r[1] as string, ...(r[2] as string[]));
  }
  return ids;
}

function translation(x: number, y: number, z: number): number[] {
  return Array.from(mat4.fromTranslation(new Float64Array(16), [x, y, z]));
}

async function animate(agent: WireAgent, ids: string[], count: number): Promise<void> {
  const kinds = [
    { path: "transform.matrix.translation.y", from: 0, to: 1, easing: "sineInOut" },
    { path: "transform.matrix.rotation.y", from: 0, to: Math.PI * 2, easing: "linear" },
    { path: "transform.matrix.scale", from: [1, 1, 1], to: [1.5, 1.5, 1.5], easing: "elasticOut" },
    { path: "transform.matrix.rotation", from: [0, 0, 1, 0], to: [3, 1, 0, 0], easing: "quadInOut" },
  ];
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      agent.request(agent.avatarId, ids[i % ids.length], [
        "add_property_animation",
        { ...kinds[i % kinds.length], duration: 1 + (i % 7) / 10, repeats: true, autoreverses: i % 2 === 0 },
      ]),
    ),
  );
}

// ── Child process: the agents ──────────────────────────────────────────────────────────────────────────────
function serveAgents(): void {
  const agents: WireAgent[] = [];
  let timer: NodeJS.Timeout | undefined;
  let sent = 0;
  serveParent({
    /** One animator: spawns `entities` entities and animates the first `animations` of them. */
    async animator(args) {
      const owner = await WireAgent.connect(args.url as string, { name: "animator", mirror: false, ack: false });
      agents.push(owner);
      const ids = await spawnAnimated(owner, args.entities as number);
      await animate(owner, ids, args.animations as number);
      return ids.length;
    },
    /** Visor-like agents with hand children; half grab an entity of their own. Intents at 20 Hz. */
    async visors(args) {
      const count = args.count as number;
      const visors: WireAgent[] = [];
      const grabbables: (string | undefined)[] = [];
      for (let i = 0; i < count; i++) {
        const children = [
          { intent: { actuate_pose: "hand/left" } },
          { intent: { actuate_pose: "hand/right" } },
          { intent: { actuate_pose: "head" } },
        ];
        const agent = await WireAgent.connect(args.url as string, {
          name: `visor ${i}`,
          mirror: false,
          ack: false,
          avatar: { transform: { matrix: translation(i, 0, -5) }, children },
        });
        grabbables.push(
          i % 2 === 0
            ? ((await agent.place(["spawn_entity", { grabbable: { translation_constraint: [1, 1, 0] } }]))[1] as string)
            : undefined,
        );
        visors.push(agent);
      }
      agents.push(...visors);
      const started = performance.now();
      timer = setInterval(() => {
        const t = (performance.now() - started) / 1000;
        visors.forEach((agent, i) => {
          const hand = Array.from(
            mat4.fromRotationTranslation(
              new Float64Array(16),
              quat.setAxisAngle(new Float64Array(4), [0, 1, 0], t + i),
              [0.3, 1.2 + 0.1 * Math.sin(t * 3 + i), -0.3],
            ),
          );
          const grab = grabbables[i]
            ? { entity: grabbables[i], grabber_from_entity_transform: translation(0, 0, -0.2) }
            : undefined;
          agent.sendRaw({
            cmd: "intent",
            intent: {
              xmovement: 0,
              zmovement: 0.2,
              yaw: 0.1 * i,
              pitch: 0,
              wants_stick_movement: true,
              ack_state_rev: 0,
              poses: {
                head: { matrix: translation(0, 1.7, 0) },
                "hand/left": { matrix: translation(-0.3, 1.1, -0.2) },
                "hand/right": { matrix: hand, ...(grab ? { grab } : {}) },
              },
            },
          });
          sent++;
        });
      }, 1000 / INTENT_HZ);
      return visors.length;
    },
    sent: () => sent,
    stop() {
      clearInterval(timer);
      agents.splice(0).forEach((a) => a.close());
      return true;
    },
  });
}

/** Bare world writes of the same count, in the same process and run: the floor the animation math sits on. */
function writeBaseline(place: Place, ids: string[], rounds: number): number[] {
  const world = place.ctx.world;
  const values = ids.map((_, i) => ({ matrix: translation(i, 2, 0) }));
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < ANIMATIONS; i++)
      world.setComponent(ids[i % ids.length], "transform", values[i % values.length]);
    samples.push(performance.now() - t0);
  }
  return samples;
}

async function measureSteps(
  place: Place & { tickTimes: number[] },
  seconds: number,
): Promise<{ steps: number[]; cpu: number[]; ticks: number[] }> {
  const timed = timeSteps(place);
  const from = place.tickTimes.length;
  await sleep(seconds * 1000);
  timed.restore();
  return { steps: timed.samples, cpu: timed.cpu, ticks: place.tickTimes.slice(from) };
}

// The agents never acknowledge state: after two frames the place skips them (docs/protocol.md §5), so what is measured
// is the simulation, not state fan-out (bench/fanout.ts and bench/place.ts measure that). The ack timeout is lifted.
// Ticks are driven here at 20 Hz (tickRate 0 = manual) so that each whole tick can be timed too.
async function startBenchPlace(): Promise<Place & { tickTimes: number[]; stopTicking(): void }> {
  const place = await startPlace({
    port: 0,
    logLevel: "warn",
    tickRate: 0,
    limits: { messagesPerSecond: 100_000, messageBurst: 100_000, ackTimeoutMs: 3_600_000 },
  });
  const tickTimes: number[] = [];
  const timer = setInterval(() => {
    const t0 = performance.now();
    place.tick();
    tickTimes.push(performance.now() - t0);
  }, 1000 / 20);
  return Object.assign(place, { tickTimes, stopTicking: () => clearInterval(timer) });
}
const startAgents = () => startChild(new URL(import.meta.url), ["--agents"]);

/** The same animations in a bigger world: extra static entities the simulation must not pay for. */
async function scaling(seconds: number): Promise<{ small: number[]; large: number[] }> {
  const out: number[][] = [];
  for (const entities of [ANIMATIONS, 20_000]) {
    const place = await startBenchPlace();
    const child = startAgents();
    try {
      await child.ready;
      await child.call("animator", { url: place.url, entities, animations: ANIMATIONS }, 300_000);
      await sleep(500);
      out.push((await measureSteps(place, seconds)).steps);
      await child.call("stop");
    } finally {
      await child.kill();
      place.stopTicking();
      await place.close();
    }
  }
  return { small: out[0], large: out[1] };
}

export async function run(profile: Profile = "quick"): Promise<BenchReport> {
  const seconds = profile === "full" ? 10 : 4;
  const place = await startBenchPlace();
  const child = startAgents();
  const figures: Figure[] = [];
  let details: Record<string, unknown>;
  try {
    await child.ready;
    await child.call("animator", { url: place.url, entities: ANIMATIONS, animations: ANIMATIONS }, 300_000);
    await child.call("visors", { url: place.url, count: AGENTS }, 300_000);
    await sleep(1000);
    const sentBefore = await child.call<number>("sent");
    const t0 = performance.now();
    const { steps, cpu, ticks } = await measureSteps(place, seconds);
    const intentRate = ((await child.call<number>("sent")) - sentBefore) / ((performance.now() - t0) / 1000);
    await child.call("stop");
    const entityIds = [...place.ctx.world.ids()].filter((id) => id !== "place");
    const baseline = summarize(writeBaseline(place, entityIds, 50));
    const step = summarize(steps);
    figures.push(
      figure(`simulation step: ${ANIMATIONS} animations + ${AGENTS} agents' intents at ${INTENT_HZ} Hz`, "ms", steps, {
        baseline: { name: `${ANIMATIONS} bare setComponent`, median: baseline.median },
        goal: { op: "<=", value: 10, on: "median" },
        note: `${steps.length} steps in ${seconds} s; intents sent ≈ ${Math.round(intentRate)}/s; the tick budget at 20 Hz is 50 ms; p99 ${step.p99.toFixed(1)} ms`,
      }),
    );
    figures.push(
      figure(`same step, CPU time of the place process`, "ms", cpu, {
        baseline: { name: `${ANIMATIONS} bare setComponent`, median: baseline.median },
        goal: { op: "<=", value: 10, on: "median" },
        note: "wall time above includes preemption by other processes on a loaded machine",
      }),
    );
    figures.push(
      figure("whole tick (simulation, clock, revision; the agents do not read state)", "ms", ticks, {
        baseline: { name: "simulation step", median: step.median },
        note: `${ticks.length} ticks; state fan-out is measured by bench/fanout.ts and bench/place.ts`,
      }),
    );
    details = {
      animations: ANIMATIONS,
      tick: summarize(ticks),
      stepCpu: summarize(cpu),
      agents: AGENTS,
      stepsTimed: steps.length,
      intentRate: Math.round(intentRate),
      step,
      bareWrites: baseline,
      sim: (place.ctx.simulation as { stats?: unknown }).stats,
      place: place.stats(),
    };
  } finally {
    await child.kill();
    place.stopTicking();
    await place.close();
  }
  const { small, large } = await scaling(seconds);
  const smallS = summarize(small);
  figures.push(
    figure(`step with ${ANIMATIONS} animations in a 20,000-entity world`, "ms", large, {
      baseline: { name: `same in a ${ANIMATIONS}-entity world`, median: smallS.median },
      goal: { op: "<=", value: 1.5, on: "ratio" },
      note: "the simulation costs what is animated, not the world size",
    }),
  );
  details.scaling = { world1k: smallS, world20k: summarize(large) };
  return { bench: "simulation", profile, figures, details };
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes("--agents")) {
  serveAgents();
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const report = await run(process.argv.includes("--full") ? "full" : "quick");
  printReport(report);
  console.log(JSON.stringify(report.details, null, 2));
  process.exit(0);
}
