// Deep equality of JSON values, the one used everywhere (mirrors, the renderer's flush, change-sets, pattern guards).
// Recursive while values are shallow, the common and fast case; deeper than RECURSION_LIMIT it goes on with an
// explicit stack, so a hostile deeply nested value cannot overflow the call stack.

const RECURSION_LIMIT = 64;
const hasOwn = Object.prototype.hasOwnProperty;

/** Deep equality of two JSON values (object key order does not matter). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  return equalAt(a, b, 0);
}

function equalAt(a: unknown, b: unknown, depth: number): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (depth >= RECURSION_LIMIT) return equalIteratively(a, b);
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equalAt(a[i], b[i], depth + 1)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  let count = 0;
  for (const key in ao) {
    if (!hasOwn.call(ao, key)) continue;
    if (!hasOwn.call(bo, key) || !equalAt(ao[key], bo[key], depth + 1)) return false;
    count++;
  }
  for (const key in bo) if (hasOwn.call(bo, key)) count--;
  return count === 0;
}

function equalIteratively(a: unknown, b: unknown): boolean {
  const stack: [unknown, unknown][] = [[a, b]];
  while (stack.length) {
    const [x, y] = stack.pop()!;
    if (x === y) continue;
    if (typeof x !== "object" || typeof y !== "object" || x === null || y === null) return false;
    if (Array.isArray(x)) {
      if (!Array.isArray(y) || x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) stack.push([x[i], y[i]]);
      continue;
    }
    if (Array.isArray(y)) return false;
    const xo = x as Record<string, unknown>;
    const yo = y as Record<string, unknown>;
    const keys = Object.keys(xo);
    if (keys.length !== Object.keys(yo).length) return false;
    for (const key of keys) {
      if (!hasOwn.call(yo, key)) return false;
      stack.push([xo[key], yo[key]]);
    }
  }
  return true;
}
