// Every frame an agent sends, in the order docs/protocol.md §1–§3 checks it: size, budget, shape, announce first,
// own your sender, ACL, then the place's handler or the router. Nothing thrown here escapes to the socket.
import {
  CloseCode,
  parseAgentMessage,
  PLACE_ENTITY_ID,
  toEnvelope,
  type Interaction,
  type InteractionBody,
  type RequestHead,
} from "@allo/protocol";
import { permit } from "./acl.ts";
import { authenticateAnnounce, type AuthOutcome } from "./auth.ts";
import type { Agent } from "./agent.ts";
import { placeInteractions, PLACE_HANDLED_ANY_RECEIVER } from "./interactions/index.ts";
import { launchedAppIdentity } from "./interactions/launch-app.ts";
import { Refusal } from "./interactions/refuse.ts";
import type { Router } from "./routing.ts";
import type { Sync } from "./sync.ts";
import type { InteractionHandler, PlaceContext } from "./types.ts";

interface AsyncCall {
  name: string;
  respond: (body: InteractionBody) => void;
}

export class Dispatcher {
  /** Place interactions answered later (launch_app), answered with an error if the place closes first. */
  private waiting = new Set<AsyncCall>();

  constructor(
    private readonly ctx: PlaceContext,
    private readonly router: Router,
    private readonly sync: Sync,
    private readonly handlers: Record<string, InteractionHandler> = placeInteractions,
  ) {}

  onText(agent: Agent, data: Buffer): void {
    if (agent.closing) return;
    if (agent.held) return this.hold(agent, data, false);
    const now = performance.now();
    agent.stats.messagesReceived++;
    if (data.length > this.ctx.limits.maxTextBytes)
      return this.ctx.disconnect(agent, CloseCode.tooLarge, "text frame too large");
    if (!this.withinBudget(agent, now)) return this.answerRateLimited(agent, data);
    const text = data.toString("utf8");
    const parsed = parseAgentMessage(text);
    const announcing = parsed.ok
      ? parsed.value.kind === "interaction" && isAnnounce(parsed.value.interaction)
      : parsed.request?.name === "announce" &&
        parsed.request.sender === "" &&
        parsed.request.receiver === PLACE_ENTITY_ID;
    if (!agent.announced && !announcing) return this.ctx.disconnect(agent, CloseCode.notAnnounced, "announce first");
    if (!parsed.ok) {
      // A request whose envelope could be read is answered with the limit it broke (docs/protocol.md §1), not left
      // to time out; it still counts as a bad frame.
      if (parsed.request) this.answerBrokenRequest(agent, parsed.request, parsed.error);
      return this.badFrame(agent, parsed.error, now);
    }
    const message = parsed.value;
    switch (message.kind) {
      case "intent":
        agent.intent = message.intent;
        if (agent.acknowledge(message.intent.ack_state_rev, now) && agent.lastSentRevision !== this.ctx.world.revision)
          this.sync.flushSoon();
        return;
      case "clock":
        // docs/protocol.md §7: echoed with server_time added.
        agent.sendText(
          JSON.stringify({ cmd: "clock", client_time: message.clientTime, server_time: this.ctx.serverTime() }),
        );
        return;
      case "interaction":
        return this.onInteraction(agent, message.interaction, text);
    }
  }

  onBinary(agent: Agent, data: Buffer): void {
    if (agent.closing) return;
    if (agent.held) return this.hold(agent, data, true);
    const now = performance.now();
    agent.stats.messagesReceived++;
    if (!agent.announced) return this.ctx.disconnect(agent, CloseCode.notAnnounced, "announce first");
    // ws enforces the larger of the two frame limits; this one is binary's own.
    if (data.length > this.ctx.limits.maxBinaryBytes)
      return this.ctx.disconnect(agent, CloseCode.tooLarge, "binary frame too large");
    if (!this.withinBudget(agent, now)) return;
    const handler = data.length > 0 ? this.ctx.binaryHandlers.get(data[0]) : undefined;
    if (!handler)
      return this.badFrame(agent, data.length ? `no handler for binary channel ${data[0]}` : "empty binary frame", now);
    try {
      handler(this.ctx, agent, data.subarray(1));
    } catch (e) {
      this.ctx.log.error(`binary channel ${data[0]} handler failed`, { agent: agent.id, error: e });
    }
  }

  /** The place is closing: answer every place interaction still waiting. */
  closeAll(reason: string): void {
    for (const call of [...this.waiting]) call.respond([call.name, "error", reason]);
    this.waiting.clear();
  }

