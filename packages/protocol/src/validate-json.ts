// JSON.parse plus a safety walk: the first thing untrusted text goes through (PROTOCOL.md §1).
import type { Json } from "./types.ts";

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

export interface ParseLimits {
  /** Deepest nesting of arrays/objects; the root container is depth 1. */
  maxDepth: number;
  /** Longest string (keys included), in UTF-16 code units. */
  maxStringLength: number;
  maxKeysPerObject: number;
  maxArrayLength: number;
}

export const PARSE_LIMITS: Readonly<ParseLimits> = Object.freeze({
  maxDepth: 32,
  maxStringLength: 64 * 1024,
  maxKeysPerObject: 1000,
  maxArrayLength: 100_000,
});

/** Keys that could reach Object.prototype once a parsed value is spread or assigned somewhere. */
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

export function ok<T>(value: T): ParseResult<T> {
  return { ok: true, value };
}
export function fail<T = never>(error: string): ParseResult<T> {
  return { ok: false, error };
}

export function resolveLimits(limits?: Partial<ParseLimits>): ParseLimits {
  return limits ? { ...PARSE_LIMITS, ...limits } : PARSE_LIMITS;
}

/** Parses text as JSON and checks it against the limits. Never throws. */
export function parseJson(text: string, limits?: Partial<ParseLimits>): ParseResult<Json> {
  if (typeof text !== "string") return fail(`message must be a string of JSON, got ${describeValue(text)}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    // A SyntaxError is the common case; a RangeError would mean the engine's parser ran out of stack.
    const err = e as Error;
    return fail(err instanceof RangeError ? `message is nested too deeply to parse` : `message is not valid JSON: ${err.message}`);
  }
  return checkJson(value, "message", limits);
}

/** A path element chain, only turned into a string when there is an error to report. */
interface PathNode { parent: PathNode | null; key: string | number }

/**
 * Checks that an arbitrary value is plain JSON within the limits: finite numbers, plain objects and arrays, no
 * forbidden keys. Iterative, so hostile nesting cannot overflow the stack. Returns the value itself when it passes.
 */
export function checkJson(value: unknown, rootPath = "value", limits?: Partial<ParseLimits>): ParseResult<Json> {
  const { maxDepth, maxStringLength, maxKeysPerObject, maxArrayLength } = resolveLimits(limits);
  const stack: unknown[] = [value];
  const depths: number[] = [0];
  const paths: (PathNode | null)[] = [null];
  const root: PathNode = { parent: null, key: rootPath };
  while (stack.length) {
    const v = stack.pop();
    const depth = depths.pop()!;
    const path = paths.pop() ?? root;
    const err = checkScalar(v, maxStringLength);
    if (err === null) continue;
    if (err !== "container") return fail(`${formatPath(path)} ${err}`);
    if (depth + 1 > maxDepth) return fail(`${formatPath(path)} nests deeper than ${maxDepth} levels`);
    if (Array.isArray(v)) {
      if (v.length > maxArrayLength) return fail(`${formatPath(path)} has ${v.length} elements, more than ${maxArrayLength}`);
      for (let i = v.length - 1; i >= 0; i--) {
        const item = v[i];
        if (typeof item === "object" && item !== null) {
          stack.push(item); depths.push(depth + 1); paths.push({ parent: path, key: i });
        } else {
          const e = checkScalar(item, maxStringLength);
          if (e !== null) return fail(`${formatPath({ parent: path, key: i })} ${e}`);
        }
      }
      continue;
    }
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return fail(`${formatPath(path)} must be plain JSON, got ${describeValue(v)}`);
    const obj = v as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (keys.length > maxKeysPerObject) return fail(`${formatPath(path)} has ${keys.length} keys, more than ${maxKeysPerObject}`);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i];
      if (FORBIDDEN_KEYS.has(key)) return fail(`${formatPath({ parent: path, key })} is a forbidden key`);
      if (key.length > maxStringLength) return fail(`${formatPath(path)} has a key longer than ${maxStringLength} characters`);
      const item = obj[key];
      if (typeof item === "object" && item !== null) {
        stack.push(item); depths.push(depth + 1); paths.push({ parent: path, key });
      } else {
        const e = checkScalar(item, maxStringLength);
        if (e !== null) return fail(`${formatPath({ parent: path, key })} ${e}`);
      }
    }
  }
  return ok(value as Json);
}

/** null when the value is a valid JSON scalar; "container" for objects/arrays; else what is wrong with it. */
function checkScalar(v: unknown, maxStringLength: number): string | null {
  switch (typeof v) {
    case "string":
      return v.length > maxStringLength ? `is a string longer than ${maxStringLength} characters` : null;
    case "number":
      return Number.isFinite(v) ? null : "must be a finite number";
    case "boolean":
      return null;
    case "object":
      return v === null ? null : "container";
    default:
      return `must be JSON, got ${typeof v}`;
  }
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Readable JSON path: `message.intent.poses["hand/left"].matrix[3]`. */
export function formatPath(node: PathNode): string {
  const chain: PathNode[] = [];
  for (let n: PathNode | null = node; n; n = n.parent) chain.push(n);
  let path = String(chain[chain.length - 1].key);
  for (let i = chain.length - 2; i >= 0; i--) path = joinPath(path, chain[i].key);
  return path;
}

/** Appends one key to a path string, in the same notation as formatPath. */
export function joinPath(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key.length > 40 ? key.slice(0, 40) + "…" : key)}]`;
}

/** A short description of a value's kind for error messages (never echoes the value itself). */
export function describeValue(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "number" && !Number.isFinite(v)) return String(v);
  return typeof v === "object" ? "an object" : typeof v === "undefined" ? "undefined" : `a ${typeof v}`;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function isFiniteNumber(v: unknown): v is number {
  return typeof v === "number" && Number.isFinite(v);
}

/** True for an array of exactly n finite numbers. */
export function isNumberTuple(v: unknown, n: number): v is number[] {
  if (!Array.isArray(v) || v.length !== n) return false;
  for (let i = 0; i < n; i++) if (typeof v[i] !== "number" || !Number.isFinite(v[i])) return false;
  return true;
}

export function isMatrix(v: unknown): v is number[] {
  return isNumberTuple(v, 16);
}
