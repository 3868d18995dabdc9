// The pattern language's syntax (docs/protocol.md §4): what parses, and precise line/column errors for what does not.
import { describe, expect, it } from "vitest";
import { parsePattern, printCompiledPattern } from "../src/pattern/index.ts";

const parsed = (source: string) => {
  const r = parsePattern(source);
  if (!r.ok) throw new Error(r.error);
  return r.value;
};
const error = (source: unknown) => {
  const r = parsePattern(source);
  if (r.ok) throw new Error(`expected ${JSON.stringify(source)} to be refused`);
  return r;
};

describe("parsePattern", () => {
  it("parses the spec's example, matched against the whole envelope", () => {
    const p = parsed(
      `[ "interaction", "request", Sender, "place", _, ["announce", _, _, _, Identity, ...] ] where Identity["display_name"] == "harry"`,
    );
    expect(p.target).toBe("envelope");
    expect(p.pattern).toMatchObject({
      type: "array",
      rest: false,
      items: [
        { type: "literal", value: "interaction" },
        {},
        { type: "var", name: "Sender" },
        {},
        { type: "any" },
        { type: "array", rest: true },
      ],
    });
    expect(p.guard).toEqual({
      type: "binary",
      op: "==",
      left: {
        type: "index",
        target: { type: "var", name: "Identity" },
        index: { type: "literal", value: "display_name" },
      },
      right: { type: "literal", value: "harry" },
    });
  });

  it("parses the seed's multi-line example, matched against the body", () => {
    const p = parsed(`[
        "new_tweet",
        TweetSender,
        TweetBody
      ] where TweetSender == "nevyn" `);
    expect(p.target).toBe("body");
    expect(printCompiledPattern(p)).toBe(`["new_tweet", TweetSender, TweetBody] where TweetSender == "nevyn"`);
  });

  it("knows literals, objects, comments, functions, precedence and lists", () => {
    const p = parsed(`{"a": 1.5e3, "b": [true, false, null, -2], "c": X} # trailing comment
      where not X in [1, "two"] and owner(X) != agent() or identity()["name"] >= "m"`);
    expect(printCompiledPattern(p)).toBe(
      `{"a": 1500, "b": [true, false, null, -2], "c": X} where ((not (X in [1, "two"])) and (owner(X) != agent())) or (identity()["name"] >= "m")`,
    );
    expect(parsed("[...]").pattern).toEqual({ type: "array", items: [], rest: true });
    expect(parsed("{}").pattern).toEqual({ type: "object", entries: [] });
    expect(parsed(`"\\u00e9\\n"`).pattern).toEqual({ type: "literal", value: "é\n" });
  });

  const cases: [string, string, number, number][] = [
    ["a missing comma", `["a" "b"]`, 1, 6],
    ["an unclosed array", `["a", B`, 1, 8],
    ["a lowercase bare word", `[foo]`, 1, 2],
    ["... not last", `[A, ..., B]`, 1, 8],
    ["an unbound guard variable", `[A] where B == 1`, 1, 11],
    ["_ in a guard", `[A] where _ == 1`, 1, 11],
    ["a bad escape on line 2", `[\n  "a\\q"]`, 2, 5],
    ["an unclosed string", `["abc`, 1, 2],
    ["a raw line break in a string", `["a\nb"]`, 1, 4],
    ["an unknown function", `[A] where size(A) == 1`, 1, 11],
    ["wrong arity", `[A] where owner() == 1`, 1, 11],
    ["chained comparisons", `[A] where 1 < A < 3`, 1, 17],
    ["trailing garbage", `[A] [B]`, 1, 5],
    ["a duplicate key", `{"k": 1, "k": 2}`, 1, 10],
    ["an unquoted key", `{k: 1}`, 1, 2],
    ["an empty pattern", ``, 1, 1],
    ["a stray character", `[A] where A == @`, 1, 16],
    ["a number out of range", `[1e999]`, 1, 2],
    ["an empty guard", `[A] where`, 1, 10],
    ["a guard on line 3", `[\n  A\n] where A ==`, 3, 13],
  ];
  it.each(cases)("reports %s with its line and column", (_what, source, line, column) => {
    const r = error(source);
    expect({ line: r.line, column: r.column }).toEqual({ line, column });
    expect(r.error).toMatch(new RegExp(`^line ${line}, column ${column}: `));
  });

  it("explains what it expected", () => {
    expect(error(`["a" "b"]`).error).toBe(`line 1, column 6: expected "," between array elements but found ""b""`);
    expect(error(`[foo]`).error).toMatch(
      /unknown word "foo" \(variables start with a capital letter; strings need quotes\)/,
    );
    expect(error(`[A] where B == 1`).error).toMatch(/variable B is not bound by the pattern/);
    expect(error(42).error).toMatch(/must be a string/);
  });

  it("refuses nesting deeper than the limit and over-long sources, without throwing", () => {
    expect(error("[".repeat(1000)).error).toMatch(/nesting deeper than 64/);
    expect(error(`[A] where ${"not ".repeat(1000)}A`).error).toMatch(/nesting deeper/);
    expect(error(`"${"x".repeat(20_000)}"`).error).toMatch(/at most/);
  });
});
