// Recursive-descent parser of the pattern language (docs/protocol.md §4). Grammar:
//   source   := pattern ("where" guard)? EOF
//   pattern  := literal | "_" | Variable | "[" (pattern ("," pattern)* ("," "...")? | "...")? "]" | "{" (string ":" pattern),* "}"
//   guard    := and ("or" and)*        and := not ("and" not)*        not := "not" not | compare
//   compare  := postfix (("=="|"!="|"<"|"<="|">"|">="|"in") postfix)?
//   postfix  := primary ("[" guard "]")*
//   primary  := literal | Variable | owner(guard) | components(guard) | agent() | identity() | "[" guard,* "]" | "(" guard ")"
import {
  GUARD_FUNCTIONS,
  MAX_PATTERN_DEPTH,
  MAX_PATTERN_LENGTH,
  type BinaryOp,
  type CompiledPattern,
  type Expr,
  type GuardFunction,
  type Literal,
  type Pattern,
} from "./ast.ts";
import { PatternSyntaxError, tokenize, type Token } from "./lexer.ts";

export type PatternParseResult =
  { ok: true; value: CompiledPattern } | { ok: false; error: string; line: number; column: number };

const isVariable = (word: string) => /^[A-Z]/.test(word);
const COMPARISONS = ["==", "!=", "<", "<=", ">", ">="];

export function parsePattern(source: unknown): PatternParseResult {
  if (typeof source !== "string")
    return { ok: false, error: "line 1, column 1: a pattern must be a string", line: 1, column: 1 };
  if (source.length > MAX_PATTERN_LENGTH) {
    return {
      ok: false,
      error: `line 1, column 1: a pattern may be at most ${MAX_PATTERN_LENGTH} characters`,
      line: 1,
      column: 1,
    };
  }
  try {
    return { ok: true, value: new Parser(source).parse() };
  } catch (error) {
    if (error instanceof PatternSyntaxError)
      return { ok: false, error: error.message, line: error.line, column: error.column };
    throw error;
  }
}

class Parser {
  private tokens: Token[];
  private pos = 0;
  private depth = 0;
  private bound = new Set<string>();

  constructor(private source: string) {
    this.tokens = tokenize(source);
  }

  parse(): CompiledPattern {
    const pattern = this.pattern();
    let guard: Expr | undefined;
    if (this.atWord("where")) {
      this.pos++;
      guard = this.guard();
    }
    if (this.peek().kind !== "eof") {
      const hint = guard ? "" : ' (a guard starts with "where")';
      this.fail(`expected the end of the pattern but found ${this.describe(this.peek())}${hint}`);
    }
    const first = pattern.type === "array" ? pattern.items[0] : undefined;
    const target = first?.type === "literal" && first.value === "interaction" ? "envelope" : "body";
    return guard ? { source: this.source, pattern, guard, target } : { source: this.source, pattern, target };
  }

  // ── Patterns ──────────────────────────────────────────────────────────────────────────────────────────────
  private pattern(): Pattern {
    const token = this.peek();
    if (token.kind === "string" || token.kind === "number") {
      this.pos++;
      return { type: "literal", value: token.value as Literal };
    }
    if (token.kind === "word") {
      this.pos++;
      const literal = this.wordLiteral(token);
      if (literal !== undefined) return { type: "literal", value: literal };
      if (token.text === "_") return { type: "any" };
      if (isVariable(token.text)) {
        this.bound.add(token.text);
        return { type: "var", name: token.text };
      }
      return this.fail(
        `unknown word "${token.text}" (variables start with a capital letter; strings need quotes)`,
        token,
      );
    }
    if (this.atPunct("[")) return this.nested(() => this.arrayPattern());
    if (this.atPunct("{")) return this.nested(() => this.objectPattern());
    return this.fail(`expected a pattern but found ${this.describe(token)}`);
  }

  private arrayPattern(): Pattern {
    this.expect("[");
    const items: Pattern[] = [];
    let rest = false;
    while (!this.atPunct("]")) {
      if (this.atPunct("...")) {
        this.pos++;
        rest = true;
        if (!this.atPunct("]"))
          this.fail(`"..." must be the last element of an array, found ${this.describe(this.peek())}`);
        break;
      }
      items.push(this.pattern());
      if (!this.atPunct("]")) this.expect(",", "between array elements");
    }
    this.expect("]");
    return { type: "array", items, rest };
  }

  private objectPattern(): Pattern {
    this.expect("{");
    const entries: { key: string; pattern: Pattern }[] = [];
    while (!this.atPunct("}")) {
      const keyToken = this.peek();
      if (keyToken.kind !== "string") this.fail(`expected a quoted key but found ${this.describe(keyToken)}`);
      this.pos++;
      const key = keyToken.value as string;
      if (entries.some((e) => e.key === key)) this.fail(`key ${JSON.stringify(key)} appears twice`, keyToken);
      this.expect(":", "after an object key");
      entries.push({ key, pattern: this.pattern() });
      if (!this.atPunct("}")) this.expect(",", "between object entries");
    }
    this.expect("}");
    return { type: "object", entries };
  }

