import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyMergePatch, applyMergePatchInPlace, createMergePatch } from "../src/merge-patch.ts";
import { jsonEqual } from "../src/json-equal.ts";
import type { Json } from "../src/types.ts";

// RFC 7386 Appendix A, every example: [original, patch, result].
const RFC_7386_APPENDIX_A: [Json, Json, Json][] = [
  [{ a: "b" }, { a: "c" }, { a: "c" }],
  [{ a: "b" }, { b: "c" }, { a: "b", b: "c" }],
  [{ a: "b" }, { a: null }, {}],
  [{ a: "b", b: "c" }, { a: null }, { b: "c" }],
  [{ a: ["b"] }, { a: "c" }, { a: "c" }],
  [{ a: "c" }, { a: ["b"] }, { a: ["b"] }],
  [{ a: { b: "c" } }, { a: { b: "d", c: null } }, { a: { b: "d" } }],
  [{ a: [{ b: "c" }] }, { a: [1] }, { a: [1] }],
  [
    ["a", "b"],
    ["c", "d"],
    ["c", "d"],
  ],
  [{ a: "b" }, ["c"], ["c"]],
  [{ a: "foo" }, null, null],
  [{ a: "foo" }, "bar", "bar"],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: "b", c: null }, { a: "b" }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
];

const clone = (x: Json): Json => JSON.parse(JSON.stringify(x));

// A small key set so that generated documents overlap and patches nest; proto-ish keys must stay plain data.
const key = fc.oneof(
  fc.constantFrom("a", "b", "c", "transform", "__proto__", "constructor"),
  fc.string({ maxLength: 4 }),
);
const scalar = fc.oneof(
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 6 }),
);

/**
 * JSON documents without null values inside objects: RFC 7386 cannot express them (a null in a patch means
 * "remove"), so createMergePatch can only round-trip such documents. Nulls inside arrays are fine.
 */
const { doc } = fc.letrec<{ doc: Json; array: Json[]; object: Record<string, Json> }>((tie) => ({
  doc: fc.oneof({ depthSize: "small", withCrossShrink: true }, scalar, tie("array"), tie("object")),
  array: fc.array(fc.oneof(tie("doc"), fc.constant(null)), { maxLength: 4 }),
  object: fc.dictionary(key, tie("doc"), { maxKeys: 5 }),
}));
const anyJson = fc.jsonValue() as fc.Arbitrary<Json>;

