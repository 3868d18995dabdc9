// One animation applied to one entity at one moment: the pure step both the place's simulation and a visor's
// prediction run (docs/protocol.md §6.2).
import type { Json } from "../types.ts";
import { checkAnimationTarget, type PropertyAnimation } from "./descriptor.ts";
import { sampleAnimation } from "./interpolate.ts";
import { stillFits, writeFiniteKeyPath, type ResolvedPath } from "./key-path.ts";

export type AnimationStep =
  | { state: "pending" }
  /**
   * Write `value` as the whole new value of `component`; `finished` means the animation is over and should be removed.
   * `resolved` can be passed back to the next step to skip resolving the path again.
   */
  | { state: "running" | "finished"; component: string; value: Json; resolved: ResolvedPath }
  /**
   * The path no longer fits the entity (component removed, value changed kind), or the value would not be finite
   * (the entity's matrix is so large that recomposing it overflows): the animation should be removed.
   */
  | { state: "broken"; error: string };

export function stepAnimation(
  animation: PropertyAnimation,
  components: Record<string, unknown>,
  now: number,
  resolved?: ResolvedPath,
): AnimationStep {
  const sample = sampleAnimation(animation, now);
  if (sample.state === "pending") return sample;
  let target = resolved;
  if (!target || !stillFits(components, target)) {
    const checked = checkAnimationTarget(animation, components);
    if (!checked.ok) return { state: "broken", error: checked.error };
    target = checked.value;
  }
  const value = writeFiniteKeyPath(components, target, sample.value);
  if (value === undefined)
    return { state: "broken", error: `path "${animation.path.text}" would hold a non-finite number` };
  return { state: sample.state, component: target.component, value, resolved: target };
}
