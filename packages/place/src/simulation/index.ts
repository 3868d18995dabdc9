// The place's simulation (docs/protocol.md §6): per tick, stick movement and grabbing for every agent with a live
// avatar and an intent, pose actuation, then property animations. An agent without a live avatar is skipped and never
// stops the others (a fix); a failure in one agent's step is logged and the rest go on.
import type { EntityId } from "@allo/protocol";
import type { Agent } from "../agent.ts";
import type { PlaceContext, Simulation } from "../types.ts";
import { animationsOf } from "./animations.ts";
import { applyGrabs } from "./grabbing.ts";
import { PoseActuators } from "./poses.ts";
import { stickMovement } from "./stick.ts";

/** dt is capped so a stalled event loop does not teleport avatars (reference: 0.2 s). */
const MAX_DT = 0.2;

export interface PlaceSimulation extends Simulation {
  readonly stats: { steps: number; agentsSimulated: number; agentFailures: number; grabsRefused: number };
}

export function createSimulation(): PlaceSimulation {
  const poses = new PoseActuators();
  let last: number | undefined;
  const refusedOnce = new WeakMap<Agent, Set<EntityId>>();
  const stats = { steps: 0, agentsSimulated: 0, agentFailures: 0, grabsRefused: 0 };

  const refused = (ctx: PlaceContext) => (agent: Agent, entity: EntityId, reason: string) => {
    stats.grabsRefused++;
    let seen = refusedOnce.get(agent);
    if (!seen) refusedOnce.set(agent, (seen = new Set()));
    if (seen.has(entity)) return;
    seen.add(entity);
    ctx.log.info("grab refused", { agent: agent.id, entity, reason });
  };

  return {
    stats,
    step(ctx, now) {
      stats.steps++;
      const dt = last === undefined ? 0 : Math.min(Math.max(now - last, 0), MAX_DT);
      last = now;
      const world = ctx.world;
      const live: Agent[] = [];
      const byAvatar = new Map<EntityId, Agent>();
      for (const agent of ctx.agents.values()) {
        if (agent.closing || agent.avatarId === undefined || !world.has(agent.avatarId)) continue;
        byAvatar.set(agent.avatarId, agent);
        if (agent.intent) live.push(agent);
      }
      for (const agent of live) guarded(ctx, agent, () => stickMovement(world, agent, agent.avatarId!, dt));
      poses.refresh(world);
      poses.apply(ctx, byAvatar);
      const onRefused = refused(ctx);
      for (const agent of live) guarded(ctx, agent, () => applyGrabs(ctx, agent, agent.avatarId!, onRefused));
      stats.agentsSimulated += live.length;
      animationsOf(ctx).step(now);
    },
  };

  function guarded(ctx: PlaceContext, agent: Agent, work: () => void): void {
    try {
      work();
    } catch (e) {
      stats.agentFailures++;
      ctx.log.error("simulation failed for one agent; the others go on", { agent: agent.id, error: e });
    }
  }
}

export { animationsOf, Animations } from "./animations.ts";
export { grabTarget, constrain } from "./grabbing.ts";
export { PoseActuators } from "./poses.ts";
export { STICK_SPEED } from "./stick.ts";
