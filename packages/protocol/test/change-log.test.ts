import { describe, expect, it } from "vitest";
import {
  ChangeLog,
  ComponentChange,
  entitiesPatch,
  markComponent,
  markEntity,
  MUTATED_IN_PLACE,
  replacedBefore,
  type ChangeSet,
  type ValueBefore,
} from "../src/change-log.ts";
import { applyMergePatch } from "../src/merge-patch.ts";
import type { Entity, Json } from "../src/types.ts";

function set(entries: [string, "added" | "removed" | Record<string, ValueBefore>][]): ChangeSet {
  return new Map(entries.map(([id, c]) => [id, typeof c === "string" ? c : new Map(Object.entries(c))]));
}
const names = (c: ChangeSet, id: string) => [...(c.get(id) as Map<string, unknown>).keys()].sort();

describe("ChangeLog", () => {
  it("composes nothing from the latest revision and undefined from an unknown one", () => {
    const log = new ChangeLog(4);
    expect(log.compose(0)).toBeUndefined();
    log.record(1, 2, set([["a", "added"]]));
    expect(log.compose(2)).toEqual(new Map());
    expect(log.compose(7)).toBeUndefined();
    expect(log.latest).toBe(2);
  });

  it("unions component names across revisions and keeps each component's value as of the base", () => {
    const log = new ChangeLog();
    log.record(1, 2, set([["a", { transform: { v: 1 } }]]));
    log.record(
      2,
      3,
      set([
        ["a", { material: undefined, transform: { v: 2 } }],
        ["b", { text: "t" }],
      ]),
    );
    const union = log.compose(1)!;
    expect(names(union, "a")).toEqual(["material", "transform"]);
    expect((union.get("a") as Map<string, unknown>).get("transform")).toEqual({ v: 1 });
    expect(names(union, "b")).toEqual(["text"]);
    // The kept entries are not mutated by composing.
    expect((log.compose(2)!.get("a") as Map<string, unknown>).get("transform")).toEqual({ v: 2 });
  });

  it("after an in-place mutation then a replacement, drops the replaced keys and sends every leaf", () => {
    // At base 1 an agent has { v: 0, w: { x: 0 }, gone: 1 }; revision 2 mutates v and w.x in place (keys kept);
    // revision 3 replaces it with a value without `gone`, v unchanged since the mutation.
    const atBase: Json = { v: 0, w: { x: 0 }, gone: 1 };
    const mutated: Json = { v: 1, w: { x: 2 }, gone: 1 };
    const now: Json = { v: 1, w: { x: 2 }, fresh: true };
    const log = new ChangeLog();
    log.record(1, 2, set([["a", { transform: MUTATED_IN_PLACE }]]));
    log.record(2, 3, set([["a", { transform: mutated }]]));
    const patch = entitiesPatch(
      log.compose(1)!,
      () => ({ id: "a", components: { transform: now } }) as unknown as Entity,
    );
    expect(applyMergePatch({ a: { components: { transform: atBase } } }, patch)).toEqual({
      a: { components: { transform: now } },
    });
    // From base 2 (after the mutation) the ordinary, minimal patch.
    expect(
      entitiesPatch(log.compose(2)!, () => ({ id: "a", components: { transform: now } }) as unknown as Entity),
    ).toEqual({ a: { components: { transform: { gone: null, fresh: true } } } });
  });

  it("composes one-component changes without changing the log's own entries", () => {
    const log = new ChangeLog();
    const first = new ComponentChange("transform", MUTATED_IN_PLACE);
    log.record(1, 2, new Map([["a", first]]));
    log.record(2, 3, new Map([["a", new ComponentChange("transform", { v: 1, gone: 1 })]]));
    log.record(3, 4, new Map([["a", new ComponentChange("text", undefined)]]));
    const union = log.compose(1)!;
    const a = union.get("a") as Map<string, ValueBefore>;
    expect([...a.keys()]).toEqual(["transform", "text"]);
    expect(
      entitiesPatch(union, () => ({ id: "a", components: { transform: { v: 2 }, text: "t" } }) as unknown as Entity),
    ).toEqual({ a: { components: { transform: { v: 2, gone: null }, text: "t" } } });
    expect(log.compose(2)!.get("a")).toBeInstanceOf(Map);
    expect(first.before).toBe(MUTATED_IN_PLACE);
  });

  it("keeps an added entity whole and a removed one removed", () => {
    const log = new ChangeLog();
    log.record(
      1,
      2,
      set([
        ["a", "added"],
        ["b", { x: 1 }],
      ]),
    );
    log.record(
      2,
      3,
      set([
        ["a", { x: undefined }],
        ["b", "removed"],
      ]),
    );
    const union = log.compose(1)!;
    expect(union.get("a")).toBe("added");
    expect(union.get("b")).toBe("removed");
  });

  it("forgets revisions older than its capacity", () => {
    const log = new ChangeLog(3);
    for (let r = 1; r <= 5; r++) log.record(r, r + 1, set([["a", { [`c${r}`]: undefined }]]));
    expect(log.canCompose(2)).toBe(false);
    expect(log.canCompose(3)).toBe(true);
    expect(names(log.compose(3)!, "a")).toEqual(["c3", "c4", "c5"]);
  });

  it("follows revisions across a wrap", () => {
    const log = new ChangeLog();
    const max = Number.MAX_SAFE_INTEGER - 1;
    log.record(max - 1, max, set([["a", { x: 1 }]]));
    log.record(max, 1, set([["a", { y: 1 }]]));
    expect(names(log.compose(max - 1)!, "a")).toEqual(["x", "y"]);
  });
});

