// Property tests: random patterns and values never crash the parser or the matcher, and printing round-trips.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  matchPattern,
  parsePattern,
  printCompiledPattern,
  type CompiledPattern,
  type Expr,
  type GuardContext,
  type Pattern,
} from "../src/pattern/index.ts";
import type { Json } from "../src/types.ts";

const VARIABLES = ["A", "B", "Foo", "X1"];
const literal = fc.oneof(
  fc.string(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);

const patternArb: fc.Arbitrary<Pattern> = fc.letrec<{ pattern: Pattern; array: Pattern; object: Pattern }>((tie) => ({
  pattern: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    literal.map((value) => ({ type: "literal" as const, value })),
    fc.constant({ type: "any" as const }),
    fc.constantFrom(...VARIABLES).map((name) => ({ type: "var" as const, name })),
    tie("array"),
    tie("object"),
  ),
  array: fc.record({
    type: fc.constant("array" as const),
    items: fc.array(tie("pattern"), { maxLength: 4 }),
    rest: fc.boolean(),
  }),
  object: fc
    .uniqueArray(fc.record({ key: fc.string({ maxLength: 6 }), pattern: tie("pattern") }), {
      selector: (e) => e.key,
      maxLength: 3,
    })
    .map((entries) => ({ type: "object" as const, entries })),
})).pattern;

function variablesOf(p: Pattern, into = new Set<string>()): Set<string> {
  if (p.type === "var") into.add(p.name);
  if (p.type === "array") p.items.forEach((i) => variablesOf(i, into));
  if (p.type === "object") p.entries.forEach((e) => variablesOf(e.pattern, into));
  return into;
}

function exprArb(vars: string[]): fc.Arbitrary<Expr> {
  return fc.letrec<{ expr: Expr }>((tie) => {
    const leaves: fc.Arbitrary<Expr>[] = [
      literal.map((value) => ({ type: "literal" as const, value })),
      fc.constantFrom<Expr>({ type: "call", name: "agent", args: [] }, { type: "call", name: "identity", args: [] }),
    ];
    if (vars.length) leaves.push(fc.constantFrom(...vars).map((name) => ({ type: "var" as const, name })));
    return {
      expr: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        ...leaves,
        fc.array(tie("expr"), { maxLength: 3 }).map((items) => ({ type: "list" as const, items })),
        fc.tuple(tie("expr"), tie("expr")).map(([target, index]) => ({ type: "index" as const, target, index })),
        tie("expr").map((arg) => ({ type: "call" as const, name: "owner" as const, args: [arg] })),
        tie("expr").map((operand) => ({ type: "not" as const, operand })),
        fc
          .tuple(
            fc.constantFrom("==", "!=", "<", "<=", ">", ">=", "in", "and", "or") as fc.Arbitrary<
              Extract<Expr, { type: "binary" }>["op"]
            >,
            tie("expr"),
            tie("expr"),
          )
          .map(([op, left, right]) => ({ type: "binary" as const, op, left, right })),
      ),
    };
  }).expr;
}

const compiledArb = patternArb.chain((pattern) => {
  const vars = [...variablesOf(pattern)];
  return fc.option(exprArb(vars), { nil: undefined }).map((guard) => ({ pattern, guard }));
});

const contextArb: fc.Arbitrary<GuardContext> = fc
  .tuple(fc.string(), fc.jsonValue(), fc.dictionary(fc.string(), fc.string()))
  .map(([agentId, identity, owners]) => ({
    agentId,
    identity: identity as Json,
    ownerOf: (id: string) => (Object.hasOwn(owners, id) ? owners[id] : undefined),
  }));

/** A value the pattern matches when its variables bind consistently; gives the matcher real matches to chew on. */
function sampleFor(p: Pattern): Json {
  switch (p.type) {
    case "literal":
      return p.value;
    case "any":
    case "var":
      return 7;
    case "array":
      return p.rest ? [...p.items.map(sampleFor), "extra"] : p.items.map(sampleFor);
    case "object":
      return Object.fromEntries([...p.entries.map((e) => [e.key, sampleFor(e.pattern)] as const), ["other", 1]]);
  }
}

