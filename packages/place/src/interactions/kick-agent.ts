// ["kick_agent", agentId] → ["kick_agent", "ok"]; denied by the default ACL (docs/protocol.md §3, §4).
import { CloseCode } from "@allo/protocol";
import type { InteractionHandler } from "../types.ts";
import { refuse } from "./refuse.ts";

export const kickAgent: InteractionHandler = ({ ctx, interaction }) => {
  const [, agentId] = interaction.body;
  if (typeof agentId !== "string" || interaction.body.length !== 2)
    refuse(`kick_agent takes an agent id: ["kick_agent", agentId]`);
  const target = ctx.agents.get(agentId);
  if (!target) refuse(`no such agent`);
  // After the response is on its way to the requester (who may be kicking itself).
  queueMicrotask(() => ctx.disconnect(target, CloseCode.kicked, "kicked"));
  return ["kick_agent", "ok"];
};
