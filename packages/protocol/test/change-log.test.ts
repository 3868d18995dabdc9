import { describe, expect, it } from "vitest";
import { ChangeLog, entitiesPatch, markChange, type ChangeSet } from "../src/change-log.ts";
import type { Entity } from "../src/types.ts";

function set(entries: [string, "added" | "removed" | string[]][]): ChangeSet {
  return new Map(entries.map(([id, c]) => [id, typeof c === "string" ? c : new Set(c)]));
}

describe("ChangeLog", () => {
  it("composes nothing from the latest revision and undefined from an unknown one", () => {
    const log = new ChangeLog(4);
    expect(log.compose(0)).toBeUndefined();
    log.record(1, 2, set([["a", "added"]]));
    expect(log.compose(2)).toEqual(new Map());
    expect(log.compose(7)).toBeUndefined();
    expect(log.latest).toBe(2);
  });

  it("unions component names across revisions", () => {
    const log = new ChangeLog();
    log.record(1, 2, set([["a", ["transform"]]]));
    log.record(2, 3, set([["a", ["material"]], ["b", ["text"]]]));
    const union = log.compose(1)!;
    expect([...(union.get("a") as Set<string>)].sort()).toEqual(["material", "transform"]);
    expect([...(union.get("b") as Set<string>)]).toEqual(["text"]);
    // The kept entries are not mutated by composing.
    expect([...(log.compose(2)!.get("a") as Set<string>)]).toEqual(["material"]);
  });

  it("keeps an added entity whole and a removed one removed", () => {
    const log = new ChangeLog();
    log.record(1, 2, set([["a", "added"], ["b", ["x"]]]));
    log.record(2, 3, set([["a", ["x"]], ["b", "removed"]]));
    const union = log.compose(1)!;
    expect(union.get("a")).toBe("added");
    expect(union.get("b")).toBe("removed");
  });

  it("forgets revisions older than its capacity", () => {
    const log = new ChangeLog(3);
    for (let r = 1; r <= 5; r++) log.record(r, r + 1, set([["a", [`c${r}`]]]));
    expect(log.canCompose(2)).toBe(false);
    expect(log.canCompose(3)).toBe(true);
    expect([...(log.compose(3)!.get("a") as Set<string>)].sort()).toEqual(["c3", "c4", "c5"]);
  });

  it("follows revisions across a wrap", () => {
    const log = new ChangeLog();
    const max = Number.MAX_SAFE_INTEGER - 1;
    log.record(max - 1, max, set([["a", ["x"]]]));
    log.record(max, 1, set([["a", ["y"]]]));
    expect([...(log.compose(max - 1)!.get("a") as Set<string>)].sort()).toEqual(["x", "y"]);
  });
});

describe("markChange", () => {
  it("drops an entity added and removed within one revision", () => {
    const c: ChangeSet = new Map();
    markChange(c, "a", "added");
    markChange(c, "a", "transform");
    expect(c.get("a")).toBe("added");
    markChange(c, "a", "removed");
    expect(c.has("a")).toBe(false);
  });
  it("collects component names", () => {
    const c: ChangeSet = new Map();
    markChange(c, "a", "transform");
    markChange(c, "a", "text");
    expect([...(c.get("a") as Set<string>)]).toEqual(["transform", "text"]);
  });
});

describe("entitiesPatch", () => {
  it("builds whole entities, changed components, and nulls from current values", () => {
    const world = new Map<string, Entity>([
      ["a", { id: "a", components: { text: { string: "hi" } } }],
      ["b", { id: "b", components: { transform: { matrix: [1] as number[] } } }],
    ]);
    const patch = entitiesPatch(set([["a", "added"], ["b", ["transform", "gone"]], ["c", "removed"]]), (id) => world.get(id));
    expect(patch).toEqual({
      a: { id: "a", components: { text: { string: "hi" } } },
      b: { components: { transform: { matrix: [1] }, gone: null } },
      c: null,
    });
  });
});
