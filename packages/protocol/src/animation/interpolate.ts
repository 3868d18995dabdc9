// Interpolation of animation values and the timing of one animation (docs/protocol.md §6.2).
import { mat4, quat, vec3 } from "gl-matrix";
import { ease, type EasingName } from "./easings.ts";
import type { AnimationValue } from "../types.ts";
import { matrixRotation, rotationToQuat, type AnimationKind } from "./key-path.ts";

/**
 * The value at eased progress f (which may leave [0, 1] for elastic and back curves). f = 0 gives `from` and f = 1
 * gives `to` exactly. Numbers and vec3 are linear, rotations slerp, mat4 is decomposed (translation lerp, rotation
 * slerp, scale lerp) and recomposed — from→to, fixing the reference's reversed mat4 blend.
 */
export function interpolate(kind: AnimationKind, from: AnimationValue, to: AnimationValue, f: number): AnimationValue {
  if (f === 0) return copy(from);
  if (f === 1) return copy(to);
  switch (kind) {
    case "number":
      return lerp(from as number, to as number, f);
    case "vec3":
      return (from as number[]).map((a, i) => lerp(a, (to as number[])[i], f));
    case "rotation":
      return slerpRotation(from as number[], to as number[], f);
    case "mat4":
      return blendMatrices(from as number[], to as number[], f);
  }
}

const lerp = (a: number, b: number, f: number) => a + (b - a) * f;
const copy = (value: AnimationValue): AnimationValue => (Array.isArray(value) ? [...value] : value);

const fromQuat = new Float64Array(4);
const toQuat = new Float64Array(4);
const blended = new Float64Array(4);
const blendedAxis = new Float64Array(3);

function slerpRotation(from: number[], to: number[], f: number): number[] {
  const q = quat.slerp(blended, rotationToQuat(from, fromQuat), rotationToQuat(to, toQuat), f);
  quat.normalize(q, q);
  const angle = quat.getAxisAngle(blendedAxis, q);
  return [angle, blendedAxis[0], blendedAxis[1], blendedAxis[2]];
}

function blendMatrices(from: number[], to: number[], f: number): number[] {
  const parts = (m: number[]) => ({
    t: mat4.getTranslation(new Float64Array(3), m),
    r: matrixRotation(m),
    s: mat4.getScaling(new Float64Array(3), m),
  });
  const a = parts(from);
  const b = parts(to);
  const t = vec3.lerp(new Float64Array(3), a.t, b.t, f);
  const s = vec3.lerp(new Float64Array(3), a.s, b.s, f);
  const r = quat.normalize(new Float64Array(4), quat.slerp(new Float64Array(4), a.r, b.r, f));
  return Array.from(mat4.fromRotationTranslationScale(new Float64Array(16), r, t, s));
}

// ── Timing ──────────────────────────────────────────────────────────────────────────────────────────────────

export interface AnimationTiming {
  from: AnimationValue;
  to: AnimationValue;
  kind: AnimationKind;
  /** Server seconds. */
  startAt: number;
  /** Seconds, > 0. */
  duration: number;
  easing: EasingName;
  repeats: boolean;
  autoreverses: boolean;
}

export type AnimationSample =
  { state: "pending" } | { state: "running"; value: AnimationValue } | { state: "finished"; value: AnimationValue };

/**
 * The animation's value at server time `now`. Iterations are `duration` long; with `autoreverses`, odd iterations run
 * to→from (the easing still runs forward, as in the reference). A non-repeating animation plays one iteration (two
 * with autoreverses, ending back at `from`), then is finished with its exact final value.
 */
export function sampleAnimation(animation: AnimationTiming, now: number): AnimationSample {
  const elapsed = now - animation.startAt;
  if (elapsed < 0) return { state: "pending" };
  const { duration, repeats, autoreverses, from, to, kind } = animation;
  const iterations = autoreverses ? 2 : 1;
  if (!repeats && elapsed >= iterations * duration) return { state: "finished", value: copy(autoreverses ? from : to) };
  const iteration = Math.floor(elapsed / duration);
  const progress = Math.min(1, (elapsed - iteration * duration) / duration);
  const eased = ease(animation.easing, progress);
  const reversed = autoreverses && iteration % 2 === 1;
  return {
    state: "running",
    value: reversed ? interpolate(kind, to, from, eased) : interpolate(kind, from, to, eased),
  };
}
