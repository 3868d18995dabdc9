// Property animations drawn smoothly between state frames: the place streams animated values at its tick rate; the
// visor evaluates the same animations every frame at the estimated server time, with the shared math of
// @allo/protocol (docs/protocol.md §6.2), and draws the result without changing the mirror.
import {
  stepAnimation,
  validateAnimationDescriptor,
  type Components,
  type EntityId,
  type PropertyAnimation,
} from "@allo/protocol";
import type { EntityScene } from "./entities.ts";

interface Animated {
  /** The property_animations component these were parsed from (values are never mutated: `===` tells change). */
  source: unknown;
  animations: PropertyAnimation[];
}

export class AnimationPlayer {
  private readonly animated = new Map<EntityId, Animated>();

  constructor(private readonly onProblem: (id: EntityId, problem: string) => void) {}

  /** Call after an entity was added or changed. */
  track(id: EntityId, components: Components): void {
    const source = components.property_animations;
    const descriptors =
      source && typeof source === "object" ? (source as { animations?: unknown }).animations : undefined;
    if (!descriptors || typeof descriptors !== "object" || Object.keys(descriptors).length === 0) {
      this.animated.delete(id);
      return;
    }
    if (this.animated.get(id)?.source === source) return;
    const animations: PropertyAnimation[] = [];
    for (const [animationId, descriptor] of Object.entries(descriptors as Record<string, unknown>)) {
      const parsed = validateAnimationDescriptor(descriptor, { now: 0 });
      if (parsed.ok) animations.push(parsed.value);
      else this.onProblem(id, `animation ${animationId}: ${parsed.error}`);
    }
    if (animations.length) this.animated.set(id, { source, animations });
    else this.animated.delete(id);
  }

  forget(id: EntityId): void {
    this.animated.delete(id);
  }

  clear(): void {
    this.animated.clear();
  }

  get count(): number {
    return this.animated.size;
  }

  /** Draw every animated entity as it is at `serverTime` (seconds). */
  frame(serverTime: number, scene: EntityScene): void {
    for (const [id] of this.animated) {
      const view = scene.views.get(id);
      if (!view) continue;
      const shown: Record<string, unknown> = { ...view.components };
      for (const animation of this.animated.get(id)!.animations) {
        const step = stepAnimation(animation, shown, serverTime);
        if (step.state === "running" || step.state === "finished") shown[step.component] = step.value;
      }
      scene.showAnimated(id, shown as Components);
    }
  }
}
