// The mirror's recent past: enough to return to any of the last 64 revisions received, so a merge patch based on
// one of them can be applied (docs/protocol.md §5: "agents keep the last 64 revisions they received"). Each step stores
// what one frame overwrote — cost follows the patch, not the size of the world.
import { jsonEqual, type Entity, type EntityId, type Json } from "@allo/protocol";
import type { EntityChange, EntityRemoval } from "./mirror.ts";

/** How many steps back a patch may be based (the place keeps 64 revisions). */
export const KEPT_REVISIONS = 64;

/** An entity as it was before a step: absent, or this object with these component values (undefined = absent). */
export type EntityBefore = { entity: undefined } | { entity: Entity; components: Map<string, Json | undefined> };

/** One applied frame: from `previous` to `revision`, and how to undo it. */
export interface Step {
  previous: number;
  revision: number;
  undo: Map<EntityId, EntityBefore>;
}

/** What a frame changed, in the order events go out. */
export class FrameChanges {
  added: Entity[] = [];
  /** Known true when no entity in `added` comes before its parent there (emit then need not reorder them). */
  addedParentsFirst = false;
  changed: EntityChange[] = [];
  removed: EntityRemoval[] = [];
}

type EntityMap = Map<EntityId, Entity>;

export class MirrorHistory {
  private steps: Step[] = [];

  /** Forgets everything (after a `set`, which is not undone). */
  clear(): void {
    this.steps = [];
  }

  record(step: Step): void {
    this.steps.push(step);
    if (this.steps.length > KEPT_REVISIONS) this.steps.shift();
  }

  /** Whether the mirror can return to `revision` (one of the last received, older than the current one). */
  holds(revision: number): boolean {
    return this.steps.some((s) => s.previous === revision);
  }

  /**
   * Applies a patch based on an older revision `base`: returns to `base`, lets `applyPatch` apply it, then works out
   * what changed compared with the revision held before, keeping that revision's entity objects. Records the result
   * as one step, so the mirror can still go back to any revision it held.
   */
  rebase(
    byId: EntityMap,
    base: number,
    revision: number,
    patched: Iterable<EntityId>,
    applyPatch: () => void,
  ): FrameChanges {
    const at = this.steps.findIndex((s) => s.previous === base);
    const undone = this.steps.splice(at);
    const current = undone[undone.length - 1].revision;
    const before = new Map<EntityId, { entity?: Entity; components?: Record<string, Json> }>();
    const capture = (id: EntityId) => {
      if (before.has(id)) return;
      const entity = byId.get(id);
      before.set(id, entity ? { entity, components: { ...(entity.components as Record<string, Json>) } } : {});
    };
    for (const step of undone) for (const id of step.undo.keys()) capture(id);
    for (const id of patched) capture(id);
    for (let i = undone.length - 1; i >= 0; i--) undo(byId, undone[i]);
    applyPatch();
    const { changes, undo: undoToCurrent } = settle(byId, before);
    for (const step of undone) this.record(step);
    this.record({ previous: current, revision, undo: undoToCurrent });
    return changes;
  }
}

/** Puts back what one step overwrote. */
function undo(byId: EntityMap, step: Step): void {
  for (const [id, before] of step.undo) {
    if (!before.entity) {
      byId.delete(id);
      continue;
    }
    const components = before.entity.components as Record<string, Json>;
    byId.set(id, before.entity);
    for (const [name, value] of before.components) {
      if (value === undefined) delete components[name];
      else components[name] = value;
    }
  }
}

// Compares each touched entity before (B) and now (C): events, entity objects kept from B, and the undo back to B.
function settle(byId: EntityMap, before: Map<EntityId, { entity?: Entity; components?: Record<string, Json> }>) {
  const changes = new FrameChanges();
  const undoToBefore = new Map<EntityId, EntityBefore>();
  for (const [id, was] of before) {
    const now = byId.get(id);
    if (!was.entity || !was.components) {
      if (now) {
        changes.added.push(now);
        undoToBefore.set(id, { entity: undefined });
      }
      continue;
    }
    const entity = was.entity;
    const components = entity.components as Record<string, Json>;
    if (!now) {
      replaceContents(components, was.components); // going back may have changed it; events show it as it was
      changes.removed.push({ id, entity });
      undoToBefore.set(id, { entity, components: new Map() });
      continue;
    }
    if (now !== entity) {
      replaceContents(components, now.components as Record<string, Json>);
      byId.set(id, entity);
    }
    const change: EntityChange = { entity, changed: [], removed: [] };
    const overwritten = new Map<string, Json | undefined>();
    for (const name in was.components) {
      if (name in components) continue;
      change.removed.push(name);
      overwritten.set(name, was.components[name]);
    }
    for (const name in components) {
      const old = was.components[name];
      if (old === components[name]) continue;
      if (old !== undefined && jsonEqual(old, components[name])) {
        components[name] = old; // equal values keep their object, so === still tells change
        continue;
      }
      change.changed.push(name);
      overwritten.set(name, old);
    }
    if (overwritten.size) {
      changes.changed.push(change);
      undoToBefore.set(id, { entity, components: overwritten });
    }
  }
  return { changes, undo: undoToBefore };
}

function replaceContents(target: Record<string, Json>, source: Record<string, Json>): void {
  for (const name in target) delete target[name];
  Object.assign(target, source);
}
