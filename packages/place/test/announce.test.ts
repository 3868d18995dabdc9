import { describe, expect, it } from "vitest";
import { CloseCode } from "@allo/protocol";
import { documentOf, rawConnect, setup } from "./helpers.ts";

describe("announce", () => {
  it("answers with the avatar id and the place name, then sends a set", async () => {
    const { place } = await setup(0, { name: "Harbour" });
    const a = await rawConnect(place);
    const body = await a.announce(
      { display_name: "a" },
      { text: { string: "me" }, children: [{ cursor: { name: "x" } }] },
    );
    expect(body).toEqual(["announce", expect.any(String), "Harbour"]);
    const set = await a.next((m) => m.patch_style === "set", { fromIndex: 0 });
    expect(set.entities[body[1]].components.text).toEqual({ string: "me" });
    const child = Object.values(set.entities as Record<string, any>).find((e) => e.components.cursor);
    expect(child.components.relationships).toEqual({ parent: body[1] });
    expect(place.world.ownerOf(child.id)).toBe([...place.agents.values()][0].id);
  });

  it("closes with 4401 when anything but announce comes first", async () => {
    const { place } = await setup(0);
    for (const first of [
      JSON.stringify(["interaction", "request", "", "place", "1", ["list_agents"]]),
      JSON.stringify({ cmd: "intent", intent: { ack_state_rev: 0 } }),
      "not json",
      JSON.stringify([
        "interaction",
        "request",
        "someone",
        "place",
        "1",
        ["announce", "version", 3, "identity", {}, "spawn_avatar", {}],
      ]),
    ]) {
      const a = await rawConnect(place);
      a.send(first);
      expect((await a.closed).code).toBe(CloseCode.notAnnounced);
    }
    expect(place.world.size).toBe(1);
  });

  it("closes with 4408 when no announce comes in time", async () => {
    const { place } = await setup(0, { limits: { announceTimeoutMs: 100 } });
    const a = await rawConnect(place);
    expect((await a.closed).code).toBe(4408);
  });

  it("refuses a second announce with error 1006 and spawns nothing", async () => {
    const {
      place,
      agents: [a],
    } = await setup(1);
    const size = place.world.size;
    const body = await a.request(["announce", "version", 3, "identity", {}, "spawn_avatar", {}], { sender: "" });
    expect(body).toEqual(["announce", "error", 1006, "already announced"]);
    expect(place.world.size).toBe(size);
  });

  it("refuses another protocol version with error 1003 before spawning, then closes", async () => {
    const { place } = await setup(0);
    const a = await rawConnect(place);
    const body = await a.announce({ display_name: "old" }, {}, 2);
    expect(body.slice(0, 3)).toEqual(["announce", "error", 1003]);
    expect(body[3]).toMatch(/outdated/i);
    expect((await a.closed).code).toBe(CloseCode.outdatedVersion);
    expect(place.world.size).toBe(1);
  });

  it("strips avatar.token from the spec and hands it to onAvatarToken", async () => {
    const tokens: [string, string][] = [];
    const { place } = await setup(0, {
      setup: (ctx) => ctx.hooks.onAvatarToken.push((token, _agent, avatarId) => tokens.push([token, avatarId])),
    });
    const a = await rawConnect(place);
    const body = await a.announce({ display_name: "app" }, { avatar: { token: "t0k3n" }, text: { string: "x" } });
    expect(tokens).toEqual([["t0k3n", body[1]]]);
    expect(place.world.get(body[1])!.components).not.toHaveProperty("avatar");
  });

  it("refuses a malformed announce with a readable error and lets the agent try again", async () => {
    const { place } = await setup(0);
    const a = await rawConnect(place);
    const bad = await a.request(["announce", "version", 3, "identity", "me", "spawn_avatar", {}], { sender: "" });
    expect(bad).toEqual(["announce", "error", expect.stringContaining("identity")]);
    const spec = await a.request(
      ["announce", "version", 3, "identity", {}, "spawn_avatar", { transform: { matrix: [1] } }],
      { sender: "" },
    );
    expect(spec[1]).toBe("error");
    expect(spec[2]).toMatch(/transform/);
    const good = await a.announce();
    expect(good[0]).toBe("announce");
    await a.until(() => a.mirror?.revision === place.world.revision);
    expect(a.mirror).toEqual(documentOf(place));
  });
});
