// Intents over a real place (docs/protocol.md §6.1): pose actuation, stick movement, grabbing with actuate_on and
// constraints, and agents without a live avatar that never stop the others.
import { mat4, quat } from "gl-matrix";
import { describe, expect, it } from "vitest";
import type { Place } from "../src/place.ts";
import { createSimulation, type PlaceSimulation } from "../src/simulation/index.ts";
import type { RawAgent } from "../src/testing.ts";
import { rawConnect, setup, spawn, type Setup } from "./helpers.ts";

const m4 = () => new Float64Array(16);
const T = (x: number, y: number, z: number) => Array.from(mat4.fromTranslation(m4(), [x, y, z]));
const TR = (t: number[], axis: number[], angle: number) =>
  Array.from(mat4.fromRotationTranslation(m4(), quat.setAxisAngle(new Float64Array(4), axis, angle), t));
const mul = (a: number[], b: number[]) => Array.from(mat4.multiply(m4(), a, b));
const expectClose = (a: ArrayLike<number>, b: ArrayLike<number>, digits = 9) =>
  Array.from(a).forEach((v, i) => expect(v, `element ${i}`).toBeCloseTo(b[i], digits));

async function eventually(check: () => boolean, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

const start = async (count = 1): Promise<Setup & { sim: PlaceSimulation }> => {
  const sim = createSimulation();
  return { ...(await setup(count, { simulation: sim, tickRate: 50 })), sim };
};

interface Visor {
  agent: RawAgent;
  avatar: string;
  hand: string;
  head: string;
}
/** A visor-like agent: an avatar at `at` with head and right-hand children. It does not auto-ack (acks ride its intents). */
async function visor(s: Setup, at = T(0, 0, 0)): Promise<Visor> {
  const agent = await rawConnect(s, { autoAck: false });
  const r = await agent.announce(
    { display_name: "visor" },
    {
      transform: { matrix: at },
      children: [{ intent: { actuate_pose: "hand/right" } }, { intent: { actuate_pose: "head" } }],
    },
  );
  const avatar = r[1];
  const [hand, head] = [...s.place.world.childrenOf(avatar)];
  return { agent, avatar, hand, head };
}
function sendIntent(v: Visor, intent: Record<string, unknown>): void {
  v.agent.send({
    cmd: "intent",
    intent: { xmovement: 0, zmovement: 0, yaw: 0, pitch: 0, poses: {}, ack_state_rev: 0, ...intent },
  });
}
const worldOf = (place: Place, id: string) => place.world.worldMatrix(id);
const localOf = (place: Place, id: string) =>
  (place.world.get(id)!.components.transform as { matrix: number[] }).matrix;

describe("pose actuation", () => {
  it("moves the avatar's pose children to the poses of its intent; identity means untracked", async () => {
    const s = await start(0);
    const v = await visor(s, T(5, 0, 0));
    sendIntent(v, {
      poses: {
        "hand/right": { matrix: T(0.3, 1.2, -0.4) },
        head: { matrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1] },
      },
    });
    await eventually(() => localOf(s.place, v.hand)[13] === 1.2);
    expect(localOf(s.place, v.hand)).toEqual(T(0.3, 1.2, -0.4));
    expect(worldOf(s.place, v.hand)).toEqual(T(5.3, 1.2, -0.4));
    expect(localOf(s.place, v.head)).toEqual(T(0, 0, 0));
  });

  it("an entity with from_avatar follows another agent's pose", async () => {
    const s = await start(1);
    const v = await visor(s);
    const follower = await spawn(s.agents[0], { intent: { actuate_pose: "hand/right", from_avatar: v.avatar } });
    sendIntent(v, { poses: { "hand/right": { matrix: T(1, 2, 3) } } });
    await eventually(() => localOf(s.place, follower)[12] === 1);
    expect(localOf(s.place, follower)).toEqual(T(1, 2, 3));
  });
});

describe("stick movement", () => {
  it("moves the avatar in its yawed frame, never upwards, and turns it to the absolute yaw", async () => {
    const s = await start(0);
    const v = await visor(s, T(0, 0, 0));
    sendIntent(v, { wants_stick_movement: true, zmovement: 1, yaw: 0 });
    await eventually(() => localOf(s.place, v.avatar)[14] > 0.1);
    const m = localOf(s.place, v.avatar);
    expect(m[13]).toBe(0);
    expect(m[12]).toBeCloseTo(0, 12);
    sendIntent(v, { wants_stick_movement: true, xmovement: 0, zmovement: 0, yaw: Math.PI / 2 });
    await eventually(() => Math.abs(localOf(s.place, v.avatar)[0]) < 1e-9);
    // R(yaw about −Y): +X of the avatar now points to +Z of the world.
    expectClose(localOf(s.place, v.avatar).slice(0, 3), [0, 0, 1]);
  });

  it("ignores the stick unless the intent asks for stick movement", async () => {
    const s = await start(0);
    const v = await visor(s, T(0, 0, 0));
    sendIntent(v, { zmovement: 1, poses: { "hand/right": { matrix: T(0, 1, 0) } } });
    await eventually(() => localOf(s.place, v.hand)[13] === 1);
    expect(localOf(s.place, v.avatar)).toEqual(T(0, 0, 0));
  });
});

