// No non-finite number ever enters the world (docs/protocol.md §10): huge but finite values in poses, grabs
// and animations must not multiply or interpolate into Infinity/NaN, which JSON carries as null — a null that a
// merge patch reads as "delete the key", so mirrors would disagree with each other and with the place.
import { describe, expect, it } from "vitest";
import type { Place } from "../src/place.ts";
import { createSimulation } from "../src/simulation/index.ts";
import type { RawAgent } from "../src/testing.ts";
import { documentOf, rawConnect, rng, setup, spawn, type Setup } from "./helpers.ts";

const MAX = Number.MAX_VALUE; // 1.7976931348623157e308
const IDENTITY = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
const T = (x: number, y: number, z: number) => [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, x, y, z, 1];
const S = (s: number) => [s, 0, 0, 0, 0, s, 0, 0, 0, 0, s, 0, 0, 0, 0, 1];

/** Paths of every number in the value that is not finite (the place's own objects, before JSON). */
function nonFinite(value: unknown, path = "world", out: string[] = []): string[] {
  if (typeof value === "number") {
    if (!Number.isFinite(value)) out.push(`${path} = ${value}`);
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) nonFinite(v, `${path}.${k}`, out);
  }
  return out;
}

/** Ticks by hand (tickRate 0): every test step is one known tick, and states go out with it. */
async function start(count: number): Promise<Setup> {
  return setup(count, { simulation: createSimulation(), tickRate: 0 });
}

/** A request answered means every frame sent before it (intents included) was handled: frames are handled in order. */
async function handled(agent: RawAgent): Promise<void> {
  await agent.request(["list_agents"]);
}

async function mirrorsEqualPlace(place: Place, ...agents: RawAgent[]): Promise<void> {
  for (const agent of agents) {
    await agent.until(() => agent.mirror?.revision === place.world.revision);
    expect(JSON.parse(JSON.stringify(agent.mirror)), "an agent's mirror equals the place").toEqual(documentOf(place));
  }
}

/** A visor-like agent whose intents are its own: no automatic acks, which would replace its poses. */
async function visor(s: Setup): Promise<RawAgent> {
  const v = await rawConnect(s, { autoAck: false });
  await v.announce({ display_name: "visor" }, { children: [{ intent: { actuate_pose: "head" } }] });
  return v;
}

describe("grabbing with huge poses", () => {
  it("never writes a non-finite matrix into the grabbed entity (another agent's)", async () => {
    const s = await start(1);
    const {
      place,
      agents: [owner],
    } = s;
    const target = await spawn(owner, { grabbable: {}, transform: { matrix: T(1, 2, 3) } });
    const grabber = await visor(s);
    const grab = (hand: number[], grabberFromEntity: number[]) =>
      grabber.send({
        cmd: "intent",
        intent: {
          poses: {
            "hand/left": { matrix: hand, grab: { entity: target, grabber_from_entity_transform: grabberFromEntity } },
          },
        },
      });

    grab(T(0, 1, 0), T(0, 0, -1)); // a sane grab moves it: the grab is live
    await handled(grabber);
    place.tick();
    expect((place.world.get(target)!.components.transform as { matrix: number[] }).matrix).toEqual(T(0, 1, -1));

    grab(T(MAX, 0, 0), T(MAX, 0, 0)); // finite inputs whose product is Infinity
    await handled(grabber);
    place.tick();
    place.tick();
    expect(nonFinite(place.world.toDocument())).toEqual([]);
    expect((place.world.get(target)!.components.transform as { matrix: number[] }).matrix).toEqual(T(0, 1, -1));
    grab(S(MAX), S(MAX));
    await handled(grabber);
    place.tick();
    expect(nonFinite(place.world.toDocument())).toEqual([]);
    await mirrorsEqualPlace(place, owner);
  });

  it("reparenting children away keeps their own matrix when their world matrix would overflow", async () => {
    const {
      place,
      agents: [a],
    } = await start(1);
    const parent = await spawn(a, { transform: { matrix: S(1e200) } });
    const child = await spawn(a, { relationships: { parent }, transform: { matrix: T(1e200, 0, 0) } });
    expect(await a.request(["remove_entity", parent, "reparent"])).toEqual(["remove_entity", "ok"]);
    expect(nonFinite(place.world.toDocument())).toEqual([]);
    expect((place.world.get(child)!.components.transform as { matrix: number[] }).matrix).toEqual(T(1e200, 0, 0));
  });
});

