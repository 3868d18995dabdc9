// Property animations over a real place, observed by a second agent (docs/protocol.md §3, §6.2).
import { mat4, quat } from "gl-matrix";
import { describe, expect, it } from "vitest";
import { createSimulation } from "../src/simulation/index.ts";
import { animationsOf } from "../src/simulation/animations.ts";
import type { RawAgent } from "../src/testing.ts";
import { setup, spawn } from "./helpers.ts";

const start = (count = 2) => setup(count, { simulation: createSimulation(), tickRate: 50 });
const components = (agent: RawAgent, id: string): any => agent.mirror?.entities[id]?.components;
const matrixOf = (agent: RawAgent, id: string): number[] => components(agent, id)?.transform?.matrix;
const TRS = Array.from(
  mat4.fromRotationTranslationScale(
    new Float64Array(16),
    quat.setAxisAngle(new Float64Array(4), [0, 0.6, 0.8], 0.7),
    [1, 2, 3],
    [1.5, 0.5, 2],
  ),
);
const parts = (m: number[]) => {
  const s = [0, 1, 2].map((c) => Math.hypot(m[c * 4], m[c * 4 + 1], m[c * 4 + 2]));
  return { t: [m[12], m[13], m[14]], r: [0, 1, 2].flatMap((c) => [0, 1, 2].map((row) => m[c * 4 + row] / s[c])), s };
};
const expectClose = (a: number[], b: number[], digits = 9) =>
  a.forEach((v, i) => expect(v, `element ${i}`).toBeCloseTo(b[i], digits));

describe("add_property_animation", () => {
  it("moves the value for every agent, ends exactly at `to`, then removes the animation", async () => {
    const {
      agents: [a, b],
    } = await start();
    const id = await spawn(a, { transform: { matrix: TRS } });
    const r = await a.request(
      ["add_property_animation", { path: "transform.matrix.translation.y", from: 0, to: 0.3, duration: 0.4 }],
      { receiver: id },
    );
    expect(r).toEqual(["add_property_animation", "ok", expect.stringMatching(/^[0-9a-zA-Z]{8}$/)]);
    const seen = new Set<number>();
    await b.until(() => {
      const m = matrixOf(b, id);
      if (m) seen.add(m[13]);
      return m?.[13] === 0.3 && components(b, id)?.property_animations === undefined;
    });
    expect([...seen].some((y) => y > 0 && y < 0.3)).toBe(true);
    const final = matrixOf(b, id);
    expect(final[13]).toBe(0.3);
    expect(final.filter((_, i) => i !== 13)).toEqual(TRS.filter((_, i) => i !== 13));
  });

  it("mirrors running animations in property_animations, with defaults filled in", async () => {
    const {
      place,
      agents: [a, b],
    } = await start();
    const id = await spawn(a, { text: { string: "hi", height: 0.1 } });
    const [, , animId] = await a.request(
      ["add_property_animation", { path: "text.height", from: 0.1, to: 0.2, duration: 30, easing: "sineInOut" }],
      { receiver: id },
    );
    await b.until(() => components(b, id)?.property_animations !== undefined);
    const stored = components(b, id).property_animations.animations[animId];
    expect(stored).toMatchObject({
      path: "text.height",
      from: 0.1,
      to: 0.2,
      duration: 30,
      easing: "sineInOut",
      repeats: false,
      autoreverses: false,
    });
    expect(stored.start_at).toBeGreaterThan(0);
    expect(stored.start_at).toBeLessThanOrEqual(place.ctx.serverTime());
  });

  it("animates the sender when the receiver is the place (reference form)", async () => {
    const {
      agents: [a, b],
    } = await start();
    const id = await spawn(a, { text: { string: "x", height: 1 } });
    const r = await a.request(["add_property_animation", { path: "text.height", from: 1, to: 3, duration: 0.2 }], {
      sender: id,
      receiver: "place",
    });
    expect(r[1]).toBe("ok");
    await b.until(() => components(b, id)?.text.height === 3 && components(b, id).property_animations === undefined);
  });

  it("refuses each invalid descriptor with its reason", async () => {
    const {
      agents: [a],
    } = await start(1);
    const id = await spawn(a, { transform: { matrix: TRS }, text: { string: "x", height: 1 } });
    const add = (d: unknown) => a.request(["add_property_animation", d], { receiver: id });
    const cases: [unknown, RegExp][] = [
      [{ path: "transform.matrix.translation.x", from: 0, to: 1, easing: "quatIn" }, /unknown easing "quatIn"/],
      [{ path: "transform.matrix.translation.x", from: 0, to: 1, duration: 0 }, /duration must be > 0/],
      [{ path: "transform.matrix.translation", from: 0, to: 1 }, /holds a vec3, but from\/to are a number/],
      [{ path: "material.color.0", from: 0, to: 1 }, /no component "material"/],
      [{ path: "text.string", from: 0, to: 1 }, /animations need a number/],
      [{ path: "text.height", to: 1 }, /from is required/],
      [{ path: "text.height", from: [0, 0, 0], to: 1 }, /from is a vec3 but to is a number/],
      [{ path: "text.height", from: 0, to: 1, start_at: -5 }, /start_at must be ≥ 0/],
      [{ path: "text.height", from: 0, to: 1, repeats: "yes" }, /repeats must be true or false/],
      [{ path: "text.height", from: 0, to: 1, speed: 2 }, /unknown field "speed"/],
      ["text.height", /must be an object/],
    ];
    for (const [descriptor, reason] of cases) {
      const r = await add(descriptor);
      expect(r[0], JSON.stringify(descriptor)).toBe("add_property_animation");
      expect(r[1], JSON.stringify(descriptor)).toBe("error");
      expect(r[2], JSON.stringify(descriptor)).toMatch(reason);
    }
    expect(
      await a.request(["add_property_animation", { path: "text.height", from: 0, to: 1 }], { receiver: "ghost" }),
    ).toEqual(["add_property_animation", "error", "no such entity"]);
  });

  it("refuses to animate another agent's entity (default ACL)", async () => {
    const {
      agents: [a, b],
    } = await start();
    const id = await spawn(a, { text: { string: "x", height: 1 } });
    const r = await b.request(["add_property_animation", { path: "text.height", from: 0, to: 1 }], { receiver: id });
    expect(r[0]).toBe("interaction_denied");
  });
});

