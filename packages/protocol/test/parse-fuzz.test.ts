// Hostile-input fuzzing of the parsers: whatever the text, they return a value or a string error and never throw,
// and whatever they accept carries the types' guarantees.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toEnvelope, validateEnvelope } from "../src/envelope.ts";
import { parseAgentMessage, parsePlaceMessage } from "../src/parse.ts";
import { POSE_NAMES, isRevision } from "../src/validate-intent.ts";
import { checkJson, isMatrix } from "../src/validate-json.ts";
import type { AgentMessage, Interaction, Json, PlaceMessage } from "../src/types.ts";

type Result = { ok: true; value: AgentMessage | PlaceMessage } | { ok: false; error: string };

/** The guarantees a caller relies on after a successful parse; throws (failing the property) when one is broken. */
function checkResult(r: Result): true {
  if (!r.ok) {
    if (typeof r.error !== "string" || r.error.length === 0)
      throw new Error(`error must be a non-empty string: ${String(r.error)}`);
    return true;
  }
  const v = r.value;
  if (!checkJson(v, "value", { maxDepth: 64 }).ok) throw new Error("parsed value is not plain JSON");
  switch (v.kind) {
    case "interaction":
      if (!validateEnvelope(toEnvelope(v.interaction)).ok) throw new Error("accepted a malformed interaction");
      return true;
    case "intent": {
      const i = v.intent;
      for (const n of [i.xmovement, i.zmovement, i.yaw, i.pitch])
        if (!Number.isFinite(n)) throw new Error("non-finite intent number");
      if (Math.abs(i.xmovement) > 1 || Math.abs(i.zmovement) > 1) throw new Error("stick movement out of range");
      if (!isRevision(i.ack_state_rev)) throw new Error("bad ack");
      for (const [name, pose] of Object.entries(i.poses)) {
        if (!POSE_NAMES.includes(name as never) || !isMatrix(pose!.matrix)) throw new Error(`bad pose ${name}`);
        if (
          pose!.grab &&
          (typeof pose!.grab.entity !== "string" || !isMatrix(pose!.grab.grabber_from_entity_transform))
        )
          throw new Error("bad grab");
      }
      return true;
    }
    case "clock":
      if (!Number.isFinite(v.clientTime)) throw new Error("non-finite clock");
      if ("serverTime" in v && !Number.isFinite(v.serverTime)) throw new Error("non-finite server time");
      return true;
    case "state":
      if (!isRevision(v.state.revision)) throw new Error("bad revision");
      return true;
    default:
      throw new Error(`unknown kind ${(v as { kind: string }).kind}`);
  }
}

function neverThrows(text: string): true {
  let agent: Result, place: Result;
  try {
    agent = parseAgentMessage(text) as Result;
    place = parsePlaceMessage(text) as Result;
  } catch (e) {
    throw new Error(`parse threw: ${(e as Error).message}`, { cause: e });
  }
  return checkResult(agent) && checkResult(place);
}

// ── Generators ──────────────────────────────────────────────────────────────────────────────────────────────
const FORBIDDEN = ["__proto__", "constructor", "prototype"];
/** JSON without the keys parse refuses, for messages that must be accepted. */
const safeJson = (maxDepth: number): fc.Arbitrary<Json> =>
  fc.letrec<{ v: Json }>((tie) => ({
    v: fc.oneof(
      { maxDepth, depthIdentifier: "safeJson" },
      fc.constant(null),
      fc.boolean(),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.string({ maxLength: 10 }),
      fc.array(tie("v"), { maxLength: 4 }),
      fc.dictionary(
        fc.string({ maxLength: 6 }).filter((k) => !FORBIDDEN.includes(k)),
        tie("v"),
        { maxKeys: 4, noNullPrototype: true },
      ),
    ),
  })).v;
