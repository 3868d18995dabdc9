// Spawning an entity tree, shared by spawn_entity and announce's spawn_avatar (docs/protocol.md §3).
import {
  identityMatrix,
  newEntityId,
  SERVER_OWNED_COMPONENTS,
  validateEntitySpec,
  type Components,
  type EntityId,
  type EntitySpec,
} from "@allo/protocol";
import type { Agent } from "../agent.ts";
import type { PlaceContext } from "../types.ts";
import { findNullMember, nullMemberProblem } from "./null-members.ts";
import { refuse } from "./refuse.ts";

const SERVER_OWNED = new Set<string>(SERVER_OWNED_COMPONENTS);

/** Validates a whole spec tree for `agent` to spawn; refuses with the first problem. Nothing is changed. */
export function checkSpec(ctx: PlaceContext, agent: Agent, x: unknown, path: string): EntitySpec {
  const result = validateEntitySpec(x, path);
  if (!result.ok) refuse(result.error);
  const stack: EntitySpec[] = [result.value];
  let count = 0;
  while (stack.length) {
    const spec = stack.pop()!;
    count++;
    for (const name in spec) {
      if (SERVER_OWNED.has(name)) refuse(`${name} is written by the place only`);
      const nullAt = name === "children" ? undefined : findNullMember(spec[name], name);
      if (nullAt) refuse(nullMemberProblem(nullAt));
    }
    if (spec.children) stack.push(...spec.children);
  }
  const limit = ctx.limits.maxEntitiesPerAgent;
  if (agent.owned.size + count > limit)
    refuse(`this agent owns ${agent.owned.size} entities and may own at most ${limit}; remove some first`);
  const parent = (result.value.relationships as { parent?: string } | undefined)?.parent;
  if (parent !== undefined && !ctx.world.has(parent))
    refuse(`relationships.parent ${JSON.stringify(parent)}: no such entity`);
  return result.value;
}

/**
 * Spawns a checked spec and its children, owned by `agent`. Returns the ids depth-first pre-order, root first.
 * Children get `relationships.parent`; an entity without `transform` gets an identity one.
 */
export function spawnTree(ctx: PlaceContext, agent: Agent, root: EntitySpec): EntityId[] {
  const ids: EntityId[] = [];
  const stack: { spec: EntitySpec; parent: EntityId | undefined }[] = [{ spec: root, parent: undefined }];
  while (stack.length) {
    const { spec, parent } = stack.pop()!;
    const id = uniqueId(ctx);
    const components: Components = {};
    for (const name in spec) if (name !== "children") components[name] = spec[name];
    components.transform ??= { matrix: identityMatrix() };
    if (parent !== undefined) components.relationships = { parent };
    ctx.world.add(id, agent.id, components);
    agent.owned.add(id);
    ids.push(id);
    const children = spec.children ?? [];
    for (let i = children.length - 1; i >= 0; i--) stack.push({ spec: children[i], parent: id });
  }
  return ids;
}

function uniqueId(ctx: PlaceContext): EntityId {
  let id = newEntityId();
  while (ctx.world.has(id)) id = newEntityId();
  return id;
}
