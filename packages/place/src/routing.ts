// Entity-to-entity interactions: forwarded requests, matched responses, publications (docs/protocol.md §2 rules 4–6).
import { PLACE_ENTITY_ID, type EntityId, type Interaction, type InteractionEnvelope } from "@allo/protocol";
import type { Agent } from "./agent.ts";
import type { PlaceContext } from "./types.ts";

/** A request forwarded to the agent owning its receiver, waiting for that agent's response. */
interface PendingRequest {
  key: string;
  name: string;
  requester: Agent;
  answerer: Agent;
  /** The requester's sender entity: where the response goes. */
  sender: EntityId;
  receiver: EntityId;
  requestId: string;
  timer: NodeJS.Timeout;
}

/** Requests and responses are matched on (receiver, sender, request id): the response swaps sender and receiver. */
function keyOf(requestSender: EntityId, requestReceiver: EntityId, requestId: string): string {
  return `${requestReceiver}\u0000${requestSender}\u0000${requestId}`;
}

export class Router {
  private pending = new Map<string, PendingRequest>();
  private byAgent = new Map<Agent, Set<PendingRequest>>();

  constructor(private readonly ctx: PlaceContext) {}

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Routes an interaction whose receiver is an entity or "" (rules 4–6). `raw` is the frame as received. */
  route(agent: Agent, interaction: Interaction, raw: string): void {
    switch (interaction.type) {
      case "request":
        return this.forwardRequest(agent, interaction, raw);
      case "response":
        return this.forwardResponse(agent, interaction, raw);
      case "publication":
        return this.publish(agent, interaction, raw);
      case "oneway": {
        const owner = this.ctx.agentOwning(interaction.receiverEntityId);
        if (owner) owner.sendText(raw);
        else agent.stats.dropped++;
        return;
      }
    }
  }

  private forwardRequest(agent: Agent, i: Interaction, raw: string): void {
    const name = i.body[0];
    const answerer = this.ctx.agentOwning(i.receiverEntityId);
    if (!answerer) return this.answer(agent, i.senderEntityId, i.requestId, [name, "error", "no such entity"]);
    const key = keyOf(i.senderEntityId, i.receiverEntityId, i.requestId);
    if (this.pending.has(key)) {
      return this.answer(agent, i.senderEntityId, i.requestId, [
        name,
        "error",
        "a request with this id is already waiting for a response",
      ]);
    }
    const timer = setTimeout(() => this.settle(key, "no response"), this.ctx.limits.requestTimeoutMs);
    timer.unref();
    const entry: PendingRequest = {
      key,
      name,
      requester: agent,
      answerer,
      sender: i.senderEntityId,
      receiver: i.receiverEntityId,
      requestId: i.requestId,
      timer,
    };
    this.pending.set(key, entry);
    this.index(agent, entry);
    if (answerer !== agent) this.index(answerer, entry);
    // Forwarded unchanged (rule 4): the very bytes the requester sent.
    answerer.sendText(raw);
  }

  private forwardResponse(agent: Agent, i: Interaction, raw: string): void {
    // A response travels from the request's receiver back to its sender.
    const entry = this.pending.get(keyOf(i.receiverEntityId, i.senderEntityId, i.requestId));
    if (!entry || entry.answerer !== agent) {
      agent.stats.dropped++;
      this.ctx.log.debug("dropped a response nobody asked for", { agent: agent.id, request_id: i.requestId });
      return;
    }
    this.forget(entry);
    entry.requester.sendText(raw);
  }

  private publish(agent: Agent, i: Interaction, raw: string): void {
    const router = this.ctx.subscriptions;
    if (!router || i.receiverEntityId !== "") {
      if (i.receiverEntityId !== "") agent.stats.dropped++;
      return;
    }
    const envelope = [
      "interaction",
      i.type,
      i.senderEntityId,
      i.receiverEntityId,
      i.requestId,
      i.body,
    ] as InteractionEnvelope;
    // Delivered as received, like every routed interaction (rule 4).
    for (const subscriber of router.match(this.ctx, envelope, agent)) subscriber.sendText(raw);
  }

  /** The agent left: requests others sent to it get "no response"; its own requests are forgotten. */
  agentLeft(agent: Agent): void {
    const entries = this.byAgent.get(agent);
    if (!entries) return;
    for (const entry of [...entries]) {
      if (entry.answerer === agent && entry.requester !== agent) this.settle(entry.key, "no response");
      else this.forget(entry);
    }
    this.byAgent.delete(agent);
  }

  /** The place is closing: every waiting requester gets an answer. */
  closeAll(reason: string): void {
    for (const key of [...this.pending.keys()]) this.settle(key, reason);
  }

  /** Answers a pending request on the answerer's behalf (rule 5). */
  private settle(key: string, reason: string): void {
    const entry = this.pending.get(key);
    if (!entry) return;
    this.forget(entry);
    this.answer(entry.requester, entry.sender, entry.requestId, [entry.name, "error", reason]);
  }

  private answer(agent: Agent, to: EntityId, requestId: string, body: Interaction["body"]): void {
    this.ctx.send(agent, ["interaction", "response", PLACE_ENTITY_ID, to, requestId, body]);
  }

  private index(agent: Agent, entry: PendingRequest): void {
    let set = this.byAgent.get(agent);
    if (!set) this.byAgent.set(agent, (set = new Set()));
    set.add(entry);
  }

  private forget(entry: PendingRequest): void {
    clearTimeout(entry.timer);
    this.pending.delete(entry.key);
    this.byAgent.get(entry.requester)?.delete(entry);
    this.byAgent.get(entry.answerer)?.delete(entry);
  }
}