const id = fc.oneof(fc.constantFrom("", "place", "a", "b"), fc.string({ maxLength: 24 }));
const matrix = fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { minLength: 16, maxLength: 16 });
const interaction: fc.Arbitrary<Interaction> = fc.record({
  type: fc.constantFrom("oneway", "request", "response", "publication"),
  senderEntityId: id,
  receiverEntityId: id,
  requestId: id,
  body: fc
    .tuple(fc.string({ maxLength: 20 }), fc.array(safeJson(4), { maxLength: 5 }))
    .map(([name, rest]) => [name, ...rest] as Interaction["body"]),
});
const pose = fc.record(
  {
    matrix,
    grab: fc.option(
      fc.record({ entity: fc.string({ minLength: 1, maxLength: 10 }), grabber_from_entity_transform: matrix }),
      { nil: undefined },
    ),
  },
  { requiredKeys: ["matrix"] },
);
const intent = fc.record({
  xmovement: fc.double({ min: -1, max: 1, noNaN: true }),
  zmovement: fc.double({ min: -1, max: 1, noNaN: true }),
  yaw: fc.double({ noNaN: true, noDefaultInfinity: true }),
  pitch: fc.double({ noNaN: true, noDefaultInfinity: true }),
  poses: fc.record(Object.fromEntries(POSE_NAMES.map((n) => [n, pose])), { requiredKeys: [] }),
  ack_state_rev: fc.maxSafeNat(),
  wants_stick_movement: fc.boolean(),
});
const clock = fc.record({
  cmd: fc.constant("clock"),
  client_time: fc.double({ noNaN: true, noDefaultInfinity: true }),
});
const stateFrame = fc.oneof(
  fc.record({
    patch_style: fc.constant("merge"),
    patch_from: fc.maxSafeNat(),
    revision: fc.maxSafeNat(),
    entities: fc.dictionary(
      fc.string({ maxLength: 8 }).filter((k) => !FORBIDDEN.includes(k)),
      fc.oneof(
        fc.constant(null),
        fc.record({
          components: fc.dictionary(
            fc.string({ maxLength: 8 }).filter((k) => !FORBIDDEN.includes(k)),
            safeJson(3),
            { noNullPrototype: true },
          ),
        }),
      ),
    ),
  }),
  fc.record({
    patch_style: fc.constant("set"),
    revision: fc.maxSafeNat(),
    entities: fc.constant({ place: { id: "place", components: { clock: { time: 1 } } } }),
  }),
);
/** A valid message of any kind, as a JSON value. */
const validMessage: fc.Arbitrary<unknown> = fc.oneof(
  interaction.map(toEnvelope),
  intent.map((i) => ({ cmd: "intent", intent: i })),
  clock,
  clock.map((c) => ({ ...c, server_time: 5 })),
  stateFrame,
);

/** Values chosen to sit on or just past each limit, or to be awkward for JSON and JS. */
const BOUNDARY_TEXT = [
  "1e308",
  "1e309",
  "-1e400",
  "-0",
  "5e-324",
  "9007199254740993",
  "1".repeat(400),
  "0.".concat("0".repeat(400), "1"),
  `"${"x".repeat(65536)}"`,
  `"${"x".repeat(65537)}"`,
  `"\\ud800"`,
  `"\\u0000"`,
  "[".repeat(31) + "]".repeat(31),
  "[".repeat(33) + "]".repeat(33),
  "[".repeat(5000) + "]".repeat(5000),
  '{"__proto__":{"x":1}}',
  '{"constructor":{"prototype":{}}}',
  '{"prototype":1}',
  "{}",
  "[]",
  "null",
  "true",
  '""',
];
const boundaryValue = fc.constantFrom(...BOUNDARY_TEXT);

const mutation = fc.record({
  at: fc.nat(),
  op: fc.constantFrom("replace", "delete", "insert-proto", "wrap", "boundary"),
  value: fc.jsonValue({ maxDepth: 3 }),
  boundary: boundaryValue,
});

/** Applies a structural mutation to a JSON document, in its text form (so boundary values stay exact). */
function mutateText(doc: unknown, m: { at: number; op: string; value: unknown; boundary: string }): string {
  const placeholder = "\u0001PLACEHOLDER\u0001";
  const protoKey = "\u0001PROTO\u0001";
  const copy = JSON.parse(JSON.stringify(doc));
  const containers: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (v: unknown) => {
    if (typeof v !== "object" || v === null) return;
    for (const k of Object.keys(v)) {
      containers.push({ parent: v as Record<string, unknown>, key: Array.isArray(v) ? Number(k) : k });
      walk((v as Record<string, unknown>)[k]);
    }
  };
  walk(copy);
  if (containers.length === 0) return m.op === "boundary" ? m.boundary : JSON.stringify(m.value);
  const { parent, key } = containers[m.at % containers.length];
  const slot = parent as Record<string | number, unknown>;
  switch (m.op) {
    case "replace":
      slot[key] = m.value;
      break;
    case "delete":
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete slot[key];
      break;
    case "insert-proto":
      if (Array.isArray(parent)) parent.push({ [protoKey]: 1 });
      else slot[protoKey] = {};
      break;
    case "wrap":
      slot[key] = [[[slot[key]]]];
      break;
    case "boundary":
      slot[key] = placeholder;
      break;
  }
  return JSON.stringify(copy)
    .replace(JSON.stringify(placeholder), m.boundary)
    .replace(JSON.stringify(protoKey), '"__proto__"');
}