describe("property animations with huge values", () => {
  it("refuses a descriptor whose interpolation could overflow, naming the limit", async () => {
    const {
      agents: [a],
    } = await start(1);
    const id = await spawn(a, { custom: { n: 0 }, transform: { matrix: IDENTITY } });
    const cases: unknown[] = [
      { path: "custom.n", from: -MAX, to: MAX, duration: 1 },
      { path: "transform.matrix", from: IDENTITY, to: S(1e308), duration: 1 },
      { path: "transform.matrix.scale", from: [1, 1, 1], to: [1e300, 1, 1], duration: 1 },
    ];
    for (const descriptor of cases) {
      const r = await a.request(["add_property_animation", descriptor], { receiver: id });
      expect(r.slice(0, 2), JSON.stringify(descriptor)).toEqual(["add_property_animation", "error"]);
      expect(r[2]).toMatch(/beyond ±1000000000000000, where interpolation could overflow/);
    }
  });

  it("removes an animation whose value would not be finite, and every mirror still equals the place", async () => {
    const {
      place,
      agents: [a, b],
    } = await start(2);
    // A matrix that is finite but so large that decomposing it (column lengths) overflows.
    const id = await spawn(a, { transform: { matrix: S(1e300) } });
    const r = await a.request(
      [
        "add_property_animation",
        { path: "transform.matrix.rotation", from: [0, 0, 1, 0], to: [1, 0, 1, 0], duration: 10 },
      ],
      { receiver: id },
    );
    expect(r[1]).toBe("ok");
    place.tick();
    place.tick();
    expect(nonFinite(place.world.toDocument())).toEqual([]);
    expect(place.world.get(id)!.components.property_animations).toBeUndefined();
    expect((place.world.get(id)!.components.transform as { matrix: number[] }).matrix).toEqual(S(1e300));
    await mirrorsEqualPlace(place, a, b);
  });
});

describe("random poses and animations (property)", () => {
  const SEED = Number(process.env.ALLO_FINITE_SEED ?? 19);
  it(`never put a non-finite number in the world, and mirrors equal the place (seed ${SEED})`, async () => {
    const s = await start(2);
    const {
      place,
      agents: [owner, observer],
    } = s;
    const random = rng(SEED);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)];
    const huge = () => pick([MAX, -MAX, 1e308, 1e300, 1e200, 1e154, -1e154, 1e15, 1e16, 5e-324, 0]);
    const number = () => (random() < 0.5 ? random() * 4 - 2 : huge());
    const matrix = () => {
      const k = Math.floor(random() * 4);
      if (k === 0) return Array.from({ length: 16 }, number);
      if (k === 1) return T(number(), number(), number());
      if (k === 2) return S(number());
      return T(random(), random(), random());
    };
    const targets: string[] = [];
    for (let i = 0; i < 4; i++) {
      targets.push(
        await spawn(owner, { grabbable: {}, transform: { matrix: matrix() }, custom: { n: 0, v: [0, 0, 0] } }),
      );
    }
    targets.push(
      await spawn(owner, {
        grabbable: { actuate_on: "$parent", rotation_constraint: [0, 1, 0] },
        relationships: { parent: targets[0] },
      }),
    );
    const grabber = await visor(s);
    const paths: [string, () => unknown][] = [
      ["custom.n", number],
      ["custom.v", () => [number(), number(), number()]],
      ["transform.matrix", matrix],
      ["transform.matrix.translation", () => [number(), number(), number()]],
      ["transform.matrix.scale.x", number],
      ["transform.matrix.rotation", () => [number(), 0, 1, 0]],
      ["transform.matrix.rotation.y", number],
    ];
    const easings = ["linear", "elasticInOut", "backIn", "bounceOut", "expIn"];
    let accepted = 0;
    for (let round = 0; round < 60; round++) {
      const hand = pick(["hand/left", "hand/right"]);
      grabber.send({
        cmd: "intent",
        intent: {
          wants_stick_movement: random() < 0.3,
          xmovement: number(),
          zmovement: number(),
          yaw: number(),
          poses: {
            head: { matrix: matrix() },
            root: { matrix: matrix() },
            [hand]: { matrix: matrix(), grab: { entity: pick(targets), grabber_from_entity_transform: matrix() } },
          },
        },
      });
      const [path, value] = pick(paths);
      const descriptor = {
        path,
        from: value(),
        to: value(),
        duration: pick([0.05, 1, 1e-9]),
        easing: pick(easings),
        autoreverses: random() < 0.3,
        repeats: random() < 0.3,
      };
      const r = await owner.request(["add_property_animation", descriptor], { receiver: pick(targets) });
      if (r[1] === "ok") accepted++;
      await handled(grabber);
      place.tick();
      place.tick();
      const bad = nonFinite(place.world.toDocument());
      expect(bad, `round ${round} (seed ${SEED})`).toEqual([]);
      if (round % 10 === 9) await mirrorsEqualPlace(place, owner, observer);
    }
    expect(accepted, "some animations ran").toBeGreaterThan(0);
    await mirrorsEqualPlace(place, owner, observer);
  });
});
