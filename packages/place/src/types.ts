// The place's options and the context every interaction module, the ACL and the simulation work with.
import type { IncomingMessage, ServerResponse } from "node:http";
import type {
  AgentId,
  EntityId,
  Interaction,
  InteractionBody,
  InteractionEnvelope,
  LogLevel,
  Logger,
} from "@allo/protocol";
import type { AclConfig } from "./acl.ts";
import type { Agent } from "./agent.ts";
import type { AssetOptions } from "./assets.ts";
import type { AuthConfig } from "./auth.ts";
import type { LaunchAppConfig } from "./interactions/launch-app.ts";
import type { World } from "./world.ts";

export interface PlaceLimits {
  /** Largest text frame; larger closes with 1009 (docs/protocol.md §1). Default 1 MiB. */
  maxTextBytes: number;
  /** Largest binary frame; larger closes with 1009. Default 4 MiB. */
  maxBinaryBytes: number;
  /** Token bucket per agent (docs/protocol.md §5). Defaults 200/s, burst 400, close after 5 s over budget. */
  messagesPerSecond: number;
  messageBurst: number;
  overBudgetCloseMs: number;
  /** Bad frames in a minute before closing with 4400. Default 100. */
  badFramesPerMinute: number;
  /** Disconnect an agent that has not announced by then (4408). Default 10 s. */
  announceTimeoutMs: number;
  /** A forwarded request not answered by then gets "no response". Default 30 s. */
  requestTimeoutMs: number;
  /** Skip an agent with more unacked states than this (default 2) or more buffered bytes (default 1 MiB). */
  maxUnackedStates: number;
  skipBufferedBytes: number;
  /** Disconnect after this long without an ack for a sent state (default 15 s) or this many buffered bytes (8 MiB). */
  ackTimeoutMs: number;
  closeBufferedBytes: number;
  /** WebSocket ping period; two missed pongs end the connection. Default 5 s. */
  pingIntervalMs: number;
  /** How often the place entity's clock may change the world. Default 1 s. */
  clockIntervalMs: number;
  /** Entities one agent may own at once; spawns beyond are refused. Default 100,000. */
  maxEntitiesPerAgent: number;
}

export const DEFAULT_LIMITS: Readonly<PlaceLimits> = Object.freeze({
  maxTextBytes: 1024 * 1024,
  maxBinaryBytes: 4 * 1024 * 1024,
  messagesPerSecond: 200,
  messageBurst: 400,
  overBudgetCloseMs: 5000,
  badFramesPerMinute: 100,
  announceTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxUnackedStates: 2,
  skipBufferedBytes: 1024 * 1024,
  ackTimeoutMs: 15_000,
  closeBufferedBytes: 8 * 1024 * 1024,
  pingIntervalMs: 5000,
  clockIntervalMs: 1000,
  maxEntitiesPerAgent: 100_000,
});

/** Runs once per tick before the revision is made (another module: simulation/). Changes go through ctx.world. */
export interface Simulation {
  step(ctx: PlaceContext, now: number): void;
}

/** Delivers publications (docs/protocol.md §2 rule 6, §4). Without one, publications reach nobody. */
export interface SubscriptionRouter {
  /** The agents whose subscriptions match this publication. */
  match(ctx: PlaceContext, envelope: InteractionEnvelope, from: Agent): Iterable<Agent>;
}

/** Handles binary frames of one channel (docs/protocol.md §1: 0 audio, 4 video, 3 assets). */
export type BinaryHandler = (ctx: PlaceContext, agent: Agent, payload: Buffer) => void;

