// ["spawn_entity", spec] → ["spawn_entity", rootId, [descendantIds…]] (docs/protocol.md §3).
import type { InteractionHandler } from "../types.ts";
import { refuse } from "./refuse.ts";
import { checkSpec, spawnTree } from "./spawn.ts";

export const spawnEntity: InteractionHandler = ({ ctx, agent, interaction }) => {
  const body = interaction.body;
  if (body.length !== 2) refuse(`spawn_entity takes one spec: ["spawn_entity", {components…, "children": […]}]`);
  const spec = checkSpec(ctx, agent, body[1], "spec");
  const [root, ...descendants] = spawnTree(ctx, agent, spec);
  return ["spawn_entity", root, descendants];
};
