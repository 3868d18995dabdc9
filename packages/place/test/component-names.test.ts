// Component names an object inherits (toString, hasOwnProperty…) are ordinary custom components end to end;
// __proto__, constructor and prototype are refused wherever they appear (docs/protocol.md §3.1, "Component names").
import { describe, expect, it } from "vitest";
import { documentOf, setup, spawn } from "./helpers.ts";

describe("custom components named like Object.prototype members", () => {
  it("spawns, changes and removes toString, hasOwnProperty and valueOf, and every mirror follows", async () => {
    const {
      place,
      agents: [a, b],
    } = await setup(2);
    const id = await spawn(a, { toString: { text: "hi" }, hasOwnProperty: 1, valueOf: [1, 2] });
    expect(place.world.get(id)!.components).toMatchObject({
      toString: { text: "hi" },
      hasOwnProperty: 1,
      valueOf: [1, 2],
    });
    expect(
      await a.request([
        "change_components",
        id,
        "add_or_change",
        { toString: { text: "bye" }, isPrototypeOf: true },
        "remove",
        ["valueOf"],
      ]),
    ).toEqual(["change_components", "ok"]);
    // Removing a component the entity never had, whatever its name, changes nothing.
    expect(await a.request(["change_components", id, "add_or_change", {}, "remove", ["propertyIsEnumerable"]])).toEqual(
      ["change_components", "ok"],
    );
    const components = place.world.get(id)!.components;
    expect(components).toMatchObject({ toString: { text: "bye" }, hasOwnProperty: 1, isPrototypeOf: true });
    expect(Object.hasOwn(components, "valueOf")).toBe(false);
    for (const agent of [a, b])
      await agent.until(() => JSON.stringify(agent.mirror) === JSON.stringify(documentOf(place)));
  });

  it.each(["__proto__", "constructor", "prototype"])(
    "refuses a component named %s, leaving the world as it was",
    async (name) => {
      const {
        place,
        agents: [a],
      } = await setup(1);
      const id = await spawn(a, { custom: 1 });
      const size = place.world.size;
      // The whole frame fails the JSON check before it is an interaction: counted as a bad frame, answered with the key.
      a.send(
        `["interaction","request","${a.avatarId}","place","bad",["change_components","${id}","add_or_change",{"${name}":{"a":1}},"remove",[]]]`,
      );
      a.send(`["interaction","request","${a.avatarId}","place","bad2",["spawn_entity",{"${name}":{"a":1}}]]`);
      expect((await a.request(["list_agents"]))[1]).toBe("ok");
      const answers = a.received
        .filter((m) => Array.isArray(m) && (m[4] === "bad" || m[4] === "bad2"))
        .map((m) => m[5]);
      expect(answers).toEqual([
        ["change_components", "error", `body[3].${name} is a forbidden key`],
        ["spawn_entity", "error", `body[1].${name} is a forbidden key`],
      ]);
      expect([...place.agents.values()][0].stats.badFrames).toBe(2);
      expect(place.world.size).toBe(size);
      expect(Object.keys(place.world.get(id)!.components).sort()).toEqual(["custom", "transform"]);
    },
  );
});
