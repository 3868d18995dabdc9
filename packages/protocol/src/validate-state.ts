// World-state frames an agent receives (docs/protocol.md §5).
import type { Entity, EntityId, Json, StateFrame } from "./types.ts";
import { isRevision } from "./validate-intent.ts";
import { describeValue, fail, isPlainObject, joinPath, ok, type ParseResult } from "./validate-json.ts";

/**
 * Checks a JSON-safe object with `patch_style` is a state frame. Entities are checked for shape (id + components
 * object), not each component: the place has already validated what it stores, and custom components are free-form.
 */
export function validateStateFrame(x: Record<string, unknown>): ParseResult<StateFrame> {
  const style = x.patch_style;
  if (!isRevision(x.revision))
    return fail(`state.revision must be a non-negative integer, got ${describeValue(x.revision)}`);
  if (style === "set") {
    if (!isPlainObject(x.entities)) return fail(`state.entities must be an object, got ${describeValue(x.entities)}`);
    const entities = x.entities as Record<EntityId, unknown>;
    for (const id in entities) {
      const e = entities[id];
      if (!isPlainObject(e)) return fail(`${entityPath(id)} must be an entity object, got ${describeValue(e)}`);
      if (e.id !== id) return fail(`${entityPath(id)}.id must equal its key`);
      if (!isPlainObject(e.components))
        return fail(`${entityPath(id)}.components must be an object, got ${describeValue(e.components)}`);
    }
    return ok({ patch_style: "set", entities: entities as Record<EntityId, Entity>, revision: x.revision });
  }
  if (style === "merge") {
    if (!isRevision(x.patch_from))
      return fail(`state.patch_from must be a non-negative integer, got ${describeValue(x.patch_from)}`);
    const frame: StateFrame = { patch_style: "merge", patch_from: x.patch_from, revision: x.revision };
    if (x.entities !== undefined) {
      if (!isPlainObject(x.entities)) return fail(`state.entities must be an object, got ${describeValue(x.entities)}`);
      for (const id in x.entities) {
        const e = x.entities[id];
        // null removes the entity; an object patches it (docs/protocol.md §5).
        if (e !== null && !isPlainObject(e))
          return fail(`${entityPath(id)} must be null or an entity patch object, got ${describeValue(e)}`);
        if (isPlainObject(e) && e.components !== undefined && e.components !== null && !isPlainObject(e.components)) {
          return fail(`${entityPath(id)}.components must be an object, got ${describeValue(e.components)}`);
        }
      }
      frame.entities = x.entities as Record<EntityId, Json>;
    }
    return ok(frame);
  }
  return fail(`state.patch_style must be "set" or "merge", got ${describeValue(style)}`);
}

// Only for an error: a path built for every entity cost ~1 ms of a 10k-entity set frame.
function entityPath(id: string): string {
  return joinPath("state.entities", id);
}
