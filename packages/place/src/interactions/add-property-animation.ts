// ["add_property_animation", {descriptor}] → ["add_property_animation", "ok", animId] (docs/protocol.md §3, §6.2).
// Animates the receiver when it is an entity (seed), the sender when the receiver is "place" (reference). Ownership is
// the ACL's default rule; the descriptor is validated fully and each problem refused with its reason.
import { PLACE_ENTITY_ID } from "@allo/protocol";
import { animationsOf } from "../simulation/animations.ts";
import type { InteractionHandler } from "../types.ts";
import { refuse } from "./refuse.ts";

export const addPropertyAnimation: InteractionHandler = ({ ctx, interaction }) => {
  const body = interaction.body;
  if (body.length !== 2) refuse(`add_property_animation takes ["add_property_animation", {path, from, to, …}]`);
  const target = animatedEntity(interaction.senderEntityId, interaction.receiverEntityId);
  if (target === PLACE_ENTITY_ID) refuse("the place entity cannot be animated");
  if (!ctx.world.has(target)) refuse("no such entity");
  const added = animationsOf(ctx).add(target, body[1]);
  if (!added.ok) refuse(added.error);
  return ["add_property_animation", "ok", added.id];
};

/** docs/protocol.md §3: the receiver entity, or the sender when the receiver is the place. */
export function animatedEntity(sender: string, receiver: string): string {
  return receiver === PLACE_ENTITY_ID ? sender : receiver;
}