describe("grabbing", () => {
  it("a grabbed entity follows the hand pose", async () => {
    const s = await start(1);
    const v = await visor(s, T(1, 0, 0));
    const box = await spawn(s.agents[0], { transform: { matrix: T(2, 1, 0) }, grabbable: {} });
    const G = T(0, 0, -0.5);
    const hand1 = TR([0.2, 1.1, 0], [0, 1, 0], 0.3);
    sendIntent(v, {
      poses: { "hand/right": { matrix: hand1, grab: { entity: box, grabber_from_entity_transform: G } } },
    });
    const expected1 = mul(mul(T(1, 0, 0), hand1), G);
    await eventually(() => Math.abs(worldOf(s.place, box)[12] - expected1[12]) < 1e-9);
    expectClose(worldOf(s.place, box), expected1);
    const hand2 = TR([0, 1.5, 0.5], [1, 0, 0], -0.4);
    sendIntent(v, {
      poses: { "hand/right": { matrix: hand2, grab: { entity: box, grabber_from_entity_transform: G } } },
    });
    const expected2 = mul(mul(T(1, 0, 0), hand2), G);
    await eventually(() => Math.abs(worldOf(s.place, box)[13] - expected2[13]) < 1e-9);
    expectClose(worldOf(s.place, box), expected2);
  });

  it("keeps the grabbed entity's scale", async () => {
    const s = await start(1);
    const v = await visor(s);
    const scaled = Array.from(mat4.fromScaling(m4(), [2, 3, 4]));
    const box = await spawn(s.agents[0], { transform: { matrix: scaled }, grabbable: {} });
    sendIntent(v, {
      poses: {
        "hand/right": { matrix: T(0, 1, 0), grab: { entity: box, grabber_from_entity_transform: T(0, 0, -1) } },
      },
    });
    await eventually(() => localOf(s.place, box)[13] === 1);
    const m = localOf(s.place, box);
    expectClose([Math.hypot(m[0], m[1], m[2]), Math.hypot(m[4], m[5], m[6]), Math.hypot(m[8], m[9], m[10])], [2, 3, 4]);
    expectClose([m[12], m[13], m[14]], [0, 1, -1]);
  });

  it("translation constraints hold per axis", async () => {
    const s = await start(1);
    const v = await visor(s);
    const slider = await spawn(s.agents[0], {
      transform: { matrix: T(0, 1, 0) },
      grabbable: { translation_constraint: [1, 0, 0], rotation_constraint: [0, 0, 0] },
    });
    sendIntent(v, {
      poses: {
        "hand/right": {
          matrix: TR([3, 7, -2], [0, 0, 1], 0.8),
          grab: { entity: slider, grabber_from_entity_transform: T(0, 0, 0) },
        },
      },
    });
    await eventually(() => localOf(s.place, slider)[12] === 3);
    expectClose(localOf(s.place, slider), T(3, 1, 0));
  });

  it("rotation constraints keep only the allowed axis (a dial turns about Y only)", async () => {
    const s = await start(1);
    const v = await visor(s);
    const dial = await spawn(s.agents[0], {
      transform: { matrix: T(0, 1, 0) },
      grabbable: { translation_constraint: [0, 0, 0], rotation_constraint: [0, 1, 0] },
    });
    // The hand turns 0.5 rad about Y and tilts 0.7 rad about X; only the twist about Y may reach the dial.
    const handRotation = quat.multiply(
      new Float64Array(4),
      quat.setAxisAngle(new Float64Array(4), [0, 1, 0], 0.5),
      quat.setAxisAngle(new Float64Array(4), [1, 0, 0], 0.7),
    );
    const hand = Array.from(mat4.fromRotationTranslation(m4(), handRotation, [4, 4, 4]));
    sendIntent(v, {
      poses: { "hand/right": { matrix: hand, grab: { entity: dial, grabber_from_entity_transform: T(0, 0, 0) } } },
    });
    await eventually(() => localOf(s.place, dial)[0] !== 1);
    const m = localOf(s.place, dial);
    expectClose([m[12], m[13], m[14]], [0, 1, 0]);
    // A pure rotation about Y: the Y axis stays up and X stays horizontal.
    expectClose([m[4], m[5], m[6]], [0, 1, 0]);
    expect(m[1]).toBeCloseTo(0, 9);
    const twist = quat.normalize(new Float64Array(4), [0, handRotation[1], 0, handRotation[3]]);
    expectClose(m, Array.from(mat4.fromRotationTranslation(m4(), twist, [0, 1, 0])));
  });

  it("actuate_on $parent moves the parent so the handle follows the hand", async () => {
    const s = await start(1);
    const v = await visor(s);
    const r = await s.agents[0].request([
      "spawn_entity",
      {
        transform: { matrix: T(0, 1, 0) },
        children: [{ transform: { matrix: T(0.5, 0, 0) }, grabbable: { actuate_on: "$parent" } }],
      },
    ]);
    const [root, handle] = [r[1], r[2][0]];
    const hand = T(2, 2, 2);
    sendIntent(v, {
      poses: { "hand/right": { matrix: hand, grab: { entity: handle, grabber_from_entity_transform: T(0, 0, 0) } } },
    });
    await eventually(() => localOf(s.place, root)[12] !== 0);
    expectClose(worldOf(s.place, handle), hand);
    expectClose(localOf(s.place, root), T(1.5, 2, 2));
    expect(localOf(s.place, handle)).toEqual(T(0.5, 0, 0));
  });

  it("refuses an actuate_on that is not an ancestor (and one owned by someone else)", async () => {
    const s = await start(2);
    const v = await visor(s);
    const [app, other] = s.agents;
    const bystander = await spawn(app, { transform: { matrix: T(9, 9, 9) } });
    const sneaky = await spawn(app, { transform: { matrix: T(1, 0, 0) }, grabbable: { actuate_on: bystander } });
    const foreignRoot = await spawn(other, { transform: { matrix: T(0, 5, 0) }, accepts_children: {} });
    const parasite = await spawn(app, { relationships: { parent: foreignRoot }, grabbable: { actuate_on: "$parent" } });
    const grab = (entity: string) => ({
      poses: { "hand/right": { matrix: T(3, 3, 3), grab: { entity, grabber_from_entity_transform: T(0, 0, 0) } } },
    });
    sendIntent(v, grab(sneaky));
    await eventually(() => s.sim.stats.grabsRefused >= 3);
    sendIntent(v, grab(parasite));
    const refusedBefore = s.sim.stats.grabsRefused;
    await eventually(() => s.sim.stats.grabsRefused >= refusedBefore + 3);
    expect(localOf(s.place, bystander)).toEqual(T(9, 9, 9));
    expect(localOf(s.place, sneaky)).toEqual(T(1, 0, 0));
    expect(localOf(s.place, foreignRoot)).toEqual(T(0, 5, 0));
  });

  it("ignores grabs of entities that are not grabbable", async () => {
    const s = await start(1);
    const v = await visor(s);
    const fixed = await spawn(s.agents[0], { transform: { matrix: T(1, 1, 1) } });
    sendIntent(v, {
      poses: {
        "hand/right": { matrix: T(3, 3, 3), grab: { entity: fixed, grabber_from_entity_transform: T(0, 0, 0) } },
      },
    });
    await eventually(() => s.sim.stats.grabsRefused >= 3);
    expect(localOf(s.place, fixed)).toEqual(T(1, 1, 1));
  });
});

