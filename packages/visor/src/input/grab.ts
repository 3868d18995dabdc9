// Dragging a grabbable: the right hand follows the mouse ray at the distance where the grab began, and the intent
// carries `grab {entity, grabber_from_entity_transform}` so the place moves the entity, with its actuate_on and
// constraints (docs/protocol.md §6.1). `["grabbing", bool]` tells the entity's owner (docs/protocol.md §3).
import * as THREE from "three";
import type { EntityId, Pose } from "@allo/protocol";
import { RESTING_HANDS } from "../avatar.ts";

export interface GrabTarget {
  entityId: EntityId;
  /** World transform of the grabbed entity when the grab began. */
  entityWorld: THREE.Matrix4;
  /** Where the ray hit it. */
  hitPoint: THREE.Vector3;
}

interface ActiveGrab {
  entityId: EntityId;
  distance: number;
  grabberFromEntity: THREE.Matrix4;
  handWorld: THREE.Matrix4;
}

const MIN_DISTANCE = 0.2;
const MAX_DISTANCE = 50;

export class Grab {
  private active: ActiveGrab | undefined;

  constructor(private readonly notify: (entityId: EntityId, grabbing: boolean) => void) {}

  get entityId(): EntityId | undefined {
    return this.active?.entityId;
  }

  begin(target: GrabTarget, ray: THREE.Ray, cameraRotation: THREE.Quaternion): void {
    const distance = Math.max(MIN_DISTANCE, ray.origin.distanceTo(target.hitPoint));
    const handWorld = handAt(ray, distance, cameraRotation);
    const grabberFromEntity = handWorld.clone().invert().multiply(target.entityWorld);
    this.active = { entityId: target.entityId, distance, grabberFromEntity, handWorld };
    this.notify(target.entityId, true);
  }

  move(ray: THREE.Ray, cameraRotation: THREE.Quaternion): void {
    if (!this.active) return;
    this.active.handWorld = handAt(ray, this.active.distance, cameraRotation);
  }

  /** Mouse wheel while grabbing: push the entity away or pull it closer. */
  pushBy(wheelDelta: number): void {
    if (!this.active) return;
    this.active.distance = Math.max(
      MIN_DISTANCE,
      Math.min(MAX_DISTANCE, this.active.distance * Math.pow(1.0015, wheelDelta)),
    );
  }

  end(): void {
    if (!this.active) return;
    const { entityId } = this.active;
    this.active = undefined;
    this.notify(entityId, false);
  }

  /** The right hand's pose for the intent, in the avatar's frame. */
  rightHandPose(avatarWorld: THREE.Matrix4 | undefined): Pose {
    if (!this.active) return { matrix: [...RESTING_HANDS["hand/right"]] };
    const avatarInverse = avatarWorld ? avatarWorld.clone().invert() : new THREE.Matrix4();
    const handLocal = avatarInverse.multiply(this.active.handWorld);
    return {
      matrix: handLocal.toArray(),
      grab: { entity: this.active.entityId, grabber_from_entity_transform: this.active.grabberFromEntity.toArray() },
    };
  }
}

function handAt(ray: THREE.Ray, distance: number, rotation: THREE.Quaternion): THREE.Matrix4 {
  const position = ray.at(distance, new THREE.Vector3());
  return new THREE.Matrix4().compose(position, rotation, new THREE.Vector3(1, 1, 1));
}
