// Revision change-sets and the merge patches built from them (PROTOCOL.md §5,
// shared/reference/perf-and-reliability-anchors.md §3c strategy D): a tick costs what changed, never the world's size.
import type { Entity, EntityId, Json, JsonObject } from "./types.ts";

/** What one revision did to one entity: it appeared, it went away, or these components were set or removed. */
export type EntityChange = "added" | "removed" | Set<string>;
/** Everything one revision changed, by entity id. */
export type ChangeSet = Map<EntityId, EntityChange>;

interface Entry { from: number; revision: number; changes: ChangeSet }

/**
 * A ring of the last `capacity` revisions' change-sets. `compose(base)` unions every change-set after `base`, so a
 * patch from any kept base can be built from the union and the current world values.
 */
export class ChangeLog {
  readonly capacity: number;
  private entries: Entry[] = [];
  private next = 0;
  private count = 0;

  constructor(capacity = 64) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ChangeLog capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
  }

  /** Records that `from` → `revision` made `changes`. Revisions need not be consecutive numbers (they wrap). */
  record(from: number, revision: number, changes: ChangeSet): void {
    this.entries[this.next] = { from, revision, changes };
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  /** The newest recorded revision, or undefined when nothing was recorded yet. */
  get latest(): number | undefined {
    return this.count ? this.entry(0).revision : undefined;
  }

  /** True when a patch from `base` to the latest revision can be composed. */
  canCompose(base: number): boolean {
    return this.indexAfter(base) !== undefined;
  }

  /**
   * The union of all changes after `base` up to the latest revision, or undefined when `base` is not kept.
   * An entity added (or removed and re-added) within the span is "added"; one that is gone at the end is "removed".
   */
  compose(base: number): ChangeSet | undefined {
    const newer = this.indexAfter(base);
    if (newer === undefined) return undefined;
    if (newer === -1) return new Map();
    if (newer === 0) return this.entry(0).changes;
    const union: ChangeSet = new Map();
    for (let i = newer; i >= 0; i--) {
      for (const [id, change] of this.entry(i).changes) union.set(id, mergeChange(union.get(id), change));
    }
    return union;
  }

  /** i = 0 is the newest entry. */
  private entry(i: number): Entry {
    return this.entries[(this.next - 1 - i + this.capacity * 2) % this.capacity];
  }

  /** Index of the oldest entry after `base`; -1 when base is the latest revision; undefined when not kept. */
  private indexAfter(base: number): number | undefined {
    if (!this.count) return undefined;
    if (this.entry(0).revision === base) return -1;
    for (let i = 0; i < this.count; i++) if (this.entry(i).from === base) return i;
    return undefined;
  }
}

/** Combines an earlier change with a later one for the same entity. */
export function mergeChange(earlier: EntityChange | undefined, later: EntityChange): EntityChange {
  if (earlier === undefined) return typeof later === "string" ? later : new Set(later);
  // Gone at the end: null, whatever happened before (a null for an entity the agent never had is a no-op).
  if (later === "removed") return "removed";
  // Appeared, or changed after re-appearing: send it whole. Entity ids are never reused, so no stale components.
  if (later === "added" || earlier === "added" || earlier === "removed") return "added";
  for (const name of later) earlier.add(name);
  return earlier;
}

/** Adds one change to a change-set being built for the current revision. */
export function markChange(changes: ChangeSet, id: EntityId, change: "added" | "removed" | string): void {
  const prev = changes.get(id);
  if (change === "added") {
    // Removed and added again within one revision: the entity must be sent whole.
    changes.set(id, "added");
  } else if (change === "removed") {
    // Added and removed within one revision: nobody saw it, unless it existed before the revision began.
    if (prev === "added") changes.delete(id);
    else changes.set(id, "removed");
  } else if (prev === undefined) {
    changes.set(id, new Set([change]));
  } else if (prev instanceof Set) {
    prev.add(change);
  }
}

/**
 * The RFC 7386 merge patch's `entities` member for a change-set, built from current values: an entity gone is null,
 * a new entity is sent whole, a changed component is its whole current value or null when it was removed.
 */
export function entitiesPatch(changes: ChangeSet, lookup: (id: EntityId) => Entity | undefined): JsonObject {
  const patch: JsonObject = {};
  for (const [id, change] of changes) {
    const entity = lookup(id);
    if (!entity) {
      patch[id] = null;
    } else if (change === "added" || change === "removed") {
      // "removed" here means removed and re-added later in the span: send it whole.
      patch[id] = entity as unknown as Json;
    } else {
      const components: JsonObject = {};
      const current = entity.components as Record<string, Json | undefined>;
      for (const name of change) components[name] = current[name] ?? null;
      patch[id] = { components };
    }
  }
  return patch;
}
