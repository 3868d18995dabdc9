import { describe, expect, it } from "vitest";
import { CloseCode } from "@allo/protocol";
import { documentOf, rng, setup, spawn } from "./helpers.ts";

const SCALARS = [null, true, false, 0, -1, 1e308, 3.5, "", "place", "x".repeat(300), "__proto__"];

function randomJson(random: () => number, depth = 0): unknown {
  const r = random();
  if (depth > 3 || r < 0.4) return SCALARS[Math.floor(random() * SCALARS.length)];
  if (r < 0.7) return Array.from({ length: Math.floor(random() * 5) }, () => randomJson(random, depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = Math.floor(random() * 4); i > 0; i--)
    o[["a", "matrix", "children", "parent", "transform", "relationships", "constructor"][Math.floor(random() * 7)]] =
      randomJson(random, depth + 1);
  return o;
}

const NAMES = [
  "spawn_entity",
  "remove_entity",
  "change_components",
  "list_agents",
  "kick_agent",
  "announce",
  "poke",
  "add_property_animation",
  "",
  "toString",
  "__proto__",
  "hasOwnProperty",
];
const TYPES = ["request", "oneway", "response", "publication", "REQUEST", "", 1];

/** A message with the right outline and random insides: wrong types, missing fields, odd names, garbage bodies. */
function hostileMessage(random: () => number, own: string, other: string): unknown {
  const pickId = () => [own, other, "place", "", "ghost", 5][Math.floor(random() * 6)];
  const r = random();
  if (r < 0.1) return randomJson(random);
  if (r < 0.2)
    return {
      cmd: ["intent", "clock", "other"][Math.floor(random() * 3)],
      intent: randomJson(random),
      client_time: randomJson(random),
    };
  const body: unknown[] = [NAMES[Math.floor(random() * NAMES.length)]];
  for (let i = Math.floor(random() * 6); i > 0; i--) body.push(random() < 0.3 ? pickId() : randomJson(random));
  const envelope: unknown[] = [
    "interaction",
    TYPES[Math.floor(random() * TYPES.length)],
    pickId(),
    pickId(),
    random() < 0.5 ? "r" + Math.floor(random() * 1e6) : randomJson(random),
    random() < 0.9 ? body : randomJson(random),
  ];
  if (random() < 0.1) envelope.length = Math.floor(random() * 6);
  return envelope;
}

describe("bad input (docs/protocol.md §1)", () => {
  it("survives thousands of hostile messages: no crash, the world untouched, others still served", async () => {
    const {
      place,
      agents: [honest, hostile],
    } = await setup(2, {
      limits: { badFramesPerMinute: 1_000_000, messagesPerSecond: 1_000_000, messageBurst: 1_000_000 },
    });
    const honestThing = await spawn(honest, { text: { string: "precious" } });
    const random = rng(42);
    const before = JSON.stringify(place.world.get(honestThing));
    for (let i = 0; i < 3000; i++) {
      const message = hostileMessage(random, hostile.avatarId!, honestThing);
      hostile.send(
        random() < 0.05 ? JSON.stringify(message).slice(0, Math.floor(random() * 40)) : JSON.stringify(message),
      );
      if (i % 500 === 0) expect((await honest.request(["list_agents"]))[1]).toBe("ok");
    }
    // Still connected, still served; the honest agent's entity untouched.
    expect((await hostile.request(["list_agents"]))[1]).toBe("ok");
    expect(JSON.stringify(place.world.get(honestThing))).toBe(before);
    const id = await spawn(honest, { text: { string: "after" } });
    await honest.until(
      () => honest.mirror?.entities[id] !== undefined && honest.mirror.revision === place.world.revision,
    );
    expect(honest.mirror).toEqual(documentOf(place));
    const stats = [...place.agents.values()].find((a) => a.avatarId === hostile.avatarId)!.stats;
    expect(stats.badFrames).toBeGreaterThan(100);
  });

  it("answers wrong shapes for known interactions with errors, never a crash", async () => {
    const {
      place,
      agents: [a],
    } = await setup(1);
    const size = place.world.size;
    for (const body of [
      ["spawn_entity", null],
      ["spawn_entity", []],
      ["spawn_entity", { children: "no" }],
      ["spawn_entity", { children: [1] }],
      ["remove_entity"],
      ["remove_entity", null],
      ["change_components"],
      ["change_components", a.avatarId],
      ["change_components", a.avatarId, "add_or_change"],
      ["list_agents", 1, 2],
      ["kick_agent"],
      ["toString"],
      ["__proto__"],
      ["constructor"],
      ["hasOwnProperty"],
    ]) {
      const r = await a.request(body);
      expect(r[0] === body[0] || r[0] === "interaction_denied").toBe(true);
      if (r[0] === body[0] && body[0] !== "list_agents") expect(r[1]).toBe("error");
    }
    expect(place.world.size).toBe(size);
  });

  it("counts malformed frames and closes with 4400 at the limit", async () => {
    const {
      agents: [a],
    } = await setup(1, { limits: { badFramesPerMinute: 20 } });
    for (let i = 0; i < 25; i++) a.send(i % 2 ? "{not json" : JSON.stringify({ hello: i }));
    expect((await a.closed).code).toBe(CloseCode.tooManyBadFrames);
  });

  it("closes with 1009 on a text frame over the limit and keeps serving others", async () => {
    const {
      place,
      agents: [a, b],
    } = await setup(2, { limits: { maxTextBytes: 64 * 1024 } });
    a.send(JSON.stringify(["interaction", "oneway", a.avatarId, "place", "", ["x", "y".repeat(70 * 1024)]]));
    expect((await a.closed).code).toBe(CloseCode.tooLarge);
    expect((await b.request(["list_agents"]))[2]).toHaveLength(1);
    expect(place.world.has(a.avatarId!)).toBe(false);
  });

  it("closes with 1009 on a frame over the binary limit (ws maxPayload)", async () => {
    const {
      agents: [a],
    } = await setup(1, { limits: { maxBinaryBytes: 128 * 1024, maxTextBytes: 64 * 1024 } });
    a.send(Buffer.alloc(200 * 1024, 3));
    expect((await a.closed).code).toBe(CloseCode.tooLarge);
  });

  it("closes with 1009 on a binary frame over its own limit when the text limit is larger", async () => {
    const {
      agents: [a, b],
    } = await setup(2, { limits: { maxBinaryBytes: 64 * 1024, maxTextBytes: 256 * 1024 } });
    a.send(Buffer.alloc(100 * 1024, 3));
    expect((await a.closed).code).toBe(CloseCode.tooLarge);
    expect((await b.request(["list_agents"]))[1]).toBe("ok");
  });

  it("counts deeply nested JSON as a bad frame, without a stack overflow", async () => {
    const {
      place,
      agents: [a],
    } = await setup(1);
    const deep = "[".repeat(100_000) + "]".repeat(100_000);
    a.send(deep);
    let nested: unknown = 1;
    for (let i = 0; i < 200; i++) nested = { n: nested };
    // Over the nesting limit: a bad frame, counted, and answered with the limit since its envelope is readable.
    a.send(["interaction", "request", a.avatarId, "place", "deep", ["spawn_entity", { custom: nested }]]);
    expect((await a.request(["list_agents"]))[1]).toBe("ok");
    expect(place.world.size).toBe(2);
    const answer = a.received.find((m) => Array.isArray(m) && m[4] === "deep");
    expect(answer?.[5]).toEqual([
      "spawn_entity",
      "error",
      expect.stringMatching(/^body\[1\]\.custom(\.n)+ nests deeper than 48 levels$/),
    ]);
    expect([...place.agents.values()][0].stats.badFrames).toBe(2);
  });

  it("drops messages over the rate budget and closes a flood with 1008", async () => {
    const {
      place,
      agents: [flooder, honest],
    } = await setup(2, { limits: { messagesPerSecond: 50, messageBurst: 50, overBudgetCloseMs: 300 } });
    const stop = setInterval(() => {
      for (let i = 0; i < 50; i++) flooder.send({ cmd: "clock", client_time: i });
    }, 10);
    try {
      expect((await flooder.closed).code).toBe(CloseCode.policyViolation);
    } finally {
      clearInterval(stop);
    }
    expect((await honest.request(["list_agents"]))[1]).toBe("ok");
    expect(place.agents.size).toBe(1);
  });

  it("ignores binary frames on channels nobody handles, counting them", async () => {
    const {
      place,
      agents: [a],
    } = await setup(1);
    a.send(Buffer.from([9, 1, 2, 3]));
    a.send(Buffer.alloc(0));
    expect((await a.request(["list_agents"]))[1]).toBe("ok");
    expect([...place.agents.values()][0].stats.badFrames).toBe(2);
  });
});
