import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Entity } from "@allo/protocol";
import { WebSocket } from "ws";
import type { EntityChange, EntityRemoval, StateApplied, WebSocketConstructor } from "../src/index.ts";
import { agentOf, collect, startTestBed, type TestBed } from "./harness.ts";

const I = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];

/** A real `ws` socket whose sends leave 30 ms late, in order: a slow uplink. */
class SlowUplinkWebSocket extends WebSocket {
  override send(data: string): void {
    setTimeout(() => {
      if (this.readyState === WebSocket.OPEN) super.send(data);
    }, 30);
  }
}

let bed: TestBed;
beforeEach(async () => (bed = await startTestBed()));
afterEach(() => bed.teardown());

describe("world mirror", () => {
  it("sees another agent spawn, change and remove entities, with the right component names", async () => {
    const alice = await bed.join("alice");
    const bob = await bed.join("bob");
    const added = collect<Entity>(bob.entityAdded$);
    const changed = collect<EntityChange>(bob.entityChanged$);
    const removed = collect<EntityRemoval>(bob.entityRemoved$);

    const { id, descendants } = await alice.spawnEntity({
      transform: { matrix: I },
      text: { string: "hello" },
      children: [
        { material: { color: [1, 0, 0, 1] }, children: [{ collider: { type: "box", width: 1, height: 1, depth: 1 } }] },
        { text: { string: "second" } },
      ],
    });
    expect(descendants).toHaveLength(3);
    await bob.waitForWorld((w) => descendants.every((d) => w.get(d)));
    expect(added.map((e) => e.id)).toEqual([id, ...descendants]); // parents first, in spec order here
    expect(bob.world.get(descendants[0])?.components.relationships).toEqual({ parent: id });
    expect(bob.world.get(descendants[1])?.components.relationships).toEqual({ parent: descendants[0] });
    expect(bob.world.get(descendants[2])?.components).toMatchObject({
      text: { string: "second" },
      relationships: { parent: id },
    });
    expect(bob.world.get(id)?.components.text).toEqual({ string: "hello" });

    await alice.changeComponents(id, { material: { color: [0, 1, 0, 1] } }, ["text"]);
    await bob.waitForWorld((w) => w.get(id)?.components.material !== undefined);
    const change = changed.find((c) => c.entity.id === id)!;
    expect(change.changed).toEqual(["material"]);
    expect(change.removed).toEqual(["text"]);
    expect(bob.world.get(id)?.components).toEqual({ transform: { matrix: I }, material: { color: [0, 1, 0, 1] } });

    await alice.removeEntity(id);
    await bob.waitForWorld((w) => !w.get(id));
    expect(new Set(removed.map((r) => r.id))).toEqual(new Set([id, ...descendants]));
    // children before parents
    const order = removed.map((r) => r.id);
    expect(order.indexOf(descendants[1])).toBeLessThan(order.indexOf(descendants[0]));
    expect(order.indexOf(descendants[0])).toBeLessThan(order.indexOf(id));
    expect(order.indexOf(descendants[2])).toBeLessThan(order.indexOf(id));
    expect(removed.find((r) => r.id === id)?.entity.components.material).toEqual({ color: [0, 1, 0, 1] });
  });

  it("equals the place's world after a burst of changes from several agents", async () => {
    const [alice, bob, watcher] = await Promise.all([bed.join("alice"), bed.join("bob"), bed.join("watcher")]);
    const styles = collect<StateApplied>(watcher.state$);
    const spawned = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? alice : bob).spawnEntity({ transform: { matrix: I }, text: { string: `#${i}` } }),
      ),
    );
    await Promise.all(
      spawned.flatMap(({ id }, i) => {
        const owner = i % 2 ? alice : bob;
        return [1, 2, 3].map((n) =>
          owner.changeComponents(id, { text: { string: `#${i}.${n}` }, material: { color: [n / 3, 0, 0, 1] } }),
        );
      }),
    );
    await Promise.all(
      spawned
        .filter((_, i) => i % 4 === 0)
        .map(({ id }, i) => (i % 2 ? bob : alice).removeEntity(id).catch(() => (i % 2 ? alice : bob).removeEntity(id))),
    );
    await bob.changeComponents(bob.avatarId, { transform: { matrix: [...I.slice(0, 12), 1, 2, 3, 1] } });

    await vi.waitFor(() => expect(watcher.world.revision).toBe(bed.place.world.revision));
    expect(watcher.world.toDocument()).toEqual(bed.place.world.toDocument());
    expect(
      alice.world.revision === bed.place.world.revision ? alice.world.toDocument() : bed.place.world.toDocument(),
    ).toEqual(bed.place.world.toDocument());
    expect(styles.length).toBeGreaterThan(0);
  });

  it("acknowledges every applied revision, so the place's ack follows the mirror", async () => {
    const alice = await bed.join("alice");
    const bob = await bed.join("bob");
    const agent = agentOf(bed.place, bob);
    const { id } = await alice.spawnEntity({ text: { string: "a" } });
    await bob.waitForWorld((w) => w.get(id) !== undefined);
    await vi.waitFor(() => expect(agent.ackRevision).toBe(bob.world.revision));
    const before = agent.ackRevision;
    await alice.changeComponents(id, { text: { string: "b" } });
    await bob.waitForWorld(
      (w) => w.revision > before && (w.get(id)?.components.text as { string: string }).string === "b",
    );
    await vi.waitFor(() => expect(agent.ackRevision).toBe(bob.world.revision));
    expect(agent.ackRevision).toBeGreaterThan(before);
  });

  it("sends no more intents than it applies frames (acks are coalesced), and is never skipped while keeping up", async () => {
    const alice = await bed.join("alice");
    const bob = await bed.join("bob");
    const frames = collect<StateApplied>(bob.state$);
    const intentsBefore = bob.stats.sentByName.intent ?? 0;
    const { id } = await alice.spawnEntity({ text: { string: "0" } });
    for (let n = 1; n <= 30; n++) await alice.changeComponents(id, { text: { string: String(n) } });
    await bob.waitForWorld((w) => (w.get(id)?.components.text as { string: string } | undefined)?.string === "30");
    await vi.waitFor(() => expect(agentOf(bed.place, bob).ackRevision).toBe(bob.world.revision));
    const intents = (bob.stats.sentByName.intent ?? 0) - intentsBefore;
    expect(intents).toBeGreaterThan(0);
    expect(intents).toBeLessThanOrEqual(frames.length + 1); // +1: a keepalive may fall in the window
    expect(agentOf(bed.place, bob).stats.statesSkipped).toBe(0);
  });

  it("applies patches the place bases on an older acknowledged revision after skipping it, without a full set", async () => {
    const alice = await bed.join("alice");
    // Bob's acks take 30 ms to reach the place, so the place skips him and later bases patches on his last ack.
    const bob = await bed.join("bob", { WebSocket: SlowUplinkWebSocket as unknown as WebSocketConstructor });
    const styles = collect<StateApplied>(bob.state$);
    const { id } = await alice.spawnEntity({ text: { string: "0" } });
    // 40 changes stay inside the place's 64-revision history whatever the timing, so no full set is ever due.
    for (let n = 1; n <= 40; n++) await alice.changeComponents(id, { text: { string: String(n) } });
    await vi.waitFor(() => expect(bob.world.revision).toBe(bed.place.world.revision));
    expect(bob.world.toDocument()).toEqual(bed.place.world.toDocument());
    expect(agentOf(bed.place, bob).stats.statesSkipped).toBeGreaterThan(0);
    expect(styles.filter((s) => s.style === "set")).toEqual([]);
  });

  it("mirrors a custom component as deeply nested as the place accepts", async () => {
    const alice = await bed.join("alice");
    const bob = await bed.join("bob");
    const { id } = await alice.spawnEntity({ text: { string: "deep" } });
    // change_components puts a component 3 levels into the message, so 45 levels are the most the place takes.
    let deep: Record<string, unknown> = { end: true };
    for (let level = 1; level < 45; level++) deep = { n: deep };
    await alice.changeComponents(id, { deep });
    await bob.waitForWorld((w) => w.get(id)?.components.deep !== undefined);
    expect(bob.world.get(id)!.components.deep).toEqual(deep);
    expect(bob.world.toDocument()).toEqual(bed.place.world.toDocument());
  });

  it("recovers from a mirror that lost track: it acknowledges 0 and the place sends a full set", async () => {
    const alice = await bed.join("alice");
    const bob = await bed.join("bob");
    // Make bob's mirror believe it is at a revision the place never sent.
    bob.world.apply({ patch_style: "set", revision: 999_999, entities: { ghost: { id: "ghost", components: {} } } });
    const styles = collect<StateApplied>(bob.state$);
    const { id } = await alice.spawnEntity({ text: { string: "after" } });
    await bob.waitForWorld((w) => w.get(id) !== undefined);
    expect(styles.some((s) => s.style === "set")).toBe(true);
    await vi.waitFor(() => expect(bob.world.revision).toBe(bed.place.world.revision));
    expect(bob.world.get("ghost")).toBeUndefined();
    expect(bob.world.toDocument()).toEqual(bed.place.world.toDocument());
  });

  it("moves its avatar through the place's simulation when its intent asks for stick movement", async () => {
    const bob = await bed.join("bob");
    const watcher = await bed.join("watcher");
    const start = (watcher.world.get(bob.avatarId)?.components.transform?.matrix ?? []).slice(12, 15);
    bob.setIntent({ wants_stick_movement: true, zmovement: -1 });
    await watcher.waitForWorld((w) => {
      const z = w.get(bob.avatarId)?.components.transform?.matrix[14];
      return z !== undefined && Math.abs(z - start[2]) > 0.2;
    });
    bob.setIntent({ zmovement: 0 });
  });

  it("sends its intent to the place, merging poses by name", async () => {
    const bob = await bed.join("bob");
    const head = [...I.slice(0, 12), 0, 1.7, 0, 1];
    const hand = [...I.slice(0, 12), 0.3, 1.2, -0.2, 1];
    bob.setIntent({ poses: { head: { matrix: head } } });
    bob.setIntent({ yaw: 0.5, poses: { "hand/left": { matrix: hand } } });
    const agent = agentOf(bed.place, bob);
    await vi.waitFor(() => expect(agent.intent?.yaw).toBe(0.5));
    expect(agent.intent?.poses.head?.matrix).toEqual(head);
    expect(agent.intent?.poses["hand/left"]?.matrix).toEqual(hand);
  });
});
