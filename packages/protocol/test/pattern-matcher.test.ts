// Matching values and envelopes against patterns and guards (docs/protocol.md §4).
import { describe, expect, it } from "vitest";
import { matchInteraction, matchPattern, parsePattern, type GuardContext } from "../src/pattern/index.ts";
import type { Json } from "../src/types.ts";

const owners: Record<string, string> = { e1: "agent-a", e2: "agent-b", place: "place" };
const context: GuardContext = { agentId: "agent-a", identity: { display_name: "harry" }, ownerOf: (id) => owners[id] };
const compile = (source: string) => {
  const r = parsePattern(source);
  if (!r.ok) throw new Error(r.error);
  return r.value;
};
const matches = (source: string, value: Json, ctx = context) => matchPattern(compile(source), value, ctx) !== null;
const bindings = (source: string, value: Json) =>
  Object.fromEntries(matchPattern(compile(source), value, context) ?? []);

describe("matchPattern", () => {
  it("matches literals by equal value", () => {
    expect(matches(`"a"`, "a")).toBe(true);
    expect(matches(`1`, 1)).toBe(true);
    expect(matches(`1`, "1")).toBe(false);
    expect(matches(`null`, null)).toBe(true);
    expect(matches(`true`, 1)).toBe(false);
  });

  it("matches arrays of exactly that length, or more with ...", () => {
    expect(matches(`[1, _]`, [1, 2])).toBe(true);
    expect(matches(`[1, _]`, [1, 2, 3])).toBe(false);
    expect(matches(`[1, _, ...]`, [1, 2, 3])).toBe(true);
    expect(matches(`[1, _, ...]`, [1])).toBe(false);
    expect(matches(`[...]`, [])).toBe(true);
    expect(matches(`[...]`, {})).toBe(false);
  });

  it("matches objects that have at least the given keys", () => {
    expect(matches(`{"a": 1}`, { a: 1, b: 2 })).toBe(true);
    expect(matches(`{"a": 1}`, { b: 2 })).toBe(false);
    expect(matches(`{"a": _}`, { a: null })).toBe(true);
    expect(matches(`{}`, [])).toBe(false);
    expect(matches(`{"toString": _}`, {})).toBe(false);
  });

  it("binds variables, and a variable used twice must be equal", () => {
    expect(bindings(`[A, {"k": B}]`, [1, { k: [2] }])).toEqual({ A: 1, B: [2] });
    expect(matches(`[A, A]`, [{ x: [1] }, { x: [1] }])).toBe(true);
    expect(matches(`[A, A]`, [1, 2])).toBe(false);
  });

  it("evaluates guards: comparisons, logic, in, indexing", () => {
    expect(matches(`[A] where A > 2 and A <= 3`, [3])).toBe(true);
    expect(matches(`[A] where A > 2 and A <= 3`, [4])).toBe(false);
    expect(matches(`[A] where A == 1 or A == 2`, [2])).toBe(true);
    expect(matches(`[A] where not A == 1`, [2])).toBe(true);
    expect(matches(`[A] where A in ["x", "y"]`, ["y"])).toBe(true);
    expect(matches(`[A] where "k" in A`, [{ k: 0 }])).toBe(true);
    expect(matches(`[A] where "ell" in A`, ["hello"])).toBe(true);
    expect(matches(`[A] where A[1]["n"] == 5`, [[0, { n: 5 }]])).toBe(true);
    expect(matches(`[A] where A < "b"`, ["a"])).toBe(true);
  });

  it("a guard that raises does not match", () => {
    expect(matches(`[A] where A["missing"] == 1`, [{}])).toBe(false);
    expect(matches(`[A] where A[5] == 1`, [[1]])).toBe(false);
    expect(matches(`[A] where A < 1`, ["a"])).toBe(false);
    expect(matches(`[A] where A and true`, [1])).toBe(false);
    expect(matches(`[A] where owner(A) == "agent-a"`, ["nosuch"])).toBe(false);
    expect(matches(`[A] where A`, [1])).toBe(false);
    expect(matches(`[A] where A`, [true])).toBe(true);
  });

  it("owner(), agent() and identity() ask the context", () => {
    expect(matches(`[E] where owner(E) == agent()`, ["e1"])).toBe(true);
    expect(matches(`[E] where owner(E) == agent()`, ["e2"])).toBe(false);
    expect(matches(`_ where identity()["display_name"] == "harry"`, 0)).toBe(true);
    expect(matches(`_ where identity()["display_name"] == "harry"`, 0, { ...context, identity: null })).toBe(false);
  });

  it("components() reads an entity's components; an unknown entity or no world raises", () => {
    const world = { ...context, componentsOf: (id: string) => (id === "e1" ? { accepts_children: {} } : undefined) };
    expect(matches(`[E] where "accepts_children" in components(E)`, ["e1"], world)).toBe(true);
    expect(matches(`[E] where not ("accepts_children" in components(E))`, ["e2"], world)).toBe(false);
    expect(matches(`[E] where "accepts_children" in components(E)`, ["e1"])).toBe(false);
  });
});

describe("matchInteraction", () => {
  const tweet: Json[] = ["interaction", "publication", "e2", "", "", ["new_tweet", "nevyn", "hello world"]];
  it("matches the seed's example against the body of a publication", () => {
    const seed = compile(`[\n  "new_tweet",\n  TweetSender,\n  TweetBody\n] where TweetSender == "nevyn" `);
    expect(Object.fromEntries(matchInteraction(seed, tweet, context)!)).toEqual({
      TweetSender: "nevyn",
      TweetBody: "hello world",
    });
    expect(matchInteraction(seed, [...tweet.slice(0, 5), ["new_tweet", "someone", "x"]], context)).toBeNull();
    expect(matchInteraction(seed, [...tweet.slice(0, 5), ["new_tweet", "nevyn"]], context)).toBeNull();
  });
  it('matches a pattern starting with "interaction" against the whole envelope', () => {
    const announce: Json[] = [
      "interaction",
      "request",
      "",
      "place",
      "1",
      ["announce", "version", 3, "identity", { display_name: "harry" }, "spawn_avatar", {}],
    ];
    const rule = compile(
      `["interaction", "request", Sender, "place", _, ["announce", _, _, _, Identity, ...]] where Identity["display_name"] == "harry"`,
    );
    expect(matchInteraction(rule, announce, context)).not.toBeNull();
    expect(matchInteraction(rule, tweet, context)).toBeNull();
  });
});
