// ["unsubscribe", subscriptionId] → ["unsubscribe", "ok" | "not_subscribed"] (docs/protocol.md §3).
import { subscriptionsOf } from "../subscriptions.ts";
import type { InteractionHandler } from "../types.ts";
import { refuse } from "./refuse.ts";

export const unsubscribe: InteractionHandler = ({ ctx, agent, interaction }) => {
  const [, id] = interaction.body;
  if (typeof id !== "string" || interaction.body.length !== 2)
    refuse(`unsubscribe takes ["unsubscribe", subscriptionId]`);
  return ["unsubscribe", subscriptionsOf(ctx).remove(agent, id) ? "ok" : "not_subscribed"];
};
