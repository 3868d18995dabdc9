// Revision change-sets and the merge patches built from them (docs/protocol.md §5): each
// revision records what it touched instead of diffing the world, so a tick costs what changed, never the world's size.
import { jsonEqual } from "./json-equal.ts";
import { createMergePatch } from "./merge-patch.ts";
import type { Entity, EntityId, Json, JsonObject } from "./types.ts";

/**
 * A component's earlier value is not kept, but had the keys of the value after the change at every level: it was
 * changed in place (keys kept), or replaced by a value differing at every leaf (`replacedBefore`). Sent whole.
 */
export const MUTATED_IN_PLACE: unique symbol = Symbol("mutated in place");
/**
 * Mutated in place and later replaced within one span: the value at the span's start had the keys of `keysOf` (an
 * in-place mutation keeps keys) but its leaves are unknown, so the patch drops keys and sends every leaf.
 */
export class MutatedThenReplaced {
  constructor(readonly keysOf: Json) {}
}
/** A component's value before a change: the replaced value, undefined when it did not exist, or MUTATED_IN_PLACE. */
export type ValueBefore = Json | undefined | typeof MUTATED_IN_PLACE | MutatedThenReplaced;
/** Changed components of one entity, each with its value before the first change of the span. */
export type ComponentChanges = Map<string, ValueBefore>;
/**
 * One changed component, the common case (a moved entity), without a Map of its own (~40 B where a one-entry Map is
 * ~180 B, docs/performance.md "Revision history"). Never mutated: the log and composed unions share it.
 */
export class ComponentChange {
  constructor(
    readonly name: string,
    readonly before: ValueBefore,
  ) {}
  has(name: string): boolean {
    return name === this.name;
  }
}
/** What happened to one entity: it appeared, it went away, or these components were set or removed. */
export type EntityChange = "added" | "removed" | ComponentChange | ComponentChanges;
/** Everything one revision (or a span of revisions) changed, by entity id. */
export type ChangeSet = Map<EntityId, EntityChange>;

interface Entry {
  from: number;
  revision: number;
  changes: ChangeSet;
}

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
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`ChangeLog capacity must be a positive integer, got ${capacity}`);
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
   * The union of all changes after `base` up to the latest revision, or undefined when `base` is not kept. Each
   * changed component keeps its value as of `base`. Read-only: it may share maps with the log.
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

/**
 * Combines an earlier change with a later one for the same entity, for a union the caller owns: an earlier Map may
 * be mutated, `later` never is.
 */
export function mergeChange(earlier: EntityChange | undefined, later: EntityChange): EntityChange {
  if (earlier === undefined) return later instanceof Map ? new Map(later) : later;
  // Gone at the end: null, whatever happened before (a null for an entity the agent never had is a no-op).
  if (later === "removed") return "removed";
  // Appeared, or changed after appearing: send it whole. Entity ids are never reused, so no stale components.
  if (later === "added" || earlier === "added" || earlier === "removed") return "added";
  if (later instanceof ComponentChange) return withComponent(earlier, later.name, later.before);
  let merged = earlier;
  for (const [name, before] of later) merged = withComponent(merged, name, before);
  return merged;
}

/** `changes` with `name` changed, keeping the value at the start of the span; a Map is updated in place. */
function withComponent(
  changes: ComponentChange | ComponentChanges,
  name: string,
  before: ValueBefore,
): ComponentChange | ComponentChanges {
  if (changes instanceof Map) {
    changes.set(name, changes.has(name) ? earliest(changes.get(name), before) : before);
    return changes;
  }
  if (changes.name !== name)
    return new Map([
      [changes.name, changes.before],
      [name, before],
    ]);
  const kept = earliest(changes.before, before);
  return kept === changes.before ? changes : new ComponentChange(name, kept);
}

/** The value at the start of a span is the first one recorded; after MUTATED_IN_PLACE, a replacement tells its keys. */
function earliest(first: ValueBefore, later: ValueBefore): ValueBefore {
  if (first !== MUTATED_IN_PLACE || later === MUTATED_IN_PLACE || later === undefined) return first;
  // The unknown value had the keys of the value later replaced, but not its leaves: those must all be sent.
  return later instanceof MutatedThenReplaced ? later : new MutatedThenReplaced(later);
}

/** Marks an entity added or removed in a change-set being built for the current revision. */
export function markEntity(changes: ChangeSet, id: EntityId, change: "added" | "removed"): void {
  if (change === "added") {
    changes.set(id, "added");
  } else if (changes.get(id) === "added") {
    // Added and removed within one revision: nobody ever saw it.
    changes.delete(id);
  } else {
    changes.set(id, "removed");
  }
}

