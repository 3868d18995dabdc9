// Small helpers the simulation shares: reading and writing an entity's local matrix without needless changes.
import { identityMatrix, isMatrix, isPlainObject, type EntityId, type Json } from "@allo/protocol";
import type { World } from "../world.ts";

/** The entity's `transform.matrix`, or identity. */
export function localMatrix(world: World, id: EntityId): number[] {
  const transform = world.get(id)?.components.transform as { matrix?: unknown } | undefined;
  return transform && isMatrix(transform.matrix) ? transform.matrix : identityMatrix();
}

/** Below this, a new matrix is the old one: writing it would only cost bandwidth (float noise from re-composition). */
const SAME = 1e-12;

/**
 * Sets `transform.matrix`, keeping the transform's other keys; false (and no change marked) when nothing moved, or
 * when the matrix holds a non-finite number: huge but finite poses multiply into Infinity, which JSON would send as
 * null (docs/protocol.md §10).
 */
export function setLocalMatrix(world: World, id: EntityId, matrix: ArrayLike<number>): boolean {
  if (!isFiniteMatrix(matrix)) return false;
  const transform = world.get(id)?.components.transform;
  const old = isPlainObject(transform) && isMatrix(transform.matrix) ? transform.matrix : undefined;
  if (old && old.every((v, i) => Math.abs(v - matrix[i]) <= SAME)) return false;
  const kept = isPlainObject(transform) ? (transform as Record<string, Json>) : {};
  world.setComponent(id, "transform", { ...kept, matrix: Array.from(matrix) });
  return true;
}

export function isFiniteMatrix(m: ArrayLike<number>): boolean {
  if (m.length !== 16) return false;
  for (let i = 0; i < 16; i++) if (!Number.isFinite(m[i])) return false;
  return true;
}

export function isIdentity(m: readonly number[]): boolean {
  return m.every((v, i) => v === (i % 5 === 0 ? 1 : 0));
}
