import { describe, expect, it } from "vitest";
import { identityMatrix, translationMatrix } from "@allo/protocol";
import { mat4 } from "gl-matrix";
import { setup, spawn } from "./helpers.ts";

describe("spawn_entity", () => {
  it("answers the root id and every descendant id, depth-first pre-order", async () => {
    const {
      place,
      agents: [a],
    } = await setup(1);
    const r = await a.request([
      "spawn_entity",
      {
        text: { string: "root" },
        children: [{ text: { string: "1" }, children: [{ text: { string: "1.1" } }] }, { text: { string: "2" } }],
      },
    ]);
    expect(r[0]).toBe("spawn_entity");
    const [root, ids] = [r[1], r[2]];
    expect(ids.map((id: string) => (place.world.get(id)!.components.text as { string: string }).string)).toEqual([
      "1",
      "1.1",
      "2",
    ]);
    expect(place.world.get(ids[0])!.components.relationships).toEqual({ parent: root });
    expect(place.world.get(ids[1])!.components.relationships).toEqual({ parent: ids[0] });
    expect(place.world.get(root)!.components.transform).toEqual({
      matrix: [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1],
    });
    expect(place.world.get(root)!.components).not.toHaveProperty("children");
  });

  it("refuses server-owned components and bad specs without spawning anything", async () => {
    const {
      place,
      agents: [a],
    } = await setup(1);
    const size = place.world.size;
    expect(await a.request(["spawn_entity", { children: [{ clock: { time: 1 } }] }])).toEqual([
      "spawn_entity",
      "error",
      "clock is written by the place only",
    ]);
    expect(
      await a.request(["spawn_entity", { live_media: { track_id: 1, type: "audio", format: "opus", metadata: {} } }]),
    ).toEqual(["spawn_entity", "error", "live_media is written by the place only"]);
    expect((await a.request(["spawn_entity", { collider: { type: "sphere" } }]))[1]).toBe("error");
    expect((await a.request(["spawn_entity", "nope"]))[1]).toBe("error");
    expect((await a.request(["spawn_entity"]))[1]).toBe("error");
    expect((await a.request(["spawn_entity", { relationships: { parent: "ghost" } }]))[2]).toMatch(/no such entity/);
    expect(place.world.size).toBe(size);
  });

  it("spawns 16 levels of entities with their components over the wire, and refuses a 17th level by name", async () => {
    const {
      place,
      agents: [a],
    } = await setup(1);
    const chain = (levels: number): Record<string, unknown> => {
      const spec: Record<string, unknown> = {
        transform: { matrix: translationMatrix(0, 0.1, 0) },
        text: { string: String(levels) },
      };
      if (levels > 0) spec.children = [chain(levels - 1)];
      return spec;
    };
    const deep = await a.request(["spawn_entity", chain(15)]); // the root and 15 levels below it
    expect(deep[0]).toBe("spawn_entity");
    expect(deep[2]).toHaveLength(15);
    expect(place.world.get(deep[2][14])!.components.text).toEqual({ string: "0" });
    const size = place.world.size;
    expect(await a.request(["spawn_entity", chain(16)])).toEqual([
      "spawn_entity",
      "error",
      `spec${".children[0]".repeat(16)} nests children deeper than 16 levels`,
    ]);
    expect(place.world.size).toBe(size);
  });

  it("refuses to let one agent own more than maxEntitiesPerAgent", async () => {
    const {
      place,
      agents: [a],
    } = await setup(1, { limits: { maxEntitiesPerAgent: 5 } });
    expect((await a.request(["spawn_entity", { children: [{}, {}] }]))[0]).toBe("spawn_entity");
    const r = await a.request(["spawn_entity", { children: [{}, {}] }]);
    expect(r[1]).toBe("error");
    expect(r[2]).toMatch(/owns 4 entities and may own at most 5/);
    expect(place.world.size).toBe(5);
    expect((await a.request(["spawn_entity", {}]))[0]).toBe("spawn_entity");
  });

  it("spawns under an existing parent", async () => {
    const {
      place,
      agents: [a],
    } = await setup(1);
    const child = await spawn(a, { relationships: { parent: a.avatarId } });
    expect(place.world.parentOf(child)).toBe(a.avatarId);
  });
});

