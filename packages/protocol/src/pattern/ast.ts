// The syntax tree of the pattern language (docs/protocol.md §4): a JSON-shaped template, then an optional guard.
import type { Json } from "../types.ts";

export type Literal = string | number | boolean | null;

export type Pattern =
  | { type: "literal"; value: Literal }
  | { type: "any" }
  | { type: "var"; name: string }
  /** `rest`: a trailing `...` lets the array be longer. */
  | { type: "array"; items: Pattern[]; rest: boolean }
  /** Matches objects that have at least these keys. */
  | { type: "object"; entries: { key: string; pattern: Pattern }[] };

export type GuardFunction = "owner" | "components" | "agent" | "identity";
export type ComparisonOp = "==" | "!=" | "<" | "<=" | ">" | ">=" | "in";
export type BinaryOp = ComparisonOp | "and" | "or";

export type Expr =
  | { type: "literal"; value: Literal }
  | { type: "var"; name: string }
  | { type: "list"; items: Expr[] }
  | { type: "index"; target: Expr; index: Expr }
  | { type: "call"; name: GuardFunction; args: Expr[] }
  | { type: "not"; operand: Expr }
  | { type: "binary"; op: BinaryOp; left: Expr; right: Expr };

/** What a pattern is matched against: the whole envelope when it starts with "interaction", else the body. */
export type PatternTarget = "envelope" | "body";

export interface CompiledPattern {
  source: string;
  pattern: Pattern;
  guard?: Expr;
  target: PatternTarget;
}

export const GUARD_FUNCTIONS: Record<GuardFunction, number> = { owner: 1, components: 1, agent: 0, identity: 0 };
export const KEYWORDS = ["where", "and", "or", "not", "in", "true", "false", "null"] as const;

/** Limits that keep a hostile pattern from costing more than a small, fixed amount. */
export const MAX_PATTERN_LENGTH = 16 * 1024;
export const MAX_PATTERN_DEPTH = 64;

export type Bindings = Map<string, Json>;
