// Prints a pattern back to source; parsePattern(printPattern(p)) gives the same tree (tested by property tests).
import type { CompiledPattern, Expr, Literal, Pattern } from "./ast.ts";

export function printLiteral(value: Literal): string {
  if (typeof value === "number") return Object.is(value, -0) ? "-0" : JSON.stringify(value);
  return JSON.stringify(value);
}

export function printPattern(pattern: Pattern): string {
  switch (pattern.type) {
    case "literal":
      return printLiteral(pattern.value);
    case "any":
      return "_";
    case "var":
      return pattern.name;
    case "array": {
      const items = pattern.items.map(printPattern);
      if (pattern.rest) items.push("...");
      return `[${items.join(", ")}]`;
    }
    case "object":
      return `{${pattern.entries.map((e) => `${JSON.stringify(e.key)}: ${printPattern(e.pattern)}`).join(", ")}}`;
  }
}

const compound = (e: Expr) => e.type === "binary" || e.type === "not";
const operand = (e: Expr) => (compound(e) ? `(${printExpr(e)})` : printExpr(e));

export function printExpr(expr: Expr): string {
  switch (expr.type) {
    case "literal":
      return printLiteral(expr.value);
    case "var":
      return expr.name;
    case "list":
      return `[${expr.items.map(printExpr).join(", ")}]`;
    case "index":
      return `${operand(expr.target)}[${printExpr(expr.index)}]`;
    case "call":
      return `${expr.name}(${expr.args.map(printExpr).join(", ")})`;
    case "not":
      return `not ${operand(expr.operand)}`;
    case "binary":
      return `${operand(expr.left)} ${expr.op} ${operand(expr.right)}`;
  }
}

/** Canonical source of a compiled pattern: `pattern [where guard]`. */
export function printCompiledPattern(compiled: Pick<CompiledPattern, "pattern" | "guard">): string {
  return compiled.guard
    ? `${printPattern(compiled.pattern)} where ${printExpr(compiled.guard)}`
    : printPattern(compiled.pattern);
}
