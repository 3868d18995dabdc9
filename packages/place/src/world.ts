// The world: entities, their owners and hierarchy. Every change marks what it touched (docs/protocol.md §5), so a tick
// costs what changed, never the size of the world (docs/architecture.md, "Rules of the house").
import { mat4 } from "gl-matrix";
import {
  ChangeLog,
  identityMatrix,
  isMatrix,
  markComponent,
  markEntity,
  MUTATED_IN_PLACE,
  PLACE_ENTITY_ID,
  replacedBefore,
  type ChangeSet,
  type Components,
  type Entity,
  type EntityId,
  type Json,
  type WorldDocument,
} from "@allo/protocol";

/** Who owns an entity: an agent id, or the place itself. */
export type Owner = string;
export const PLACE_OWNER: Owner = "place";

/** The largest revision; the next is 1, as 0 means "no state" (docs/protocol.md §5). */
const MAX_REVISION = Number.MAX_SAFE_INTEGER - 1;

/**
 * Everything the world keeps for one entity, in one record under one Map key: the entity as sent (wire shape), its
 * owner and its place in the hierarchy. `children` exists only while it has any (most entities are leaves; an
 * empty Set is ~100 B each, docs/performance.md "Memory per entity").
 */
interface Slot {
  readonly entity: Entity;
  readonly owner: Owner;
  parent: EntityId | undefined;
  children: Set<EntityId> | undefined;
}

/** An entity that left the world, and who owned it. */
export interface RemovedEntity {
  id: EntityId;
  owner: Owner;
}

/** What the world looks like to readers outside the place (tests, the visor hook): no way to change it. */
export interface WorldView {
  readonly revision: number;
  readonly size: number;
  get(id: EntityId): Entity | undefined;
  has(id: EntityId): boolean;
  ownerOf(id: EntityId): Owner | undefined;
  parentOf(id: EntityId): EntityId | undefined;
  childrenOf(id: EntityId): ReadonlySet<EntityId>;
  worldMatrix(id: EntityId): number[];
  toDocument(): WorldDocument;
}

export class World implements WorldView {
  private slots = new Map<EntityId, Slot>();
  /** Changes since the last committed revision. */
  private pending: ChangeSet = new Map();
  private _revision = 1;
  readonly history: ChangeLog;

  constructor(historyLength = 64) {
    this.history = new ChangeLog(historyLength);
  }

  get revision(): number {
    return this._revision;
  }
  get size(): number {
    return this.slots.size;
  }
  get dirty(): boolean {
    return this.pending.size > 0;
  }

  get(id: EntityId): Entity | undefined {
    return this.slots.get(id)?.entity;
  }
  has(id: EntityId): boolean {
    return this.slots.has(id);
  }
  ownerOf(id: EntityId): Owner | undefined {
    return this.slots.get(id)?.owner;
  }
  parentOf(id: EntityId): EntityId | undefined {
    return this.slots.get(id)?.parent;
  }
  childrenOf(id: EntityId): ReadonlySet<EntityId> {
    return this.slots.get(id)?.children ?? EMPTY;
  }
  ids(): IterableIterator<EntityId> {
    return this.slots.keys();
  }

  /** Adds an entity. The caller has validated the components; `relationships.parent`, if any, must exist. */
  add(id: EntityId, owner: Owner, components: Components): Entity {
    if (this.slots.has(id)) throw new Error(`entity ${id} already exists`);
    const entity: Entity = { id, components };
    this.slots.set(id, { entity, owner, parent: undefined, children: undefined });
    this.link(id, parentIn(components));
    markEntity(this.pending, id, "added");
    return entity;
  }

  /** Replaces one component whole (docs/protocol.md §3 change_components). */
  setComponent(id: EntityId, name: string, value: Json): void {
    const components = this.mustGet(id).components as Record<string, Json>;
    const before = Object.hasOwn(components, name) ? components[name] : undefined;
    components[name] = value;
    if (name === "relationships") this.link(id, parentIn(components));
    // The history keeps `before` only when a patch needs it (a moved transform's patch is the new value whole).
    markComponent(this.pending, id, name, replacedBefore(before, value));
  }

  removeComponent(id: EntityId, name: string): void {
    const entity = this.mustGet(id);
    const components = entity.components as Record<string, unknown>;
    if (!Object.hasOwn(components, name)) return;
    const before = components[name] as Json;
    delete components[name];
    if (name === "relationships") this.link(id, undefined);
    markComponent(this.pending, id, name, before);
  }

  /**
   * Marks a component changed after its value was mutated in place (simulation, animations). The mutation must keep
   * every key it had (patches send the value whole and merge it); to drop keys, setComponent a new value.
   */
  touch(id: EntityId, name: string): void {
    if (this.slots.has(id)) markComponent(this.pending, id, name, MUTATED_IN_PLACE);
  }

  /** Removes one entity; its children keep pointing at it, so callers remove or reparent them first. */
  private removeOne(id: EntityId): RemovedEntity | undefined {
    const slot = this.slots.get(id);
    if (!slot) return undefined;
    this.link(id, undefined);
    this.slots.delete(id);
    markEntity(this.pending, id, "removed");
    return { id, owner: slot.owner };
  }

