// One app's sync with its place: collects what the node tree changed during a tick and flushes it once, as
// removals, then spawns (one spawn_entity with nested children per new subtree), then one change_components per
// entity carrying only the components that differ from what the place has (docs/renderer.md).
import { jsonEqual, type EntityId, type EntitySpec, type Json, type Logger } from "@allo/protocol";
import { EntityNode, RootNode } from "./node.ts";
import type { UiClient } from "./client.ts";
import { matchAnnounced } from "./announce-match.ts";
import { adopt } from "./adopt.ts";
import { MessageBudget } from "./budget.ts";
import { restartAnimations } from "./animate.ts";
import {
  connectSubtree,
  detachedTops,
  disconnectSubtree,
  forEachEntity,
  hasDetached,
  isConnected,
  someEntity,
  specOf,
} from "./tree.ts";
import type { ContainerNode } from "./node.ts";

/** What announce spawns: the avatar node and the descendants nested into its spec. */
export interface AvatarPlan {
  spec: EntitySpec;
  included: EntityNode[];
  parentIndex: number[];
  components: Array<Record<string, Json>>;
}

export interface FlushCounters {
  flushes: number;
  spawns: number;
  changes: number;
  removals: number;
}

export class EntitySync {
  client: UiClient | null = null;
  readonly byId = new Map<EntityId, EntityNode>();
  /** The root entity that is the app's avatar (docs/protocol.md §3 announce). */
  avatar: EntityNode | null = null;
  /** Components the avatar entity has on the place while no node owns it. */
  avatarSent: Record<string, Json> = {};
  readonly counters: FlushCounters = { flushes: 0, spawns: 0, changes: 0, removals: 0 };
  private readonly pending = new Set<EntityNode>();
  private readonly dirty = new Set<EntityNode>();
  /** Top nodes removed this tick, with the parent they left. */
  private readonly removed = new Map<EntityNode, ContainerNode>();
  /** Removed live keyed nodes a new node with the same key under the same parent may take over, this flush. */
  private adoptable = new Map<ContainerNode, Map<string, EntityNode>>();
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly removeQueue: EntityId[] = [];
  private scheduled = false;
  private disposed = false;

  /** Budget for one spawn_entity message; bigger subtrees are spawned in parts. */
  maxSpawnBytes = 768 * 1024;
  /** World messages per second and burst (budget.ts). */
  readonly budget = new MessageBudget();

  constructor(
    readonly root: RootNode,
    private readonly logger: Logger,
  ) {
    root.sync = this;
  }

  // ── what the renderer callbacks report ────────────────────────────────────────────────────────────────
  /** A node (and its subtree) became connected to this app. */
  attached(node: EntityNode): void {
    connectSubtree(node, this);
    if (node.parent === this.root && !this.avatar && this.client) this.adoptAvatar(node);
    this.pending.add(node);
    if (node.state === "live" && node.parent instanceof EntityNode && node.parent.id !== node.serverParent) {
      this.markDirty(node); // moved under another parent: relationships change at flush
    }
    this.schedule();
  }

  /** The top node of a subtree left its parent. Despawn is deferred: Solid moves nodes by insert-then-remove. */
  detached(node: EntityNode, from: ContainerNode): void {
    this.removed.set(node, from);
    this.schedule();
  }

  /** Entities whose request is being answered: removing one first would make the place drop the answer. */
  private readonly answering = new Map<EntityNode, number>();

  holdForAnswer(node: EntityNode): void {
    this.answering.set(node, (this.answering.get(node) ?? 0) + 1);
  }

  answered(node: EntityNode): void {
    const left = (this.answering.get(node) ?? 1) - 1;
    if (left > 0) this.answering.set(node, left);
    else {
      this.answering.delete(node);
      if (this.removed.size) this.schedule();
    }
  }

  markDirty(node: EntityNode): void {
    this.dirty.add(node);
    this.schedule();
  }