describe("markEntity / markComponent", () => {
  it("drops an entity added and removed within one revision", () => {
    const c: ChangeSet = new Map();
    markEntity(c, "a", "added");
    markComponent(c, "a", "transform", undefined);
    expect(c.get("a")).toBe("added");
    markEntity(c, "a", "removed");
    expect(c.has("a")).toBe(false);
  });
  it("records one changed component without a Map, and turns to a Map at the second", () => {
    const c: ChangeSet = new Map();
    markComponent(c, "a", "transform", { v: 0 });
    markComponent(c, "a", "transform", { v: 1 });
    expect(c.get("a")).toEqual(new ComponentChange("transform", { v: 0 }));
    markComponent(c, "a", "text", undefined);
    expect([...(c.get("a") as Map<string, unknown>)]).toEqual([
      ["transform", { v: 0 }],
      ["text", undefined],
    ]);
  });
  it("collects component names with their first earlier value", () => {
    const c: ChangeSet = new Map();
    markComponent(c, "a", "transform", { v: 0 });
    markComponent(c, "a", "text", undefined);
    markComponent(c, "a", "transform", { v: 1 });
    expect([...(c.get("a") as Map<string, unknown>)]).toEqual([
      ["transform", { v: 0 }],
      ["text", undefined],
    ]);
  });
});

describe("replacedBefore", () => {
  it("keeps nothing when the patch would be the new value whole: same keys at every level, every leaf new", () => {
    expect(replacedBefore({ matrix: [1, 2] }, { matrix: [1, 3] })).toBe(MUTATED_IN_PLACE);
    expect(replacedBefore({ a: { b: 1 }, c: "x" }, { a: { b: 2 }, c: "y" })).toBe(MUTATED_IN_PLACE);
    expect(replacedBefore(1, 2)).toBe(MUTATED_IN_PLACE);
  });
  it("keeps the earlier value when a patch needs it: a leaf in common, a key dropped or added, a type changed", () => {
    for (const [before, after] of [
      [
        { color: [1], roughness: 0.5 },
        { color: [2], roughness: 0.5 },
      ],
      [{ a: 1, gone: 1 }, { a: 2 }],
      [{ a: 1 }, { a: 2, fresh: 1 }],
      [{ a: { b: 1, gone: 1 } }, { a: { b: 2 } }],
      [{ a: { b: 1 } }, { a: 5 }],
      [{ a: 5 }, { a: { b: 1 } }],
      [{}, {}],
      [{ v: 1 }, { v: 1 }],
    ] as [Json, Json][])
      expect(replacedBefore(before, after)).toBe(before);
    expect(replacedBefore(undefined, { a: 1 })).toBeUndefined();
  });
});

describe("entitiesPatch", () => {
  it("builds whole entities, component patches from earlier values, and nulls", () => {
    const world = new Map<string, Entity>([
      ["a", { id: "a", components: { text: { string: "hi" } } }],
      [
        "b",
        {
          id: "b",
          components: {
            transform: { matrix: [1] },
            material: { color: [0, 1, 0, 1] },
            fresh: 1,
          } as Entity["components"],
        },
      ],
    ]);
    const patch = entitiesPatch(
      set([
        ["a", "added"],
        [
          "b",
          {
            transform: MUTATED_IN_PLACE,
            material: { color: [1, 0, 0, 1], roughness: 0.5 },
            fresh: undefined,
            gone: { x: 1 },
            never: undefined,
          },
        ],
        ["c", "removed"],
      ]),
      (id) => world.get(id),
    );
    expect(patch).toEqual({
      a: { id: "a", components: { text: { string: "hi" } } },
      b: {
        components: {
          transform: { matrix: [1] },
          material: { color: [0, 1, 0, 1], roughness: null },
          fresh: 1,
          gone: null,
        },
      },
      c: null,
    });
  });

  it("turns a mirror at the base into the current world, keys dropped by a replacement included", () => {
    const base = {
      entities: {
        e: { id: "e", components: { material: { color: [1, 0, 0, 1], roughness: 0.5 }, text: { string: "x" } } },
      },
    };
    const now: Entity = { id: "e", components: { material: { color: [0, 1, 0, 1] } } };
    const patch = entitiesPatch(
      set([["e", { material: base.entities.e.components.material, text: base.entities.e.components.text }]]),
      () => now,
    );
    expect(applyMergePatch(base as unknown as Json, { entities: patch })).toEqual({ entities: { e: now } });
  });

  it("leaves out an entity whose changes cancelled out", () => {
    const now: Entity = { id: "e", components: { text: { string: "same" } } };
    expect(entitiesPatch(set([["e", { text: { string: "same" }, temp: undefined }]]), () => now)).toEqual({});
  });
});
