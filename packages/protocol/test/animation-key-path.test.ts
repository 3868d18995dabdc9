// Key paths into components, and matrix paths that change only their part of the matrix (docs/protocol.md §6.2).
import { mat4, quat } from "gl-matrix";
import { describe, expect, it } from "vitest";
import { parseKeyPath, readKeyPath, resolveKeyPath, writeKeyPath, type ResolvedPath } from "../src/animation/index.ts";

const q = quat.setAxisAngle(new Float64Array(4), [0.36, 0.48, 0.8], 1.1);
const M = Array.from(mat4.fromRotationTranslationScale(new Float64Array(16), q, [1.5, -2, 3.25], [2, 0.5, 3]));
const components = {
  transform: { matrix: M },
  material: { color: [1, 0.5, 0.25, 1] },
  text: { height: 0.1, string: "hi" },
  custom: { list: [{ x: 4 }, { x: 5 }] },
};

function resolve(text: string): ResolvedPath {
  const path = parseKeyPath(text);
  if (!path.ok) throw new Error(path.error);
  const r = resolveKeyPath(components, path.value);
  if (!r.ok) throw new Error(r.error);
  return r.value;
}
function resolveError(text: string): string {
  const path = parseKeyPath(text);
  if (!path.ok) return path.error;
  const r = resolveKeyPath(components, path.value);
  return r.ok ? "" : r.error;
}
// Translation, the pure rotation 3×3 (columns divided by their lengths) and the column lengths, computed by hand.
const parts = (m: number[]) => {
  const s = [0, 1, 2].map((c) => Math.hypot(m[c * 4], m[c * 4 + 1], m[c * 4 + 2]));
  return { t: [m[12], m[13], m[14]], r: [0, 1, 2].flatMap((c) => [0, 1, 2].map((row) => m[c * 4 + row] / s[c])), s };
};
const rotationMatrix = (axis: number[], angle: number) =>
  parts(Array.from(mat4.fromRotation(new Float64Array(16), angle, axis))).r;
function expectClose(actual: number[], expected: number[], digits = 12) {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => expect(v, `element ${i}`).toBeCloseTo(expected[i], digits));
}
const write = (text: string, value: number | number[]) =>
  (writeKeyPath(components, resolve(text), value) as { matrix: number[] }).matrix;

describe("key paths", () => {
  it("resolves component keys and 0-based indices, with the kind found there", () => {
    expect(resolve("text.height")).toMatchObject({ component: "text", steps: ["height"], kind: "number" });
    expect(resolve("material.color.3")).toMatchObject({ steps: ["color", 3], kind: "number" });
    expect(resolve("custom.list.1.x")).toMatchObject({ steps: ["list", 1, "x"], kind: "number" });
    expect(resolve("transform.matrix")).toMatchObject({ kind: "mat4" });
    expect(resolve("material.color")).toMatchObject({ kind: "rotation" });
    expect(resolve("transform.matrix.translation")).toMatchObject({ matrix: { part: "translation" }, kind: "vec3" });
    expect(resolve("transform.matrix.rotation")).toMatchObject({ matrix: { part: "rotation" }, kind: "rotation" });
    expect(resolve("transform.matrix.scale.z")).toMatchObject({ matrix: { part: "scale", axis: 2 }, kind: "number" });
  });

  it("explains every path that does not fit", () => {
    expect(parseKeyPath(42).ok).toBe(false);
    expect(resolveError("")).toMatch(/empty/);
    expect(resolveError("transform..matrix")).toMatch(/empty segment/);
    expect(resolveError("x".repeat(300))).toMatch(/longer than 254/);
    expect(resolveError("nosuch.value")).toMatch(/no component "nosuch"/);
    expect(resolveError("text.width")).toMatch(/no key "width"/);
    expect(resolveError("material.color.9")).toMatch(/index 9 is out of range/);
    expect(resolveError("material.color.first")).toMatch(/not an index/);
    expect(resolveError("text.height.x")).toMatch(/cannot go into it/);
    expect(resolveError("text.string")).toMatch(/animations need a number/);
    expect(resolveError("transform.matrix.translation.w")).toMatch(/only \.x, \.y or \.z/);
    expect(resolveError("transform.matrix.scale.x.y")).toMatch(/only \.x, \.y or \.z/);
  });

  it("writes a plain path without touching anything else, copying only along the path", () => {
    const next = writeKeyPath(components, resolve("custom.list.1.x"), 9) as { list: { x: number }[] };
    expect(next.list[1].x).toBe(9);
    expect(next.list[0]).toBe(components.custom.list[0]);
    expect(components.custom.list[1].x).toBe(5);
  });

  it("reads the parts of a matrix", () => {
    expectClose(readKeyPath(components, resolve("transform.matrix.translation")) as number[], [1.5, -2, 3.25]);
    expectClose(readKeyPath(components, resolve("transform.matrix.scale")) as number[], [2, 0.5, 3]);
    expect(readKeyPath(components, resolve("transform.matrix.translation.z"))).toBe(3.25);
    const [angle, ...axis] = readKeyPath(components, resolve("transform.matrix.rotation")) as number[];
    expect(angle).toBeCloseTo(1.1, 12);
    expectClose(axis, [0.36, 0.48, 0.8]);
  });
});

describe("matrix paths change only their part", () => {
  const before = parts(M);

  it("translation and translation.y leave every other element bit-identical", () => {
    const whole = write("transform.matrix.translation", [7, 8, 9]);
    expect(whole.slice(0, 12)).toEqual(M.slice(0, 12));
    expect(whole.slice(12)).toEqual([7, 8, 9, 1]);
    const y = write("transform.matrix.translation.y", 4);
    expect(y).toEqual(M.map((v, i) => (i === 13 ? 4 : v)));
  });

  it("scale keeps rotation and translation", () => {
    const m = write("transform.matrix.scale", [1, 2, 4]);
    const after = parts(m);
    expect(after.t).toEqual(before.t);
    expectClose(after.r, before.r);
    expectClose(after.s, [1, 2, 4]);
  });

  it("scale.x changes only the x scale", () => {
    const after = parts(write("transform.matrix.scale.x", 5));
    expectClose(after.s, [5, 0.5, 3]);
    expectClose(after.r, before.r);
    expect(after.t).toEqual(before.t);
  });

  it("rotation keeps translation and scale", () => {
    const m = write("transform.matrix.rotation", [0.5, 0, 0, 2]);
    const after = parts(m);
    expect(after.t).toEqual(before.t);
    expectClose(after.s, before.s);
    expectClose(after.r, rotationMatrix([0, 0, 1], 0.5));
  });

  it("rotation.y sets an absolute rotation about Y and keeps translation and scale", () => {
    const after = parts(write("transform.matrix.rotation.y", Math.PI / 3));
    expect(after.t).toEqual(before.t);
    expectClose(after.s, before.s);
    expectClose(after.r, rotationMatrix([0, 1, 0], Math.PI / 3));
  });
});

describe("hostile keys", () => {
  it("writes a component key named __proto__ as a plain key, never the prototype", () => {
    const hostile = JSON.parse(`{"custom": {"__proto__": {"v": 1}}}`);
    const path = parseKeyPath("custom.__proto__.v");
    if (!path.ok) throw new Error(path.error);
    const r = resolveKeyPath(hostile, path.value);
    if (!r.ok) throw new Error(r.error);
    const next = writeKeyPath(hostile, r.value, 2) as Record<string, unknown>;
    expect(Object.getPrototypeOf(next)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(next, "__proto__")?.value).toEqual({ v: 2 });
    expect(({} as Record<string, unknown>).v).toBeUndefined();
  });
});