const TOKENS = [
  "[",
  "]",
  "{",
  "}",
  "(",
  ")",
  ",",
  ":",
  "...",
  "_",
  "A",
  "B",
  "where",
  "and",
  "or",
  "not",
  "in",
  "==",
  "!=",
  "<",
  ">=",
  '"s"',
  '"k"',
  "1",
  "-2.5e3",
  "owner",
  "agent",
  "identity",
  "true",
  "null",
  "\n",
  " ",
  "#c\n",
  '"\\',
  "@",
  "'",
  "x",
];
const tokenSoup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }).map((t) => t.join(" "));

function compile(source: string): CompiledPattern | undefined {
  const r = parsePattern(source);
  if (!r.ok) {
    expect(r.line).toBeGreaterThanOrEqual(1);
    expect(r.column).toBeGreaterThanOrEqual(1);
    expect(r.error).toMatch(/^line \d+, column \d+: /);
  }
  return r.ok ? r.value : undefined;
}

describe("pattern language properties", () => {
  it("printing then parsing gives back the same tree", () => {
    fc.assert(
      fc.property(compiledArb, ({ pattern, guard }) => {
        const source = printCompiledPattern({ pattern, guard });
        const r = parsePattern(source);
        if (!r.ok) throw new Error(`${r.error}\n${source}`);
        expect(r.value.pattern).toEqual(pattern);
        expect(r.value.guard).toEqual(guard);
      }),
      { numRuns: 1000 },
    );
  });

  it("never throws on arbitrary text, and reports errors with a position", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: "binary" }), tokenSoup), (source) => void compile(source)),
      { numRuns: 3000 },
    );
  });

  it("what parses from token soup prints to a source that parses to the same tree", () => {
    fc.assert(
      fc.property(tokenSoup, (source) => {
        const first = compile(source);
        if (!first) return;
        const again = compile(printCompiledPattern(first))!;
        expect(again.pattern).toEqual(first.pattern);
        expect(again.guard).toEqual(first.guard);
      }),
      { numRuns: 3000 },
    );
  });

  it("the matcher never throws, whatever the pattern, value and context", () => {
    fc.assert(
      fc.property(compiledArb, fc.jsonValue(), contextArb, ({ pattern, guard }, value, context) => {
        const compiled: CompiledPattern = { source: "", pattern, guard, target: "body" };
        const bound = matchPattern(compiled, value as Json, context);
        expect(bound === null || bound instanceof Map).toBe(true);
        matchPattern(compiled, sampleFor(pattern), context);
      }),
      { numRuns: 2000 },
    );
  });

  it("a pattern without repeated variables or guard matches its own sample, binding each variable", () => {
    fc.assert(
      fc.property(patternArb, (pattern) => {
        const names: string[] = [];
        const collect = (p: Pattern): void => {
          if (p.type === "var") names.push(p.name);
          if (p.type === "array") p.items.forEach(collect);
          if (p.type === "object") p.entries.forEach((e) => collect(e.pattern));
        };
        collect(pattern);
        fc.pre(new Set(names).size === names.length);
        const bound = matchPattern({ source: "", pattern, target: "body" }, sampleFor(pattern), {
          agentId: "",
          identity: null,
          ownerOf: () => undefined,
        });
        expect(bound && [...bound.keys()].sort()).toEqual([...names].sort());
      }),
      { numRuns: 1000 },
    );
  });

  it("hostile values (deep nesting) do not overflow the matcher", () => {
    const nest = () => {
      let deep: Json = [];
      for (let i = 0; i < 200_000; i++) deep = [deep];
      return deep;
    };
    const r = parsePattern("[A, A]");
    if (!r.ok) throw new Error(r.error);
    expect(
      matchPattern(r.value, [nest(), nest()], { agentId: "", identity: null, ownerOf: () => undefined }),
    ).not.toBeNull();
  });
});
