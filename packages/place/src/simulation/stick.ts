// Stick movement (docs/protocol.md §6.1): 2 m/s in the avatar's yawed frame, yaw absolute, turning about
// the head, never ascending. Applied to the avatar's local transform.
import { mat4, vec3 } from "gl-matrix";
import type { Agent } from "../agent.ts";
import type { World } from "../world.ts";
import { localMatrix, setLocalMatrix } from "./matrices.ts";
import { poseChild } from "./poses.ts";

export const STICK_SPEED = 2; // m/s

const m4 = () => new Float64Array(16);
const v3 = () => new Float64Array(3);

/** R(yaw about −Y) · H · T(x, 0, z) · H⁻¹, with the vertical part of its translation removed. */
function movement(yaw: number, x: number, z: number, head: ArrayLike<number>): mat4 {
  const m = mat4.fromRotation(m4(), yaw, [0, -1, 0]);
  mat4.multiply(m, m, head as mat4);
  mat4.translate(m, m, [x, 0, z]);
  mat4.multiply(m, m, mat4.invert(m4(), head as mat4) ?? m4());
  // No ascending: cancel the image of the origin's height (reference stick_movement.c).
  m[13] = 0;
  return m;
}

export function stickMovement(world: World, agent: Agent, avatarId: string, dt: number): void {
  const intent = agent.intent;
  if (!intent?.wants_stick_movement) return;
  const d = STICK_SPEED * dt;
  const headId = poseChild(world, avatarId, "head");
  const head = headId ? localMatrix(world, headId) : mat4.identity(m4());
  const old = localMatrix(world, avatarId);
  const position = mat4.getTranslation(v3(), old);
  const at = (m: ArrayLike<number>) =>
    vec3.transformMat4(v3(), [0, 0, 0], mat4.multiply(m4(), m as mat4, head as mat4));

  const moved = movement(intent.yaw, intent.xmovement * d, intent.zmovement * d, head);
  const turnedOnly = mat4.multiply(m4(), mat4.fromTranslation(m4(), position), movement(intent.yaw, 0, 0, head));
  // Turn about the head, not the avatar's origin: shift by where the head was minus where turning alone puts it.
  const shift = vec3.subtract(v3(), at(old), at(turnedOnly));
  const next = mat4.fromTranslation(m4(), vec3.add(v3(), shift, position));
  mat4.multiply(next, next, moved);
  setLocalMatrix(world, avatarId, next);
}
