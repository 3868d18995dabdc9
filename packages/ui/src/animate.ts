// Property animations run in the place (docs/protocol.md §3, §6.2): the app sends add_property_animation with the
// animated entity as receiver and gets an id back; it is removed again when the owning scope is cleaned up.
import { createEffect, getOwner, onCleanup, type JSX } from "solid-js";
import type { InteractionBody, PropertyAnimationDescriptor } from "@allo/protocol";
import { EntityNode, TextNode } from "./node.ts";

export type AnimationTarget = EntityNode | null | undefined | (() => EntityNode | null | undefined);

/**
 * Starts a property animation on `target` once it exists in the place. Resolves with the animation id.
 * Called inside a component or effect, the animation is removed when that scope is cleaned up.
 */
export function animate(target: AnimationTarget, descriptor: PropertyAnimationDescriptor): Promise<string> {
  const node = typeof target === "function" ? target() : target;
  if (!(node instanceof EntityNode))
    return Promise.reject(new Error("animate() needs an entity ref (the node a ref receives)."));
  let cancelled = false;
  const running: RunningAnimation = { descriptor, id: null };
  if (getOwner()) {
    onCleanup(() => {
      cancelled = true;
      node.animations?.delete(running);
      if (running.id) void removeAnimation(node, running.id);
    });
  }
  return node.ready.then(async (entityId) => {
    const client = node.sync?.client;
    if (!client) throw new Error("animate(): the entity is no longer part of a running app.");
    const response = await client.request(entityId, entityId, [
      "add_property_animation",
      descriptor as unknown as InteractionBody[1],
    ]);
    const animationId = String(response[2]);
    running.id = animationId;
    if (cancelled) await removeAnimation(node, animationId);
    else if (descriptor.repeats) (node.animations ??= new Set()).add(running);
    return animationId;
  });
}

type RunningAnimation = NonNullable<EntityNode["animations"]> extends Set<infer T> ? T : never;

/**
 * After a reconnect the new place has none of the entity's animations: the repeating ones start again, from now
 * (their start_at was on the old place's clock). The others have ended, or were feedback for a moment that passed.
 */
export async function restartAnimations(node: EntityNode): Promise<void> {
  const client = node.sync?.client;
  if (!client || !node.id || !node.animations) return;
  for (const running of node.animations) {
    const { start_at: _old, ...descriptor } = running.descriptor;
    const response = await client
      .request(node.id, node.id, ["add_property_animation", descriptor as unknown as InteractionBody[1]])
      .catch(() => null);
    running.id = response ? String(response[2]) : null;
  }
}

/** Stops an animation started with animate(). */
export async function removeAnimation(node: EntityNode, animationId: string): Promise<void> {
  const client = node.sync?.client;
  if (!client || !node.id || node.state !== "live") return;
  await client.request(node.id, node.id, ["remove_property_animation", animationId]).catch(() => undefined);
}

/**
 * The declarative form: `<entity><Animation path="transform.matrix.rotation.y" from={0} to={6.28} repeats/></entity>`
 * animates the entity it is placed in, and restarts when its props change.
 */
export function Animation(props: PropertyAnimationDescriptor): JSX.Element {
  const marker = new TextNode("");
  createEffect(() => {
    const descriptor = { ...props };
    const parent = marker.parent;
    if (parent instanceof EntityNode) void animate(parent, descriptor).catch(() => undefined);
  });
  return marker as unknown as JSX.Element;
}

// ── standard animations (alloui's StandardAnimations, with its bugs fixed) ──────────────────────────────────
/** Shakes the entity sideways: four chained translation.x animations around its current x (failure feedback). */
export async function shake(target: AnimationTarget, width = 0.05, duration = 0.4): Promise<string[]> {
  const node = typeof target === "function" ? target() : target;
  if (!(node instanceof EntityNode)) throw new Error("shake() needs an entity ref.");
  await node.ready;
  const x = matrixOf(node)?.[12] ?? 0;
  const now = node.sync?.client?.serverTime() ?? 0;
  const step = duration / 4;
  const path = "transform.matrix.translation.x";
  const legs: Array<[number, number]> = [
    [x, x + width],
    [x + width, x - width],
    [x - width, x + width / 2],
    [x + width / 2, x],
  ];
  return Promise.all(
    legs.map(([from, to], i) =>
      animate(node, { path, from, to, start_at: now + i * step, duration: step, easing: "sineInOut" }),
    ),
  );
}

/** Grows the entity from nothing with an elastic overshoot (spawn feedback). */
export function spawnBounce(target: AnimationTarget, duration = 0.6): Promise<string> {
  return animate(target, {
    path: "transform.matrix.scale",
    from: [0.01, 0.01, 0.01],
    to: [1, 1, 1],
    duration,
    easing: "elasticOut",
  });
}

/** Shrinks the entity to nothing (before removing it). */
export function scaleOut(target: AnimationTarget, duration = 0.3): Promise<string> {
  return animate(target, {
    path: "transform.matrix.scale",
    from: [1, 1, 1],
    to: [0.001, 0.001, 0.001],
    duration,
    easing: "quadIn",
  });
}

function matrixOf(node: EntityNode): number[] | undefined {
  const transform = node.components.transform as { matrix?: number[] } | undefined;
  return transform?.matrix;
}
