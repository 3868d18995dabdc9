// Grabbing (docs/protocol.md §6.1): while a hand pose carries `grab`, the grabbed entity — or
// the entity its `grabbable.actuate_on` names — follows the hand. Fixes of the reference: actuate_on must be the
// entity, "$parent" or an ancestor (and owned by the grabbed entity's owner, so nobody steers others' entities by
// parenting a grabbable of their own under them); constraints blend rotation by swing-twist; scale is kept.
import { mat4, quat, vec3 } from "gl-matrix";
import { isNumberTuple, isPlainObject, matrixRotation, type EntityId, type PoseName } from "@allo/protocol";
import type { Agent } from "../agent.ts";
import type { PlaceContext } from "../types.ts";
import { localMatrix, setLocalMatrix } from "./matrices.ts";
import { poseChild } from "./poses.ts";

const HANDS: PoseName[] = ["hand/left", "hand/right"];
const m4 = () => new Float64Array(16);

export type GrabTarget = { ok: true; actuated: EntityId } | { ok: false; reason: string };

/** Which entity a grab of `grabbed` moves, or why none. */
export function grabTarget(ctx: PlaceContext, grabbed: EntityId): GrabTarget {
  const world = ctx.world;
  const grabbable = world.get(grabbed)?.components.grabbable;
  // Presence makes an entity grabbable (reference); alloui's explicit `grabbable: false` turns it off.
  if (grabbable === undefined || (isPlainObject(grabbable) && grabbable.grabbable === false))
    return { ok: false, reason: "not grabbable" };
  const actuateOn = isPlainObject(grabbable) ? grabbable.actuate_on : undefined;
  if (actuateOn === undefined || actuateOn === "" || actuateOn === grabbed) return { ok: true, actuated: grabbed };
  if (typeof actuateOn !== "string") return { ok: false, reason: "actuate_on must be a string" };
  const actuated = actuateOn === "$parent" ? world.parentOf(grabbed) : actuateOn;
  if (actuated === undefined) return { ok: false, reason: "actuate_on is $parent but the entity has no parent" };
  if (!world.has(actuated) || !world.isSelfOrAncestor(actuated, grabbed))
    return { ok: false, reason: `actuate_on ${actuateOn} is not an ancestor` };
  if (world.ownerOf(actuated) !== world.ownerOf(grabbed))
    return { ok: false, reason: `actuate_on ${actuateOn} has another owner` };
  return { ok: true, actuated };
}

/** Applies both hands' grabs of one agent. `refused` is told once per refused (agent, entity) pair, for the log. */
export function applyGrabs(
  ctx: PlaceContext,
  agent: Agent,
  avatarId: EntityId,
  refused: (agent: Agent, entity: EntityId, reason: string) => void,
): void {
  const world = ctx.world;
  for (const hand of HANDS) {
    const pose = agent.intent?.poses[hand];
    const grab = pose?.grab;
    if (!pose || !grab || !world.has(grab.entity)) continue;
    const target = grabTarget(ctx, grab.entity);
    if (!target.ok) {
      refused(agent, grab.entity, target.reason);
      continue;
    }
    // The hand in world space: its pose-actuated entity, else the avatar's world matrix times the pose.
    const grabberId = poseChild(world, avatarId, hand);
    const grabberWorld = grabberId
      ? world.worldMatrix(grabberId)
      : mat4.multiply(m4(), world.worldMatrix(avatarId) as mat4, pose.matrix as mat4);
    const grabbedTarget = mat4.multiply(m4(), grabberWorld as mat4, grab.grabber_from_entity_transform as mat4);
    let actuatedTarget = grabbedTarget;
    if (target.actuated !== grab.entity) {
      const grabbedInverse = mat4.invert(m4(), world.worldMatrix(grab.entity) as mat4);
      if (!grabbedInverse) continue;
      actuatedTarget = mat4.multiply(
        m4(),
        mat4.multiply(m4(), grabbedTarget, grabbedInverse),
        world.worldMatrix(target.actuated) as mat4,
      );
    }
    const parent = world.parentOf(target.actuated);
    const parentInverse =
      parent === undefined ? mat4.identity(m4()) : mat4.invert(m4(), world.worldMatrix(parent) as mat4);
    if (!parentInverse) continue;
    const local = mat4.multiply(m4(), parentInverse, actuatedTarget);
    setLocalMatrix(
      world,
      target.actuated,
      constrain(localMatrix(world, target.actuated), local, world.get(grab.entity)!.components.grabbable),
    );
  }
}

/**
 * Per axis, translation = old·(1−t) + new·t. Rotation: the change from old to new, with its quaternion's vector part
 * weighted per axis (r = [0,1,0] keeps exactly the twist about Y), applied to the old rotation. Scale stays the old one.
 */
export function constrain(old: ArrayLike<number>, next: ArrayLike<number>, grabbable: unknown): ArrayLike<number> {
  const options = isPlainObject(grabbable) ? grabbable : {};
  const t = isNumberTuple(options.translation_constraint, 3) ? options.translation_constraint : [1, 1, 1];
  const r = isNumberTuple(options.rotation_constraint, 3) ? options.rotation_constraint : [1, 1, 1];
  const oldT = mat4.getTranslation(new Float64Array(3), old as mat4);
  const newT = mat4.getTranslation(new Float64Array(3), next as mat4);
  const translation = [0, 1, 2].map((i) => oldT[i] * (1 - t[i]) + newT[i] * t[i]);
  const oldR = matrixRotation(old);
  const newR = matrixRotation(next);
  const delta = quat.multiply(new Float64Array(4), newR, quat.invert(new Float64Array(4), oldR));
  const weighted = quat.normalize(new Float64Array(4), [delta[0] * r[0], delta[1] * r[1], delta[2] * r[2], delta[3]]);
  const rotation = quat.multiply(new Float64Array(4), weighted, oldR);
  const scale = mat4.getScaling(new Float64Array(3), old as mat4);
  return mat4.fromRotationTranslationScale(m4(), rotation, translation as vec3, scale);
}
