// The ACL (docs/protocol.md §2 rule 7, §4): ordered allow/deny rules written in the pattern language, checked for every
// interaction an agent sends after "announce first"; the first matching rule decides, no match allows. The default
// rules are ordinary rules in that language: listed, removable and replaceable like any other (seed: Modify ACL).
import { readFileSync } from "node:fs";
import {
  matchInteraction,
  parsePattern,
  randomId,
  toEnvelope,
  type CompiledPattern,
  type Interaction,
  type Json,
} from "@allo/protocol";
import type { Agent } from "./agent.ts";
import type { PlaceContext } from "./types.ts";

export type Permission = { allowed: true } | { allowed: false; rule: string };
export type AclEffect = "allow" | "deny";

/** A rule as configured or listed: `{id, effect, pattern}` (the shape of modify_acl "list"). */
export interface AclRuleSpec {
  id?: string;
  effect: AclEffect;
  pattern: string;
}

/** The place's ACL configuration (PlaceOptions.acl, or a config file's "acl" key). */
export interface AclConfig {
  /** Rules checked before the defaults, in order. */
  rules?: AclRuleSpec[];
  /** Leave out the default rules entirely (the config's rules replace them). */
  replaceDefaults?: boolean;
}

interface AclRule {
  id: string;
  effect: AclEffect;
  pattern: string;
  compiled: CompiledPattern;
  name: string | undefined;
}

/** The defaults of docs/protocol.md §4, in the language itself. Stable ids, so an operator can remove one by name. */
export const DEFAULT_ACL_RULES: readonly Required<AclRuleSpec>[] = [
  {
    id: "default-change-components",
    effect: "deny",
    pattern: `["interaction", _, _, "place", _, ["change_components", Entity, ...]] where owner(Entity) != agent()`,
  },
  {
    id: "default-remove-entity",
    effect: "deny",
    pattern: `["interaction", _, _, "place", _, ["remove_entity", Entity, ...]] where owner(Entity) != agent()`,
  },
  // The receiver is the animated entity, unless it is the place (then the sender is, which rule 2 makes the agent's own).
  {
    id: "default-add-property-animation",
    effect: "deny",
    pattern: `["interaction", _, _, Entity, _, ["add_property_animation", ...]] where Entity != "place" and owner(Entity) != agent()`,
  },
  {
    id: "default-remove-property-animation",
    effect: "deny",
    pattern: `["interaction", _, _, Entity, _, ["remove_property_animation", ...]] where Entity != "place" and owner(Entity) != agent()`,
  },
  // Children under someone else's entity (an overlay on their avatar) need its owner's consent: the component
  // `accepts_children` on the parent (docs/protocol.md §10). Spawning, reparenting, and an avatar's own parent.
  {
    id: "default-spawn-under-others",
    effect: "deny",
    pattern: `["interaction", _, _, "place", _, ["spawn_entity", {"relationships": {"parent": Parent}}, ...]] where owner(Parent) != agent() and not ("accepts_children" in components(Parent))`,
  },
  {
    id: "default-reparent-under-others",
    effect: "deny",
    pattern: `["interaction", _, _, "place", _, ["change_components", _, "add_or_change", {"relationships": {"parent": Parent}}, ...]] where owner(Parent) != agent() and not ("accepts_children" in components(Parent))`,
  },
  {
    id: "default-announce-under-others",
    effect: "deny",
    pattern: `["interaction", "request", _, "place", _, ["announce", _, _, _, _, _, {"relationships": {"parent": Parent}}]] where not ("accepts_children" in components(Parent))`,
  },
  { id: "default-kick-agent", effect: "deny", pattern: `["interaction", _, _, "place", _, ["kick_agent", ...]]` },
  { id: "default-modify-acl", effect: "deny", pattern: `["interaction", _, _, "place", _, ["modify_acl", ...]]` },
];

export const MAX_ACL_RULES = 256;

export type AclResult<T> = { ok: true; value: T } | { ok: false; error: string };

export class Acl {
  private rules: AclRule[] = [];

  /** Adds a rule; `first` (the default for modify_acl) puts it before every other rule. */
  add(spec: AclRuleSpec, position: "first" | "last" = "first"): AclResult<string> {
    if (spec.effect !== "allow" && spec.effect !== "deny")
      return { ok: false, error: `effect must be "allow" or "deny"` };
    if (this.rules.length >= MAX_ACL_RULES) return { ok: false, error: `the ACL already has ${MAX_ACL_RULES} rules` };
    const parsed = parsePattern(spec.pattern);
    if (!parsed.ok) return { ok: false, error: `pattern: ${parsed.error}` };
    const id = spec.id ?? `rule-${randomId(8)}`;
    if (this.has(id)) return { ok: false, error: `a rule with id ${JSON.stringify(id)} already exists` };
    const rule: AclRule = {
      id,
      effect: spec.effect,
      pattern: spec.pattern,
      compiled: parsed.value,
      name: interactionNameOf(parsed.value),
    };
    if (position === "first") this.rules.unshift(rule);
    else this.rules.push(rule);
    return { ok: true, value: id };
  }

  has(id: string): boolean {
    return this.rules.some((r) => r.id === id);
  }

  remove(id: string): boolean {
    const at = this.rules.findIndex((r) => r.id === id);
    if (at < 0) return false;
    this.rules.splice(at, 1);
    return true;
  }