  /** Removes an entity and all its descendants (deepest first). Returns what was removed, in pre-order. */
  removeCascade(id: EntityId): RemovedEntity[] {
    const order = this.subtree(id);
    const removed: RemovedEntity[] = [];
    for (let i = order.length - 1; i >= 0; i--) {
      const e = this.removeOne(order[i]);
      if (e) removed.push(e);
    }
    return removed.reverse();
  }

  /** Removes an entity; its children become roots and keep their world transform (docs/protocol.md §3, fix). */
  removeReparent(id: EntityId): RemovedEntity[] {
    for (const child of [...this.childrenOf(id)]) {
      const components = this.mustGet(child).components as Record<string, unknown>;
      const transform = components.transform;
      const kept = typeof transform === "object" && transform !== null && !Array.isArray(transform) ? transform : {};
      // Huge but finite matrices can multiply into Infinity: then the child keeps its own matrix.
      const world = this.worldMatrix(child);
      if (world.every(Number.isFinite))
        this.setComponent(child, "transform", { ...(kept as Record<string, Json>), matrix: world });
      this.removeComponent(child, "relationships");
    }
    const e = this.removeOne(id);
    return e ? [e] : [];
  }

  /** The entity and its descendants, depth-first pre-order, children in insertion order. */
  subtree(id: EntityId): EntityId[] {
    const out: EntityId[] = [];
    if (!this.slots.has(id)) return out;
    const stack: EntityId[] = [id];
    while (stack.length) {
      const next = stack.pop()!;
      out.push(next);
      const children = [...this.childrenOf(next)];
      for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
    }
    return out;
  }

  /** True when `ancestor` is `id` or one of its ancestors. Walks up, so it costs the depth, not the world. */
  isSelfOrAncestor(ancestor: EntityId, id: EntityId): boolean {
    for (let at: EntityId | undefined = id; at !== undefined; at = this.parentOf(at)) if (at === ancestor) return true;
    return false;
  }

  /** The entity's transform in world space: parent world × own matrix (column-major, gl-matrix). */
  worldMatrix(id: EntityId): number[] {
    const chain: EntityId[] = [];
    for (let at: EntityId | undefined = id; at !== undefined && chain.length <= this.slots.size; at = this.parentOf(at))
      chain.push(at);
    // Plain arrays: gl-matrix's default Float32Array would lose precision the wire keeps (64-bit doubles).
    const out = identityMatrix();
    for (let i = chain.length - 1; i >= 0; i--) {
      const local = localMatrix(this.get(chain[i]));
      if (local) mat4.multiply(out as mat4, out as mat4, local as mat4);
    }
    return out;
  }

  /** Seals pending changes into a new revision. Returns its change-set, or undefined when nothing changed. */
  commit(): ChangeSet | undefined {
    if (this.pending.size === 0) return undefined;
    const changes = this.pending;
    this.pending = new Map();
    const from = this._revision;
    this._revision = from >= MAX_REVISION ? 1 : from + 1;
    this.history.record(from, this._revision, changes);
    return changes;
  }

  /** The whole document at the current revision. Values are the world's own objects: read, never mutate. */
  toDocument(): WorldDocument {
    const entities: Record<EntityId, Entity> = {};
    for (const [id, slot] of this.slots) entities[id] = slot.entity;
    return { entities, revision: this._revision };
  }

  private mustGet(id: EntityId): Entity {
    const slot = this.slots.get(id);
    if (!slot) throw new Error(`no such entity ${id}`);
    return slot.entity;
  }

  /** Keeps the parent/children index equal to `relationships.parent`. */
  private link(id: EntityId, parent: EntityId | undefined): void {
    const slot = this.slots.get(id);
    if (!slot || slot.parent === parent) return;
    if (slot.parent !== undefined) {
      const old = this.slots.get(slot.parent);
      if (old?.children?.delete(id) && old.children.size === 0) old.children = undefined;
    }
    const next = parent !== undefined ? this.slots.get(parent) : undefined;
    slot.parent = next ? parent : undefined;
    if (next) (next.children ??= new Set()).add(id);
  }
}

const EMPTY: ReadonlySet<EntityId> = new Set();

function parentIn(components: Components): EntityId | undefined {
  const rel = components.relationships as { parent?: unknown } | undefined;
  return rel && typeof rel.parent === "string" && rel.parent !== "" ? rel.parent : undefined;
}

/** The entity's own matrix, or undefined for identity. */
function localMatrix(entity: Entity | undefined): number[] | undefined {
  const matrix = (entity?.components.transform as { matrix?: unknown } | undefined)?.matrix;
  return isMatrix(matrix) ? matrix : undefined;
}

/** The place entity (docs/protocol.md §5): always there, owned by the place, with a transform and the clock. */
export function addPlaceEntity(world: World, time: number): void {
  world.add(PLACE_ENTITY_ID, PLACE_OWNER, { transform: { matrix: identityMatrix() }, clock: { time } });
}
