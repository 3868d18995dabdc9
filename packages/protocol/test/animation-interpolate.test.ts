// Interpolation of the four value kinds and the timing of an animation (docs/protocol.md §6.2).
import { mat4, quat } from "gl-matrix";
import { describe, expect, it } from "vitest";
import {
  interpolate,
  sampleAnimation,
  stepAnimation,
  validateAnimationDescriptor,
  type AnimationTiming,
} from "../src/animation/index.ts";

const closeTo = (actual: number[], expected: number[], digits = 12) =>
  actual.forEach((v, i) => expect(v, `element ${i}`).toBeCloseTo(expected[i], digits));

describe("interpolate", () => {
  it("numbers and vec3 are linear, and the ends are exact", () => {
    expect(interpolate("number", 2, 4, 0.25)).toBe(2.5);
    expect(interpolate("vec3", [0, 0, 0], [2, 4, -8], 0.5)).toEqual([1, 2, -4]);
    expect(interpolate("number", 0.1, 0.7, 1)).toBe(0.7);
    expect(interpolate("number", 0.1, 0.7, 0)).toBe(0.1);
  });

  it("rotations slerp: halfway from 0 to π/2 about Y is π/4 about Y", () => {
    const [angle, ...axis] = interpolate("rotation", [0, 0, 1, 0], [Math.PI / 2, 0, 1, 0], 0.5) as number[];
    expect(angle).toBeCloseTo(Math.PI / 4, 12);
    closeTo(axis, [0, 1, 0]);
  });

  it("rotations with different axes stay unit rotations along the great arc", () => {
    const r = interpolate("rotation", [Math.PI / 2, 1, 0, 0], [Math.PI / 2, 0, 0, 1], 0.3) as number[];
    expect(Math.hypot(r[1], r[2], r[3])).toBeCloseTo(1, 12);
    const qa = quat.setAxisAngle(new Float64Array(4), [1, 0, 0], Math.PI / 2);
    const qb = quat.setAxisAngle(new Float64Array(4), [0, 0, 1], Math.PI / 2);
    const expected = quat.slerp(new Float64Array(4), qa, qb, 0.3);
    const got = quat.setAxisAngle(new Float64Array(4), [r[1], r[2], r[3]], r[0]);
    closeTo(Array.from(got), Array.from(expected));
  });

  it("mat4 goes from → to (not reversed), through the TRS in-between", () => {
    const from = Array.from(mat4.fromTranslation(new Float64Array(16), [0, 0, 0]));
    const to = Array.from(
      mat4.fromRotationTranslationScale(
        new Float64Array(16),
        quat.setAxisAngle(new Float64Array(4), [0, 1, 0], Math.PI / 2),
        [4, 0, 0],
        [3, 3, 3],
      ),
    );
    const early = interpolate("mat4", from, to, 0.25) as number[];
    closeTo(Array.from(mat4.getTranslation(new Float64Array(3), early)), [1, 0, 0]);
    closeTo(Array.from(mat4.getScaling(new Float64Array(3), early)), [1.5, 1.5, 1.5]);
    expect(interpolate("mat4", from, to, 1)).toEqual(to);
  });
});

const timing = (over: Partial<AnimationTiming> = {}): AnimationTiming => ({
  from: 0,
  to: 10,
  kind: "number",
  startAt: 100,
  duration: 2,
  easing: "linear",
  repeats: false,
  autoreverses: false,
  ...over,
});

describe("sampleAnimation", () => {
  it("waits for a start in the future", () => {
    expect(sampleAnimation(timing(), 99.9)).toEqual({ state: "pending" });
  });
  it("runs, then finishes with exactly `to`", () => {
    expect(sampleAnimation(timing(), 101)).toEqual({ state: "running", value: 5 });
    expect(sampleAnimation(timing(), 102)).toEqual({ state: "finished", value: 10 });
    expect(sampleAnimation(timing({ to: 0.3, from: 0.1 }), 500)).toEqual({ state: "finished", value: 0.3 });
  });
  it("applies the easing", () => {
    expect(sampleAnimation(timing({ easing: "quadIn" }), 101)).toEqual({ state: "running", value: 2.5 });
  });
  it("repeats forever", () => {
    expect(sampleAnimation(timing({ repeats: true }), 1001)).toEqual({ state: "running", value: 5 });
    expect(sampleAnimation(timing({ repeats: true }), 100.5 + 2 * 1000)).toEqual({ state: "running", value: 2.5 });
  });
  it("autoreverses on odd iterations", () => {
    const t = timing({ repeats: true, autoreverses: true });
    expect(sampleAnimation(t, 100.5)).toEqual({ state: "running", value: 2.5 });
    expect(sampleAnimation(t, 102.5)).toEqual({ state: "running", value: 7.5 });
    expect(sampleAnimation(t, 104.5)).toEqual({ state: "running", value: 2.5 });
  });
  it("without repeats, autoreverses plays there and back once, ending at `from`", () => {
    const t = timing({ autoreverses: true });
    expect(sampleAnimation(t, 103.5)).toEqual({ state: "running", value: 2.5 });
    expect(sampleAnimation(t, 104)).toEqual({ state: "finished", value: 0 });
  });
});

describe("stepAnimation", () => {
  const valid = validateAnimationDescriptor(
    { path: "transform.matrix.translation.y", from: 0, to: 2, duration: 1, start_at: 10 },
    { now: 5 },
  );
  if (!valid.ok) throw new Error(valid.error);
  const components = { transform: { matrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 5, 0, 7, 1] } };

  it("writes the value as a new component value", () => {
    const step = stepAnimation(valid.value, components, 10.5);
    expect(step).toMatchObject({
      state: "running",
      component: "transform",
      value: { matrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 5, 1, 7, 1] },
    });
    expect(components.transform.matrix[13]).toBe(0);
  });
  it("finishes with the exact final value", () => {
    expect(stepAnimation(valid.value, components, 12)).toMatchObject({
      state: "finished",
      value: { matrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 5, 2, 7, 1] },
    });
  });
  it("reports a path that no longer fits as broken", () => {
    expect(stepAnimation(valid.value, { text: { string: "x" } }, 10.5)).toMatchObject({
      state: "broken",
      error: expect.stringMatching(/no component "transform"/),
    });
  });
});
