// Shape checks for the official components (docs/protocol.md §3.1) and entity specs.
import type { Components, EntitySpec } from "./types.ts";
import { isPoseName } from "./validate-intent.ts";
import {
  checkJson,
  describeValue,
  fail,
  isFiniteNumber,
  isMatrix,
  isNumberTuple,
  isPlainObject,
  joinPath,
  ok,
  type ParseLimits,
  type ParseResult,
} from "./validate-json.ts";

/** What is wrong with a component's value, as "<field> <problem>", or null when it is fine. */
type ComponentCheck = (c: Record<string, unknown>) => string | null;

const optional = (
  c: Record<string, unknown>,
  key: string,
  test: (v: unknown) => boolean,
  what: string,
): string | null => (c[key] === undefined || test(c[key]) ? null : `.${key} must be ${what}`);
const required = (
  c: Record<string, unknown>,
  key: string,
  test: (v: unknown) => boolean,
  what: string,
): string | null => (test(c[key]) ? null : `.${key} must be ${what}`);
const first = (...problems: (string | null)[]): string | null => problems.find((p) => p !== null) ?? null;

const isString = (v: unknown) => typeof v === "string";
const isBool = (v: unknown) => typeof v === "boolean";
const vec3 = (v: unknown) => isNumberTuple(v, 3);
const oneOf =
  (...values: string[]) =>
  (v: unknown) =>
    typeof v === "string" && values.includes(v);

const CHECKS: Record<string, ComponentCheck> = {
  transform: (c) =>
    first(required(c, "matrix", isMatrix, "16 finite numbers"), optional(c, "size", vec3, "3 finite numbers")),
  relationships: (c) => required(c, "parent", (v) => typeof v === "string" && v !== "", "a non-empty entity id string"),
  intent: (c) =>
    first(
      required(c, "actuate_pose", isPoseName, "one of root|head|torso|hand/left|hand/right"),
      optional(c, "from_avatar", isString, "an entity id string"),
    ),
  grabbable: (c) =>
    first(
      optional(c, "grabbable", isBool, "a boolean"),
      optional(c, "actuate_on", (v) => typeof v === "string" && v !== "", '"$parent" or an entity id string'),
      optional(c, "translation_constraint", vec3, "3 finite numbers"),
      optional(c, "rotation_constraint", vec3, "3 finite numbers"),
      optional(c, "target_hand_transform", isMatrix, "16 finite numbers"),
    ),
  collider: (c) =>
    first(
      required(c, "type", (v) => v === "box", '"box"'),
      required(c, "width", isFiniteNumber, "a finite number"),
      required(c, "height", isFiniteNumber, "a finite number"),
      required(c, "depth", isFiniteNumber, "a finite number"),
      optional(c, "x", isFiniteNumber, "a finite number"),
      optional(c, "y", isFiniteNumber, "a finite number"),
      optional(c, "z", isFiniteNumber, "a finite number"),
    ),
  geometry: checkGeometry,
  material: (c) =>
    first(
      optional(c, "color", (v) => isNumberTuple(v, 4), "4 finite numbers [r,g,b,a]"),
      optional(c, "texture", isString, "an asset id string"),
      optional(c, "shader_name", oneOf("plain", "pbr"), '"plain" or "pbr"'),
      optional(c, "roughness", isFiniteNumber, "a finite number"),
      optional(c, "metalness", isFiniteNumber, "a finite number"),
      optional(c, "hasTransparency", isBool, "a boolean"),
    ),
  text: (c) =>
    first(
      required(c, "string", isString, "a string"),
      optional(c, "height", isFiniteNumber, "a finite number"),
      optional(c, "width", isFiniteNumber, "a finite number"),
      optional(c, "wrap", isBool, "a boolean"),
      optional(c, "halign", oneOf("left", "center", "right"), "left|center|right"),
      optional(c, "valign", oneOf("top", "middle", "bottom"), "top|middle|bottom"),
      optional(c, "fitToWidth", isBool, "a boolean"),
      optional(c, "insertionMarker", isBool, "a boolean"),
    ),
  cursor: (c) =>
    first(required(c, "name", isString, "a string"), optional(c, "size", isFiniteNumber, "a finite number")),
  live_media: (c) =>
    first(
      required(c, "track_id", (v) => typeof v === "number" && Number.isSafeInteger(v), "an integer"),
      required(c, "type", oneOf("audio", "video"), '"audio" or "video"'),
      required(c, "format", isString, "a string"),
      required(c, "metadata", isPlainObject, "an object"),
    ),
  property_animations: (c) => required(c, "animations", isPlainObject, "an object of descriptors by id"),
  clock: (c) => required(c, "time", isFiniteNumber, "a finite number"),
  visor: (c) => optional(c, "display_name", isString, "a string"),
  ui: (c) => required(c, "view_id", isString, "a string"),
  focus: (c) => required(c, "type", (v) => v === "key", '"key"'),
};

