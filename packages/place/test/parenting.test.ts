// Children under someone else's entity need its owner's consent (docs/protocol.md §10): the parent carries
// `accepts_children`. The rules are ordinary default ACL rules, so an operator can remove or replace them.
import { describe, expect, it } from "vitest";
import { rawConnect, setup, spawn } from "./helpers.ts";

describe("parenting under another agent's entity", () => {
  it("refuses spawning a child under someone else's avatar or entity", async () => {
    const {
      place,
      agents: [victim, griefer],
    } = await setup(2);
    const thing = await spawn(victim, { custom: 1 });
    for (const parent of [victim.avatarId!, thing]) {
      const r = await griefer.request(["spawn_entity", { relationships: { parent }, text: { string: "follows you" } }]);
      expect(r[0], parent).toBe("interaction_denied");
      expect(r[2]).toMatch(/^deny .*"spawn_entity", \{"relationships": \{"parent": Parent\}\}/);
    }
    expect(place.world.childrenOf(victim.avatarId!).size).toBe(0);
    expect(place.world.childrenOf(thing).size).toBe(0);
  });

  it("refuses reparenting one's own entity under someone else's", async () => {
    const {
      place,
      agents: [victim, griefer],
    } = await setup(2);
    const overlay = await spawn(griefer, { text: { string: "overlay" } });
    const r = await griefer.request([
      "change_components",
      overlay,
      "add_or_change",
      { relationships: { parent: victim.avatarId } },
    ]);
    expect(r[0]).toBe("interaction_denied");
    expect(place.world.parentOf(overlay)).toBeUndefined();
  });

  it("refuses an avatar announced under someone else's entity", async () => {
    const s = await setup(1);
    const agent = await rawConnect(s);
    const r = await agent.announce({ display_name: "rider" }, { relationships: { parent: s.agents[0].avatarId } });
    expect(r[0]).toBe("interaction_denied");
    expect((await agent.closed).code).toBe(4403);
  });

  it("allows it when the parent's owner consents with accepts_children, and under one's own entities always", async () => {
    const {
      place,
      agents: [host, guest],
    } = await setup(2);
    const shelf = await spawn(host, { accepts_children: {} });
    const book = await spawn(guest, { relationships: { parent: shelf } });
    expect(place.world.parentOf(book)).toBe(shelf);
    const moved = await spawn(guest, {});
    expect(
      await guest.request(["change_components", moved, "add_or_change", { relationships: { parent: shelf } }]),
    ).toEqual(["change_components", "ok"]);
    const own = await spawn(guest, { relationships: { parent: guest.avatarId } });
    expect(place.world.parentOf(own)).toBe(guest.avatarId);
    // Consent withdrawn: no new children (those already there stay).
    expect(
      await host.request(["change_components", shelf, "add_or_change", {}, "remove", ["accepts_children"]]),
    ).toEqual(["change_components", "ok"]);
    expect((await guest.request(["spawn_entity", { relationships: { parent: shelf } }]))[0]).toBe("interaction_denied");
    expect(place.world.parentOf(book)).toBe(shelf);
  });

  it("an operator may lift the rule (it is an ordinary default rule)", async () => {
    const {
      place,
      agents: [victim, guest],
    } = await setup(2, {
      acl: { rules: [{ id: "default-spawn-under-others", effect: "deny", pattern: `["never"]` }] },
    });
    const child = await spawn(guest, { relationships: { parent: victim.avatarId } });
    expect(place.world.parentOf(child)).toBe(victim.avatarId);
  });
});
