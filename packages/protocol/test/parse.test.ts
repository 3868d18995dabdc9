import { describe, expect, it } from "vitest";
import { fromEnvelope, interactionName, toEnvelope } from "../src/envelope.ts";
import { IDENTITY_MATRIX, translationMatrix } from "../src/identity.ts";
import { PARSE_LIMITS, parseAgentMessage, parsePlaceMessage } from "../src/parse.ts";
import type { Interaction } from "../src/types.ts";
import { checkJson } from "../src/validate-json.ts";

const M = [...IDENTITY_MATRIX];
const T = translationMatrix(1, 2, 3);
const text = (x: unknown) => JSON.stringify(x);
const errorOf = (r: { ok: boolean; error?: string }) => (r.ok ? "ok" : r.error);

describe("parseAgentMessage: interactions", () => {
  const announce: Interaction = {
    type: "request",
    senderEntityId: "",
    receiverEntityId: "place",
    requestId: "r1",
    body: ["announce", "version", 3, "identity", { display_name: "me" }, "spawn_avatar", { transform: { matrix: M } }],
  };

  it("reads an envelope into a named interaction, and back", () => {
    const r = parseAgentMessage(text(toEnvelope(announce)));
    expect(r).toEqual({ ok: true, value: { kind: "interaction", interaction: announce } });
    expect(toEnvelope(fromEnvelope(toEnvelope(announce)))).toEqual([
      "interaction",
      "request",
      "",
      "place",
      "r1",
      announce.body,
    ]);
    expect(interactionName(announce.body)).toBe("announce");
  });

  it.each(["oneway", "request", "response", "publication"])("accepts type %s", (type) => {
    expect(parseAgentMessage(text(["interaction", type, "a", "b", "", ["x"]])).ok).toBe(true);
  });

  it.each([
    [["interaction", "request", "a", "b", "1"], "interaction must have 6 elements"],
    [["interaction", "request", "a", "b", "1", ["x"], 7], "interaction must have 6 elements"],
    [
      ["interaction", "ask", "a", "b", "1", ["x"]],
      'interaction type must be one of oneway|request|response|publication, got "ask"',
    ],
    [["interaction", "request", 5, "b", "1", ["x"]], "interaction sender must be a string entity id, got a number"],
    [["interaction", "request", "a", null, "1", ["x"]], "interaction receiver must be a string entity id, got null"],
    [["interaction", "request", "a", "b", 1, ["x"]], "interaction request_id must be a string, got a number"],
    [["interaction", "request", "a", "b", "1", "x"], "interaction body must be an array, got a string"],
    [["interaction", "request", "a", "b", "1", []], "interaction body must not be empty"],
    [["interaction", "request", "a", "b", "1", [3]], "interaction body[0] must be a string name, got a number"],
    [["interact", "request", "a", "b", "1", ["x"]], 'interaction must be an array starting with "interaction"'],
  ])("refuses %j: %s", (message, error) => {
    const r = parseAgentMessage(text(message));
    expect(r.ok).toBe(false);
    expect(errorOf(r)).toContain(error);
  });
});

