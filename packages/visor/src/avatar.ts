// The visor's avatar: a root with a head and two hands that the place moves from our intent's poses
// (docs/protocol.md §6.1, intent.actuate_pose), so other agents see where we are, look and point.
import type { EntitySpec, Mat4 } from "@allo/protocol";
import { Matrix4 } from "three";

export const EYE_HEIGHT = 1.6;

export function translation(x: number, y: number, z: number): Mat4 {
  return new Matrix4().makeTranslation(x, y, z).toArray();
}

/** Where the hands rest when they are not pointing: avatar-local. */
export const RESTING_HANDS = {
  "hand/left": translation(-0.25, EYE_HEIGHT - 0.5, -0.35),
  "hand/right": translation(0.25, EYE_HEIGHT - 0.5, -0.35),
} as const;

export function avatarSpec(displayName: string, color: [number, number, number, number]): EntitySpec {
  const part = (pose: string, model: string, matrix: Mat4): EntitySpec => ({
    intent: { actuate_pose: pose as never },
    transform: { matrix },
    geometry: { type: "hardcoded-model", name: model },
    material: { color },
  });
  return {
    transform: { matrix: translation(0, 0, 1.5) },
    visor: { display_name: displayName },
    children: [
      part("head", "head", translation(0, EYE_HEIGHT, 0)),
      part("hand/left", "hand", RESTING_HANDS["hand/left"]),
      part("hand/right", "hand", RESTING_HANDS["hand/right"]),
    ],
  };
}

/** A readable colour per visor so two people can tell each other apart. */
export function avatarColor(seed: string): [number, number, number, number] {
  let hash = 0;
  for (const char of seed) hash = (hash * 31 + char.charCodeAt(0)) | 0;
  const hue = ((hash >>> 0) % 360) / 360;
  const [r, g, b] = hslToRgb(hue, 0.6, 0.6);
  return [r, g, b, 1];
}

function hslToRgb(h: number, s: number, l: number): [number, number, number] {
  const k = (n: number) => (n + h * 12) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
  return [f(0), f(8), f(4)];
}
