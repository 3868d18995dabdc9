// JSON.parse plus a safety walk: the first thing untrusted text goes through (docs/protocol.md §1).
import type { Json } from "./types.ts";

/**
 * `request`: the frame was JSON and its envelope names a request (sender, request id and name readable), though
 * something else in it broke a limit — the place answers it with the error (docs/protocol.md §1–§2).
 */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string; request?: RequestHead };

/** The readable parts of a request envelope: enough to answer it. */
export interface RequestHead {
  sender: string;
  receiver: string | undefined;
  requestId: string;
  name: string;
}

export interface ParseLimits {
  /** Deepest nesting of arrays/objects; the root container is depth 1. */
  maxDepth: number;
  /** Longest string (keys included), in UTF-16 code units. */
  maxStringLength: number;
  maxKeysPerObject: number;
  maxArrayLength: number;
}

export const PARSE_LIMITS: Readonly<ParseLimits> = Object.freeze({
  // Room for a spawn_entity with children 16 levels deep (two JSON levels each) inside its envelope.
  maxDepth: 48,
  maxStringLength: 64 * 1024,
  maxKeysPerObject: 1000,
  maxArrayLength: 100_000,
});

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
    return fail(
      err instanceof RangeError ? `message is nested too deeply to parse` : `message is not valid JSON: ${err.message}`,
    );
  }
  // JSON.parse makes only plain objects, arrays and JSON scalars, and no string longer than the text.
  const checked = check(value, "message", resolveLimits(limits), text.length);
  if (checked.ok) return checked;
  const request = requestHeadOf(value);
  return request ? { ok: false, error: bodyPath(checked.error), request } : checked;
}

/** Sender, receiver, request id and name of anything shaped like a request envelope; undefined otherwise. */
export function requestHeadOf(x: unknown): RequestHead | undefined {
  if (!Array.isArray(x) || x[0] !== "interaction" || x[1] !== "request") return undefined;
  const [, , sender, receiver, requestId, body] = x as unknown[];
  if (
    typeof sender !== "string" ||
    typeof requestId !== "string" ||
    !Array.isArray(body) ||
    typeof body[0] !== "string"
  )
    return undefined;
  return { sender, receiver: typeof receiver === "string" ? receiver : undefined, requestId, name: body[0] };
}

/** Error paths inside a request's body read from the body: `body[1].constructor`, not `message[5][1].constructor`. */
export function bodyPath(error: string): string {
  return error.startsWith("message[5]") ? "body" + error.slice("message[5]".length) : error;
}

/**
 * Checks that an arbitrary value is plain JSON within the limits: finite numbers, plain objects and arrays, no
 * forbidden keys. Returns the value itself when it passes.
 */
export function checkJson(value: unknown, rootPath = "value", limits?: Partial<ParseLimits>): ParseResult<Json> {
  return check(value, rootPath, resolveLimits(limits), undefined);
}

/** Where a walk stopped: `container[key]` (or `container` itself when key is null) and what is wrong there. */
interface Problem {
  container: object | null;
  key: string | number | null;
  what: string;
}

/** `parsedLength`: the value came from JSON.parse of a text this long, which rules some checks out. */
function check(
  value: unknown,
  rootPath: string,
  limits: ParseLimits,
  parsedLength: number | undefined,
): ParseResult<Json> {
  let problem: Problem | null;
  if (typeof value !== "object" || value === null) {
    const what = checkScalar(value, limits.maxStringLength);
    problem = what === null ? null : { container: null, key: null, what };
  } else {
    problem = walk(value, limits, parsedLength);
  }
  if (problem === null) return ok(value as Json);
  return fail(`${pathTo(value, problem.container, problem.key, rootPath, limits.maxDepth)} ${problem.what}`);
}

/**
 * One iterative pass over every container (hostile nesting cannot overflow the stack). It allocates nothing per
 * node: no key arrays (for…in), no paths (pathTo works the path out once, for an error), depths beside the stack.
 */
