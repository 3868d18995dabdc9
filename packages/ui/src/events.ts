// Interactions addressed to the app's entities become calls to their on* props, inside batch() so that many
// signal writes do the work once. Requests are always answered; pokes with ["poke","ok"] or
// ["poke","failed",reason] (docs/protocol.md §3: Allo apps always answer).
import { batch } from "solid-js";
import type { EntityId, InteractionBody, InteractionType, Json, Logger, Vec3 } from "@allo/protocol";
import { EntityNode } from "./node.ts";
import type { EntitySync } from "./flush.ts";
import type { UiIncomingInteraction } from "./client.ts";

/** What every handler receives. */
export interface AlloEvent {
  /** The interaction's name, e.g. "poke". */
  name: string;
  body: InteractionBody;
  type: InteractionType;
  /** The entity that sent it (usually a user's hand, or another app's avatar). */
  senderId: EntityId;
  /** The entity it was sent to (may be a descendant of the node whose handler runs: events bubble). */
  receiverId: EntityId;
  /** The node whose handler is running. */
  currentTarget: EntityNode;
  /** Answer the request yourself (otherwise the app answers it when the handler returns). */
  respond(body: InteractionBody): void;
  /** Answer with [name, "failed", reason]. */
  fail(reason: string): void;
  /** Whether an answer was sent. */
  readonly responded: boolean;
}
export interface PokeEvent extends AlloEvent {
  /** true when the finger goes down, false when it comes up. */
  pressed: boolean;
}
export interface PointEvent extends AlloEvent {
  /** World-space points the ray comes from and hits. */
  from: Vec3;
  to: Vec3;
}
export interface GrabEvent extends AlloEvent {
  grabbing: boolean;
}

/** A handler refuses with event.fail(reason) or by throwing; a returned promise is awaited before answering. */
export type EventHandler<E extends AlloEvent = AlloEvent> = (event: E) => unknown;

const NAMED: Record<string, string> = {
  onPoke: "poke",
  onPoint: "point",
  onPointExit: "point-exit",
  onGrab: "grabbing",
  onFocus: "focus",
  onDefocus: "defocus",
  onKeyDown: "keydown",
  onTextInput: "textinput",
  onAcceptFile: "accept-file",
  onInteraction: "*",
};

/** The interaction name an event prop listens to, or null if the prop is not an event. */
export function eventNameOf(prop: string): string | null {
  // Every prop write asks: components (the common case) are told apart by their first two letters, without a lookup.
  if (prop.charCodeAt(0) !== 111 /* o */ || prop.charCodeAt(1) !== 110 /* n */) return null;
  if (prop in NAMED) return NAMED[prop];
  if (prop.startsWith("on:")) return prop.slice(3);
  if (/^on[A-Z]/.test(prop)) return prop.slice(2).replace(/[A-Z]/g, (c, i: number) => (i ? "-" : "") + c.toLowerCase());
  return null;
}

/** Events that travel up to the parent when the entity hit has no handler for them (a Button's label). */
const BUBBLES = new Set(["poke", "point", "point-exit", "grabbing"]);

export interface EventRouterOptions {
  logger: Logger;
  /** The `quit` request to the avatar (docs/protocol.md §3). Called after answering it. */
  onQuit(): void;
}

export function createEventRouter(sync: EntitySync, options: EventRouterOptions) {
  const { logger } = options;
  return async function route(interaction: UiIncomingInteraction): Promise<void> {
    const [name] = interaction.body;
    if (interaction.type === "response") return;
    let responded = false;
    const respond = (body: InteractionBody) => {
      if (responded || interaction.type !== "request") return;
      responded = true;
      interaction.respond?.(body);
    };
    const target = sync.byId.get(interaction.receiverEntityId);
    if (name === "quit" && interaction.receiverEntityId === sync.avatarId) {
      respond(["quit", "ok"]);
      options.onQuit();
      return;
    }
    if (!target) {
      respond([name, "failed", "no such entity in this app"]);
      return;
    }
    const event = makeEvent(interaction, target, respond, () => responded);
    // The answer comes from the target entity: it stays in the place until the answer is out.
    const isRequest = interaction.type === "request";
    if (isRequest) sync.holdForAnswer(target);
    try {
      let handled = false;
      let failure: string | null = null;
      for (let node: EntityNode | null = target; node; node = node.parent instanceof EntityNode ? node.parent : null) {
        const handlers = [node.handlers.get(name), node.handlers.get("*")].filter(Boolean) as EventHandler[];
        if (!handlers.length) {
          if (BUBBLES.has(name)) continue;
          break;
        }
        handled = true;
        event.currentTarget = node;
        for (const handler of handlers) {
          try {
            const result = batch(() => handler(event));
            if (result instanceof Promise) await result;
          } catch (error) {
            failure = error instanceof Error ? error.message : String(error);
            logger.warn(`${name} handler threw`, { entity: node.id, error: failure });
          }
        }
        break;
      }
      if (interaction.type !== "request" || responded) return;
      if (failure) respond([name, "failed", failure]);
      else if (handled) respond([name, "ok"]);
      else respond([name, "failed", name === "poke" ? "not pokeable" : "not handled"]);
    } finally {
      if (isRequest) sync.answered(target);
    }
  };
}

function makeEvent(
  interaction: UiIncomingInteraction,
  target: EntityNode,
  respond: (b: InteractionBody) => void,
  responded: () => boolean,
) {
  const [name, ...args] = interaction.body;
  const event = {
    name,
    body: interaction.body,
    type: interaction.type,
    senderId: interaction.senderEntityId,
    receiverId: interaction.receiverEntityId,
    currentTarget: target,
    respond,
    fail: (reason: string) => respond([name, "failed", reason]),
    get responded() {
      return responded();
    },
  } as AlloEvent & Partial<PokeEvent & PointEvent & GrabEvent>;
  if (name === "poke") event.pressed = args[0] === true;
  if (name === "grabbing") event.grabbing = args[0] === true;
  if (name === "point") {
    event.from = vec3(args[0]);
    event.to = vec3(args[1]);
  }
  return event as AlloEvent;
}

function vec3(value: Json | undefined): Vec3 {
  return Array.isArray(value) && value.length === 3 && value.every((n) => typeof n === "number")
    ? (value as Vec3)
    : [0, 0, 0];
}