  // ── Guards ────────────────────────────────────────────────────────────────────────────────────────────────
  private guard(): Expr {
    return this.nested(() => {
      let left = this.and();
      while (this.atWord("or")) {
        this.pos++;
        left = { type: "binary", op: "or", left, right: this.and() };
      }
      return left;
    });
  }

  private and(): Expr {
    let left = this.not();
    while (this.atWord("and")) {
      this.pos++;
      left = { type: "binary", op: "and", left, right: this.not() };
    }
    return left;
  }

  private not(): Expr {
    if (this.atWord("not")) {
      this.pos++;
      return this.nested(() => ({ type: "not", operand: this.not() }));
    }
    return this.compare();
  }

  private compare(): Expr {
    const left = this.postfix();
    const token = this.peek();
    const op = token.kind === "op" ? token.text : token.kind === "word" && token.text === "in" ? "in" : undefined;
    if (!op) return left;
    this.pos++;
    const right = this.postfix();
    const next = this.peek();
    if ((next.kind === "op" && COMPARISONS.includes(next.text)) || (next.kind === "word" && next.text === "in")) {
      this.fail(`comparisons do not chain; use "and" (found ${this.describe(next)})`);
    }
    return { type: "binary", op: op as BinaryOp, left, right };
  }

  private postfix(): Expr {
    let expr = this.primary();
    while (this.atPunct("[")) {
      this.pos++;
      const index = this.guard();
      this.expect("]", "to close the index");
      expr = { type: "index", target: expr, index };
    }
    return expr;
  }

  private primary(): Expr {
    const token = this.peek();
    if (token.kind === "string" || token.kind === "number") {
      this.pos++;
      return { type: "literal", value: token.value as Literal };
    }
    if (this.atPunct("(")) {
      this.pos++;
      const inner = this.guard();
      this.expect(")", "to close the parenthesis");
      return inner;
    }
    if (this.atPunct("[")) return this.nested(() => this.listExpr());
    if (token.kind !== "word") return this.fail(`expected a value in the guard but found ${this.describe(token)}`);
    this.pos++;
    const literal = this.wordLiteral(token);
    if (literal !== undefined) return { type: "literal", value: literal };
    if (token.text === "_") return this.fail('"_" matches anything in a pattern but has no value in a guard', token);
    if (isVariable(token.text)) {
      if (!this.bound.has(token.text)) this.fail(`variable ${token.text} is not bound by the pattern`, token);
      return { type: "var", name: token.text };
    }
    if (Object.hasOwn(GUARD_FUNCTIONS, token.text)) return this.call(token);
    return this.fail(
      `unknown word "${token.text}" (functions: owner(id), components(id), agent(), identity(); variables start with a capital letter)`,
      token,
    );
  }

  private call(name: Token): Expr {
    this.expect("(", `after ${name.text}`);
    const args: Expr[] = [];
    while (!this.atPunct(")")) {
      args.push(this.guard());
      if (!this.atPunct(")")) this.expect(",", "between arguments");
    }
    this.expect(")");
    const arity = GUARD_FUNCTIONS[name.text as GuardFunction];
    if (args.length !== arity)
      this.fail(`${name.text}() takes ${arity} argument${arity === 1 ? "" : "s"}, not ${args.length}`, name);
    return { type: "call", name: name.text as GuardFunction, args };
  }

  private listExpr(): Expr {
    this.expect("[");
    const items: Expr[] = [];
    while (!this.atPunct("]")) {
      items.push(this.guard());
      if (!this.atPunct("]")) this.expect(",", "between list elements");
    }
    this.expect("]");
    return { type: "list", items };
  }

  // ── Helpers ───────────────────────────────────────────────────────────────────────────────────────────────
  private wordLiteral(token: Token): Literal | undefined {
    return token.text === "true" ? true : token.text === "false" ? false : token.text === "null" ? null : undefined;
  }

  private nested<T>(parse: () => T): T {
    if (++this.depth > MAX_PATTERN_DEPTH) this.fail(`nesting deeper than ${MAX_PATTERN_DEPTH} levels`);
    const result = parse();
    this.depth--;
    return result;
  }

  private peek(): Token {
    return this.tokens[this.pos];
  }
  private atPunct(text: string): boolean {
    const t = this.peek();
    return t.kind === "punct" && t.text === text;
  }
  private atWord(text: string): boolean {
    const t = this.peek();
    return t.kind === "word" && t.text === text;
  }
  private expect(text: string, why?: string): void {
    if (!this.atPunct(text))
      this.fail(`expected "${text}"${why ? " " + why : ""} but found ${this.describe(this.peek())}`);
    this.pos++;
  }
  private describe(token: Token): string {
    return token.kind === "eof"
      ? "the end of the pattern"
      : `"${token.text.length > 20 ? token.text.slice(0, 20) + "…" : token.text}"`;
  }
  private fail(message: string, token: Token = this.peek()): never {
    throw new PatternSyntaxError(message, token.line, token.column);
  }
}