describe("matrix paths over the wire", () => {
  it("scale animation leaves rotation and translation unchanged", async () => {
    const {
      agents: [a, b],
    } = await start();
    const id = await spawn(a, { transform: { matrix: TRS } });
    await a.request(
      [
        "add_property_animation",
        { path: "transform.matrix.scale", from: [1.5, 0.5, 2], to: [3, 3, 3], duration: 0.2, easing: "quadOut" },
      ],
      { receiver: id },
    );
    await b.until(() => components(b, id)?.property_animations === undefined && matrixOf(b, id)[0] !== TRS[0]);
    const after = parts(matrixOf(b, id));
    const before = parts(TRS);
    expect(after.t).toEqual(before.t);
    expectClose(after.r, before.r, 12);
    expectClose(after.s, [3, 3, 3], 12);
  });

  it("rotation animation slerps and keeps translation and scale", async () => {
    const {
      agents: [a, b],
    } = await start();
    const id = await spawn(a, { transform: { matrix: TRS } });
    await a.request(
      [
        "add_property_animation",
        { path: "transform.matrix.rotation", from: [0, 0, 1, 0], to: [Math.PI / 2, 0, 1, 0], duration: 0.2 },
      ],
      { receiver: id },
    );
    await b.until(() => components(b, id)?.property_animations === undefined && matrixOf(b, id)[0] !== TRS[0]);
    const after = parts(matrixOf(b, id));
    expect(after.t).toEqual([1, 2, 3]);
    expectClose(after.s, [1.5, 0.5, 2], 12);
    expectClose(after.r, parts(Array.from(mat4.fromYRotation(new Float64Array(16), Math.PI / 2))).r, 12);
  });

  it("a mat4 animation goes from → to and ends exactly at `to`", async () => {
    const {
      agents: [a, b],
    } = await start();
    const id = await spawn(a, {});
    const to = Array.from(mat4.fromTranslation(new Float64Array(16), [4, 0, 0]));
    await a.request(
      [
        "add_property_animation",
        { path: "transform.matrix", from: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1], to, duration: 0.3 },
      ],
      { receiver: id },
    );
    const xs: number[] = [];
    await b.until(() => {
      const m = matrixOf(b, id);
      if (m) xs.push(m[12]);
      return components(b, id)?.property_animations === undefined && m?.[12] === 4;
    });
    expect(matrixOf(b, id)).toEqual(to);
    const moving = xs.filter((x) => x > 0 && x < 4);
    expect(moving.every((x, i) => i === 0 || x >= moving[i - 1])).toBe(true);
  });
});

