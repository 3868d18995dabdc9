// Intents (docs/protocol.md §6.1): missing fields default to 0 / identity / false, invalid ones are ignored.
import type { Intent, Pose, PoseName } from "./types.ts";
import { isFiniteNumber, isMatrix, isPlainObject } from "./validate-json.ts";

export const POSE_NAMES: readonly PoseName[] = ["root", "head", "torso", "hand/left", "hand/right"];
const POSES = new Set<string>(POSE_NAMES);

export function isPoseName(x: unknown): x is PoseName {
  return typeof x === "string" && POSES.has(x);
}

/** Revisions are integers in [0, 2^53 − 1] (docs/protocol.md §5). */
export function isRevision(x: unknown): x is number {
  return typeof x === "number" && Number.isSafeInteger(x) && x >= 0;
}

/**
 * Normalises an untrusted intent object. Stick movement is clamped to [-1, 1] (1 = full speed) so that a hostile
 * value cannot teleport an avatar; a pose without a 16-number matrix, or a grab without entity + matrix, is dropped.
 */
export function normaliseIntent(raw: Record<string, unknown>): Intent {
  const intent: Intent = {
    xmovement: clampUnit(raw.xmovement),
    zmovement: clampUnit(raw.zmovement),
    yaw: isFiniteNumber(raw.yaw) ? raw.yaw : 0,
    pitch: isFiniteNumber(raw.pitch) ? raw.pitch : 0,
    poses: normalisePoses(raw.poses),
    ack_state_rev: isRevision(raw.ack_state_rev) ? raw.ack_state_rev : 0,
    wants_stick_movement: raw.wants_stick_movement === true,
  };
  return intent;
}

function clampUnit(x: unknown): number {
  return isFiniteNumber(x) ? Math.max(-1, Math.min(1, x)) : 0;
}

function normalisePoses(raw: unknown): Intent["poses"] {
  const poses: Intent["poses"] = {};
  if (!isPlainObject(raw)) return poses;
  for (const name of POSE_NAMES) {
    if (!Object.hasOwn(raw, name)) continue;
    const pose = raw[name];
    if (!isPlainObject(pose) || !isMatrix(pose.matrix)) continue;
    const out: Pose = { matrix: pose.matrix };
    const grab = pose.grab;
    if (
      isPlainObject(grab) &&
      typeof grab.entity === "string" &&
      grab.entity !== "" &&
      isMatrix(grab.grabber_from_entity_transform)
    ) {
      out.grab = { entity: grab.entity, grabber_from_entity_transform: grab.grabber_from_entity_transform };
    }
    poses[name] = out;
  }
  return poses;
}
