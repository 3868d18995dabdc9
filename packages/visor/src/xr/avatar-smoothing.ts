// Other people's avatars move at the place's tick rate; in a headset that judders. While presenting, each entity with
// `intent` (head, hands) or `visor` (an avatar's root) is drawn gliding from where it is shown to its newest transform
// over one tick (smoothing.ts). Property animations are evaluated every frame already (scene/animation.ts).
import * as THREE from "three";
import type { Components, EntityId } from "@allo/protocol";
import type { EntityScene } from "../scene/entities.ts";
import { SmoothedMatrix } from "./smoothing.ts";

export class AvatarSmoothing {
  private readonly smoothed = new Map<EntityId, SmoothedMatrix>();
  private readonly target = new THREE.Matrix4();
  private active = false;

  constructor(
    private readonly scene: EntityScene,
    private readonly tickMs: number,
  ) {}

  reset(): void {
    this.smoothed.clear();
    this.active = true;
    for (const id of this.scene.views.keys()) this.changed(id, undefined);
  }

  /** Stop smoothing: every smoothed entity is drawn where the place last put it. */
  release(): void {
    this.active = false;
    for (const id of this.smoothed.keys()) {
      const view = this.scene.views.get(id);
      if (view) this.scene.showAnimated(id, view.components);
    }
    this.smoothed.clear();
  }

  changed(id: EntityId, ownAvatar: EntityId | undefined): void {
    if (!this.active) return;
    const view = this.scene.views.get(id);
    const c = view?.components;
    if (!view || !c || !moves(c) || id === ownAvatar || (ownAvatar && c.relationships?.parent === ownAvatar)) {
      this.smoothed.delete(id);
      return;
    }
    if (!this.smoothed.has(id)) this.smoothed.set(id, new SmoothedMatrix(this.tickMs));
  }

  frame(now: number): void {
    for (const [id, smoothed] of this.smoothed) {
      const view = this.scene.views.get(id);
      const m = view?.components.transform?.matrix;
      if (!view || !Array.isArray(m) || m.length !== 16) {
        this.smoothed.delete(id);
        continue;
      }
      smoothed.target(this.target.fromArray(m), now);
      if (smoothed.step(now))
        this.scene.showAnimated(id, {
          ...view.components,
          transform: { matrix: smoothed.current.toArray() },
        } as Components);
    }
  }
}

function moves(c: Components): boolean {
  return (c.intent !== undefined || c.visor !== undefined) && c.property_animations === undefined;
}
