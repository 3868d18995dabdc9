import { describe, expect, it } from "vitest";
import { createMergePatch, type Entity, type Json, type StateFrame } from "@allo/protocol";
import { WorldMirror, type EntityChange, type EntityRemoval } from "../src/index.ts";

const I = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];

function record(mirror: WorldMirror) {
  const events: string[] = [];
  const changes: EntityChange[] = [];
  const removals: EntityRemoval[] = [];
  mirror.entityAdded$.subscribe((e) => events.push(`added ${e.id}`));
  mirror.entityChanged$.subscribe((c) => {
    changes.push({ entity: c.entity, changed: [...c.changed], removed: [...c.removed] });
    events.push(`changed ${c.entity.id}`);
  });
  mirror.entityRemoved$.subscribe((r) => {
    removals.push(r);
    events.push(`removed ${r.id}`);
  });
  mirror.state$.subscribe((s) => events.push(`state ${s.revision} ${s.style}`));
  return { events, changes, removals };
}

function set(revision: number, entities: Record<string, Entity["components"]>): StateFrame {
  return {
    patch_style: "set",
    revision,
    entities: Object.fromEntries(Object.entries(entities).map(([id, components]) => [id, { id, components }])),
  };
}

describe("WorldMirror", () => {
  it("takes a set as the whole world and announces each entity, parents before children", () => {
    const mirror = new WorldMirror();
    const { events } = record(mirror);
    const applied = mirror.apply(
      set(2, {
        child: { transform: { matrix: I }, relationships: { parent: "root" } },
        grandchild: { relationships: { parent: "child" } },
        root: { transform: { matrix: I } },
      }),
    );
    expect(applied).toBe(true);
    expect(mirror.revision).toBe(2);
    expect([...mirror.entities.keys()].sort()).toEqual(["child", "grandchild", "root"]);
    expect(events).toEqual(["added root", "added child", "added grandchild", "state 2 set"]);
  });

  it("applies a merge patch based on its revision, naming the changed and removed components from the patch", () => {
    const mirror = new WorldMirror();
    mirror.apply(set(2, { a: { transform: { matrix: I }, text: { string: "hi" } }, b: { transform: { matrix: I } } }));
    const entityA = mirror.get("a")!;
    const transformBefore = entityA.components.transform;
    const { events, changes, removals } = record(mirror);
    const applied = mirror.apply({
      patch_style: "merge",
      patch_from: 2,
      revision: 3,
      entities: {
        a: { components: { text: null, material: { color: [1, 0, 0, 1] }, transform: { size: [1, 2, 3] } } },
        b: null,
        c: { id: "c", components: { transform: { matrix: I }, custom: { keep: 1, drop: null } } },
      },
    });
    expect(applied).toBe(true);
    expect(mirror.revision).toBe(3);
    expect(events).toEqual(["added c", "changed a", "removed b", "state 3 merge"]);
    expect(changes[0].changed.sort()).toEqual(["material", "transform"]);
    expect(changes[0].removed).toEqual(["text"]);
    expect(removals[0].entity.components.transform).toEqual({ matrix: I });
    // The entity object lives on; the changed component is a new value and the old one is untouched.
    expect(mirror.get("a")).toBe(entityA);
    expect(entityA.components.transform).not.toBe(transformBefore);
    expect(transformBefore).toEqual({ matrix: I });
    expect(entityA.components.transform).toEqual({ matrix: I, size: [1, 2, 3] });
    expect(mirror.get("c")!.components.custom).toEqual({ keep: 1 });
    expect(mirror.toDocument()).toEqual({
      revision: 3,
      entities: {
        a: { id: "a", components: { transform: { matrix: I, size: [1, 2, 3] }, material: { color: [1, 0, 0, 1] } } },
        c: { id: "c", components: { transform: { matrix: I }, custom: { keep: 1 } } },
      },
    });
  });

  it("refuses a merge patch based on another revision, changing nothing", () => {
    const mirror = new WorldMirror();
    expect(
      mirror.apply({ patch_style: "merge", patch_from: 0, revision: 1, entities: { x: { components: {} } } }),
    ).toBe(false);
    mirror.apply(set(5, { a: { transform: { matrix: I } } }));
    const { events } = record(mirror);
    expect(mirror.apply({ patch_style: "merge", patch_from: 4, revision: 6, entities: { a: null } })).toBe(false);
    expect(mirror.revision).toBe(5);
    expect(mirror.get("a")).toBeDefined();
    expect(events).toEqual([]);
  });

  it("turns a later set into the differences with what it held", () => {
    const mirror = new WorldMirror();
    mirror.apply(
      set(2, { a: { transform: { matrix: I }, text: { string: "same" } }, gone: { transform: { matrix: I } } }),
    );
    const entityA = mirror.get("a")!;
    const text = entityA.components.text;
    const { events, changes } = record(mirror);
    mirror.apply(set(9, { a: { transform: { matrix: I, size: [1, 1, 1] }, text: { string: "same" } }, fresh: {} }));
    expect(events).toEqual(["added fresh", "changed a", "removed gone", "state 9 set"]);
    expect(changes[0].changed).toEqual(["transform"]);
    expect(changes[0].removed).toEqual([]);
    expect(mirror.get("a")).toBe(entityA);
    expect(entityA.components.text).toBe(text); // an equal component keeps its value object
  });

  it("emits removals children first", () => {
    const mirror = new WorldMirror();
    mirror.apply(set(2, { p: {}, k: { relationships: { parent: "p" } }, kk: { relationships: { parent: "k" } } }));
    const { events } = record(mirror);
    mirror.apply({ patch_style: "merge", patch_from: 2, revision: 3, entities: { p: null, kk: null, k: null } });
    expect(events).toEqual(["removed kk", "removed k", "removed p", "state 3 merge"]);
  });

  it("announces entities a merge adds parents first, whether the patch lists the parent before or after, or held it", () => {
    const mirror = new WorldMirror();
    mirror.apply(set(2, { held: {} }));
    const { events } = record(mirror);
    mirror.apply({
      patch_style: "merge",
      patch_from: 2,
      revision: 3,
      entities: {
        kid: { components: { relationships: { parent: "mid" } } },
        mid: { components: { relationships: { parent: "top" } } },
        top: { components: {} },
        first: { components: {} },
        second: { components: { relationships: { parent: "first" } } },
        underHeld: { components: { relationships: { parent: "held" } } },
        orphan: { components: { relationships: { parent: "gone" } } },
        gone: null,
      },
    });
    expect(events.filter((e) => e.startsWith("added"))).toEqual([
      "added top",
      "added mid",
      "added kid",
      "added first",
      "added second",
      "added underHeld",
      "added orphan",
    ]);
  });

  it("keeps a set's order when parents come first, and orders a chain of 50,000 listed children first", () => {
    const inOrder = new WorldMirror();
    const seen = record(inOrder).events;
    inOrder.apply(
      set(2, {
        a: {},
        b: { relationships: { parent: "a" } },
        c: { relationships: { parent: "b" } },
        d: { relationships: { parent: "a" } },
      }),
    );
    expect(seen).toEqual(["added a", "added b", "added c", "added d", "state 2 set"]);

    const n = 50_000;
    const chain: Record<string, Entity["components"]> = {};
    for (let i = n - 1; i >= 0; i--) chain[`e${i}`] = i === 0 ? {} : { relationships: { parent: `e${i - 1}` } };
    const mirror = new WorldMirror();
    const added: string[] = [];
    mirror.entityAdded$.subscribe((e) => added.push(e.id));
    mirror.apply(set(2, chain));
    expect(added).toHaveLength(n);
    expect(added.every((id, i) => id === `e${i}`)).toBe(true);
  });

  it("survives a relationship cycle within one frame", () => {
    const mirror = new WorldMirror();
    const { events } = record(mirror);
    mirror.apply(set(2, { x: { relationships: { parent: "y" } }, y: { relationships: { parent: "x" } } }));
    expect(events.filter((e) => e.startsWith("added")).sort()).toEqual(["added x", "added y"]);
  });

  it("applies a patch based on an older revision it received, reporting the net change from what it held", () => {
    const mirror = new WorldMirror();
    const docs: Record<number, Record<string, Entity>> = {
      2: { a: { id: "a", components: { text: { string: "2" } } }, b: { id: "b", components: {} } },
      3: {
        a: { id: "a", components: { text: { string: "3" } } },
        b: { id: "b", components: {} },
        c: { id: "c", components: { n: 3 } },
      },
      4: { a: { id: "a", components: { text: { string: "2" } } }, d: { id: "d", components: {} } },
    };
    mirror.apply({ patch_style: "set", revision: 2, entities: docs[2] });
    mirror.apply(mergeFrame(docs, 2, 3));
    const a = mirror.get("a")!;
    const { events, changes, removals } = record(mirror);
    expect(mirror.apply(mergeFrame(docs, 2, 4))).toBe(true); // based on 2, while the mirror holds 3
    expect(mirror.toDocument()).toEqual({ revision: 4, entities: docs[4] });
    expect(events.sort()).toEqual(["added d", "changed a", "removed b", "removed c", "state 4 merge"]);
    expect(changes[0]).toMatchObject({ changed: ["text"], removed: [] });
    expect(mirror.get("a")).toBe(a);
    expect(removals.find((r) => r.id === "c")?.entity.components).toEqual({ n: 3 }); // as the mirror held it
    expect(mirror.apply(mergeFrame(docs, 3, 4))).toBe(true); // and 3 is still reachable after that
    expect(mirror.toDocument()).toEqual({ revision: 4, entities: docs[4] });
  });

  it("stays equal to the place's documents whatever held revision each patch is based on, and its events tell every change", () => {
    const random = seeded(7);
    const mirror = new WorldMirror();
    const shadow = new Map<string, Record<string, Json>>(); // rebuilt from events only
    mirror.entityAdded$.subscribe((e) => shadow.set(e.id, { ...(e.components as Record<string, Json>) }));
    mirror.entityChanged$.subscribe(({ entity, changed, removed }) => {
      const s = shadow.get(entity.id)!;
      for (const name of changed) s[name] = (entity.components as Record<string, Json>)[name];
      for (const name of removed) delete s[name];
    });
    mirror.entityRemoved$.subscribe(({ id }) => shadow.delete(id));
    const docs: Record<number, Record<string, Entity>> = { 1: {} };
    mirror.apply({ patch_style: "set", revision: 1, entities: {} });
    const held = [1];
    for (let revision = 2; revision <= 300; revision++) {
      docs[revision] = mutate(docs[revision - 1], random);
      const base = held[Math.max(0, held.length - 1 - Math.floor(random() * Math.min(6, held.length)))];
      expect(mirror.apply(mergeFrame(docs, base, revision))).toBe(true);
      held.push(revision);
      expect(mirror.toDocument()).toEqual({ revision, entities: docs[revision] });
      expect(Object.fromEntries([...shadow].map(([id, components]) => [id, { id, components }]))).toEqual(
        docs[revision],
      );
    }
    expect(mirror.apply(mergeFrame(docs, 200, 300))).toBe(false); // older than the 64 revisions kept
  });
});

