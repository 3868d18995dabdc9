// The `set` frame built from the last one (set-frame.ts): after any mix of changes it must equal a fresh encode of
// the world, byte for byte, with the world's own entity order.
import { describe, expect, it } from "vitest";
import { SetFrames, SPARE_KEEP_MS } from "../src/set-frame.ts";
import { World } from "../src/world.ts";
import { rng } from "./helpers.ts";

/** The frame as the protocol defines it, from scratch. */
function expected(world: World): string {
  return JSON.stringify({ patch_style: "set", entities: world.toDocument().entities, revision: world.revision });
}

describe("set frames (docs/protocol.md §5)", () => {
  it("equals a fresh encode after random adds, removals, replacements, in-place mutations and reparenting", () => {
    const random = rng(11);
    const world = new World(8);
    const frames = new SetFrames(world);
    const live: string[] = [];
    let next = 0;
    const pick = () => live[Math.floor(random() * live.length)];
    for (let step = 0; step < 400; step++) {
      const ops = 1 + Math.floor(random() * 6);
      for (let k = 0; k < ops; k++) {
        const roll = random();
        if (roll < 0.3 || live.length < 3) {
          const id = `e${next++}`;
          // Multi-byte text and escapes: byte lengths differ from string lengths.
          const parent = live.length && random() < 0.4 ? pick() : undefined;
          world.add(id, "place", {
            text: { string: `ü→${step}\n"q"😀` },
            ...(parent ? { relationships: { parent } } : {}),
          });
          live.push(id);
        } else if (roll < 0.45) {
          const id = pick();
          for (const gone of world.removeCascade(id)) live.splice(live.indexOf(gone.id), 1);
        } else if (roll < 0.7) {
          world.setComponent(pick(), "transform", {
            matrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, random(), step, -random(), 1],
          });
        } else if (roll < 0.8) {
          const id = pick();
          const text = world.get(id)!.components.text as { string: string } | undefined;
          if (text) {
            text.string = `in place ${step}`;
            world.touch(id, "text");
          }
        } else if (roll < 0.9) {
          world.removeComponent(pick(), "text");
        } else {
          const id = pick();
          for (const gone of world.removeReparent(id)) live.splice(live.indexOf(gone.id), 1);
        }
      }
      if (!world.commit()) continue;
      frames.prune();
      // Joins are sparse: sometimes many revisions pass (beyond the 8 kept) before the next set is needed.
      if (random() < 0.4) expect(frames.encode().toString()).toBe(expected(world));
    }
    expect(frames.counts.incremental).toBeGreaterThan(20);
    expect(frames.counts.full).toBeGreaterThan(1);
  });

  it("encodes once per revision, and again only what changed", () => {
    const world = new World();
    const frames = new SetFrames(world);
    for (let i = 0; i < 100; i++) world.add(`e${i}`, "place", { custom: { i } });
    world.commit();
    const first = frames.encode();
    expect(frames.encode()).toBe(first);
    world.setComponent("e5", "custom", { i: -5 });
    world.commit();
    frames.prune();
    const second = frames.encode();
    expect(frames.counts).toEqual({ full: 1, incremental: 1 });
    expect(JSON.parse(second.toString()).entities.e5.components.custom).toEqual({ i: -5 });
    expect(second.toString()).toBe(expected(world));
  });

  it("forgets the kept frame once the history no longer holds its revision, and the spare block at rest", () => {
    const world = new World(4);
    const frames = new SetFrames(world);
    world.add("a", "place", { custom: { n: 0 } });
    world.commit();
    const first = frames.encode();
    const held = frames.heldBytes;
    expect(held).toBeGreaterThanOrEqual(first.length);
    for (let n = 1; n <= 5; n++) {
      world.setComponent("a", "custom", { n });
      world.commit();
      frames.prune();
    }
    // The frame is gone (it could not be rebuilt); its block stays as the spare for a while.
    expect(frames.heldBytes).toBe(held);
    expect(frames.encode().toString()).toBe(expected(world));
    expect(frames.counts).toEqual({ full: 2, incremental: 0 });
    frames.forget();
    frames.prune(performance.now() + SPARE_KEEP_MS + 1);
    expect(frames.heldBytes).toBe(0);
  });

  it("reuses a replaced frame's buffer only after every send of it completed", () => {
    const world = new World();
    const frames = new SetFrames(world);
    for (let i = 0; i < 200; i++) world.add(`e${i}`, "place", { custom: { i, pad: "x".repeat(100) } });
    world.commit();
    const change = (n: number) => {
      world.setComponent(`e${n}`, "custom", { i: -n, pad: "y".repeat(100) });
      world.commit();
      frames.prune();
    };
    // Every frame is still being sent: none is written over, each has its own buffer.
    const sent: { frame: Buffer; text: string; release: () => void }[] = [];
    for (let n = 0; n < 5; n++) {
      const frame = frames.encode();
      sent.push({ frame, text: frame.toString(), release: frames.lend(frame) });
      change(n);
    }
    expect(new Set(sent.map((s) => s.frame.buffer)).size).toBe(5);
    frames.encode();
    for (const s of sent) expect(s.frame.toString()).toBe(s.text);
    // The first frame is sent twice more (one function for every send of it); once all three completed, the next frame
    // is written into it.
    expect(frames.lend(sent[0].frame)).toBe(sent[0].release);
    frames.lend(sent[0].frame);
    for (let i = 0; i < 3; i++) sent[0].release();
    change(10);
    const next = frames.encode();
    expect(next.buffer).toBe(sent[0].frame.buffer);
    expect(next.toString()).toBe(expected(world));
    for (const s of sent.slice(1)) expect(s.frame.toString()).toBe(s.text);
  });

  it("grows its buffer when the first entities were small and the rest are big", () => {
    const world = new World();
    for (let i = 0; i < 8; i++) world.add(`small${i}`, "place", {});
    for (let i = 0; i < 50; i++) world.add(`big${i}`, "place", { text: { string: "é".repeat(2000 + i) } });
    world.commit();
    expect(new SetFrames(world).encode().toString()).toBe(expected(world));
  });

  it("encodes an empty world", () => {
    const world = new World();
    expect(new SetFrames(world).encode().toString()).toBe(expected(world));
  });
});
