// Each invalid descriptor is refused with its own reason (docs/protocol.md §6.2).
import { describe, expect, it } from "vitest";
import { checkAnimationTarget, validateAnimationDescriptor } from "../src/animation/index.ts";

const base = { path: "transform.matrix.translation.x", from: 0, to: 1 };
const check = (d: unknown) => validateAnimationDescriptor(d, { now: 42 });

describe("validateAnimationDescriptor", () => {
  it("fills in the defaults and replaces start_at 0 by now", () => {
    const r = check({ ...base, start_at: 0 });
    expect(r.ok && r.value.descriptor).toEqual({
      ...base,
      start_at: 42,
      duration: 1,
      easing: "linear",
      repeats: false,
      autoreverses: false,
    });
    const later = check({ ...base, start_at: 50, duration: 3, easing: "bounceOut", repeats: true, autoreverses: true });
    expect(later.ok && later.value).toMatchObject({
      startAt: 50,
      duration: 3,
      easing: "bounceOut",
      repeats: true,
      autoreverses: true,
      kind: "number",
    });
  });

  const invalid: [string, unknown, RegExp][] = [
    ["not an object", [base], /must be an object/],
    ["null", null, /must be an object/],
    ["an unknown field", { ...base, easeing: "linear" }, /unknown field "easeing"/],
    ["no path", { from: 0, to: 1 }, /path is required/],
    ["a path that is not a string", { ...base, path: 3 }, /path must be a string/],
    ["an empty path segment", { ...base, path: "transform..x" }, /empty segment/],
    ["no to", { path: "a.b", from: 0 }, /to is required/],
    ["no from", { path: "a.b", to: 0 }, /from is required/],
    ["a string value", { ...base, to: "1" }, /to must be a number, vec3/],
    ["a 2-element value", { ...base, from: [1, 2], to: [1, 2] }, /to must be .* got \[1,2\]/],
    ["a non-finite value", { ...base, to: Infinity }, /finite numbers; got Infinity/],
    ["a value with a null inside", { ...base, from: [0, null, 0], to: [0, 1, 0] }, /from must be/],
    ["kinds that differ", { ...base, from: [0, 0, 0], to: 1 }, /from is a vec3 but to is a number/],
    ["a zero rotation axis", { ...base, from: [0, 0, 1, 0], to: [1, 0, 0, 0] }, /axis is zero/],
    ["a start_at string", { ...base, start_at: "now" }, /start_at must be a number/],
    ["a negative start_at", { ...base, start_at: -1 }, /start_at must be ≥ 0/],
    ["duration 0", { ...base, duration: 0 }, /duration must be > 0/],
    ["a negative duration", { ...base, duration: -2 }, /duration must be > 0/],
    ["a huge duration", { ...base, duration: 1e12 }, /at most/],
    ["a duration string", { ...base, duration: "1s" }, /duration must be a number/],
    ["the quatIn typo", { ...base, easing: "quatIn" }, /unknown easing "quatIn"; use one of linear, quadIn/],
    ["a numeric easing", { ...base, easing: 1 }, /unknown easing 1/],
    ["repeats as a string", { ...base, repeats: "yes" }, /repeats must be true or false/],
    ["autoreverses as a number", { ...base, autoreverses: 1 }, /autoreverses must be true or false/],
  ];
  it.each(invalid)("refuses %s", (_what, descriptor, reason) => {
    const r = check(descriptor);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(reason);
  });
});

describe("checkAnimationTarget", () => {
  const components = { transform: { matrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1] }, text: { height: 1 } };
  const target = (d: object) => {
    const r = check(d);
    if (!r.ok) throw new Error(r.error);
    return checkAnimationTarget(r.value, components);
  };
  it("accepts a path whose value kind matches", () => {
    expect(target(base).ok).toBe(true);
    expect(target({ path: "transform.matrix.rotation", from: [0, 0, 1, 0], to: [3, 0, 1, 0] }).ok).toBe(true);
    expect(
      target({ path: "transform.matrix", from: components.transform.matrix, to: components.transform.matrix }).ok,
    ).toBe(true);
  });
  it("refuses a kind that does not fit the path", () => {
    expect(target({ path: "transform.matrix.translation", from: 0, to: 1 })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/holds a vec3, but from\/to are a number/),
    });
    expect(target({ path: "text.height", from: [0, 0, 0], to: [1, 1, 1] })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/holds a number/),
    });
  });
  it("refuses a path into nothing", () => {
    expect(target({ path: "material.color.0", from: 0, to: 1 })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/no component "material"/),
    });
  });
});