describe("agents without a live avatar", () => {
  it("never stop the others' simulation or animations", async () => {
    const s = await start(1);
    const [ghost] = s.agents;
    await rawConnect(s); // connected, never announces
    expect(await ghost.request(["remove_entity", ghost.avatarId])).toEqual(["remove_entity", "ok"]);
    ghost.send({ cmd: "intent", intent: { poses: { "hand/right": { matrix: T(1, 1, 1) } }, ack_state_rev: 0 } });
    const v = await visor(s);
    const box = await spawn(v.agent, { text: { string: "x", height: 0 } });
    await v.agent.request(["add_property_animation", { path: "text.height", from: 0, to: 1, duration: 0.1 }], {
      receiver: box,
    });
    sendIntent(v, { poses: { "hand/right": { matrix: T(0, 2, 0) } } });
    await eventually(
      () =>
        localOf(s.place, v.hand)[13] === 2 &&
        (s.place.world.get(box)!.components.text as { height: number }).height === 1,
    );
    expect(s.sim.stats.agentFailures).toBe(0);
  });
});

describe("grabbable: false", () => {
  it("is not grabbable", async () => {
    const s = await start(1);
    const v = await visor(s);
    const off = await spawn(s.agents[0], { transform: { matrix: T(1, 1, 1) }, grabbable: { grabbable: false } });
    sendIntent(v, {
      poses: { "hand/right": { matrix: T(3, 3, 3), grab: { entity: off, grabber_from_entity_transform: T(0, 0, 0) } } },
    });
    await eventually(() => s.sim.stats.grabsRefused >= 3);
    expect(localOf(s.place, off)).toEqual(T(1, 1, 1));
  });
});
