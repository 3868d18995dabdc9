// The pattern language of subscriptions and the ACL (docs/protocol.md §4): parse once, match many times.
export {
  GUARD_FUNCTIONS,
  MAX_PATTERN_DEPTH,
  MAX_PATTERN_LENGTH,
  type Bindings,
  type BinaryOp,
  type CompiledPattern,
  type ComparisonOp,
  type Expr,
  type GuardFunction,
  type Literal,
  type Pattern,
  type PatternTarget,
} from "./ast.ts";
export { PatternSyntaxError, tokenize, type Token, type TokenKind } from "./lexer.ts";
export { parsePattern, type PatternParseResult } from "./parser.ts";
export { printCompiledPattern, printExpr, printLiteral, printPattern } from "./printer.ts";
export { matchInteraction, matchPattern, type GuardContext } from "./matcher.ts";
