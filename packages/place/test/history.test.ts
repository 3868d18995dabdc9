// The revision history (docs/protocol.md §5): a patch composed from any kept base must turn a mirror at that base into
// the world, whatever happened in between. The history keeps a replaced value only when a patch needs it
// (change-log.ts replacedBefore), so this drives replacements that keep, drop, nest and re-add keys, leaves that
// stay equal, in-place mutations, removals and re-adds, and checks every base against a snapshot of the world.
import { describe, expect, it } from "vitest";
import { applyMergePatch, entitiesPatch, jsonEqual, type Json, type JsonObject } from "@allo/protocol";
import { World } from "../src/world.ts";
import { rng } from "./helpers.ts";

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
/** toEqual's diff when they differ; the plain comparison otherwise (thousands of checks). */
const expectSame = (actual: Json, expected: Json, what: string) => {
  if (!jsonEqual(actual, expected)) expect(actual, what).toEqual(expected);
};

describe("revision history", () => {
  it("composes exact patches from every kept base across replaced, removed, re-added and mutated components", () => {
    const random = rng(23);
    const int = (n: number) => Math.floor(random() * n);
    // Few keys and few leaf values, so replacements often keep every key, or some leaves, or change nothing.
    const leaf = (): Json => [int(3), [int(3), int(2)], "s" + int(3), true][int(4)];
    const shape = (depth: number): Json => {
      if (depth > 1 || random() < 0.15) return random() < 0.5 ? leaf() : [leaf(), leaf()];
      const out: JsonObject = {};
      for (const key of ["x", "y", "z"]) if (random() < 0.6) out[key] = random() < 0.3 ? shape(depth + 1) : leaf();
      return out;
    };
    /** The same keys at every level, new leaves: the history keeps nothing for these. */
    const sameKeys = (v: Json): Json => {
      if (typeof v !== "object" || v === null || Array.isArray(v))
        return typeof v === "number" ? v + 1 + int(2) : leaf();
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, sameKeys(x)]));
    };
    /** The same top keys, each value turned from an object into a leaf or back: the keys below change. */
    const retyped = (v: Json): Json => {
      if (typeof v !== "object" || v === null || Array.isArray(v)) return { [["x", "w"][int(2)]]: v };
      return Object.fromEntries(
        Object.entries(v).map(([k, x]) => [
          k,
          typeof x === "object" && x !== null && !Array.isArray(x) ? int(3) + 10 : { x },
        ]),
      );
    };
    /** The same top keys and new leaves, but keys dropped and added one level down. */
    const renested = (v: Json): Json => {
      if (typeof v !== "object" || v === null || Array.isArray(v)) return sameKeys(v);
      return Object.fromEntries(
        Object.entries(v).map(([k, x]) => {
          if (typeof x !== "object" || x === null || Array.isArray(x)) return [k, sameKeys(x)];
          const [, ...rest] = Object.entries(sameKeys(x) as JsonObject);
          return [k, { ...Object.fromEntries(rest), w: leaf() }];
        }),
      );
    };
    /** Changes leaves in place, keeping every key (world.touch's contract). */
    const mutate = (v: JsonObject): void => {
      for (const key of Object.keys(v)) {
        const x = v[key];
        if (typeof x === "object" && x !== null && !Array.isArray(x)) mutate(x);
        else if (random() < 0.7) v[key] = leaf();
      }
    };
    const matrix = () => [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, int(4), 0, random() < 0.5 ? 0 : int(4), 1];
    const names = ["transform", "a", "b", "c"];

    const world = new World(16);
    const snapshots = new Map<number, Json>();
    snapshots.set(world.revision, {});
    // Agents that follow the world by patches from their own last revision, some lagging, as the place sends them.
    const mirrors = Array.from({ length: 4 }, (_, i) => ({ lag: i, revision: world.revision, entities: {} as Json }));
    const live: string[] = [];
    let next = 0;
    let checked = 0;

    for (let step = 0; step < 600; step++) {
      for (let k = 1 + int(5); k > 0; k--) {
        const roll = random();
        if (roll < 0.08 || live.length < 4) {
          const id = `e${next++}`;
          world.add(id, "place", { transform: { matrix: matrix() }, a: shape(0) } as never);
          live.push(id);
          continue;
        }
        const id = live[int(live.length)];
        const name = names[int(names.length)];
        const components = world.get(id)!.components as Record<string, Json>;
        const now = Object.hasOwn(components, name) ? components[name] : undefined;
        if (roll < 0.15 || live.length > 12) {
          world.removeCascade(id);
          live.splice(live.indexOf(id), 1);
        } else if (roll < 0.35) {
          world.setComponent(id, "transform", { matrix: matrix() });
        } else if (roll < 0.55 && now !== undefined) {
          world.setComponent(id, name, sameKeys(now));
        } else if (roll < 0.6 && now !== undefined) {
          world.setComponent(id, name, clone(now));
        } else if (roll < 0.65 && now !== undefined) {
          world.setComponent(id, name, retyped(now));
        } else if (roll < 0.7 && now !== undefined) {
          world.setComponent(id, name, renested(now));
        } else if (roll < 0.77 && typeof now === "object" && now !== null && !Array.isArray(now)) {
          mutate(now);
          world.touch(id, name);
        } else if (roll < 0.87) {
          world.removeComponent(id, name);
        } else {
          world.setComponent(
            id,
            name,
            name === "transform" ? { matrix: matrix(), ...(random() < 0.5 ? { extra: shape(1) } : {}) } : shape(0),
          );
        }
      }
      if (!world.commit()) continue;
      const current = clone(world.toDocument().entities) as unknown as Json;
      snapshots.set(world.revision, current);
      const lookup = (id: string) => world.get(id);

      // applyMergePatch copies what it changes: the snapshots stay as they were.
      for (const [base, entities] of snapshots) {
        const changes = world.history.compose(base);
        if (!changes) {
          snapshots.delete(base);
          continue;
        }
        expectSame(
          applyMergePatch(entities, entitiesPatch(changes, lookup)),
          current,
          `patch from ${base} to ${world.revision}`,
        );
        checked++;
      }
      for (const mirror of mirrors) {
        if (step % (mirror.lag + 1)) continue;
        const changes = world.history.compose(mirror.revision);
        mirror.entities = changes
          ? applyMergePatch(mirror.entities, clone(entitiesPatch(changes, lookup)))
          : clone(current);
        mirror.revision = world.revision;
        expectSame(mirror.entities, current, `mirror lagging ${mirror.lag} at ${world.revision}`);
      }
    }
    // Every revision was checked from up to 16 bases, the oldest ones spanning many kinds of change.
    expect(checked).toBeGreaterThan(5000);
  });

  it("keeps no earlier value for a replacement the patch sends whole, and keeps it where the patch needs it", () => {
    const world = new World();
    world.add("e", "place", {
      transform: { matrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1] },
      material: { color: [1, 0, 0, 1], roughness: 0.5 },
    } as never);
    world.commit();
    world.setComponent("e", "transform", { matrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 2, 0, 0, 1] });
    world.commit();
    const moved = world.history.compose(world.revision - 1)!.get("e");
    expect(moved).toMatchObject({ name: "transform" });
    expect(typeof (moved as { before: unknown }).before).toBe("symbol");
    // Roughness stays: the patch leaves it out, so the earlier value is kept.
    world.setComponent("e", "material", { color: [0, 1, 0, 1], roughness: 0.5 });
    world.commit();
    const recolored = world.history.compose(world.revision - 1)!;
    expect(recolored.get("e")).toMatchObject({ name: "material", before: { color: [1, 0, 0, 1], roughness: 0.5 } });
    expect(entitiesPatch(recolored, (id) => world.get(id))).toEqual({
      e: { components: { material: { color: [0, 1, 0, 1] } } },
    });
  });
});