describe("parseAgentMessage: intents (docs/protocol.md §6.1)", () => {
  const parseIntent = (intent: unknown) => {
    const r = parseAgentMessage(text({ cmd: "intent", intent }));
    if (!r.ok || r.value.kind !== "intent") throw new Error(`expected an intent, got ${errorOf(r)}`);
    return r.value.intent;
  };

  it("defaults every missing field", () => {
    expect(parseIntent({})).toEqual({
      xmovement: 0,
      zmovement: 0,
      yaw: 0,
      pitch: 0,
      poses: {},
      ack_state_rev: 0,
      wants_stick_movement: false,
    });
  });

  it("keeps valid fields", () => {
    const intent = {
      xmovement: 0.5,
      zmovement: -1,
      yaw: 3.1,
      pitch: -0.2,
      ack_state_rev: 42,
      wants_stick_movement: true,
      poses: {
        head: { matrix: T },
        "hand/left": { matrix: M, grab: { entity: "e1", grabber_from_entity_transform: T } },
      },
    };
    expect(parseIntent(intent)).toEqual(intent);
  });

  it("ignores invalid fields and clamps stick movement", () => {
    expect(
      parseIntent({
        xmovement: "fast",
        zmovement: 1e300,
        yaw: null,
        pitch: [1],
        ack_state_rev: -3,
        wants_stick_movement: "yes",
        entity_id: "x",
        poses: {
          head: { matrix: M.slice(0, 15) },
          torso: { matrix: [...M.slice(0, 15), "1"] },
          root: "identity",
          tail: { matrix: M },
          "hand/right": { matrix: T, grab: { entity: 5, grabber_from_entity_transform: M } },
          "hand/left": { matrix: M, grab: { entity: "e", grabber_from_entity_transform: [] } },
        },
      }),
    ).toEqual({
      xmovement: 0,
      zmovement: 1,
      yaw: 0,
      pitch: 0,
      ack_state_rev: 0,
      wants_stick_movement: false,
      poses: { "hand/right": { matrix: T }, "hand/left": { matrix: M } },
    });
  });

  it("treats a fractional or too large ack as 0", () => {
    expect(parseIntent({ ack_state_rev: 1.5 }).ack_state_rev).toBe(0);
    expect(parseIntent({ ack_state_rev: 2 ** 53 }).ack_state_rev).toBe(0);
    expect(parseIntent({ ack_state_rev: 2 ** 53 - 1 }).ack_state_rev).toBe(2 ** 53 - 1);
  });

  it.each([
    [{ cmd: "intent" }, "intent.intent must be an object, got undefined"],
    [{ cmd: "intent", intent: [1] }, "intent.intent must be an object, got an array"],
    [{ cmd: "jump" }, 'message.cmd must be "intent" or "clock", got "jump"'],
    [{ intent: {} }, 'message object must have "cmd": "intent" or "clock"'],
    [{ patch_style: "set", entities: {}, revision: 1 }, "state frames go from place to agent, not from an agent"],
  ])("refuses %j", (message, error) => {
    expect(errorOf(parseAgentMessage(text(message)))).toBe(error);
  });
});

describe("parseAgentMessage: clock (docs/protocol.md §7)", () => {
  it("reads client_time", () => {
    expect(parseAgentMessage(text({ cmd: "clock", client_time: 12.5 }))).toEqual({
      ok: true,
      value: { kind: "clock", clientTime: 12.5 },
    });
  });
  it.each([[{ cmd: "clock" }], [{ cmd: "clock", client_time: "1" }]])("refuses %j", (m) => {
    expect(errorOf(parseAgentMessage(text(m)))).toMatch(/^clock.client_time must be a finite number/);
  });
});