describe("remove_entity", () => {
  it("cascades by default, whoever owns the descendants", async () => {
    const {
      place,
      agents: [a, b],
    } = await setup(2);
    const r = await a.request(["spawn_entity", { children: [{ children: [{ accepts_children: {} }] }] }]);
    const foreign = await spawn(b, { relationships: { parent: r[2][1] } });
    expect(await a.request(["remove_entity", r[1]])).toEqual(["remove_entity", "ok"]);
    for (const id of [r[1], ...r[2], foreign]) expect(place.world.has(id)).toBe(false);
    expect([...place.agents.values()].find((x) => x.avatarId === b.avatarId)!.owned.has(foreign)).toBe(false);
  });

  it("reparents children to the root and keeps their world transform", async () => {
    const {
      place,
      agents: [a],
    } = await setup(1);
    const m = () => identityMatrix() as mat4;
    const parentMatrix = Array.from(
      mat4.multiply(m(), mat4.fromTranslation(m(), [1, 2, 3]), mat4.fromYRotation(m(), 0.5)),
    );
    const r = await a.request([
      "spawn_entity",
      {
        transform: { matrix: parentMatrix },
        children: [{ transform: { matrix: translationMatrix(7, 0, 0), size: [1, 1, 1] } }],
      },
    ]);
    const child = r[2][0];
    const before = Array.from(place.world.worldMatrix(child));
    expect(await a.request(["remove_entity", r[1], "reparent"])).toEqual(["remove_entity", "ok"]);
    const components = place.world.get(child)!.components as any;
    expect(components.relationships).toBeUndefined();
    expect(components.transform.size).toEqual([1, 1, 1]);
    components.transform.matrix.forEach((v: number, i: number) => expect(v).toBeCloseTo(before[i], 9));
    expect(before[12]).toBeCloseTo(1 + 7 * Math.cos(0.5), 12);
  });

  it("refuses an unknown id, a bad mode, and the place entity", async () => {
    const {
      agents: [a],
    } = await setup(1);
    expect(await a.request(["remove_entity", "ghost"])).toEqual(["remove_entity", "error", "no such entity"]);
    expect((await a.request(["remove_entity", a.avatarId, "explode"]))[1]).toBe("error");
    expect((await a.request(["remove_entity", 42]))[1]).toBe("error");
    // The place is owned by the place: the default ACL denies before the handler would refuse.
    expect((await a.request(["remove_entity", "place"]))[0]).toBe("interaction_denied");
  });
});

describe("change_components", () => {
  it("replaces each named component whole and removes after", async () => {
    const {
      place,
      agents: [a],
    } = await setup(1);
    const id = await spawn(a, { material: { color: [1, 0, 0, 1], roughness: 0.5 }, text: { string: "x" }, custom: 1 });
    const r = await a.request([
      "change_components",
      id,
      "add_or_change",
      { material: { color: [0, 1, 0, 1] }, custom: 2 },
      "remove",
      ["text", "custom", "absent"],
    ]);
    expect(r).toEqual(["change_components", "ok"]);
    expect(place.world.get(id)!.components).toEqual({
      material: { color: [0, 1, 0, 1] },
      transform: expect.any(Object),
    });
  });

  it("accepts a body without removals", async () => {
    const {
      place,
      agents: [a],
    } = await setup(1);
    const id = await spawn(a);
    expect(await a.request(["change_components", id, "add_or_change", { x: [1] }])).toEqual([
      "change_components",
      "ok",
    ]);
    expect(place.world.get(id)!.components.x).toEqual([1]);
  });

  it("refuses server-owned components, unknown entities and bad shapes, changing nothing", async () => {
    const {
      place,
      agents: [a],
    } = await setup(1);
    const id = await spawn(a, { text: { string: "keep" } });
    const cases: [unknown[], RegExp][] = [
      [
        [
          "change_components",
          id,
          "add_or_change",
          { text: { string: "no" }, property_animations: { animations: {} } },
          "remove",
          [],
        ],
        /property_animations is written by the place only/,
      ],
      [["change_components", id, "add_or_change", {}, "remove", ["clock"]], /clock is written by the place only/],
      [["change_components", "ghost", "add_or_change", {}, "remove", []], /no such entity/],
      [["change_components", id, "add_or_change", { text: { string: 5 } }, "remove", []], /text/],
      [["change_components", id, "add_or_change", { text: null }, "remove", []], /text/],
      [["change_components", id, "add_or_change", [], "remove", []], /object/],
      [["change_components", id, "add_or_change", {}, "remove", [1]], /remove/],
      [["change_components", id, "changes", {}], /change_components takes/],
      [["change_components", id, "add_or_change", { a: 1 }, "delete", []], /change_components takes/],
    ];
    for (const [body, error] of cases) {
      const r = await a.request(body as any);
      expect(r[0]).toBe("change_components");
      expect(r[1]).toBe("error");
      expect(r[2]).toMatch(error);
    }
    expect(place.world.get(id)!.components.text).toEqual({ string: "keep" });
  });

  it("refuses a parent that does not exist or would make a cycle", async () => {
    const {
      place,
      agents: [a],
    } = await setup(1);
    const r = await a.request(["spawn_entity", { children: [{ children: [{}] }] }]);
    const [root, child, grandchild] = [r[1], ...r[2]];
    expect(
      (await a.request(["change_components", root, "add_or_change", { relationships: { parent: grandchild } }]))[2],
    ).toMatch(/cycle/);
    expect(
      (await a.request(["change_components", root, "add_or_change", { relationships: { parent: root } }]))[2],
    ).toMatch(/cycle/);
    expect(
      (await a.request(["change_components", root, "add_or_change", { relationships: { parent: "ghost" } }]))[2],
    ).toMatch(/no such entity/);
    expect(
      await a.request(["change_components", grandchild, "add_or_change", { relationships: { parent: root } }]),
    ).toEqual(["change_components", "ok"]);
    expect([...place.world.childrenOf(root)].sort()).toEqual([child, grandchild].sort());
    expect(
      await a.request(["change_components", grandchild, "add_or_change", {}, "remove", ["relationships"]]),
    ).toEqual(["change_components", "ok"]);
    expect(place.world.parentOf(grandchild)).toBeUndefined();
  });
});

