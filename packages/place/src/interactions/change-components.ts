// ["change_components", id, "add_or_change", {…}, "remove", […]] → ["change_components", "ok"] (docs/protocol.md §3).
// Each named component is replaced whole; removals run after. Everything is checked before anything changes.
import { SERVER_OWNED_COMPONENTS, validateComponents, type Json } from "@allo/protocol";
import type { InteractionHandler } from "../types.ts";
import { findNullMember, nullMemberProblem } from "./null-members.ts";
import { refuse } from "./refuse.ts";

const SERVER_OWNED = new Set<string>(SERVER_OWNED_COMPONENTS);
const USAGE = `change_components takes ["change_components", id, "add_or_change", {name: value…}, "remove", [name…]]`;

export const changeComponents: InteractionHandler = ({ ctx, interaction }) => {
  const body = interaction.body;
  const [, id, addLabel, changes, removeLabel, removals = []] = body;
  if (typeof id !== "string" || addLabel !== "add_or_change" || body.length > 6) refuse(USAGE);
  if (body.length > 4 && removeLabel !== "remove") refuse(USAGE);
  const checked = validateComponents(changes, "add_or_change");
  if (!checked.ok) refuse(checked.error);
  if (!Array.isArray(removals) || !removals.every((n): n is string => typeof n === "string"))
    refuse(`remove must be an array of component names`);
  if (!ctx.world.has(id)) refuse(`no such entity`);
  const set = checked.value as Record<string, Json>;
  for (const name of [...Object.keys(set), ...removals]) {
    if (SERVER_OWNED.has(name)) refuse(`${name} is written by the place only`);
  }
  const nullAt = findNullMember(set, "add_or_change");
  if (nullAt) refuse(nullMemberProblem(nullAt));
  const relationships = set.relationships as { parent: string } | undefined;
  if (relationships && !removals.includes("relationships")) {
    const parent = relationships.parent;
    if (!ctx.world.has(parent)) refuse(`relationships.parent ${JSON.stringify(parent)}: no such entity`);
    // The new parent must not be the entity itself or one of its descendants (docs/protocol.md §3: no cycles).
    if (ctx.world.isSelfOrAncestor(id, parent))
      refuse(`relationships.parent ${JSON.stringify(parent)} would make a cycle`);
  }
  for (const name in set) ctx.world.setComponent(id, name, set[name]);
  for (const name of removals) ctx.world.removeComponent(id, name);
  return ["change_components", "ok"];
};