const textMutation = fc.record({
  at: fc.nat(),
  op: fc.constantFrom("delete", "insert", "replace"),
  char: fc.constantFrom(...'{}[]",:0123456789.eE-+ntfa\\u'),
});

// ── Properties ──────────────────────────────────────────────────────────────────────────────────────────────
describe("parse fuzz", () => {
  it("never throws on arbitrary text", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 200 }), neverThrows), { numRuns: 3000 });
  });

  it("never throws on arbitrary JSON", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 8 }), (v) => neverThrows(JSON.stringify(v))),
      { numRuns: 3000 },
    );
  });

  it("never throws on boundary values, alone or inside messages", () => {
    for (const t of BOUNDARY_TEXT) neverThrows(t);
    fc.assert(
      fc.property(
        validMessage,
        mutation.map((m) => ({ ...m, op: "boundary" })),
        (msg, m) => neverThrows(mutateText(msg, m)),
      ),
      { numRuns: 2000 },
    );
  });

  it("never throws on structurally mutated valid messages", () => {
    fc.assert(
      fc.property(validMessage, fc.array(mutation, { minLength: 1, maxLength: 4 }), (msg, ms) => {
        let text = JSON.stringify(msg);
        for (const m of ms) {
          neverThrows(text);
          // The test's own recursive helpers would overflow on the 5000-deep boundary value: stop mutating there.
          if (text.includes("[".repeat(1000))) break;
          text = mutateText(JSON.parse(text), m);
        }
        return neverThrows(text);
      }),
      { numRuns: 4000 },
    );
  });

  it("never throws on byte-level mutations of valid messages", () => {
    fc.assert(
      fc.property(validMessage, fc.array(textMutation, { minLength: 1, maxLength: 6 }), (msg, ms) => {
        let text = JSON.stringify(msg);
        for (const { at, op, char } of ms) {
          const i = at % (text.length + 1);
          text =
            op === "delete"
              ? text.slice(0, i) + text.slice(i + 1)
              : op === "insert"
                ? text.slice(0, i) + char + text.slice(i)
                : text.slice(0, i) + char + text.slice(i + 1);
        }
        return neverThrows(text);
      }),
      { numRuns: 4000 },
    );
  });

  it("refuses a forbidden key inserted anywhere in a valid message", () => {
    fc.assert(
      fc.property(validMessage, fc.nat(), (msg, at) => {
        const text = mutateText(msg, { at, op: "insert-proto", value: null, boundary: "" });
        const a = parseAgentMessage(text);
        const p = parsePlaceMessage(text);
        return !a.ok && !p.ok && a.error.includes("__proto__ is a forbidden key");
      }),
      { numRuns: 1000 },
    );
  });
});

describe("valid messages round-trip", () => {
  it("interactions, through both parsers", () => {
    fc.assert(
      fc.property(interaction, (i) => {
        const text = JSON.stringify(toEnvelope(i));
        expect(parseAgentMessage(text)).toEqual({
          ok: true,
          value: { kind: "interaction", interaction: JSON.parse(JSON.stringify(i)) },
        });
        expect(parsePlaceMessage(text)).toEqual({
          ok: true,
          value: { kind: "interaction", interaction: JSON.parse(JSON.stringify(i)) },
        });
      }),
      { numRuns: 2000 },
    );
  });

  it("intents", () => {
    fc.assert(
      fc.property(intent, (i) => {
        const wire = JSON.parse(JSON.stringify(i)); // -0 becomes 0, undefined grabs vanish: compare with what was sent
        expect(parseAgentMessage(JSON.stringify({ cmd: "intent", intent: i }))).toEqual({
          ok: true,
          value: { kind: "intent", intent: wire },
        });
      }),
      { numRuns: 2000 },
    );
  });

  it("clocks and state frames", () => {
    fc.assert(
      fc.property(clock, stateFrame, (c, s) => {
        expect(parseAgentMessage(JSON.stringify(c))).toEqual({
          ok: true,
          value: { kind: "clock", clientTime: JSON.parse(JSON.stringify(c.client_time)) },
        });
        expect(parsePlaceMessage(JSON.stringify(s))).toEqual({
          ok: true,
          value: { kind: "state", state: JSON.parse(JSON.stringify(s)) },
        });
      }),
      { numRuns: 1000 },
    );
  });
});