describe("list_agents", () => {
  it("lists announced agents with their avatars", async () => {
    const {
      agents: [a, b],
    } = await setup(2);
    const r = await a.request(["list_agents"]);
    expect(r[0]).toBe("list_agents");
    expect(r[1]).toBe("ok");
    expect(r[2].map((x: any) => [x.display_name, x.avatar_id, x.is_visor]).sort()).toEqual(
      [
        ["a", a.avatarId, false],
        ["b", b.avatarId, false],
      ].sort(),
    );
    expect(r[2][0].agent_id).toEqual(expect.any(String));
    expect(r[2][0].stats.entities).toBe(1);
  });
});

describe("kick_agent", () => {
  it("is denied by the default ACL", async () => {
    const {
      agents: [a, b],
    } = await setup(2);
    const list = await a.request(["list_agents"]);
    const bId = list[2].find((x: any) => x.avatar_id === b.avatarId).agent_id;
    const r = await a.request(["kick_agent", bId], { requestId: "k1" });
    expect(r).toEqual([
      "interaction_denied",
      ["interaction", "request", a.avatarId, "place", "k1", ["kick_agent", bId]],
      expect.stringContaining("kick_agent"),
    ]);
    expect(b.socket.readyState).toBe(b.socket.OPEN);
  });
});

describe("unknown interactions", () => {
  it("answers a request with unknown interaction, and a oneway with nothing", async () => {
    const {
      agents: [a],
    } = await setup(1);
    expect(await a.request(["fly_to_the_moon", 1])).toEqual(["fly_to_the_moon", "error", "unknown interaction"]);
    a.oneway(["fly_to_the_moon"]);
    const r = await a.request(["list_agents"]);
    expect(r[0]).toBe("list_agents");
    expect(a.received.filter((m) => Array.isArray(m) && m[5]?.[0] === "fly_to_the_moon")).toHaveLength(1);
  });
});

describe("null inside a component", () => {
  it("is refused by spawn_entity and change_components, naming where", async () => {
    const {
      place,
      agents: [a],
    } = await setup(1);
    const size = place.world.size;
    const spawned = await a.request(["spawn_entity", { children: [{ custom: { kept: 1, gone: null } }] }]);
    expect(spawned[1]).toBe("error");
    expect(spawned[2]).toMatch(/custom\.gone is null/);
    expect(place.world.size).toBe(size);
    const id = await spawn(a, { custom: { list: [null, 1] } });
    const changed = await a.request([
      "change_components",
      id,
      "add_or_change",
      { custom: { deep: [{ x: null }] } },
      "remove",
      [],
    ]);
    expect(changed[2]).toMatch(/add_or_change\.custom\.deep\[0\]\.x is null/);
    expect(place.world.get(id)!.components.custom).toEqual({ list: [null, 1] });
  });
});

describe("a component replaced whole", () => {
  it("loses the keys its new value dropped, in every mirror too", async () => {
    const {
      place,
      agents: [a, b],
    } = await setup(2);
    const id = await spawn(a, { material: { color: [1, 0, 0, 1], roughness: 0.5 }, custom: { a: { b: 1, c: 2 } } });
    await b.until(() => b.mirror?.entities[id] !== undefined);
    await a.request([
      "change_components",
      id,
      "add_or_change",
      { material: { color: [0, 1, 0, 1] }, custom: { a: { c: 3 } } },
      "remove",
      [],
    ]);
    await b.until(() => b.mirror?.revision === place.world.revision);
    expect(b.mirror!.entities[id].components).toEqual({
      material: { color: [0, 1, 0, 1] },
      custom: { a: { c: 3 } },
      transform: expect.any(Object),
    });
    expect(b.mirror).toEqual(JSON.parse(JSON.stringify(place.world.toDocument())));
  });
});

describe("component names", () => {
  it("named like Object.prototype members are refused or mirrored exactly, never half-applied", async () => {
    const {
      place,
      agents: [a, b],
    } = await setup(2);
    const spawned = await a.request(["spawn_entity", { toString: { s: 1 }, hasOwnProperty: 2 }]);
    if (spawned[1] === "error") {
      expect(place.world.size).toBe(3);
      return;
    }
    const id = spawned[1];
    await a.request(["change_components", id, "add_or_change", { valueOf: [3] }, "remove", ["toString"]]);
    await b.until(() => b.mirror?.revision === place.world.revision);
    expect(b.mirror!.entities[id].components).toEqual({
      hasOwnProperty: 2,
      valueOf: [3],
      transform: expect.any(Object),
    });
    expect(b.mirror).toEqual(JSON.parse(JSON.stringify(place.world.toDocument())));
  });
});
