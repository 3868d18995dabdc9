// ["remove_entity", id, "reparent"|"cascade"] → ["remove_entity", "ok"] (docs/protocol.md §3).
import { PLACE_ENTITY_ID } from "@allo/protocol";
import type { InteractionHandler } from "../types.ts";
import { refuse } from "./refuse.ts";

export const removeEntity: InteractionHandler = ({ ctx, interaction }) => {
  const [, id, mode = "cascade"] = interaction.body;
  if (typeof id !== "string") refuse(`remove_entity takes an entity id: ["remove_entity", id, "reparent"|"cascade"]`);
  if (mode !== "cascade" && mode !== "reparent") refuse(`remove_entity mode must be "reparent" or "cascade"`);
  if (interaction.body.length > 3) refuse(`remove_entity takes at most an id and a mode`);
  if (id === PLACE_ENTITY_ID) refuse(`the place entity cannot be removed`);
  if (!ctx.world.has(id)) refuse(`no such entity`);
  ctx.removeEntity(id, mode);
  return ["remove_entity", "ok"];
};
