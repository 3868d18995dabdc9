// RFC 7386 JSON merge patch, hand-written because it is the sync hot path (docs/protocol.md §5).
import { jsonEqual } from "./json-equal.ts";
import type { Json, JsonObject } from "./types.ts";

function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

const hasOwn = Object.prototype.hasOwnProperty;

/** Plain assignment, except that a "__proto__" key stays an own property instead of changing the prototype. */
function setKey(o: JsonObject, key: string, value: Json): void {
  if (key === "__proto__")
    Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
  else o[key] = value;
}

/**
 * The merge patch that turns `from` into `to`, or undefined when they are equal. Arrays are replaced whole; a key
 * missing in `to` becomes null. RFC 7386 cannot express a null value inside an object: such nulls in `to` would
 * read as removals. The patch shares unchanged-by-value subtrees of `to`; treat it as read-only.
 */
export function createMergePatch(from: Json, to: Json): Json | undefined {
  if (!isObject(from) || !isObject(to)) return jsonEqual(from, to) ? undefined : to;
  let patch: JsonObject | undefined;
  for (const key in from) {
    if (hasOwn.call(from, key) && !hasOwn.call(to, key)) setKey((patch ??= {}), key, null);
  }
  for (const key in to) {
    if (!hasOwn.call(to, key)) continue;
    const next = to[key];
    if (!hasOwn.call(from, key)) {
      setKey((patch ??= {}), key, next);
      continue;
    }
    const sub = createMergePatch(from[key], next);
    if (sub !== undefined) setKey((patch ??= {}), key, sub);
  }
  return patch;
}

/**
 * Applies a merge patch and returns the new document; `doc` and `patch` are not mutated. The result shares
 * untouched subtrees with `doc` (and values with `patch`), so treat it as read-only or copy it first.
 */
export function applyMergePatch(doc: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const result: JsonObject = isObject(doc) ? { ...doc } : {};
  for (const key in patch) {
    if (!hasOwn.call(patch, key)) continue;
    const value = patch[key];
    if (value === null) delete result[key];
    else setKey(result, key, applyMergePatch(hasOwn.call(result, key) ? result[key] : null, value));
  }
  return result;
}

/**
 * Applies a merge patch by mutating `target` (when both are objects) and returns the result, which is `target`
 * itself unless the patch replaces the whole document. For a client's mirror of the world: no copies.
 */
export function applyMergePatchInPlace(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const result: JsonObject = isObject(target) ? target : {};
  for (const key in patch) {
    if (!hasOwn.call(patch, key)) continue;
    const value = patch[key];
    if (value === null) delete result[key];
    else
      setKey(
        result,
        key,
        isObject(value) ? applyMergePatchInPlace(hasOwn.call(result, key) ? result[key] : null, value) : value,
      );
  }
  return result;
}