function mergeFrame(docs: Record<number, Record<string, Entity>>, from: number, to: number): StateFrame {
  const patch = createMergePatch(docs[from] as unknown as Json, docs[to] as unknown as Json) ?? {};
  return { patch_style: "merge", patch_from: from, revision: to, entities: patch as Record<string, Json> };
}

function mutate(doc: Record<string, Entity>, random: () => number): Record<string, Entity> {
  const next: Record<string, Entity> = structuredClone(doc);
  for (let n = 0; n < 1 + Math.floor(random() * 4); n++) {
    const ids = Object.keys(next);
    const roll = random();
    const id = ids[Math.floor(random() * ids.length)];
    if (roll < 0.25 || !id) {
      const fresh = `e${Math.floor(random() * 40)}`;
      next[fresh] = { id: fresh, components: { transform: { matrix: [random(), 0, 0, 1] } } };
    } else if (roll < 0.4) delete next[id];
    else if (roll < 0.7)
      (next[id].components as Record<string, Json>)[`c${Math.floor(random() * 4)}`] = { v: Math.floor(random() * 3) };
    else if (roll < 0.85) delete (next[id].components as Record<string, Json>)[`c${Math.floor(random() * 4)}`];
    else if (next[id].components.transform)
      next[id].components.transform = { ...next[id].components.transform, size: [random(), 1, 1] };
  }
  return next;
}

function seeded(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
}