  private onInteraction(agent: Agent, interaction: Interaction, raw: string): void {
    const { type, senderEntityId, receiverEntityId } = interaction;
    const name = interaction.body[0];
    if (isAnnounce(interaction)) return this.onAnnounce(agent, interaction);
    // Rule 2: own your sender.
    if (this.ctx.world.ownerOf(senderEntityId) !== agent.id) {
      if (type === "request") this.respond(agent, interaction, [name, "error", "sender entity is not yours"]);
      else agent.stats.dropped++;
      return;
    }
    // Rule 7: the ACL, for every interaction.
    const permission = permit(this.ctx, agent, interaction);
    if (!permission.allowed) {
      this.ctx.log.debug("interaction denied", { agent: agent.id, name, rule: permission.rule });
      if (type === "request")
        this.respond(agent, interaction, ["interaction_denied", toEnvelope(interaction), permission.rule]);
      else agent.stats.dropped++;
      return;
    }
    const forPlace = receiverEntityId === PLACE_ENTITY_ID || PLACE_HANDLED_ANY_RECEIVER.has(name);
    if (forPlace && (type === "request" || type === "oneway")) return this.handleAtPlace(agent, interaction);
    if (receiverEntityId === PLACE_ENTITY_ID) {
      agent.stats.dropped++; // responses and publications addressed to the place: nobody asked
      return;
    }
    this.router.route(agent, interaction, raw);
  }

  /**
   * Authentication first (auth.ts): a token is verified before the ACL sees the announce, and frames arriving
   * meanwhile wait, so nothing the agent sent after its announce runs before it.
   */
  private onAnnounce(agent: Agent, interaction: Interaction): void {
    if (agent.announced) return this.admit(agent, interaction); // answered "already announced"
    const outcome = authenticateAnnounce(this.ctx, interaction.body, (token) => launchedAppIdentity(this.ctx, token));
    if (!(outcome instanceof Promise)) return this.authenticated(agent, interaction, outcome);
    agent.held = [];
    outcome
      .then((result) => {
        const held = agent.held ?? [];
        agent.held = undefined;
        if (agent.closing) return;
        this.authenticated(agent, interaction, result);
        for (const frame of held) {
          if (frame.binary) this.onBinary(agent, frame.data);
          else this.onText(agent, frame.data);
        }
      })
      .catch((e) => this.ctx.log.error("announce after authentication failed", { agent: agent.id, error: e }));
  }

  private authenticated(agent: Agent, interaction: Interaction, outcome: AuthOutcome): void {
    if (!outcome.ok) {
      // Refused like any other announce: answered, and the connection stays open for another try (announce timeout).
      this.ctx.log.info("announce refused: not authenticated", { agent: agent.id, error: outcome.error });
      return this.respond(agent, interaction, ["announce", "error", outcome.error]);
    }
    agent.verified = outcome.identity;
    this.admit(agent, interaction);
  }

  private admit(agent: Agent, interaction: Interaction): void {
    // Rule 7 covers announce too: a deny rule keeps an identity out (answered, then closed). docs/protocol.md §4.
    const verdict = permit(this.ctx, agent, interaction);
    if (!verdict.allowed) {
      this.respond(agent, interaction, ["interaction_denied", toEnvelope(interaction), verdict.rule]);
      return this.ctx.disconnect(agent, CloseCode.kicked, "announce denied by the ACL");
    }
    this.handleAtPlace(agent, interaction);
  }

  /** Keeps a frame until the agent's announce is authenticated; a peer that floods meanwhile is closed. */
  private hold(agent: Agent, data: Buffer, binary: boolean): void {
    const held = agent.held!;
    if (held.length >= MAX_HELD_FRAMES)
      return this.ctx.disconnect(agent, CloseCode.policyViolation, "too many frames before the announce was answered");
    held.push({ data, binary });
  }

  /** Rule 3: runs a place interaction; a request gets exactly one response, a oneway none. */
  private handleAtPlace(agent: Agent, interaction: Interaction): void {
    const name = interaction.body[0];
    let answered = false;
    const respond = (body: InteractionBody) => {
      if (answered) return;
      answered = true;
      if (interaction.type === "request") this.respond(agent, interaction, body);
    };
    const handler = Object.hasOwn(this.handlers, name) ? this.handlers[name] : undefined;
    if (!handler) return respond([name, "error", "unknown interaction"]);
    try {
      const result = handler({ ctx: this.ctx, agent, interaction, name });
      if (result instanceof Promise) this.later(name, result, respond);
      else respond(result);
    } catch (e) {
      respond(this.failure(agent, name, e));
    }
    this.sync.flushSoon();
  }

