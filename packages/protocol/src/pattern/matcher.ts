// Matching a compiled pattern against a JSON value, then its guard (docs/protocol.md §4). A guard that raises (missing
// key, wrong type, unknown entity) does not match; nothing here throws on any input.
import { jsonEqual } from "../json-equal.ts";
import type { Json } from "../types.ts";
import type { Bindings, CompiledPattern, Expr, Pattern } from "./ast.ts";

/** What guard functions can ask about the world and the agent whose interaction is being matched. */
export interface GuardContext {
  /** The sending agent's id: `agent()`. */
  agentId: string;
  /** The sending agent's verified identity (null when nothing was verified): `identity()`. */
  identity: Json;
  /** The owning agent of an entity, or undefined if there is no such entity: `owner(id)`. */
  ownerOf(entityId: string): string | undefined;
  /** An entity's components, or undefined if there is no such entity: `components(id)`. */
  componentsOf?(entityId: string): Json | undefined;
}

/** Raised inside guard evaluation only; means "this guard does not match". */
class GuardRaised {
  constructor(readonly reason: string) {}
}

const isObject = (v: Json): v is { [key: string]: Json } => typeof v === "object" && v !== null && !Array.isArray(v);

function matchValue(pattern: Pattern, value: Json, bindings: Bindings): boolean {
  switch (pattern.type) {
    case "any":
      return true;
    case "literal":
      return value === pattern.value;
    case "var": {
      if (bindings.has(pattern.name)) return jsonEqual(bindings.get(pattern.name)!, value);
      bindings.set(pattern.name, value);
      return true;
    }
    case "array": {
      if (!Array.isArray(value)) return false;
      if (pattern.rest ? value.length < pattern.items.length : value.length !== pattern.items.length) return false;
      return pattern.items.every((item, i) => matchValue(item, value[i], bindings));
    }
    case "object":
      if (!isObject(value)) return false;
      return pattern.entries.every((e) => Object.hasOwn(value, e.key) && matchValue(e.pattern, value[e.key], bindings));
  }
}

function evaluate(expr: Expr, bindings: Bindings, context: GuardContext): Json {
  switch (expr.type) {
    case "literal":
      return expr.value;
    case "var":
      if (!bindings.has(expr.name)) throw new GuardRaised(`${expr.name} is unbound`);
      return bindings.get(expr.name)!;
    case "list":
      return expr.items.map((item) => evaluate(item, bindings, context));
    case "index":
      return index(evaluate(expr.target, bindings, context), evaluate(expr.index, bindings, context));
    case "call":
      return call(expr, bindings, context);
    case "not":
      return !truth(evaluate(expr.operand, bindings, context), "not");
    case "binary": {
      if (expr.op === "and")
        return (
          truth(evaluate(expr.left, bindings, context), "and") && truth(evaluate(expr.right, bindings, context), "and")
        );
      if (expr.op === "or")
        return (
          truth(evaluate(expr.left, bindings, context), "or") || truth(evaluate(expr.right, bindings, context), "or")
        );
      return compare(expr.op, evaluate(expr.left, bindings, context), evaluate(expr.right, bindings, context));
    }
  }
}

function truth(value: Json, op: string): boolean {
  if (typeof value !== "boolean") throw new GuardRaised(`"${op}" needs true or false`);
  return value;
}

function index(target: Json, key: Json): Json {
  if (Array.isArray(target) && typeof key === "number" && Number.isInteger(key) && key >= 0 && key < target.length)
    return target[key];
  if (isObject(target) && typeof key === "string" && Object.hasOwn(target, key)) return target[key];
  throw new GuardRaised(`no element ${JSON.stringify(key)}`);
}

function call(expr: Extract<Expr, { type: "call" }>, bindings: Bindings, context: GuardContext): Json {
  if (expr.name === "agent") return context.agentId;
  if (expr.name === "identity") return context.identity;
  const id = evaluate(expr.args[0], bindings, context);
  if (typeof id !== "string") throw new GuardRaised(`${expr.name}() needs an entity id`);
  const found = expr.name === "owner" ? context.ownerOf(id) : context.componentsOf?.(id);
  if (found === undefined) throw new GuardRaised(`no entity ${id}`);
  return found;
}

function compare(op: string, left: Json, right: Json): boolean {
  switch (op) {
    case "==":
      return jsonEqual(left, right);
    case "!=":
      return !jsonEqual(left, right);
    case "in":
      if (Array.isArray(right)) return right.some((item) => jsonEqual(left, item));
      if (isObject(right) && typeof left === "string") return Object.hasOwn(right, left);
      if (typeof right === "string" && typeof left === "string") return right.includes(left);
      throw new GuardRaised(`"in" needs a list, an object with a string key, or two strings`);
  }
  const bothNumbers = typeof left === "number" && typeof right === "number";
  const bothStrings = typeof left === "string" && typeof right === "string";
  if (!bothNumbers && !bothStrings) throw new GuardRaised(`"${op}" compares two numbers or two strings`);
  const a = left as number | string;
  const b = right as number | string;
  return op === "<" ? a < b : op === "<=" ? a <= b : op === ">" ? a > b : a >= b;
}

/** The variable bindings when `value` matches the pattern and its guard, else null. */
export function matchPattern(compiled: CompiledPattern, value: Json, context: GuardContext): Bindings | null {
  const bindings: Bindings = new Map();
  if (!matchValue(compiled.pattern, value, bindings)) return null;
  if (!compiled.guard) return bindings;
  try {
    return evaluate(compiled.guard, bindings, context) === true ? bindings : null;
  } catch (raised) {
    // docs/protocol.md §4: a guard that raises does not match. Anything else is a bug and propagates.
    if (raised instanceof GuardRaised) return null;
    throw raised;
  }
}

/** Matches an interaction envelope: the whole envelope if the pattern starts with "interaction", else its body. */
export function matchInteraction(compiled: CompiledPattern, envelope: Json[], context: GuardContext): Bindings | null {
  return matchPattern(compiled, compiled.target === "envelope" ? envelope : (envelope[5] ?? null), context);
}
