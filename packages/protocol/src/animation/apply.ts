// One animation applied to one entity at one moment: the pure step both the place's simulation and a visor's
// prediction run (PROTOCOL.md §6.2).
import type { Json } from "../types.ts";
import { checkAnimationTarget, type PropertyAnimation } from "./descriptor.ts";
import { sampleAnimation } from "./interpolate.ts";
import { writeKeyPath } from "./key-path.ts";

export type AnimationStep =
  | { state: "pending" }
  /** Write `value` as the whole new value of `component`; `finished` means the animation is over and should be removed. */
  | { state: "running" | "finished"; component: string; value: Json }
  /** The path no longer fits the entity (component removed, value changed kind): the animation should be removed. */
  | { state: "broken"; error: string };

export function stepAnimation(animation: PropertyAnimation, components: Record<string, unknown>, now: number): AnimationStep {
  const sample = sampleAnimation(animation, now);
  if (sample.state === "pending") return sample;
  const target = checkAnimationTarget(animation, components);
  if (!target.ok) return { state: "broken", error: target.error };
  return { state: sample.state, component: target.value.component, value: writeKeyPath(components, target.value, sample.value) };
}