/** Names of the components whose shape validateComponents checks; any other name is a free-form custom component. */
export const OFFICIAL_COMPONENTS: readonly string[] = Object.keys(CHECKS);

function checkGeometry(c: Record<string, unknown>): string | null {
  switch (c.type) {
    case "asset":
    case "hardcoded-model":
      return required(c, "name", isString, "a string");
    case "inline": {
      const rows = (key: string, width: number, needed: boolean): string | null => {
        const v = c[key];
        if (v === undefined && !needed) return null;
        if (!Array.isArray(v)) return `.${key} must be an array of ${width}-number arrays`;
        for (let i = 0; i < v.length; i++)
          if (!isNumberTuple(v[i], width)) return `.${key}[${i}] must be ${width} finite numbers`;
        return null;
      };
      const problem = first(
        rows("vertices", 3, true),
        rows("normals", 3, false),
        rows("uvs", 2, false),
        rows("triangles", 3, true),
      );
      if (problem) return problem;
      const count = (c.vertices as unknown[]).length;
      const triangles = c.triangles as number[][];
      for (let i = 0; i < triangles.length; i++) {
        for (const index of triangles[i]) {
          if (!Number.isInteger(index) || index < 0 || index >= count)
            return `.triangles[${i}] must be 3 vertex indices below ${count}`;
        }
      }
      return null;
    }
    default:
      return `.type must be "inline", "asset" or "hardcoded-model"`;
  }
}

/**
 * Names no component may have: they reach Object.prototype once a value is spread or assigned (validate-json.ts
 * refuses them as keys anywhere in a message, with the same words). Other Object.prototype names — toString,
 * valueOf, hasOwnProperty… — are ordinary custom components.
 */
const FORBIDDEN_NAMES = new Set(["__proto__", "constructor", "prototype"]);

/** Checks one component value; path names it in errors (e.g. "components.transform"). */
export function validateComponent(name: string, value: unknown, path: string): string | null {
  if (FORBIDDEN_NAMES.has(name)) return `${path} is a forbidden key`;
  if (value === null || value === undefined)
    return `${path} must be a component value, not ${describeValue(value)} (list it under "remove" to remove it)`;
  // Own properties only: CHECKS["toString"] would find Object.prototype.toString.
  const check = Object.hasOwn(CHECKS, name) ? CHECKS[name] : undefined;
  if (!check) return null;
  if (!isPlainObject(value)) return `${path} must be an object, got ${describeValue(value)}`;
  const problem = check(value);
  return problem === null ? null : path + problem;
}

/**
 * An object of components: the official ones checked for shape, custom ones any JSON value except null.
 * Returns the same object (not a copy) when it passes.
 */
export function validateComponents(
  x: unknown,
  path = "components",
  limits?: Partial<ParseLimits>,
): ParseResult<Components> {
  const json = checkJson(x, path, limits);
  if (!json.ok) return json;
  if (!isPlainObject(x)) return fail(`${path} must be an object of components, got ${describeValue(x)}`);
  for (const name in x) {
    const problem = validateComponent(name, x[name], joinPath(path, name));
    if (problem) return fail(problem);
  }
  return ok(x as Components);
}

export const SPEC_LIMITS = { maxDepth: 16, maxEntities: 10_000 } as const;

/**
 * A spawn spec: components plus optional `children` (specs, recursively). At most 16 levels and 10,000 entities.
 * Returns the same object when it passes.
 */
export function validateEntitySpec(x: unknown, path = "spec", limits?: Partial<ParseLimits>): ParseResult<EntitySpec> {
  // Nesting of specs adds ~2 JSON levels each (spec → children array → spec); allow for that plus component depth.
  const json = checkJson(x, path, {
    ...limits,
    maxDepth: Math.max(limits?.maxDepth ?? 0, SPEC_LIMITS.maxDepth * 2 + 32),
  });
  if (!json.ok) return json;
  const queue: { spec: unknown; path: string; depth: number }[] = [{ spec: x, path, depth: 1 }];
  let count = 0;
  for (let head = 0; head < queue.length; head++) {
    const { spec, path: at, depth } = queue[head];
    if (++count > SPEC_LIMITS.maxEntities)
      return fail(`${path} describes more than ${SPEC_LIMITS.maxEntities} entities`);
    if (depth > SPEC_LIMITS.maxDepth) return fail(`${at} nests children deeper than ${SPEC_LIMITS.maxDepth} levels`);
    if (!isPlainObject(spec)) return fail(`${at} must be an object of components, got ${describeValue(spec)}`);
    for (const name in spec) {
      if (name === "children") continue;
      const problem = validateComponent(name, spec[name], joinPath(at, name));
      if (problem) return fail(problem);
    }
    const children = spec.children;
    if (children === undefined) continue;
    if (!Array.isArray(children))
      return fail(`${at}.children must be an array of entity specs, got ${describeValue(children)}`);
    for (let i = 0; i < children.length; i++)
      queue.push({ spec: children[i], path: `${at}.children[${i}]`, depth: depth + 1 });
  }
  return ok(x as EntitySpec);
}
