import { describe, expect, it } from "vitest";
import { setup, spawn } from "./helpers.ts";

const isRequest = (name: string) => (m: any) => Array.isArray(m) && m[1] === "request" && m[5]?.[0] === name;

describe("requests between entities (docs/protocol.md §2 rules 4, 5)", () => {
  it("forwards a request unchanged to the owner and the response back to the requester", async () => {
    const {
      agents: [a, b],
    } = await setup(2);
    const button = await spawn(b, { collider: { type: "box", width: 1, height: 1, depth: 1 } });
    const raw = JSON.stringify(["interaction", "request", a.avatarId, button, "poke-1", ["poke", true]]);
    const pending = a.next((m) => Array.isArray(m) && m[1] === "response" && m[4] === "poke-1");
    a.send(raw);
    const forwarded = await b.next(isRequest("poke"), { fromIndex: 0 });
    expect(JSON.stringify(forwarded)).toBe(raw);
    b.send(["interaction", "response", button, a.avatarId, "poke-1", ["poke", "ok"]]);
    expect(await pending).toEqual(["interaction", "response", button, a.avatarId, "poke-1", ["poke", "ok"]]);
  });

  it("drops and counts a response nobody asked for", async () => {
    const {
      place,
      agents: [a, b],
    } = await setup(2);
    b.send(["interaction", "response", b.avatarId, a.avatarId, "never-asked", ["poke", "ok"]]);
    // Also a second response to an already answered request.
    const button = await spawn(b);
    const answered = a.request(["poke", true], { receiver: button, requestId: "once" });
    await b.next(isRequest("poke"), { fromIndex: 0 });
    b.send(["interaction", "response", button, a.avatarId, "once", ["poke", "ok"]]);
    b.send(["interaction", "response", button, a.avatarId, "once", ["poke", "again"]]);
    expect(await answered).toEqual(["poke", "ok"]);
    const bStats = [...place.agents.values()].find((x) => x.avatarId === b.avatarId)!.stats;
    await b.request(["list_agents"]); // the place has handled everything b sent before this
    expect(bStats.dropped).toBe(2);
    expect(a.received.filter((m) => Array.isArray(m) && m[1] === "response" && m[5]?.[0] === "poke")).toHaveLength(1);
  });

  it("only the agent asked may answer", async () => {
    const {
      agents: [a, b, c],
    } = await setup(3);
    const button = await spawn(b);
    const answered = a.request(["poke", true], { receiver: button, requestId: "r" });
    await b.next(isRequest("poke"), { fromIndex: 0 });
    c.send(["interaction", "response", c.avatarId, a.avatarId, "r", ["poke", "forged"]]);
    await c.request(["list_agents"]);
    b.send(["interaction", "response", button, a.avatarId, "r", ["poke", "ok"]]);
    expect(await answered).toEqual(["poke", "ok"]);
  });

  it("answers no such entity for a request to an entity that does not exist", async () => {
    const {
      agents: [a],
    } = await setup(1);
    expect(await a.request(["poke", true], { receiver: "ghost" })).toEqual(["poke", "error", "no such entity"]);
  });

  it("answers no response when the answerer disconnects", async () => {
    const {
      place,
      agents: [a, b],
    } = await setup(2);
    const button = await spawn(b);
    const answered = a.request(["poke", true], { receiver: button });
    await b.next(isRequest("poke"), { fromIndex: 0 });
    expect(place.stats().pendingRequests).toBe(1);
    await b.close();
    expect(await answered).toEqual(["poke", "error", "no response"]);
    expect(place.stats().pendingRequests).toBe(0);
  });

  it("answers no response when the answerer stays silent too long", async () => {
    const {
      agents: [a, b],
    } = await setup(2, { limits: { requestTimeoutMs: 100 } });
    const button = await spawn(b);
    expect(await a.request(["poke", true], { receiver: button })).toEqual(["poke", "error", "no response"]);
    // A late answer is then dropped.
    b.send(["interaction", "response", button, a.avatarId, "late", ["poke", "ok"]]);
  });

  it("forgets the requests of an agent that leaves, and removes its entities", async () => {
    const {
      place,
      agents: [a, b],
    } = await setup(2);
    const button = await spawn(b);
    const mine = await spawn(a, { children: [{}] });
    a.send(["interaction", "request", a.avatarId, button, "left-behind", ["poke", true]]);
    await b.next(isRequest("poke"), { fromIndex: 0 });
    expect(place.stats().pendingRequests).toBe(1);
    await a.close();
    await b.until(() => b.mirror?.entities[a.avatarId!] === undefined && b.mirror?.entities[mine] === undefined);
    expect(place.stats().pendingRequests).toBe(0);
    expect(place.world.has(mine)).toBe(false);
    expect(place.agents.size).toBe(1);
    // The answer to a request whose asker left goes nowhere and is counted.
    b.send(["interaction", "response", button, a.avatarId, "left-behind", ["poke", "ok"]]);
    await b.request(["list_agents"]);
    expect([...place.agents.values()][0].stats.dropped).toBe(1);
  });

  it("refuses a second request with an id still waiting", async () => {
    const {
      agents: [a, b],
    } = await setup(2);
    const button = await spawn(b);
    a.send(["interaction", "request", a.avatarId, button, "dup", ["poke", true]]);
    const second = await a.request(["poke", true], { receiver: button, requestId: "dup" });
    expect(second[1]).toBe("error");
    expect(second[2]).toMatch(/already waiting/);
  });

  it("forwards oneways to the owner and drops them for unknown receivers", async () => {
    const {
      place,
      agents: [a, b],
    } = await setup(2);
    a.oneway(["point", [0, 0, 0], [0, 0, -1]], { receiver: b.avatarId });
    a.oneway(["point", [0, 0, 0], [0, 0, -1]], { receiver: "ghost" });
    const got = await b.next((m) => Array.isArray(m) && m[5]?.[0] === "point", { fromIndex: 0 });
    expect(got[1]).toBe("oneway");
    await a.request(["list_agents"]);
    expect([...place.agents.values()].find((x) => x.avatarId === a.avatarId)!.stats.dropped).toBe(1);
  });
});

describe("publications (docs/protocol.md §2 rule 6)", () => {
  it("reach nobody without subscriptions", async () => {
    const {
      agents: [a, b],
    } = await setup(2);
    a.send(["interaction", "publication", a.avatarId, "", "", ["news", 1]]);
    await a.request(["list_agents"]);
    await b.request(["list_agents"]); // b has received everything the place sent it before
    expect([...a.received, ...b.received].filter((m) => Array.isArray(m) && m[5]?.[0] === "news")).toHaveLength(0);
  });

  it("reach the agents a subscription router picks", async () => {
    const {
      agents: [a, b, c],
    } = await setup(3, {
      subscriptions: {
        match: (ctx, envelope, from) =>
          [...ctx.agents.values()].filter(
            (x) => x !== from && x.avatarId !== undefined && envelope[5][0] === "news" && x.displayName === "c",
          ),
      },
    });
    a.send(["interaction", "publication", a.avatarId, "", "", ["news", 1]]);
    const got = await c.next((m) => Array.isArray(m) && m[5]?.[0] === "news", { fromIndex: 0 });
    expect(got).toEqual(["interaction", "publication", a.avatarId, "", "", ["news", 1]]);
    await a.request(["list_agents"]);
    expect(b.received.filter((m) => Array.isArray(m) && m[5]?.[0] === "news")).toHaveLength(0);
  });
});