/** Marks a component set, replaced, removed or mutated in place, with its value before this change. */
export function markComponent(changes: ChangeSet, id: EntityId, name: string, before: ValueBefore): void {
  const prev = changes.get(id);
  if (prev === undefined) changes.set(id, new ComponentChange(name, before));
  else if (typeof prev !== "string") {
    const next = withComponent(prev, name, before);
    if (next !== prev) changes.set(id, next);
  }
}

/**
 * What to record as the earlier value of a component replaced by `after`: MUTATED_IN_PLACE, keeping nothing, when
 * the two have the same keys at every level and differ at every leaf (a moved transform), since the merge patch from
 * `before` would be `after` whole anyway; otherwise `before` itself, which the patch needs (dropped keys, unchanged
 * leaves). Composing stays exact from every base: a later replacement that changes keys still tells them.
 */
export function replacedBefore(before: Json | undefined, after: Json): ValueBefore {
  return before !== undefined && differsAtEveryLeaf(before, after) ? MUTATED_IN_PLACE : before;
}

/** True when `a` and `b` have the same object keys at every level and no leaf (non-object value) in common. */
function differsAtEveryLeaf(a: Json, b: Json): boolean {
  const objects = isObject(a);
  if (objects !== isObject(b)) return false;
  if (!objects) return !jsonEqual(a, b);
  const ao = a as JsonObject;
  const bo = b as JsonObject;
  let keys = 0;
  for (const key in ao) {
    if (!Object.hasOwn(ao, key)) continue;
    if (!Object.hasOwn(bo, key) || !differsAtEveryLeaf(ao[key], bo[key])) return false;
    keys++;
  }
  if (keys === 0) return false;
  for (const key in bo) if (Object.hasOwn(bo, key)) keys--;
  return keys === 0;
}

/**
 * The RFC 7386 merge patch's `entities` member for a change-set, built from current values: an entity gone is null,
 * a new entity is sent whole, a changed component is the merge patch from its earlier value (so keys a replacement
 * dropped become null), whole when the earlier value is unknown, null when it was removed.
 */
export function entitiesPatch(changes: ChangeSet, lookup: (id: EntityId) => Entity | undefined): JsonObject {
  const patch: JsonObject = {};
  for (const [id, change] of changes) {
    const entity = lookup(id);
    if (!entity) {
      patch[id] = null;
      continue;
    }
    if (typeof change === "string") {
      // "removed" here means removed and re-added later in the span: send it whole.
      patch[id] = entity as unknown as Json;
      continue;
    }
    const current = entity.components as Record<string, Json | undefined>;
    let components: JsonObject | undefined;
    if (change instanceof ComponentChange) {
      const value = componentPatch(current, change.name, change.before);
      if (value !== undefined) components = { [change.name]: value };
    } else {
      for (const [name, before] of change) {
        const value = componentPatch(current, name, before);
        if (value !== undefined) (components ??= {})[name] = value;
      }
    }
    if (components) patch[id] = { components };
  }
  return patch;
}

/** One component's patch from its earlier value, or undefined when it needs none. */
function componentPatch(
  current: Record<string, Json | undefined>,
  name: string,
  before: ValueBefore,
): Json | undefined {
  // Own properties only: a component may be called "toString".
  const now = Object.hasOwn(current, name) ? current[name] : undefined;
  if (now === undefined) return before === undefined ? undefined : null;
  if (before === undefined || before === MUTATED_IN_PLACE) return now;
  if (before instanceof MutatedThenReplaced) return overwritingPatch(before.keysOf, now);
  return createMergePatch(before, now);
}

/**
 * Marks an entity added/removed, or a component changed without its earlier value (sent whole, as after
 * MUTATED_IN_PLACE). Kept for callers that do not track earlier values; the place uses markComponent.
 */
export function markChange(changes: ChangeSet, id: EntityId, change: "added" | "removed" | string): void {
  if (change === "added" || change === "removed") markEntity(changes, id, change);
  else markComponent(changes, id, change, MUTATED_IN_PLACE);
}

/** A merge patch from any value with `from`'s keys to `to`: keys `to` lacks become null, every leaf of `to` is sent. */
function overwritingPatch(from: Json, to: Json): Json {
  if (!isObject(from) || !isObject(to)) return to;
  const patch: JsonObject = {};
  for (const key of Object.keys(from)) if (!Object.hasOwn(to, key)) patch[key] = null;
  for (const key of Object.keys(to))
    patch[key] = Object.hasOwn(from, key) ? overwritingPatch(from[key], to[key]) : to[key];
  return patch;
}

function isObject(v: Json): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