describe("parsePlaceMessage", () => {
  it("reads a set frame", () => {
    const state = {
      patch_style: "set",
      entities: { place: { id: "place", components: { clock: { time: 1 } } } },
      revision: 7,
    };
    expect(parsePlaceMessage(text(state))).toEqual({ ok: true, value: { kind: "state", state } });
  });

  it("reads a merge frame with removals", () => {
    const state = {
      patch_style: "merge",
      patch_from: 6,
      revision: 7,
      entities: { a: null, b: { components: { text: null } } },
    };
    expect(parsePlaceMessage(text(state))).toEqual({ ok: true, value: { kind: "state", state } });
    expect(parsePlaceMessage(text({ patch_style: "merge", patch_from: 6, revision: 7 })).ok).toBe(true);
  });

  it("reads a clock echo and an interaction", () => {
    expect(parsePlaceMessage(text({ cmd: "clock", client_time: 1, server_time: 2 }))).toEqual({
      ok: true,
      value: { kind: "clock", clientTime: 1, serverTime: 2 },
    });
    expect(
      parsePlaceMessage(text(["interaction", "response", "place", "a", "1", ["announce", "a", "My place"]])).ok,
    ).toBe(true);
  });

  it.each([
    [{ patch_style: "replace", revision: 1 }, 'state.patch_style must be "set" or "merge", got a string'],
    [{ patch_style: "set", revision: -1, entities: {} }, "state.revision must be a non-negative integer, got a number"],
    [{ patch_style: "set", revision: 1 }, "state.entities must be an object, got undefined"],
    [
      { patch_style: "set", revision: 1, entities: { a: { id: "b", components: {} } } },
      "state.entities.a.id must equal its key",
    ],
    [
      { patch_style: "set", revision: 1, entities: { a: { id: "a" } } },
      "state.entities.a.components must be an object, got undefined",
    ],
    [{ patch_style: "merge", revision: 1 }, "state.patch_from must be a non-negative integer, got undefined"],
    [
      { patch_style: "merge", revision: 1, patch_from: 0, entities: { a: 3 } },
      "state.entities.a must be null or an entity patch object, got a number",
    ],
    [
      { patch_style: "merge", revision: 1, patch_from: 0, entities: { a: { components: [] } } },
      "state.entities.a.components must be an object, got an array",
    ],
    [{ cmd: "clock", client_time: 1 }, "clock.server_time must be a finite number, got undefined"],
    [
      { cmd: "intent", intent: {} },
      'message object must be a state frame ("patch_style") or a clock echo ("cmd": "clock")',
    ],
  ])("refuses %j", (message, error) => {
    expect(errorOf(parsePlaceMessage(text(message)))).toBe(error);
  });
});