  schedule(): void {
    if (this.scheduled || this.disposed) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  /** Called once connected: the client exists and the avatar id is known. */
  connected(client: UiClient, avatarId: EntityId, avatarComponents: Record<string, Json>): void {
    this.client = client;
    this.avatarSent = avatarComponents;
    this.avatarId = avatarId;
    const first = this.root.childEntities().next().value;
    if (first && !this.avatar) this.adoptAvatar(first);
    this.schedule();
  }

  avatarId: EntityId | null = null;

  /** The place went away (the client is reconnecting): nothing is sent until the app is announced again. */
  suspend(): void {
    this.client = null;
  }

  /**
   * Before announcing again to a place that knows none of our ids: every node in the tree is detached (its live
   * component values stay; the announce and the next flush spawn them anew), and what pointed at old ids is dropped.
   * Animations restart on their entity once it is live again.
   */
  forgetPlace(): void {
    this.client = null;
    for (const top of this.root.childEntities()) {
      forEachEntity(top, (node) => {
        if (node.state !== "detached") node.markDetached();
        node.dirty.clear();
        if (node.animations?.size) void node.ready.then(() => restartAnimations(node));
      });
    }
    this.byId.clear();
    this.pending.clear();
    this.dirty.clear();
    this.removed.clear();
    this.adoptable.clear();
    this.answering.clear();
    this.removeQueue.length = 0;
    this.avatar = null;
    this.avatarSent = {};
    this.avatarId = null;
  }

  /** The announce spec: the first root entity with as much of its subtree as fits one message. */
  avatarPlan(): AvatarPlan | null {
    const first = this.root.childEntities().next().value;
    if (!first) return null;
    const included: EntityNode[] = [];
    const parentIndex: number[] = [];
    const spec = specOf(first, included, parentIndex, -1, { bytes: this.maxSpawnBytes });
    return { spec, included, parentIndex, components: included.map((n) => ({ ...n.components })) };
  }

  /** After announce: the avatar and the descendants spawned with it become live, matched in the mirror. */
  announced(client: UiClient, avatarId: EntityId, plan: AvatarPlan | null): void {
    if (!plan) return this.connected(client, avatarId, {});
    const [avatar, ...rest] = plan.included;
    const ids = matchAnnounced(plan.included, plan.parentIndex, plan.components, avatarId, client.world.entities);
    rest.forEach((node, k) => {
      const i = k + 1;
      const id = ids[i];
      const parentId = ids[plan.parentIndex[i]];
      if (!id || !parentId || node.state !== "detached") {
        this.logger.warn("an entity spawned with the avatar was not found in the world; it will be spawned again", {
          node: String(node),
        });
        return;
      }
      node.sent = plan.components[i];
      node.serverParent = parentId;
      this.byId.set(id, node);
      node.markLive(id);
      if (!jsonEqual(node.components, node.sent) || node.parent !== plan.included[plan.parentIndex[i]]) {
        for (const name of new Set([...Object.keys(node.components), ...Object.keys(node.sent)])) node.dirty.add(name);
        this.dirty.add(node);
      }
    });
    this.client = client;
    this.avatarSent = plan.components[0];
    this.avatarId = avatarId;
    const first = avatar.parent === this.root ? avatar : this.root.childEntities().next().value;
    if (first && !this.avatar) this.adoptAvatar(first);
    if (this.avatar) this.pending.add(this.avatar); // descendants that did not fit the announce spawn next
    this.schedule();
  }

  private adoptAvatar(node: EntityNode): void {
    if (!this.avatarId) return;
    this.avatar = node;
    node.sent = this.avatarSent;
    node.serverParent = null;
    this.byId.set(this.avatarId, node);
    node.markLive(this.avatarId);
    this.pending.delete(node);
    for (const name of new Set([...Object.keys(node.components), ...Object.keys(node.sent)])) node.dirty.add(name);
    this.dirty.add(node);
    for (const child of node.childEntities()) if (child.state === "detached") this.pending.add(child);
  }

  // ── the flush ─────────────────────────────────────────────────────────────────────────────────────────
  flush(): void {
    if (!this.client || this.disposed) return;
    this.counters.flushes++;
    this.flushRemovals();
    this.drainRemoveQueue();
    this.flushSpawns();
    this.despawnUnadopted();
    this.flushChanges();
  }

  /** Takes one message from the rate budget; when it is empty, a flush is planned for when a token is back. */
  private take(): boolean {
    return this.disposed ? false : this.budget.take(() => this.schedule());
  }

  private drainRemoveQueue(): void {
    while (this.client && this.removeQueue.length && this.take()) {
      this.counters.removals++;
      const id = this.removeQueue.shift()!;
      this.track(this.client!.removeEntity(id, "cascade"), `remove_entity ${id}`);
    }
  }

  private flushRemovals(): void {
    const removed = [...this.removed];
    this.removed.clear();
    for (const [node, from] of removed) {
      if (isConnected(node, this.root)) continue; // moved or re-inserted in the same tick: keep it
      if (this.answering.size && someEntity(node, (n) => this.answering.has(n))) {
        this.removed.set(node, from); // removed once its pending answer went out
        continue;
      }
      disconnectSubtree(node);
      if (node === this.avatar) {
        this.releaseAvatar(node);
        continue;
      }
      if (node.key !== undefined && node.state === "live") {
        const byKey = this.adoptable.get(from) ?? new Map<string, EntityNode>();
        byKey.set(node.key, node);
        this.adoptable.set(from, byKey);
        continue; // decided after the spawns: adopted by a successor, or removed
      }
      this.despawn(node);
    }
  }

  /** A removed keyed entity taken over by `top` (same key, same parent), if there is one. */
  private adoptFor(top: EntityNode): boolean {
    if (top.key === undefined || !top.parent) return false;
    const old = this.adoptable.get(top.parent)?.get(top.key);
    if (!old) return false;
    this.adoptable.get(top.parent)!.delete(top.key);
    adopt(old, top, this);
    if (hasDetached(top)) this.pending.add(top);
    return true;
  }

  private despawnUnadopted(): void {
    for (const byKey of this.adoptable.values()) for (const node of byKey.values()) this.despawn(node);
    this.adoptable.clear();
  }

  /** The avatar cannot be removed while connected: drop its children and keep it for the next root node. */
  private releaseAvatar(node: EntityNode): void {
    this.avatar = null;
    this.avatarSent = node.sent;
    for (const child of node.childEntities()) this.despawn(child);
    if (this.avatarId) this.byId.delete(this.avatarId);
    node.markDetached();
    const next = this.root.childEntities().next().value;
    if (next) this.adoptAvatar(next);
  }

  /** Removes a subtree from the place (the top node; the place cascades) and forgets its ids. */
  despawn(node: EntityNode): void {
    const id = node.id;
    forEachEntity(node, (n) => {
      if (n.id) this.byId.delete(n.id);
      this.pending.delete(n);
      this.dirty.delete(n);
      n.dirty.clear();
      if (n.state !== "detached") n.markDetached();
    });
    // A spawn still in flight is removed when its response arrives (its generation changed).
    if (id) this.sendRemove(id);
  }

  private sendRemove(id: EntityId): void {
    this.removeQueue.push(id);
    this.drainRemoveQueue();
  }

  private flushSpawns(): void {
    const candidates = [...this.pending];
    this.pending.clear();
    const tops = new Set<EntityNode>();
    for (const node of candidates) {
      if (!isConnected(node, this.root)) continue;
      for (const top of detachedTops(node)) {
        const parent = top.parent;
        if (parent instanceof RootNode || (parent instanceof EntityNode && parent.state === "live")) tops.add(top);
        // A spawning parent re-queues its detached children when its ids arrive; a detached one spawns them.
      }
    }
    for (const top of tops) {
      if (top.state !== "detached") continue;
      if (this.adoptFor(top)) continue;
      if (this.take()) this.spawn(top);
      else this.pending.add(top);
    }
    if (this.pending.size && tops.size) {
      // Adopted nodes may hold new children; spawn them in this same flush.
      const again = [...this.pending].filter((n) => n.state === "live");
      if (again.length) this.flushSpawns();
    }
  }

  private spawn(top: EntityNode): void {
    const included: EntityNode[] = [];
    const parentIndex: number[] = [];
    const spec = specOf(top, included, parentIndex, -1, { bytes: this.maxSpawnBytes });
    const parent = top.parent instanceof EntityNode ? top.parent.id : null;
    if (parent) spec.relationships = { parent };
    const generations = included.map((n) => {
      n.state = "spawning";
      n.sent = { ...n.components };
      n.dirty.clear();
      return n.generation;
    });
    this.counters.spawns++;
    const request = this.client!.spawnEntity(spec).then(({ id, descendants }) => {
      const ids = [id, ...descendants];
      if (ids.length !== included.length) {
        this.logger.warn("spawn_entity answered with an unexpected number of ids", {
          expected: included.length,
          got: ids.length,
        });
      }
      const stale = included.map((n, i) => n.generation !== generations[i] || !isConnected(n, this.root));
      included.forEach((node, i) => {
        const nodeId = ids[i];
        if (!nodeId) return;
        if (stale[i]) {
          // Removed while the spawn was in flight; a removed ancestor in this spawn takes it along (cascade).
          if (i === 0 || !stale[parentIndex[i]]) this.sendRemoveQuietly(nodeId);
          return;
        }
        this.spawned(node, nodeId, i === 0 ? parent : ids[parentIndex[i]]);
      });
    });
    this.track(request, "spawn_entity");
  }

  private spawned(node: EntityNode, id: EntityId, parentId: EntityId | null | undefined): void {
    node.serverParent = parentId ?? null;
    this.byId.set(id, node);
    node.markLive(id);
    // Changes made while spawning stayed dirty; a move under another parent shows as a relationships change.
    const currentParent = node.parent instanceof EntityNode ? node.parent.id : null;
    if (node.dirty.size || currentParent !== node.serverParent) this.markDirty(node);
    for (const child of node.childEntities())
      if (child.state === "live" && child.serverParent !== id) this.markDirty(child);
    if (hasDetached(node)) {
      this.pending.add(node);
      this.schedule();
    }
  }

  private sendRemoveQuietly(id: EntityId): void {
    this.client!.removeEntity(id, "cascade").catch((error: unknown) =>
      this.logger.debug("stale entity already gone", { id, error: String(error) }),
    );
  }

  // Where the per-write work went: each dirty component is compared by value with what the place has, once per flush.
  private flushChanges(): void {
    if (!this.dirty.size) return;
    const nodes = [...this.dirty];
    this.dirty.clear();
    for (const node of nodes) {
      if (node.state !== "live" || !node.id) continue; // spawning nodes keep their dirty set until the id arrives
      let set: Record<string, Json> | undefined;
      let remove: string[] | undefined;
      for (const name of node.dirty) {
        const value = node.components[name];
        const had = node.sent[name];
        if (value === undefined) {
          if (had !== undefined) (remove ??= []).push(name);
        } else if (had === undefined || !jsonEqual(value, had)) (set ??= {})[name] = value;
      }
      const parentId = node === this.avatar ? null : node.parent instanceof EntityNode ? node.parent.id : null;
      const moved = node !== this.avatar && parentId !== null && parentId !== node.serverParent;
      if (!set && !remove && !moved) {
        node.dirty.clear(); // written back to what the place has: nothing to send
        continue;
      }
      if (!this.take()) {
        this.dirty.add(node); // its names stay dirty for the flush the budget plans
        continue;
      }
      node.dirty.clear();
      set ??= {};
      if (moved) {
        set.relationships = { parent: parentId };
        node.serverParent = parentId;
      }
      if (remove) for (const name of remove) delete node.sent[name];
      for (const name in set) node.sent[name] = set[name];
      this.counters.changes++;
      this.track(this.client!.changeComponents(node.id, set, remove ?? []), `change_components ${node.id}`);
    }
  }

  private track(request: Promise<unknown>, what: string): void {
    const tracked = request.catch((error: unknown) => {
      // Cut off by a place that went away: forgetPlace() and the next announce spawn it all anew.
      if (error instanceof Error && error.name === "ReconnectingError")
        this.logger.debug(`${what} cut off by the reconnect`);
      else if (!this.disposed)
        this.logger.warn(`${what} failed`, { error: error instanceof Error ? error.message : String(error) });
    });
    this.inflight.add(tracked);
    void tracked.finally(() => this.inflight.delete(tracked));
  }

  /** Resolves when everything sent so far has been answered (after the pending flush). */
  async settled(): Promise<void> {
    while (this.scheduled || this.inflight.size || this.budget.waiting) {
      if (this.scheduled) await new Promise<void>((r) => queueMicrotask(r));
      else if (this.inflight.size) await Promise.all([...this.inflight]);
      else await this.budget.waiting;
    }
  }

  /**
   * Stops flushing. With `closing` (render() opened the connection) the place removes everything the app owns when
   * it disconnects; otherwise the app's root entities are removed here (the avatar's children, not the avatar).
   */
  async despawnAll(closing: boolean): Promise<void> {
    if (!closing) {
      this.flush();
      for (const node of [...this.root.childEntities()]) {
        if (node === this.avatar) for (const child of [...node.childEntities()]) this.despawn(child);
        else this.despawn(node);
      }
      await this.settled();
    } else await Promise.all([...this.inflight]);
    this.disposed = true;
    this.budget.stop();
  }
}
