import { describe, expect, it } from "vitest";
import { setup, spawn } from "./helpers.ts";

describe("ownership (default ACL, docs/protocol.md §2 rules 2 and 7)", () => {
  it("refuses to change, remove or animate an entity another agent owns", async () => {
    const {
      place,
      agents: [a, b],
    } = await setup(2);
    const mine = await spawn(a, { text: { string: "a's" } });
    const attempts: unknown[][] = [
      ["change_components", mine, "add_or_change", { text: { string: "b's now" } }, "remove", []],
      ["remove_entity", mine],
      ["remove_entity", mine, "reparent"],
    ];
    for (const body of attempts) {
      const r = await b.request(body, { requestId: "req" });
      expect(r[0]).toBe("interaction_denied");
      expect(r[1]).toEqual(["interaction", "request", b.avatarId, "place", "req", body]);
      expect(r[2]).toMatch(/owner/);
    }
    // Animations: addressed to the animated entity (seed), or to the place from a sender (reference).
    const animate = await b.request(
      ["add_property_animation", { path: "transform.matrix.rotation.y", from: 0, to: 1 }],
      { receiver: mine },
    );
    expect(animate[0]).toBe("interaction_denied");
    const stop = await b.request(["remove_property_animation", "anim"], { receiver: mine });
    expect(stop[0]).toBe("interaction_denied");
    expect(place.world.get(mine)!.components.text).toEqual({ string: "a's" });
  });

  it("refuses to let an agent speak as an entity it does not own", async () => {
    const {
      place,
      agents: [a, b],
    } = await setup(2);
    const mine = await spawn(a);
    const asA = await b.request(["spawn_entity", {}], { sender: mine });
    expect(asA).toEqual(["spawn_entity", "error", "sender entity is not yours"]);
    const asGhost = await b.request(["list_agents"], { sender: "ghost" });
    expect(asGhost).toEqual(["list_agents", "error", "sender entity is not yours"]);
    const asPlace = await b.request(["list_agents"], { sender: "place" });
    expect(asPlace[2]).toBe("sender entity is not yours");
    // A oneway from a stolen sender is dropped: a never sees it.
    b.oneway(["point", [0, 0, 0], [1, 1, 1]], { sender: mine, receiver: a.avatarId });
    b.oneway(["point", [0, 0, 0], [1, 1, 1]], { sender: b.avatarId, receiver: a.avatarId });
    const seen = await a.next((m) => Array.isArray(m) && m[5]?.[0] === "point", { fromIndex: 0 });
    expect(seen[2]).toBe(b.avatarId);
    expect(a.received.filter((m) => Array.isArray(m) && m[5]?.[0] === "point")).toHaveLength(1);
    const stats = [...place.agents.values()].find((x) => x.avatarId === b.avatarId)!.stats;
    expect(stats.dropped).toBe(1);
  });

  it("lets the owner change and remove its own entities", async () => {
    const {
      place,
      agents: [a],
    } = await setup(1);
    const mine = await spawn(a);
    expect(
      await a.request(["change_components", mine, "add_or_change", { text: { string: "ok" } }, "remove", []]),
    ).toEqual(["change_components", "ok"]);
    expect(await a.request(["remove_entity", mine])).toEqual(["remove_entity", "ok"]);
    expect(place.world.has(mine)).toBe(false);
  });

  it("keeps the place entity out of every agent's reach", async () => {
    const {
      place,
      agents: [a],
    } = await setup(1);
    const r = await a.request([
      "change_components",
      "place",
      "add_or_change",
      { text: { string: "mine" } },
      "remove",
      [],
    ]);
    expect(r[0]).toBe("interaction_denied");
    expect(place.world.get("place")!.components).not.toHaveProperty("text");
  });
});