describe("safety limits", () => {
  const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

  it("exports its defaults", () => {
    expect(PARSE_LIMITS).toEqual({
      maxDepth: 48,
      maxStringLength: 65536,
      maxKeysPerObject: 1000,
      maxArrayLength: 100_000,
    });
  });

  it("refuses text that is not JSON, or not a message", () => {
    expect(errorOf(parseAgentMessage("{nope"))).toMatch(/^message is not valid JSON: /);
    expect(errorOf(parseAgentMessage(""))).toMatch(/^message is not valid JSON: /);
    expect(errorOf(parseAgentMessage("42"))).toBe(
      "message must be an interaction array or a command object, got a number",
    );
    expect(errorOf(parseAgentMessage(undefined as unknown as string))).toBe(
      "message must be a string of JSON, got undefined",
    );
    expect(errorOf(parseAgentMessage(Buffer.from("[]") as unknown as string))).toBe(
      "message must be a string of JSON, got an object",
    );
  });

  it("allows 48 levels of nesting and refuses 49", () => {
    expect(errorOf(parseAgentMessage(nested(48)))).toBe('interaction must be an array starting with "interaction"');
    expect(errorOf(parseAgentMessage(nested(49)))).toBe(`message${"[0]".repeat(48)} nests deeper than 48 levels`);
  });

  it("survives 100,000 and 1,000,000 levels of nesting", () => {
    expect(errorOf(parseAgentMessage(nested(100_000)))).toMatch(/nests (deeper than 48 levels|too deeply to parse)$/);
    expect(errorOf(parseAgentMessage('{"a":'.repeat(1_000_000) + "1" + "}".repeat(1_000_000)))).toMatch(
      /nests (deeper than 48 levels|too deeply to parse)$/,
    );
  });

  it("limits string length, keys included", () => {
    const body = (s: string) => text(["interaction", "oneway", "a", "b", "", ["x", s]]);
    expect(parseAgentMessage(body("x".repeat(65536))).ok).toBe(true);
    expect(errorOf(parseAgentMessage(body("x".repeat(65537))))).toBe(
      "message[5][1] is a string longer than 65536 characters",
    );
    expect(errorOf(parseAgentMessage(text({ cmd: "clock", client_time: 1, ["k".repeat(65537)]: 1 })))).toBe(
      "message has a key longer than 65536 characters",
    );
  });

  it("limits keys per object and array length", () => {
    const keys = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
    expect(parseAgentMessage(text({ cmd: "intent", intent: keys(1000) })).ok).toBe(true);
    expect(errorOf(parseAgentMessage(text({ cmd: "intent", intent: keys(1001) })))).toBe(
      "message.intent has 1001 keys, more than 1000",
    );
    const body = (n: number) => text(["interaction", "oneway", "a", "b", "", ["x", new Array(n).fill(0)]]);
    expect(parseAgentMessage(body(100_000)).ok).toBe(true);
    expect(errorOf(parseAgentMessage(body(100_001)))).toBe("message[5][1] has 100001 elements, more than 100000");
  });

  it.each(["__proto__", "constructor", "prototype"])("refuses a %s key at any depth", (key) => {
    const r = parseAgentMessage(`["interaction","oneway","a","b","",["x",{"ok":[{"${key}":{"polluted":1}}]}]]`);
    expect(errorOf(r)).toBe(`message[5][1].ok[0].${key} is a forbidden key`);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("refuses numbers that overflow to Infinity", () => {
    expect(errorOf(parseAgentMessage('{"cmd":"clock","client_time":1e400}'))).toBe(
      "message.client_time must be a finite number",
    );
    expect(errorOf(parseAgentMessage('["interaction","oneway","a","b","",["x",-1e999]]'))).toBe(
      "message[5][1] must be a finite number",
    );
  });

  it("takes other limits as a second argument", () => {
    expect(
      errorOf(parseAgentMessage(text({ cmd: "clock", client_time: 1, pad: "x".repeat(13) }), { maxStringLength: 12 })),
    ).toBe("message.pad is a string longer than 12 characters");
    expect(
      errorOf(parsePlaceMessage(text({ cmd: "clock", client_time: 1, server_time: 2, a: [[1]] }), { maxDepth: 2 })),
    ).toBe("message.a[0] nests deeper than 2 levels");
  });

  it("names odd keys readably in paths", () => {
    expect(errorOf(parseAgentMessage('{"cmd":"intent","intent":{"poses":{"hand/left":{"matrix":[1e400]}}}}'))).toBe(
      'message.intent.poses["hand/left"].matrix[0] must be a finite number',
    );
  });
});

describe("limits on a parsed text and on any value", () => {
  // A parsed value's strings cannot be longer than its text, so the walk may skip measuring them; these pin the edge.
  it("measures strings and keys whenever the text is longer than the limit, escapes or not", () => {
    const clock = (pad: string) => `{"cmd":"clock","client_time":1,"pad":"${pad}"}`;
    const long = "x".repeat(40);
    expect(clock(long).length).toBeGreaterThan(40);
    expect(parseAgentMessage(clock(long), { maxStringLength: 40 }).ok).toBe(true);
    expect(errorOf(parseAgentMessage(clock(long), { maxStringLength: 39 }))).toBe(
      "message.pad is a string longer than 39 characters",
    );
    const escaped = "\\u0078".repeat(8) + long; // 48 characters once decoded
    expect(errorOf(parseAgentMessage(clock(escaped), { maxStringLength: 47 }))).toBe(
      "message.pad is a string longer than 47 characters",
    );
    expect(parseAgentMessage(clock(escaped), { maxStringLength: 48 }).ok).toBe(true);
    const key = `{"cmd":"clock","client_time":1,"${long}":0}`;
    expect(errorOf(parseAgentMessage(key, { maxStringLength: 39 }))).toBe(
      "message has a key longer than 39 characters",
    );
    expect(parseAgentMessage(key, { maxStringLength: 40 }).ok).toBe(true);
  });

  it("refuses, deep in a state frame, what breaks the place-message limits", () => {
    const frame = (inner: string) =>
      `{"patch_style":"set","revision":1,"entities":{"a":{"id":"a","components":{"c":${inner}}}}}`;
    const limits = { maxDepth: 8, maxKeysPerObject: 3, maxArrayLength: 4, maxStringLength: 1 << 24 };
    expect(parsePlaceMessage(frame('{"k":[[1,2,3,4]],"s":"x","t":true}'), limits).ok).toBe(true);
    expect(errorOf(parsePlaceMessage(frame('{"k":{"__proto__":{"polluted":1}}}'), limits))).toBe(
      "message.entities.a.components.c.k.__proto__ is a forbidden key",
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(errorOf(parsePlaceMessage(frame('{"constructor":1}'), limits))).toBe(
      "message.entities.a.components.c.constructor is a forbidden key",
    );
    expect(errorOf(parsePlaceMessage(frame("[1,2,3,4,5]"), limits))).toBe(
      "message.entities.a.components.c has 5 elements, more than 4",
    );
    expect(errorOf(parsePlaceMessage(frame('{"a":1,"b":2,"c":3,"d":4}'), limits))).toBe(
      "message.entities.a.components.c has 4 keys, more than 3",
    );
    expect(parsePlaceMessage(frame("[[[[1]]]]"), limits).ok).toBe(true);
    expect(errorOf(parsePlaceMessage(frame("[[[[[1]]]]]"), limits))).toBe(
      "message.entities.a.components.c[0][0][0][0] nests deeper than 8 levels",
    );
    expect(errorOf(parsePlaceMessage(frame("[0,-1e400]"), limits))).toBe(
      "message.entities.a.components.c[1] must be a finite number",
    );
    expect(
      errorOf(
        parsePlaceMessage('{"patch_style":"set","revision":1,"entities":{"hand/left":{"id":"x","components":{}}}}'),
      ),
    ).toBe('state.entities["hand/left"].id must equal its key');
  });

  it("checkJson refuses what JSON.parse cannot make, wherever it is, and takes objects without a prototype", () => {
    class Point {
      x = 1;
    }
    const sparse: unknown[] = [1];
    sparse[2] = 3;
    const cases: [unknown, string][] = [
      [{ a: [{ b: new Date(0) }] }, "value.a[0].b must be plain JSON, got an object"],
      [{ a: new Map() }, "value.a must be plain JSON, got an object"],
      [[new Point()], "value[0] must be plain JSON, got an object"],
      [{ a: { f: () => 1 } }, "value.a.f must be JSON, got function"],
      [{ a: undefined }, "value.a must be JSON, got undefined"],
      [{ a: [1n] }, "value.a[0] must be JSON, got bigint"],
      [{ a: [Symbol("s")] }, "value.a[0] must be JSON, got symbol"],
      [{ a: NaN }, "value.a must be a finite number"],
      [sparse, "value[1] must be JSON, got undefined"],
      [JSON.parse('{"x":{"__proto__":1}}'), "value.x.__proto__ is a forbidden key"],
      [{ s: "x".repeat(65537) }, "value.s is a string longer than 65536 characters"],
    ];
    for (const [value, error] of cases) expect(errorOf(checkJson(value))).toBe(error);
    const bare = Object.assign(Object.create(null), { a: [1, "b", null, false] });
    expect(checkJson({ bare }).ok).toBe(true);
  });
});

describe("parseAgentMessage: a request that breaks a limit", () => {
  it("keeps the readable head of the request, so the place can answer it, with the path from the body", () => {
    const r = parseAgentMessage(`["interaction","request","e1","place","r1",["spawn_entity",{"n":1e309}]]`);
    expect(r).toEqual({
      ok: false,
      error: "body[1].n must be a finite number",
      request: { sender: "e1", receiver: "place", requestId: "r1", name: "spawn_entity" },
    });
    const shape = parseAgentMessage(`["interaction","request","e1",5,"r1",["poke"],"extra"]`);
    expect(shape).toMatchObject({
      ok: false,
      request: { sender: "e1", receiver: undefined, requestId: "r1", name: "poke" },
    });
  });

  it("has no head for what is not a readable request", () => {
    for (const t of [
      `["interaction","oneway","e1","place","",["x",{"constructor":1}]]`,
      `["interaction","request","e1","place",1,["x",{"constructor":1}]]`,
      `["interaction","request","e1","place","r",[1,{"constructor":1}]]`,
      `{"cmd":"intent","intent":{"constructor":1}}`,
      `["interaction","request"`,
    ]) {
      const r = parseAgentMessage(t);
      expect(r.ok).toBe(false);
      expect(r.ok ? undefined : r.request, t).toBeUndefined();
    }
  });
});
