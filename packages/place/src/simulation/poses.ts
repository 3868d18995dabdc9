// Pose actuation (docs/protocol.md §6.1): an entity with `intent.actuate_pose` follows that pose of an agent's intent.
// Which entities those are is kept as an index refreshed from the world's change-sets, so a tick costs the number of
// pose-actuated entities, not the size of the world.
import { isPlainObject, isPoseName, type EntityId, type PoseName } from "@allo/protocol";
import type { Agent } from "../agent.ts";
import type { PlaceContext } from "../types.ts";
import type { World } from "../world.ts";
import { isIdentity, setLocalMatrix } from "./matrices.ts";

interface Actuator {
  pose: PoseName;
  fromAvatar: EntityId | undefined;
}

export class PoseActuators {
  private actuators = new Map<EntityId, Actuator>();
  private seenRevision: number | undefined;

  get size(): number {
    return this.actuators.size;
  }

  /** Catches up with what changed since the last call (a full scan only when the history no longer reaches back). */
  refresh(world: World): void {
    const latest = world.revision;
    if (this.seenRevision === latest) return;
    const changes = this.seenRevision === undefined ? undefined : world.history.compose(this.seenRevision);
    if (!changes) {
      this.actuators.clear();
      for (const id of world.ids()) this.read(world, id);
    } else {
      for (const [id, change] of changes) {
        if (change === "removed") this.actuators.delete(id);
        else if (change === "added" || change.has("intent")) this.read(world, id);
      }
    }
    this.seenRevision = latest;
  }

  /** Moves every actuated entity to its pose. `byAvatar`: announced agents by avatar id. */
  apply(ctx: PlaceContext, byAvatar: ReadonlyMap<EntityId, Agent>): void {
    const world = ctx.world;
    for (const [id, actuator] of this.actuators) {
      if (!world.has(id)) continue;
      const source = actuator.fromAvatar !== undefined ? byAvatar.get(actuator.fromAvatar) : ctx.agentOwning(id);
      if (!source?.intent || source.avatarId === undefined || !world.has(source.avatarId)) continue;
      if (actuator.fromAvatar === undefined) {
        // Reference rule: a root pose moves the avatar itself; other poses move the avatar's direct children.
        const placed = actuator.pose === "root" ? id === source.avatarId : world.parentOf(id) === source.avatarId;
        if (!placed) continue;
      }
      const pose = source.intent.poses[actuator.pose];
      // An exactly-identity pose means "not tracked" (docs/protocol.md §6.1).
      if (!pose || isIdentity(pose.matrix)) continue;
      setLocalMatrix(world, id, pose.matrix);
    }
  }

  private read(world: World, id: EntityId): void {
    const intent = world.get(id)?.components.intent;
    if (!isPlainObject(intent) || !isPoseName(intent.actuate_pose)) {
      this.actuators.delete(id);
      return;
    }
    const fromAvatar =
      typeof intent.from_avatar === "string" && intent.from_avatar !== "" ? intent.from_avatar : undefined;
    this.actuators.set(id, { pose: intent.actuate_pose, fromAvatar });
  }
}

/** The avatar's direct child that actuates `pose`, if any. */
export function poseChild(world: World, avatarId: EntityId, pose: PoseName): EntityId | undefined {
  for (const child of world.childrenOf(avatarId)) {
    const intent = world.get(child)?.components.intent;
    if (isPlainObject(intent) && intent.actuate_pose === pose) return child;
  }
  return undefined;
}
