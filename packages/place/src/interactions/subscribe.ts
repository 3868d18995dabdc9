// ["subscribe", "<pattern>"] → ["subscribe", subscriptionId] (docs/protocol.md §3, §4).
// A pattern that does not parse is refused with its line and column.
import { parsePattern } from "@allo/protocol";
import { subscriptionsOf } from "../subscriptions.ts";
import type { InteractionHandler } from "../types.ts";
import { refuse } from "./refuse.ts";

export const subscribe: InteractionHandler = ({ ctx, agent, interaction }) => {
  const [, pattern] = interaction.body;
  if (typeof pattern !== "string" || interaction.body.length !== 2)
    refuse(`subscribe takes ["subscribe", "<pattern>"]`);
  const parsed = parsePattern(pattern);
  if (!parsed.ok) refuse(`pattern: ${parsed.error}`);
  const added = subscriptionsOf(ctx).add(agent, pattern, parsed.value);
  if (!added.ok) refuse(added.error);
  return ["subscribe", added.id];
};