describe("applyMergePatch", () => {
  it.each(RFC_7386_APPENDIX_A.map(([o, p, r], i) => [i + 1, o, p, r]))(
    "RFC 7386 Appendix A example %i",
    (_n, original, patch, result) => {
      const before = clone(original as Json);
      expect(applyMergePatch(original as Json, patch as Json)).toEqual(result);
      expect(original).toEqual(before);
    },
  );

  it("never mutates the document or the patch", () => {
    fc.assert(
      fc.property(anyJson, anyJson, (a, p) => {
        const [a0, p0] = [clone(a), clone(p)];
        applyMergePatch(a, p);
        return jsonEqual(a, a0) && jsonEqual(p, p0);
      }),
      { numRuns: 2000 },
    );
  });

  it("keeps a __proto__ key as data instead of changing the prototype", () => {
    const patch = JSON.parse('{"__proto__":{"polluted":true}}') as Json;
    const result = applyMergePatch({}, patch) as Record<string, Json>;
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.keys(result)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("applyMergePatchInPlace", () => {
  it.each(RFC_7386_APPENDIX_A.map(([o, p, r], i) => [i + 1, o, p, r]))(
    "RFC 7386 Appendix A example %i",
    (_n, original, patch, result) => {
      expect(applyMergePatchInPlace(clone(original as Json), patch as Json)).toEqual(result);
    },
  );

  it("mutates the target object itself", () => {
    const target = { entities: { a: { id: "a" } }, revision: 1 } as Json;
    const result = applyMergePatchInPlace(target, { revision: 2, entities: { b: { id: "b" }, a: null } });
    expect(result).toBe(target);
    expect(target).toEqual({ entities: { b: { id: "b" } }, revision: 2 });
  });

  it("agrees with applyMergePatch on any document and patch", () => {
    fc.assert(
      fc.property(anyJson, anyJson, (a, p) => jsonEqual(applyMergePatchInPlace(clone(a), p), applyMergePatch(a, p))),
      { numRuns: 2000 },
    );
  });

  it("does not keep references to the patch's objects", () => {
    const patch = { a: { b: { c: 1 } } };
    const target = applyMergePatchInPlace({}, patch) as { a: { b: { c: number } } };
    target.a.b.c = 2;
    expect(patch.a.b.c).toBe(1);
  });
});

describe("createMergePatch", () => {
  it("returns undefined for equal documents", () => {
    expect(createMergePatch({ a: [1, { b: 2 }], c: "x" }, { c: "x", a: [1, { b: 2 }] })).toBeUndefined();
    expect(createMergePatch(null, null)).toBeUndefined();
    expect(createMergePatch([1, 2], [1, 2])).toBeUndefined();
  });

  it("replaces arrays whole and turns missing keys into null", () => {
    expect(createMergePatch({ a: [1, 2], b: 1, c: { d: 1, e: 2 } }, { a: [1, 3], c: { d: 1 } })).toEqual({
      a: [1, 3],
      b: null,
      c: { e: null },
    });
  });

  it("patches only what changed", () => {
    const from = {
      entities: { a: { id: "a", components: { transform: { matrix: [1, 2] }, text: { string: "hi" } } } },
    };
    const to = { entities: { a: { id: "a", components: { transform: { matrix: [1, 3] }, text: { string: "hi" } } } } };
    expect(createMergePatch(from, to)).toEqual({ entities: { a: { components: { transform: { matrix: [1, 3] } } } } });
  });

  it("round-trips: applying the patch of (a, b) to a gives b", () => {
    fc.assert(
      fc.property(doc, doc, (a, b) => {
        const [a0, b0] = [clone(a), clone(b)];
        const patch = createMergePatch(a, b);
        const roundTrip = patch === undefined ? jsonEqual(a, b) : jsonEqual(applyMergePatch(a, patch), b);
        return roundTrip && jsonEqual(a, a0) && jsonEqual(b, b0);
      }),
      { numRuns: 5000 },
    );
  });

  it("round-trips object documents with the `?? {}` idiom", () => {
    fc.assert(
      fc.property(fc.dictionary(key, doc), fc.dictionary(key, doc), (a, b) =>
        jsonEqual(applyMergePatch(a, createMergePatch(a, b) ?? {}), b),
      ),
      { numRuns: 3000 },
    );
  });

  it("survives JSON serialisation (the patch is what goes on the wire)", () => {
    fc.assert(
      fc.property(doc, doc, (a, b) => {
        const patch = createMergePatch(a, b);
        return patch === undefined || jsonEqual(applyMergePatch(a, JSON.parse(JSON.stringify(patch))), b);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("jsonEqual", () => {
  it.each([
    [1, 1, true],
    [1, 2, false],
    ["1", 1, false],
    [null, null, true],
    [null, {}, false],
    [[], {}, false],
    [{}, [], false],
    [[1, [2]], [1, [2]], true],
    [[1, 2], [2, 1], false],
    [{ a: 1, b: 2 }, { b: 2, a: 1 }, true],
    [{ a: 1 }, { a: 1, b: 2 }, false],
    [{ a: 1, b: 2 }, { a: 1 }, false],
    [{ a: undefined }, { b: undefined }, false],
    [{ a: { b: [1] } }, { a: { b: [1] } }, true],
  ] as [unknown, unknown, boolean][])("jsonEqual(%j, %j) is %s", (a, b, expected) => {
    expect(jsonEqual(a, b)).toBe(expected);
    expect(jsonEqual(b, a)).toBe(expected);
  });

  it("compares values nested far deeper than the call stack would allow", () => {
    const nest = (leaf: unknown): unknown => {
      let deep = leaf;
      for (let i = 0; i < 200_000; i++) deep = i % 2 ? [deep] : { k: deep };
      return deep;
    };
    expect(jsonEqual(nest(1), nest(1))).toBe(true);
    expect(jsonEqual(nest(1), nest(2))).toBe(false);
    expect(jsonEqual(nest([1]), nest({ 0: 1 }))).toBe(false);
  });

  it("agrees with comparing canonical serialisations", () => {
    const canonical = (x: unknown): string =>
      JSON.stringify(x, (_k, v) =>
        v && typeof v === "object" && !Array.isArray(v)
          ? Object.fromEntries(Object.entries(v).sort(([p], [q]) => (p < q ? -1 : 1)))
          : v,
      );
    fc.assert(
      fc.property(doc, doc, (a, b) => jsonEqual(a, b) === (canonical(a) === canonical(b))),
      { numRuns: 3000 },
    );
  });
});
