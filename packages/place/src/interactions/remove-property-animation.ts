// ["remove_property_animation", animId] → ["remove_property_animation", "ok", animId] (docs/protocol.md §3). The
// animation is looked up on the animated entity (receiver, or sender when the receiver is "place"), so the default
// ownership rule of the ACL can see whose it is. The animated value stays where the animation left it.
import { animationsOf } from "../simulation/animations.ts";
import type { InteractionHandler } from "../types.ts";
import { animatedEntity } from "./add-property-animation.ts";
import { refuse } from "./refuse.ts";

export const removePropertyAnimation: InteractionHandler = ({ ctx, interaction }) => {
  const [, id] = interaction.body;
  if (typeof id !== "string" || interaction.body.length !== 2)
    refuse(`remove_property_animation takes ["remove_property_animation", animId]`);
  const target = animatedEntity(interaction.senderEntityId, interaction.receiverEntityId);
  if (!ctx.world.has(target)) refuse("no such entity");
  if (!animationsOf(ctx).remove(target, id)) refuse(`no animation ${JSON.stringify(id)} on that entity`);
  return ["remove_property_animation", "ok", id];
};