  private later(name: string, result: Promise<InteractionBody>, respond: (body: InteractionBody) => void): void {
    const call: AsyncCall = { name, respond };
    this.waiting.add(call);
    result
      .then(respond, (e) => respond(this.failure(undefined, name, e)))
      .finally(() => {
        this.waiting.delete(call);
        this.sync.flushSoon();
      })
      .catch((e) => this.ctx.log.error(`${name}: answering failed`, { error: e }));
  }

  private failure(agent: Agent | undefined, name: string, e: unknown): InteractionBody {
    if (e instanceof Refusal) return [name, "error", e.reason];
    this.ctx.log.error(`${name} failed`, { agent: agent?.id, error: e, stack: (e as Error)?.stack });
    return [name, "error", `internal error: ${(e as Error)?.message ?? String(e)}`];
  }

  private respond(agent: Agent, request: Interaction, body: InteractionBody): void {
    this.ctx.send(agent, ["interaction", "response", PLACE_ENTITY_ID, request.senderEntityId, request.requestId, body]);
  }

  private withinBudget(agent: Agent, now: number): boolean {
    const budget = agent.bucket.take(now);
    if (budget === "ok") return true;
    agent.stats.rateLimited++;
    if (budget === "close")
      this.ctx.disconnect(agent, CloseCode.policyViolation, "over the message budget for too long");
    return false;
  }

  /**
   * A request dropped by the rate limit still gets an answer (docs/protocol.md §2 rule 3, §5), read from the frame's first
   * bytes only: a flooder costs a bounded scan, never a parse. Nothing is queued for an agent that is not reading.
   */
  private answerRateLimited(agent: Agent, data: Buffer): void {
    if (agent.closing || agent.socket.bufferedAmount > this.ctx.limits.skipBufferedBytes) return;
    const head = requestHead(data);
    if (!head) return;
    this.ctx.send(agent, [
      "interaction",
      "response",
      PLACE_ENTITY_ID,
      head.sender,
      head.requestId,
      [head.name, "error", "rate limited"],
    ]);
  }

  private answerBrokenRequest(agent: Agent, head: RequestHead, error: string): void {
    if (agent.closing || agent.socket.bufferedAmount > this.ctx.limits.skipBufferedBytes) return;
    this.ctx.send(agent, [
      "interaction",
      "response",
      PLACE_ENTITY_ID,
      head.sender,
      head.requestId,
      [head.name, "error", error],
    ]);
  }

  private badFrame(agent: Agent, error: string, now: number): void {
    agent.stats.badFrames++;
    const verdict = agent.badFrames.add(now);
    if (verdict === "log") this.ctx.log.warn("bad frame (logged once a minute per agent)", { agent: agent.id, error });
    if (verdict === "close") this.ctx.disconnect(agent, CloseCode.tooManyBadFrames, "too many bad frames");
  }
}

/** Frames an agent may send while its announce's token is being verified (a few milliseconds). */
const MAX_HELD_FRAMES = 256;

/** The bytes of a frame looked at to answer a rate-limited request; a request whose head is longer is not answered. */
export const RATE_LIMITED_SCAN_BYTES = 1024;
// JSON's own whitespace and string tokens, so JSON.parse of a matched string cannot throw.
const WS = "[ \\t\\n\\r]*";
const JSON_STRING = String.raw`"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"`;
const REQUEST_HEAD = new RegExp(
  `^${WS}\\[${WS}"interaction"${WS},${WS}"request"${WS},${WS}(${JSON_STRING})${WS},${WS}${JSON_STRING}${WS},${WS}(${JSON_STRING})${WS},${WS}\\[${WS}(${JSON_STRING})`,
);

/** Sender, request id and name of a request frame, from its first RATE_LIMITED_SCAN_BYTES; undefined for anything else. */
export function requestHead(data: Buffer): { sender: string; requestId: string; name: string } | undefined {
  const match = REQUEST_HEAD.exec(data.toString("utf8", 0, Math.min(data.length, RATE_LIMITED_SCAN_BYTES)));
  if (!match) return undefined;
  return {
    sender: JSON.parse(match[1]) as string,
    requestId: JSON.parse(match[2]) as string,
    name: JSON.parse(match[3]) as string,
  };
}

function isAnnounce(i: Interaction): boolean {
  return (
    i.type === "request" &&
    i.receiverEntityId === PLACE_ENTITY_ID &&
    i.senderEntityId === "" &&
    i.body[0] === "announce"
  );
}