  list(): Required<AclRuleSpec>[] {
    return this.rules.map(({ id, effect, pattern }) => ({ id, effect, pattern }));
  }

  /** The first matching rule decides; no match allows. */
  check(ctx: PlaceContext, agent: Agent, interaction: Interaction): Permission {
    const name = interaction.body[0];
    let envelope: Json[] | undefined;
    // identity() is what the place verified (auth.ts), never the self-declared display_name (docs/protocol.md §10).
    const context = {
      agentId: agent.id,
      identity: (agent.verified ?? null) as Json,
      ownerOf: (id: string) => ctx.world.ownerOf(id),
      componentsOf: (id: string) => ctx.world.get(id)?.components as Json | undefined,
    };
    for (const rule of this.rules) {
      if (rule.name !== undefined && rule.name !== name) continue;
      envelope ??= toEnvelope(interaction) as Json[];
      if (!matchInteraction(rule.compiled, envelope, context)) continue;
      return rule.effect === "allow" ? ALLOWED : { allowed: false, rule: `${rule.effect} ${rule.pattern}` };
    }
    return ALLOWED;
  }
}

const ALLOWED: Permission = { allowed: true };

/** The interaction name a rule can only ever match, when its pattern fixes it: lets check() skip rules cheaply. */
function interactionNameOf(compiled: CompiledPattern): string | undefined {
  let body = compiled.pattern;
  if (compiled.target === "envelope") {
    if (body.type !== "array" || body.items.length < 6) return undefined;
    body = body.items[5];
  }
  const first = body.type === "array" ? body.items[0] : undefined;
  return first?.type === "literal" && typeof first.value === "string" ? first.value : undefined;
}

/** Checks an untrusted configuration value (e.g. from a JSON file). */
export function parseAclConfig(value: unknown): AclResult<AclConfig> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return { ok: false, error: `acl config must be an object {rules, replaceDefaults}` };
  const { rules = [], replaceDefaults = false, ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length)
    return { ok: false, error: `acl config: unknown key "${unknown[0]}" (known: rules, replaceDefaults)` };
  if (typeof replaceDefaults !== "boolean")
    return { ok: false, error: `acl config: replaceDefaults must be true or false` };
  if (!Array.isArray(rules)) return { ok: false, error: `acl config: rules must be an array of {effect, pattern}` };
  const checked: AclRuleSpec[] = [];
  for (const [i, rule] of rules.entries()) {
    const r = rule as Record<string, unknown>;
    if (
      typeof rule !== "object" ||
      rule === null ||
      (r.effect !== "allow" && r.effect !== "deny") ||
      typeof r.pattern !== "string"
    ) {
      return { ok: false, error: `acl config: rules[${i}] must be {"effect": "allow"|"deny", "pattern": "…"}` };
    }
    if (r.id !== undefined && typeof r.id !== "string")
      return { ok: false, error: `acl config: rules[${i}].id must be a string` };
    const parsed = parsePattern(r.pattern);
    if (!parsed.ok) return { ok: false, error: `acl config: rules[${i}].pattern: ${parsed.error}` };
    checked.push({ effect: r.effect, pattern: r.pattern, ...(r.id !== undefined ? { id: r.id as string } : {}) });
  }
  return { ok: true, value: { rules: checked, replaceDefaults } };
}

/** Reads and checks an ACL config file (JSON: {rules, replaceDefaults}, or {"acl": {…}}); throws a readable Error. */
export function readAclConfigFile(path: string): AclConfig {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`cannot read the ACL config ${path}: ${(e as Error).message}`, { cause: e });
  }
  const value = typeof json === "object" && json !== null && "acl" in json ? (json as { acl: unknown }).acl : json;
  const parsed = parseAclConfig(value);
  if (!parsed.ok) throw new Error(`${path}: ${parsed.error}`);
  return parsed.value;
}

const KEY = "acl";

function createAcl(config: AclConfig = {}): Acl {
  const acl = new Acl();
  for (const rule of config.rules ?? []) {
    const added = acl.add(rule, "last");
    if (!added.ok) throw new Error(`ACL configuration: ${added.error}`);
  }
  if (config.replaceDefaults) return acl;
  // A configured rule with a default's id replaces that default (in the configured position); the others follow.
  for (const rule of DEFAULT_ACL_RULES) {
    if (acl.has(rule.id)) continue;
    const added = acl.add(rule, "last");
    if (!added.ok) throw new Error(`ACL configuration: no room for the default rule ${rule.id}: ${added.error}`);
  }
  return acl;
}

/** The place's ACL, created with the default rules on first use. */
export function aclOf(ctx: PlaceContext): Acl {
  let acl = ctx.extensions.get(KEY) as Acl | undefined;
  if (!acl) ctx.extensions.set(KEY, (acl = createAcl()));
  return acl;
}

/** Sets the place's ACL from configuration, at start. Throws a readable Error on a bad rule. */
export function configureAcl(ctx: PlaceContext, config: AclConfig): Acl {
  const acl = createAcl(config);
  ctx.extensions.set(KEY, acl);
  return acl;
}

export function permit(ctx: PlaceContext, agent: Agent, interaction: Interaction): Permission {
  return aclOf(ctx).check(ctx, agent, interaction);
}