function walk(root: object, limits: ParseLimits, parsedLength: number | undefined): Problem | null {
  const { maxDepth, maxStringLength, maxKeysPerObject, maxArrayLength } = limits;
  const fromParse = parsedLength !== undefined;
  // A string (or key) of the parsed value is shorter than the text it came from.
  const checkStrings = !fromParse || parsedLength > maxStringLength;
  const stack: object[] = [root];
  const depths: number[] = [1];
  while (stack.length !== 0) {
    const v = stack.pop()!;
    const depth = depths.pop()!;
    if (depth > maxDepth) return { container: v, key: null, what: `nests deeper than ${maxDepth} levels` };
    if (Array.isArray(v)) {
      const n = v.length;
      if (n > maxArrayLength)
        return { container: v, key: null, what: `has ${n} elements, more than ${maxArrayLength}` };
      for (let i = 0; i < n; i++) {
        const item: unknown = v[i];
        if (typeof item === "number") {
          if (!Number.isFinite(item)) return { container: v, key: i, what: "must be a finite number" };
        } else if (typeof item === "object") {
          if (item !== null) {
            stack.push(item);
            depths.push(depth + 1);
          }
        } else if (
          typeof item === "string" ? checkStrings && item.length > maxStringLength : typeof item !== "boolean"
        ) {
          return { container: v, key: i, what: checkScalar(item, maxStringLength)! };
        }
      }
      continue;
    }
    if (!fromParse) {
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null)
        return { container: v, key: null, what: `must be plain JSON, got ${describeValue(v)}` };
    }
    const obj = v as Record<string, unknown>;
    let count = 0;
    for (const key in obj) {
      if (++count > maxKeysPerObject)
        return { container: v, key: null, what: `has ${Object.keys(obj).length} keys, more than ${maxKeysPerObject}` };
      if (checkStrings && key.length > maxStringLength)
        return { container: v, key: null, what: `has a key longer than ${maxStringLength} characters` };
      if (isForbiddenKey(key)) return { container: v, key, what: "is a forbidden key" };
      const item = obj[key];
      if (typeof item === "number") {
        if (!Number.isFinite(item)) return { container: v, key, what: "must be a finite number" };
      } else if (typeof item === "object") {
        if (item !== null) {
          stack.push(item);
          depths.push(depth + 1);
        }
      } else if (typeof item === "string" ? checkStrings && item.length > maxStringLength : typeof item !== "boolean") {
        return { container: v, key, what: checkScalar(item, maxStringLength)! };
      }
    }
  }
  return null;
}

/** Keys that could reach Object.prototype once a parsed value is spread or assigned somewhere. */
function isForbiddenKey(key: string): boolean {
  // Three comparisons: keys from JSON.parse and these literals are internalised, so each is a pointer test.
  return key === "__proto__" || key === "constructor" || key === "prototype";
}

/** The readable path of `container[key]` (or of `container` itself) inside `root`, found by identity. */
function pathTo(
  root: unknown,
  container: object | null,
  key: string | number | null,
  rootPath: string,
  maxDepth: number,
): string {
  const at = (path: string) => (key === null ? path : joinPath(path, key));
  if (container === null || container === root) return at(rootPath);
  const stack: [unknown, string, number][] = [[root, rootPath, 1]];
  while (stack.length) {
    const [v, path, depth] = stack.pop()!;
    if (typeof v !== "object" || v === null || depth > maxDepth) continue;
    for (const k of Array.isArray(v) ? v.keys() : Object.keys(v)) {
      const child = (v as Record<string | number, unknown>)[k];
      const childPath = joinPath(path, k);
      if (child === container) return at(childPath);
      if (typeof child === "object" && child !== null) stack.push([child, childPath, depth + 1]);
    }
  }
  return at(rootPath);
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

/** Appends one key to a readable path: `message.intent.poses["hand/left"].matrix[3]`. */
export function joinPath(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return IDENTIFIER.test(key)
    ? `${path}.${key}`
    : `${path}[${JSON.stringify(key.length > 40 ? key.slice(0, 40) + "…" : key)}]`;
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
