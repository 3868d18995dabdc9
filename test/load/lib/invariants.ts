// What must hold of a place's world whatever agents sent (docs/protocol.md §3, §5): the place entity exists with its
// clock, every entity's id is its key, components are plain JSON objects of finite numbers, every parent exists, no
// cycles, no prototype pollution. Returns the violations (empty = fine), so a failing test says exactly what broke.
import { jsonEqual } from "@allo/protocol";

type Doc = { entities: Record<string, { id: string; components: Record<string, unknown> }>; revision: number };

export function checkWorldInvariants(doc: Doc): string[] {
  const problems: string[] = [];
  const entities = doc.entities;
  if (!Number.isSafeInteger(doc.revision) || doc.revision < 1)
    problems.push(`revision ${doc.revision} is not a positive safe integer`);
  const place = entities.place;
  if (!place) problems.push("the place entity is gone");
  else if (typeof (place.components.clock as { time?: unknown } | undefined)?.time !== "number")
    problems.push("the place entity has no clock");
  if (
    ({} as Record<string, unknown>).polluted !== undefined ||
    (Object.prototype as Record<string, unknown>).polluted !== undefined
  )
    problems.push("Object.prototype was polluted");
  for (const id of Object.keys(entities)) {
    const e = entities[id];
    if (!e || typeof e !== "object") {
      problems.push(`${id}: not an object`);
      continue;
    }
    if (e.id !== id) problems.push(`${id}: id field is ${JSON.stringify(e.id)}`);
    if (!e.components || typeof e.components !== "object" || Array.isArray(e.components)) {
      problems.push(`${id}: components is not an object`);
      continue;
    }
    for (const [name, value] of Object.entries(e.components)) {
      if (value === null || value === undefined) problems.push(`${id}.${name} is ${value}`);
      const bad = nonFinitePath(value, `${id}.${name}`);
      if (bad) problems.push(`${bad} is not a finite number (JSON would send null)`);
    }
    const matrix = (e.components.transform as { matrix?: unknown } | undefined)?.matrix;
    if (
      e.components.transform !== undefined &&
      !(
        Array.isArray(matrix) &&
        matrix.length === 16 &&
        matrix.every((x) => typeof x === "number" && Number.isFinite(x))
      )
    ) {
      problems.push(`${id}: transform.matrix is not 16 finite numbers`);
    }
    const parent = (e.components.relationships as { parent?: unknown } | undefined)?.parent;
    if (parent !== undefined && (typeof parent !== "string" || !entities[parent]))
      problems.push(`${id}: parent ${JSON.stringify(parent)} does not exist`);
  }
  // No cycles: following parents from any entity ends at a root.
  for (const id of Object.keys(entities)) {
    const seen = new Set<string>();
    let at: string | undefined = id;
    while (at !== undefined) {
      if (seen.has(at)) {
        problems.push(`${id}: parent chain has a cycle through ${at}`);
        break;
      }
      seen.add(at);
      const p: unknown = (entities[at]?.components.relationships as { parent?: string } | undefined)?.parent;
      at = typeof p === "string" && entities[p] ? p : undefined;
    }
  }
  return problems;
}

/** The path of the first non-finite number in a value, or undefined. Iterative: hostile nesting is deep. */
function nonFinitePath(root: unknown, rootPath: string): string | undefined {
  const stack: [unknown, string][] = [[root, rootPath]];
  while (stack.length) {
    const [v, path] = stack.pop()!;
    if (typeof v === "number") {
      if (!Number.isFinite(v)) return path;
    } else if (v && typeof v === "object") {
      for (const [k, child] of Object.entries(v)) stack.push([child, `${path}.${k}`]);
    }
  }
  return undefined;
}

/** Differences between an agent's mirror and the place's document (first few), or [] when equal. */
export function mirrorDifferences(mirror: Record<string, unknown>, place: Record<string, unknown>, max = 5): string[] {
  const out: string[] = [];
  for (const id of Object.keys(place)) {
    if (!(id in mirror)) out.push(`missing ${id}`);
    else if (!jsonEqual(mirror[id], place[id]))
      out.push(
        `differs ${id}: ${JSON.stringify(mirror[id]).slice(0, 400)} vs ${JSON.stringify(place[id]).slice(0, 400)}`,
      );
    if (out.length >= max) return out;
  }
  for (const id of Object.keys(mirror)) {
    if (!(id in place)) out.push(`extra ${id}`);
    if (out.length >= max) return out;
  }
  return out;
}
