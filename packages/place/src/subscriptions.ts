// Pattern subscriptions (docs/protocol.md §2 rule 6, §4): a publication (receiver "") reaches every agent with a
// matching subscription, once, and nobody else. A publication costs the number of subscriptions in the place.
import { matchInteraction, randomId, type CompiledPattern, type InteractionEnvelope, type Json } from "@allo/protocol";
import type { Agent } from "./agent.ts";
import type { PlaceContext, SubscriptionRouter } from "./types.ts";

interface Subscription {
  id: string;
  agent: Agent;
  pattern: string;
  compiled: CompiledPattern;
}

export const MAX_SUBSCRIPTIONS_PER_AGENT = 64;

export class Subscriptions implements SubscriptionRouter {
  private all = new Map<string, Subscription>();
  private byAgent = new Map<Agent, Set<string>>();

  get size(): number {
    return this.all.size;
  }

  add(
    agent: Agent,
    pattern: string,
    compiled: CompiledPattern,
  ): { ok: true; id: string } | { ok: false; error: string } {
    const mine = this.byAgent.get(agent) ?? new Set<string>();
    if (mine.size >= MAX_SUBSCRIPTIONS_PER_AGENT)
      return { ok: false, error: `at most ${MAX_SUBSCRIPTIONS_PER_AGENT} subscriptions per agent` };
    let id = `sub-${randomId(10)}`;
    while (this.all.has(id)) id = `sub-${randomId(10)}`;
    this.all.set(id, { id, agent, pattern, compiled });
    mine.add(id);
    this.byAgent.set(agent, mine);
    return { ok: true, id };
  }

  /** False when the agent has no such subscription (someone else's counts as none). */
  remove(agent: Agent, id: string): boolean {
    const sub = this.all.get(id);
    if (!sub || sub.agent !== agent) return false;
    this.all.delete(id);
    this.byAgent.get(agent)?.delete(id);
    return true;
  }

  agentLeft(agent: Agent): void {
    for (const id of this.byAgent.get(agent) ?? []) this.all.delete(id);
    this.byAgent.delete(agent);
  }

  /** Guards see the publishing agent: agent() and identity() are the publisher's (identity() as verified, as in the ACL). */
  match(ctx: PlaceContext, envelope: InteractionEnvelope, from: Agent): Iterable<Agent> {
    const context = {
      agentId: from.id,
      identity: (from.verified ?? null) as Json,
      ownerOf: (id: string) => ctx.world.ownerOf(id),
      componentsOf: (id: string) => ctx.world.get(id)?.components as Json | undefined,
    };
    const out = new Set<Agent>();
    for (const sub of this.all.values()) {
      if (out.has(sub.agent) || sub.agent.closing) continue;
      if (matchInteraction(sub.compiled, envelope as Json[], context)) out.add(sub.agent);
    }
    return out;
  }
}

const KEY = "subscriptions";

/** The place's subscriptions, created on first use and installed as its publication router. */
export function subscriptionsOf(ctx: PlaceContext): Subscriptions {
  let subs = ctx.extensions.get(KEY) as Subscriptions | undefined;
  if (!subs) {
    const created = new Subscriptions();
    subs = created;
    ctx.extensions.set(KEY, created);
    ctx.subscriptions ??= created;
    ctx.hooks.onAgentLeft.push((agent) => created.agentLeft(agent));
  }
  return subs;
}
