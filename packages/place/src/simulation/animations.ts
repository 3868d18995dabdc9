// Running property animations (docs/protocol.md §6.2). The math is @allo/protocol's; this keeps the running set, writes
// values through the world (so changes are marked), and mirrors descriptors into the `property_animations` component.
// A tick costs the number of running animations, never the size of the world.
import {
  checkAnimationTarget,
  descriptorJson,
  randomId,
  stepAnimation,
  validateAnimationDescriptor,
  type EntityId,
  type Json,
  type PropertyAnimation,
  type ResolvedPath,
} from "@allo/protocol";
import type { PlaceContext } from "../types.ts";

/** A ceiling per entity: each add rewrites the entity's property_animations, and a tick pays for every animation. */
export const MAX_ANIMATIONS_PER_ENTITY = 64;

interface Running {
  id: string;
  entityId: EntityId;
  animation: PropertyAnimation;
  resolved?: ResolvedPath;
}

export type AnimationAdded = { ok: true; id: string } | { ok: false; error: string };

/** Per place; get it with animationsOf(ctx). */
export class Animations {
  private byId = new Map<string, Running>();
  private byEntity = new Map<EntityId, Set<string>>();
  /** Animations finished (final value set) and removed because their path stopped fitting. */
  readonly stats = { added: 0, finished: 0, broken: 0, removed: 0 };

  constructor(private readonly ctx: PlaceContext) {}

  get size(): number {
    return this.byId.size;
  }

  /** Validates the descriptor fully (shape, then path and kind against the entity) and starts it. */
  add(entityId: EntityId, descriptor: unknown): AnimationAdded {
    const entity = this.ctx.world.get(entityId);
    if (!entity) return { ok: false, error: "no such entity" };
    const valid = validateAnimationDescriptor(descriptor, { now: this.ctx.serverTime() });
    if (!valid.ok) return valid;
    const target = checkAnimationTarget(valid.value, entity.components as Record<string, unknown>);
    if (!target.ok) return target;
    if ((this.byEntity.get(entityId)?.size ?? 0) >= MAX_ANIMATIONS_PER_ENTITY) {
      return { ok: false, error: `an entity may run at most ${MAX_ANIMATIONS_PER_ENTITY} animations at once` };
    }
    let id = randomId(8);
    while (this.byId.has(id)) id = randomId(8);
    this.byId.set(id, { id, entityId, animation: valid.value, resolved: target.value });
    let ids = this.byEntity.get(entityId);
    if (!ids) this.byEntity.set(entityId, (ids = new Set()));
    ids.add(id);
    this.stats.added++;
    this.mirror(entityId);
    return { ok: true, id };
  }

  /** True when the animation existed on that entity; the animated value stays where it is. */
  remove(entityId: EntityId, id: string): boolean {
    const running = this.byId.get(id);
    if (!running || running.entityId !== entityId) return false;
    this.forget(running);
    this.stats.removed++;
    this.mirror(entityId);
    return true;
  }

  /** The entity left the world: drop its animations (nothing to mirror). */
  entityRemoved(entityId: EntityId): void {
    const ids = this.byEntity.get(entityId);
    if (!ids) return;
    for (const id of ids) this.byId.delete(id);
    this.byEntity.delete(entityId);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** One tick: every running animation writes its value; finished ones set their final value and go. */
  step(now: number): void {
    const world = this.ctx.world;
    const touched = new Set<EntityId>();
    for (const running of this.byId.values()) {
      const entity = world.get(running.entityId);
      if (!entity) {
        this.entityRemoved(running.entityId);
        continue;
      }
      const step = stepAnimation(
        running.animation,
        entity.components as Record<string, unknown>,
        now,
        running.resolved,
      );
      if (step.state === "pending") continue;
      if (step.state === "broken") {
        // A fix: the original place skipped such animations forever (docs/protocol.md §6.2).
        this.ctx.log.info("animation removed: its path no longer fits or its value would not be finite", {
          entity: running.entityId,
          animation: running.id,
          error: step.error,
        });
        this.stats.broken++;
        this.forget(running);
        touched.add(running.entityId);
        continue;
      }
      running.resolved = step.resolved;
      world.setComponent(running.entityId, step.component, step.value);
      if (step.state === "finished") {
        this.stats.finished++;
        this.forget(running);
        touched.add(running.entityId);
      }
    }
    for (const id of touched) this.mirror(id);
  }

  private forget(running: Running): void {
    this.byId.delete(running.id);
    const ids = this.byEntity.get(running.entityId);
    ids?.delete(running.id);
    if (ids && ids.size === 0) this.byEntity.delete(running.entityId);
  }

  /** `property_animations {animations: {id: descriptor}}` mirrors the running set; removed when empty. */
  private mirror(entityId: EntityId): void {
    const world = this.ctx.world;
    if (!world.has(entityId)) return;
    const ids = this.byEntity.get(entityId);
    if (!ids || ids.size === 0) {
      world.removeComponent(entityId, "property_animations");
      return;
    }
    const animations: Record<string, Json> = {};
    for (const id of ids) animations[id] = descriptorJson(this.byId.get(id)!.animation);
    world.setComponent(entityId, "property_animations", { animations });
  }
}

const KEY = "animations";

/** The place's animations, created on first use; they are dropped with their entity. */
export function animationsOf(ctx: PlaceContext): Animations {
  let animations = ctx.extensions.get(KEY) as Animations | undefined;
  if (!animations) {
    const created = new Animations(ctx);
    animations = created;
    ctx.extensions.set(KEY, created);
    ctx.hooks.onEntityRemoved.push((id) => created.entityRemoved(id));
  }
  return animations;
}
