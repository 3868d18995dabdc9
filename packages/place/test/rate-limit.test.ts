// The rate limit (docs/protocol.md §1.1, §2.1 step 2, §5): messages over an agent's budget are dropped and counted,
// but a dropped request is still answered `[name, "error", "rate limited"]`; a flood lasting too long closes with 1008.
import { describe, expect, it } from "vitest";
import { CloseCode } from "@allo/protocol";
import { requestHead, RATE_LIMITED_SCAN_BYTES } from "../src/dispatch.ts";
import { setup, spawn } from "./helpers.ts";

const isResponse = (id: string) => (m: unknown) => Array.isArray(m) && m[1] === "response" && m[4] === id;

describe("the rate limit", () => {
  it('answers every request of a burst over the budget: the excess with "rate limited"', async () => {
    // Refilling one token a second: the burst of 5 is all the budget this test has.
    const {
      place,
      agents: [a],
    } = await setup(1, { limits: { messagesPerSecond: 1, messageBurst: 5, overBudgetCloseMs: 60_000 } });
    a.autoAck = false; // acks would spend the budget too
    const ids = Array.from({ length: 20 }, (_, i) => `burst${i}`);
    for (const id of ids) a.send(["interaction", "request", a.avatarId, "place", id, ["list_agents"]]);
    const answers = await Promise.all(ids.map((id) => a.next(isResponse(id), { fromIndex: 0 })));
    for (const answer of answers) {
      expect(answer.slice(0, 4)).toEqual(["interaction", "response", "place", a.avatarId]);
      expect(answer[5][0]).toBe("list_agents");
    }
    const limited = answers.filter((m) => m[5][1] === "error");
    expect(limited.length).toBeGreaterThanOrEqual(ids.length - 6); // the announce spent some of the 5, one may refill
    for (const m of limited) expect(m[5]).toEqual(["list_agents", "error", "rate limited"]);
    expect(answers.filter((m) => m[5][1] === "ok").length).toBe(ids.length - limited.length);
    const stats = [...place.agents.values()][0].stats;
    expect(stats.rateLimited).toBe(limited.length);
    expect(a.socket.readyState).toBe(a.socket.OPEN);
  });

  it("answers a rate-limited request to another agent's entity itself, without forwarding it", async () => {
    const {
      place,
      agents: [a, b],
    } = await setup(2, { limits: { messagesPerSecond: 1, messageBurst: 3, overBudgetCloseMs: 60_000 } });
    a.autoAck = false;
    b.autoAck = false;
    const target = await spawn(b, {});
    const routedBefore = b.received.length;
    for (let i = 0; i < 10; i++) a.send(["interaction", "request", a.avatarId, target, `poke${i}`, ["poke", true]]);
    const answers = () =>
      a.received.filter((m) => Array.isArray(m) && m[1] === "response" && String(m[4]).startsWith("poke"));
    const forwarded = () =>
      b.received.slice(routedBefore).filter((m) => Array.isArray(m) && m[1] === "request" && m[5][0] === "poke");
    // Each request is either answered by the place or forwarded to b (who does not answer here).
    await a.until(() => answers().length + forwarded().length === 10);
    expect(answers().length).toBeGreaterThanOrEqual(6);
    for (const m of answers())
      expect(m.slice(2)).toEqual(["place", a.avatarId, m[4], ["poke", "error", "rate limited"]]);
    expect(place.agents.size).toBe(2);
  });

  it("answers nothing for what is not a request: oneways, intents, clocks and responses stay dropped", async () => {
    // Hardly any refill: whatever the announce left of the one-message burst is all the budget this test has.
    const {
      place,
      agents: [a],
    } = await setup(1, { limits: { messagesPerSecond: 0.01, messageBurst: 1, overBudgetCloseMs: 60_000 } });
    a.autoAck = false;
    const stats = [...place.agents.values()][0].stats;
    const limitedBefore = stats.rateLimited;
    const from = a.received.length;
    a.oneway(["point", [0, 0, 0], [0, 0, 1]]);
    a.send({ cmd: "clock", client_time: 2 });
    a.send({ cmd: "intent", intent: { ack_state_rev: 0 } });
    a.send(["interaction", "response", a.avatarId, "place", "x", ["poke", "ok"]]);
    a.send(["interaction", "request", a.avatarId, "place", "last", ["list_agents"]]);
    expect((await a.next(isResponse("last")))[5]).toEqual(["list_agents", "error", "rate limited"]);
    expect(stats.rateLimited - limitedBefore).toBeGreaterThanOrEqual(5); // and an ack sent before autoAck went off
    // State frames still arrive (the clock changes the world); nothing else does.
    const answered = a.received.slice(from).filter((m) => !("patch_style" in m));
    expect(answered).toHaveLength(1);
  });

  it('keeps answering "rate limited" through a flood, then closes the flooder with 1008 while others are served', async () => {
    const {
      place,
      agents: [flooder, honest],
    } = await setup(2, { limits: { messagesPerSecond: 50, messageBurst: 50, overBudgetCloseMs: 300 } });
    let n = 0;
    const stop = setInterval(() => {
      for (let i = 0; i < 50; i++)
        flooder.send(["interaction", "request", flooder.avatarId, "place", `f${n++}`, ["list_agents"]]);
    }, 10);
    try {
      expect((await flooder.closed).code).toBe(CloseCode.policyViolation);
    } finally {
      clearInterval(stop);
    }
    const limited = flooder.received.filter((m) => Array.isArray(m) && m[1] === "response" && m[5][1] === "error");
    expect(limited.length).toBeGreaterThan(0);
    for (const m of limited) expect(m[5]).toEqual(["list_agents", "error", "rate limited"]);
    expect((await honest.request(["list_agents"]))[1]).toBe("ok");
    expect(place.agents.size).toBe(1);
  });
});

describe("requestHead", () => {
  const head = (frame: unknown) => requestHead(Buffer.from(typeof frame === "string" ? frame : JSON.stringify(frame)));

  it("reads sender, request id and name, escapes and spacing included", () => {
    expect(head(["interaction", "request", 'av"é', "place", "r\n1", ["spawn_entity", {}]])).toEqual({
      sender: 'av"é',
      requestId: "r\n1",
      name: "spawn_entity",
    });
    expect(head(` [ "interaction" ,\n "request", "a\\u00e9", "x" , "r", [ "poke", true ] ]`)).toEqual({
      sender: "aé",
      requestId: "r",
      name: "poke",
    });
  });

  it("reads nothing from what is not a request, or from a head longer than the scan", () => {
    expect(head(["interaction", "oneway", "a", "place", "", ["point"]])).toBeUndefined();
    expect(head(["interaction", "request", "a", "place", 5, ["x"]])).toBeUndefined();
    expect(head(`["interaction","request","a\\x","place","r",["x"]]`)).toBeUndefined();
    expect(head({ cmd: "clock", client_time: 1 })).toBeUndefined();
    expect(head(["interaction", "request", "a".repeat(RATE_LIMITED_SCAN_BYTES), "place", "r", ["x"]])).toBeUndefined();
    expect(head("\u0000".repeat(4096))).toBeUndefined();
  });
});
