// The local shadow tree the Solid renderer builds: one EntityNode per <entity>, text nodes only as Solid's
// placeholders. No I/O happens here; the sync (flush.ts) turns node state into messages once per tick.
// Children are a doubly linked list so inserts before an anchor and sibling walks are O(1)
// (solid-js/universal calls getNextSibling/insertNode per item while reconciling <For>).
import type { Owner } from "solid-js";
import type { EntityId, Json, PropertyAnimationDescriptor } from "@allo/protocol";
import type { AssetUses } from "./asset-props.ts";
import type { EntitySync } from "./flush.ts";
import type { EventHandler } from "./events.ts";

/** detached: not on the server (never spawned, or despawned); spawning: spawn_entity in flight; live: has an id. */
export type NodeState = "detached" | "spawning" | "live";

abstract class TreeNode {
  parent: ContainerNode | null = null;
  prev: AnyNode | null = null;
  next: AnyNode | null = null;
}

export class TextNode extends TreeNode {
  readonly isText = true;
  constructor(public text: string) {
    super();
  }
}

abstract class ContainerNode extends TreeNode {
  first: AnyNode | null = null;
  last: AnyNode | null = null;
  /** The app this node is connected to (set while its chain of parents reaches a render root). */
  sync: EntitySync | null = null;

  *childEntities(): Generator<EntityNode> {
    for (let c = this.first; c; c = c.next) if (c instanceof EntityNode) yield c;
  }
}

export type AnyNode = EntityNode | TextNode;

/** The invisible container `render()` inserts the app into; its entity children are the app's root entities. */
export class RootNode extends ContainerNode {}

/** One `<entity>`: its components, handlers and server identity. This is what a `ref` receives. */
export class EntityNode extends ContainerNode {
  readonly isText = false;
  /** Current component values (what the app wants). */
  readonly components: Record<string, Json> = {};
  /** Component values the place has for this entity, as far as we sent them. */
  sent: Record<string, Json> = {};
  /** Names changed since the last flush. */
  readonly dirty = new Set<string>();
  readonly handlers = new Map<string, EventHandler>();
  key: string | undefined;
  state: NodeState = "detached";
  /** The entity id once spawned. */
  id: EntityId | null = null;
  /** The parent id the place knows for this entity (to notice moves between parents). */
  serverParent: EntityId | null = null;
  /** Bumped on each spawn and despawn, so a late spawn response can tell it is stale. */
  generation = 0;
  /** The Solid owner it was created under: its disposal is this node's unmount (asset-props.ts). */
  owner: Owner | null = null;
  /** Property animations started with animate() and not removed: restarted after a reconnect (animate.ts). */
  animations: Set<{ descriptor: PropertyAnimationDescriptor; id: string | null }> | undefined;
  /** The assets its components name through asset() refs, while it uses them. */
  assetUses: AssetUses | undefined;
  private readyWaiters: Array<(id: EntityId) => void> = [];
  private watchers: Set<(name: string) => void> | undefined;

  constructor(readonly tag: string) {
    super();
  }

  /** Resolves with the entity id once the entity exists in the place. */
  get ready(): Promise<EntityId> {
    if (this.id && this.state === "live") return Promise.resolve(this.id);
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Set components imperatively (bypassing reactivity), e.g. for high-rate updates. Undefined removes. */
  set(components: Record<string, Json | undefined>): void {
    for (const [name, value] of Object.entries(components)) this.setComponent(name, value);
  }

  // The hot path of every prop write: no allocation and no value comparison here. An inline object is a new object on
  // every effect run (docs/renderer.md, "Changes"); the flush compares each dirty component by value, once, with
  // what the place has, however many times it was written in the tick.
  setComponent(name: string, value: Json | undefined | false): void {
    const next = value === false || value === null ? undefined : value;
    if (next === undefined) {
      if (!(name in this.components)) return;
      delete this.components[name];
    } else {
      if (this.components[name] === next) return;
      this.components[name] = next;
    }
    this.dirty.add(name);
    this.sync?.markDirty(this);
    if (this.watchers) for (const watcher of this.watchers) watcher(name);
  }

  /** Calls `watcher` with the name of each component written with a new value (layout containers follow children). */
  watch(watcher: (name: string) => void): () => void {
    (this.watchers ??= new Set()).add(watcher);
    return () => this.watchers?.delete(watcher);
  }

  /** Whether the chain of parents reaches a render root. */
  get connected(): boolean {
    return this.sync !== null;
  }

  markLive(id: EntityId): void {
    this.id = id;
    this.state = "live";
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const w of waiters) w(id);
  }

  markDetached(): void {
    this.id = null;
    this.state = "detached";
    this.serverParent = null;
    this.sent = {};
    this.generation++;
  }

  toString(): string {
    return `<entity${this.key ? ` key="${this.key}"` : ""}${this.id ? ` id=${this.id}` : ""}>`;
  }
}

/** Insert `node` under `parent` before `anchor` (append without one), unlinking it from wherever it was. */
export function link(parent: ContainerNode, node: AnyNode, anchor?: AnyNode | null): void {
  if (node.parent) unlink(node.parent, node);
  node.parent = parent;
  if (anchor && anchor.parent === parent) {
    node.prev = anchor.prev;
    node.next = anchor;
    if (anchor.prev) anchor.prev.next = node;
    else parent.first = node;
    anchor.prev = node;
  } else {
    node.prev = parent.last;
    node.next = null;
    if (parent.last) parent.last.next = node;
    else parent.first = node;
    parent.last = node;
  }
}

export function unlink(parent: ContainerNode, node: AnyNode): void {
  if (node.parent !== parent) return;
  if (node.prev) node.prev.next = node.next;
  else parent.first = node.next;
  if (node.next) node.next.prev = node.prev;
  else parent.last = node.prev;
  node.parent = null;
  node.prev = null;
  node.next = null;
}

export type { ContainerNode };
