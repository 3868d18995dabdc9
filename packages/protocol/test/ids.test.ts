import { mat4 } from "gl-matrix";
import { describe, expect, it } from "vitest";
import {
  IDENTITY_MATRIX,
  identityMatrix,
  newAgentId,
  newEntityId,
  newRequestId,
  translationMatrix,
} from "../src/index.ts";

describe("ids", () => {
  it.each([
    ["newEntityId", newEntityId, 22],
    ["newAgentId", newAgentId, 22],
    ["newRequestId", newRequestId, 16],
  ] as const)("%s makes distinct alphanumeric ids of %i characters", (_name, make, length) => {
    const ids = new Set(Array.from({ length: 100_000 }, make));
    expect(ids.size).toBe(100_000);
    const shape = new RegExp(`^[0-9a-zA-Z]{${length}}$`);
    expect([...ids].filter((id) => !shape.test(id))).toEqual([]);
  });

  it("uses every character about equally often (no modulo bias)", () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 20_000; i++) for (const c of newEntityId()) counts.set(c, (counts.get(c) ?? 0) + 1);
    expect(counts.size).toBe(62);
    const expected = (20_000 * 22) / 62; // ≈ 7097 each; ±10% is > 8 standard deviations
    for (const n of counts.values()) expect(Math.abs(n - expected) / expected).toBeLessThan(0.1);
  });
});

describe("identity", () => {
  it("IDENTITY_MATRIX is gl-matrix's identity and frozen", () => {
    expect([...IDENTITY_MATRIX]).toEqual(Array.from(mat4.create()));
    expect(Object.isFrozen(IDENTITY_MATRIX)).toBe(true);
    const copy = identityMatrix();
    copy[0] = 5;
    expect(IDENTITY_MATRIX[0]).toBe(1);
  });

  it("translationMatrix is column-major with the translation in elements 12–14", () => {
    expect(translationMatrix(1, 2, 3)).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 2, 3, 1]);
    expect(Array.isArray(translationMatrix(0, 0, 0))).toBe(true);
  });
});
