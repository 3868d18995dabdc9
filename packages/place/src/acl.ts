// Permission check for every interaction an agent sends, after "announce first" (PROTOCOL.md §2 rule 7, §4).
// The default rules: an agent changes, removes and animates only what it owns; kick_agent and modify_acl are denied.
// Self-contained on purpose: the pattern-language ACL replaces this body and keeps `permit`'s signature.
import { PLACE_ENTITY_ID, type EntityId, type Interaction } from "@allo/protocol";
import type { Agent } from "./agent.ts";
import type { PlaceContext } from "./types.ts";

export type Permission = { allowed: true } | { allowed: false; rule: string };

const ALLOWED: Permission = { allowed: true };

/** Interactions that act on an entity the sender must own, and where that entity is named. */
const OWNED_TARGET: Record<string, (i: Interaction) => EntityId | undefined> = {
  change_components: (i) => stringAt(i, 1),
  remove_entity: (i) => stringAt(i, 1),
  add_property_animation: animatedEntity,
  remove_property_animation: animatedEntity,
};

const ALWAYS_DENIED = new Set(["kick_agent", "modify_acl"]);

export function permit(ctx: PlaceContext, agent: Agent, interaction: Interaction): Permission {
  const name = interaction.body[0];
  const toPlace = interaction.receiverEntityId === PLACE_ENTITY_ID;
  const placeHandled = toPlace || name === "add_property_animation" || name === "remove_property_animation";
  if (!placeHandled || interaction.type === "response") return ALLOWED;
  if (ALWAYS_DENIED.has(name)) return { allowed: false, rule: `deny ${name} (default rule)` };
  const target = OWNED_TARGET[name]?.(interaction);
  // A missing or unknown target is the handler's error to report, not a denial.
  if (target === undefined || !ctx.world.has(target)) return ALLOWED;
  if (ctx.world.ownerOf(target) !== agent.id) {
    return { allowed: false, rule: `deny ${name} on an entity whose owner(...) is not agent() (default rule)` };
  }
  return ALLOWED;
}

function stringAt(i: Interaction, index: number): EntityId | undefined {
  const v = i.body[index];
  return typeof v === "string" ? v : undefined;
}

/** The receiver when it is an entity (seed), the sender when the receiver is the place (reference). PROTOCOL.md §3. */
function animatedEntity(i: Interaction): EntityId {
  return i.receiverEntityId === PLACE_ENTITY_ID ? i.senderEntityId : i.receiverEntityId;
}