describe("timing", () => {
  it("waits for a start in the future", async () => {
    const {
      place,
      agents: [a, b],
    } = await start();
    const id = await spawn(a, { text: { string: "x", height: 1 } });
    const startAt = place.ctx.serverTime() + 0.6;
    await a.request(
      ["add_property_animation", { path: "text.height", from: 5, to: 6, start_at: startAt, duration: 0.2 }],
      { receiver: id },
    );
    await b.until(() => components(b, id)?.property_animations !== undefined);
    expect(components(b, id).text.height).toBe(1);
    await b.until(() => components(b, id)?.text.height === 6);
    expect(place.ctx.serverTime()).toBeGreaterThanOrEqual(startAt);
  });

  it("repeats with autoreverse until removed on request; the value stays where it was", async () => {
    const {
      place,
      agents: [a, b],
    } = await start();
    const id = await spawn(a, { text: { string: "x", height: 0 } });
    const [, , animId] = await a.request(
      [
        "add_property_animation",
        { path: "text.height", from: 0, to: 1, duration: 0.1, repeats: true, autoreverses: true },
      ],
      { receiver: id },
    );
    // Rising and falling values prove both directions ran; the animation is still there after many periods.
    const heights: number[] = [];
    await b.until(() => {
      const h = components(b, id)?.text.height;
      if (typeof h === "number" && h !== heights[heights.length - 1]) heights.push(h);
      const rises = heights.some((v, i) => i > 0 && v > heights[i - 1]);
      const falls = heights.some((v, i) => i > 0 && v < heights[i - 1]);
      return rises && falls && heights.length > 12;
    });
    expect(components(b, id).property_animations.animations[animId]).toBeDefined();
    expect(await a.request(["remove_property_animation", animId], { receiver: id })).toEqual([
      "remove_property_animation",
      "ok",
      animId,
    ]);
    await b.until(() => components(b, id)?.property_animations === undefined);
    const stopped = place.world.get(id)!.components.text as { height: number };
    expect(stopped.height).toBe(components(b, id).text.height);
    expect(await a.request(["remove_property_animation", animId], { receiver: id })).toEqual([
      "remove_property_animation",
      "error",
      `no animation "${animId}" on that entity`,
    ]);
  });

  it("drops the animations of a removed entity", async () => {
    const {
      place,
      agents: [a],
    } = await start(1);
    const id = await spawn(a, { text: { string: "x", height: 0 } });
    await a.request(["add_property_animation", { path: "text.height", from: 0, to: 1, duration: 5, repeats: true }], {
      receiver: id,
    });
    await a.request(
      ["add_property_animation", { path: "transform.matrix.translation.x", from: 0, to: 1, duration: 5 }],
      { receiver: id },
    );
    expect(animationsOf(place.ctx).size).toBe(2);
    expect(await a.request(["remove_entity", id])).toEqual(["remove_entity", "ok"]);
    expect(animationsOf(place.ctx).size).toBe(0);
  });

  it("removes an animation whose component went away, instead of skipping it forever", async () => {
    const {
      place,
      agents: [a],
    } = await start(1);
    const id = await spawn(a, { text: { string: "x", height: 0 } });
    await a.request(["add_property_animation", { path: "text.height", from: 0, to: 1, duration: 5 }], { receiver: id });
    expect(await a.request(["change_components", id, "add_or_change", {}, "remove", ["text"]])).toEqual([
      "change_components",
      "ok",
    ]);
    await a.until(() => animationsOf(place.ctx).size === 0);
    expect(place.world.get(id)!.components.property_animations).toBeUndefined();
  });
});

describe("limits", () => {
  it("refuses more than 64 running animations on one entity", async () => {
    const {
      agents: [a],
    } = await start(1);
    const id = await spawn(a, { text: { string: "x", height: 0 } });
    const add = () =>
      a.request(["add_property_animation", { path: "text.height", from: 0, to: 1, duration: 60 }], { receiver: id });
    for (let i = 0; i < 64; i++) expect((await add())[1]).toBe("ok");
    expect(await add()).toEqual(["add_property_animation", "error", "an entity may run at most 64 animations at once"]);
  });
});
