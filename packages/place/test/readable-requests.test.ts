// Every request whose envelope can be read is answered (docs/protocol.md §1–§2): a payload that breaks a parse limit
// gets `[name, "error", "‹path› ‹the limit›"]` instead of silence, and the world stays as it was.
import { describe, expect, it } from "vitest";
import { rawConnect, setup, spawn } from "./helpers.ts";

const envelope = (sender: string, requestId: string, body: string) =>
  `["interaction","request","${sender}","place","${requestId}",${body}]`;

describe("a request that breaks a parse limit", () => {
  it.each([
    [
      "a component named constructor",
      (id: string) => `["change_components","${id}","add_or_change",{"constructor":{"a":1}},"remove",[]]`,
      /^body\[3\]\.constructor is a forbidden key$/,
    ],
    [
      "a __proto__ key deep inside",
      () => `["spawn_entity",{"custom":{"a":{"__proto__":{"polluted":true}}}}]`,
      /^body\[1\]\.custom\.a\.__proto__ is a forbidden key$/,
    ],
    ["a prototype key", () => `["spawn_entity",{"prototype":{}}]`, /^body\[1\]\.prototype is a forbidden key$/],
    [
      "a number like 1e309",
      (id: string) => `["change_components","${id}","add_or_change",{"custom":{"n":1e309}}]`,
      /^body\[3\]\.custom\.n must be a finite number$/,
    ],
    [
      "nesting past the limit",
      () => `["spawn_entity",{"custom":${"[".repeat(60)}1${"]".repeat(60)}}]`,
      /nests deeper than 48 levels$/,
    ],
    [
      "a string past the limit",
      () => `["spawn_entity",{"text":{"string":"${"x".repeat(70_000)}"}}]`,
      /^body\[1\]\.text\.string is a string longer than 65536 characters$/,
    ],
  ])("answers %s with the limit it broke", async (_what, body, reason) => {
    const {
      place,
      agents: [a],
    } = await setup(1);
    const id = await spawn(a, { custom: { n: 1 } });
    const size = place.world.size;
    a.send(envelope(a.avatarId!, "broken", body(id)));
    const answer = await a.next((m) => Array.isArray(m) && m[1] === "response" && m[4] === "broken");
    expect(answer.slice(0, 4)).toEqual(["interaction", "response", "place", a.avatarId]);
    expect(answer[5].slice(0, 2)).toEqual([/^\["(\w+)"/.exec(body(id))![1], "error"]);
    expect(answer[5][2]).toMatch(reason);
    expect(place.world.size).toBe(size);
    expect(place.world.get(id)!.components.custom).toEqual({ n: 1 });
    expect([...place.agents.values()][0].stats.badFrames).toBe(1);
  });

  it("answers a broken announce, and the agent may announce again", async () => {
    const s = await setup(0);
    const a = await rawConnect(s);
    a.send(
      envelope(
        "",
        "first",
        `["announce","version",3,"identity",{"display_name":"x","constructor":1},"spawn_avatar",{}]`,
      ),
    );
    const answer = await a.next((m) => Array.isArray(m) && m[4] === "first");
    expect(answer[5]).toEqual(["announce", "error", "body[4].constructor is a forbidden key"]);
    expect((await a.announce({ display_name: "x" }, {}))[0]).toBe("announce");
    expect(a.avatarId).toBeDefined();
  });

  it("answers an envelope with a readable request id and name but a wrong shape", async () => {
    const {
      agents: [a],
    } = await setup(1);
    a.send(`["interaction","request","${a.avatarId}","place","seven",["list_agents"],"extra"]`);
    const answer = await a.next((m) => Array.isArray(m) && m[4] === "seven");
    expect(answer[5]).toEqual(["list_agents", "error", expect.stringMatching(/must have 6 elements/)]);
  });

  it("still drops what cannot be read as a request: no request id, no name, not JSON", async () => {
    const {
      place,
      agents: [a],
    } = await setup(1);
    a.send(`["interaction","request","${a.avatarId}","place",7,["list_agents",{"constructor":1}]]`);
    a.send(`["interaction","request","${a.avatarId}","place","r",[7,{"constructor":1}]]`);
    a.send(`["interaction","request","${a.avatarId}","place","r2",["list_agents"`);
    expect((await a.request(["list_agents"]))[1]).toBe("ok");
    expect(a.received.filter((m) => Array.isArray(m) && m[1] === "response")).toHaveLength(2); // announce + list_agents
    expect([...place.agents.values()][0].stats.badFrames).toBe(3);
  });
});
