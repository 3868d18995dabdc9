// ["list_agents"] → ["list_agents", "ok", [{agent_id, display_name, verified_identity, avatar_id, is_visor, stats}…]] (docs/protocol.md §3).
import type { Json } from "@allo/protocol";
import type { InteractionHandler } from "../types.ts";

export const listAgents: InteractionHandler = ({ ctx }) => {
  const list: Json[] = [];
  for (const agent of ctx.agents.values()) {
    // Agents that have not announced yet have no identity to list (the reference crashed on them).
    if (!agent.announced) continue;
    const avatar = ctx.world.get(agent.avatarId!);
    list.push({
      agent_id: agent.id,
      display_name: agent.displayName,
      verified_identity: (agent.verified ?? null) as Json,
      avatar_id: agent.avatarId!,
      is_visor: avatar !== undefined && "visor" in avatar.components,
      stats: { entities: agent.owned.size, ...agent.stats },
    });
  }
  return ["list_agents", "ok", list];
};