/** Serves extra HTTP routes on the place's port; return true when the request was handled. */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/** Lifecycle hooks other modules subscribe to (media tracks, launch_app, subscriptions). */
export interface PlaceHooks {
  /** An announce carried `spawn_avatar.avatar.token` (docs/protocol.md §8). */
  onAvatarToken: ((token: string, agent: Agent, avatarId: EntityId) => void)[];
  onAgentAnnounced: ((agent: Agent) => void)[];
  /** After the agent's entities were removed and its requests answered. */
  onAgentLeft: ((agent: Agent) => void)[];
  /** After an entity left the world (removed, cascaded, or its owner left). */
  onEntityRemoved: ((id: EntityId) => void)[];
  /** Called when the place closes, before sockets close. */
  onClose: (() => void)[];
}

export interface PlaceOptions {
  /** Default 21337; 0 picks a free port. */
  port?: number;
  /** Default "127.0.0.1". */
  host?: string;
  /** The place's name, sent in the announce response. Default "Allo place". */
  name?: string;
  /** Ticks per second. Default 20; 0 = only when place.tick() is called (benches). */
  tickRate?: number;
  logLevel?: LogLevel;
  limits?: Partial<PlaceLimits>;
  /** The URL apps are told to connect to (launch_app's x-alloverse-server). Default: alloplace://host:port. */
  publicUrl?: string;
  simulation?: Simulation;
  subscriptions?: SubscriptionRouter;
  httpHandler?: HttpHandler;
  /** Called once the context exists, before the port opens: install hooks, binary handlers, extensions. */
  setup?: (ctx: PlaceContext) => void;
  /** ACL rules loaded at start (docs/protocol.md §4): before the defaults, or replacing them. */
  acl?: AclConfig;
  /** Asset fetch and cache limits (docs/protocol.md §9). */
  assets?: Partial<AssetOptions>;
  /** launch_app's timeouts and limits (docs/protocol.md §8). */
  launchApp?: Partial<LaunchAppConfig>;
  /** Who may join and how the place knows who they are (docs/protocol.md §10). Default: open. */
  auth?: AuthConfig;
  /** PEM cert and key: the port also speaks HTTPS and wss (plain HTTP and ws go on working on it). */
  tls?: { cert: string | Buffer; key: string | Buffer };
}

export interface PlaceContext {
  readonly name: string;
  readonly world: World;
  /** Every connected agent, announced or not. */
  readonly agents: ReadonlyMap<AgentId, Agent>;
  readonly log: Logger;
  readonly limits: Readonly<PlaceLimits>;
  readonly hooks: PlaceHooks;
  readonly binaryHandlers: Map<number, BinaryHandler>;
  /** Per-feature place-wide state (ACL rules, media tracks…), keyed by feature name. */
  readonly extensions: Map<string, unknown>;
  simulation: Simulation | undefined;
  subscriptions: SubscriptionRouter | undefined;
  /** alloplace:// URL apps should connect to. */
  readonly publicUrl: string;
  /** Server time in seconds: monotonic, the clock of §7 and of the place entity's `clock`. */
  serverTime(): number;
  /** The connected agent owning an entity, if any. */
  agentOwning(id: EntityId): Agent | undefined;
  /** Sends an interaction envelope to an agent. */
  send(agent: Agent, envelope: InteractionEnvelope): void;
  /** Sends the next revision at once (coalesced within one event-loop turn). */
  requestFlush(): void;
  /** Removes an entity (cascade or reparent), keeping owners and hooks up to date. */
  removeEntity(id: EntityId, mode: "cascade" | "reparent"): void;
  /** Closes an agent's connection. */
  disconnect(agent: Agent, code: number, reason: string): void;
}

/** One call of a place interaction (docs/protocol.md §3). */
export interface PlaceCall {
  readonly ctx: PlaceContext;
  readonly agent: Agent;
  readonly interaction: Interaction;
  readonly name: string;
}

/**
 * A place interaction: validate → permit (done before, by acl.ts) → apply → respond. Returns the response body, or a
 * promise of it for interactions answered later (launch_app). Validate fully before changing the world: a handler
 * that throws must leave the world as it was.
 */
export type InteractionHandler = (call: PlaceCall) => InteractionBody | Promise<InteractionBody>;
