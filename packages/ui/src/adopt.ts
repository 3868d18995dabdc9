// Keyed adoption: when a keyed entity is replaced in one tick by a new node with the same key under the same parent
// (a ternary, a <Show> swap, a hot-reloaded component), the new node takes over the old entity and sends only the
// difference, instead of a remove and a spawn (docs/renderer.md, "Removal"). Children pair up by key, or by order
// among unkeyed ones; what does not pair is removed or spawned as usual.
import type { EntityId } from "@allo/protocol";
import { EntityNode } from "./node.ts";

export interface AdoptionHost {
  byId: Map<EntityId, EntityNode>;
  /** Removes a live subtree that found no successor. */
  despawn(node: EntityNode): void;
  markDirty(node: EntityNode): void;
}

/** `next` (detached) takes over `old` (live) and, recursively, the children that pair up. */
export function adopt(old: EntityNode, next: EntityNode, host: AdoptionHost): void {
  const id = old.id!;
  next.sent = old.sent;
  next.serverParent = old.serverParent;
  host.byId.set(id, next);
  next.markLive(id);
  old.id = null;
  old.state = "detached";
  old.generation++;
  for (const name of new Set([...Object.keys(next.components), ...Object.keys(next.sent)])) next.dirty.add(name);
  host.markDirty(next);

  const oldChildren = [...old.childEntities()];
  const keyed = new Map(oldChildren.filter((c) => c.key !== undefined && c.state === "live").map((c) => [c.key!, c]));
  const unkeyed = oldChildren.filter((c) => c.key === undefined && c.state === "live");
  const taken = new Set<EntityNode>();
  for (const child of next.childEntities()) {
    if (child.state !== "detached") continue;
    const match = child.key !== undefined ? keyed.get(child.key) : unkeyed.shift();
    if (!match || taken.has(match)) continue;
    taken.add(match);
    adopt(match, child, host);
  }
  for (const child of oldChildren) if (!taken.has(child) && child.id) host.despawn(child);
}
