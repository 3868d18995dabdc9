// One connected agent: its socket, identity, avatar, owned entities, acks and budgets (docs/protocol.md §2, §5).
import type { Socket } from "node:net";
import type { WebSocket } from "ws";
import { newAgentId, type AgentId, type EntityId, type Intent, type JsonObject } from "@allo/protocol";
import type { VerifiedIdentity } from "./auth.ts";
import { payloadOf } from "./ws-frame.ts";

export interface AgentStats {
  messagesReceived: number;
  /** Messages dropped by the rate limit (docs/protocol.md §5). */
  rateLimited: number;
  /** Frames that were not valid JSON or not one of the message shapes (docs/protocol.md §1). */
  badFrames: number;
  /** Responses nobody asked for, interactions with a sender the agent does not own, … (docs/protocol.md §2). */
  dropped: number;
  statesSent: number;
  /** Ticks where this agent was behind its acks or its socket buffer and got nothing (docs/protocol.md §5). */
  statesSkipped: number;
  bytesSent: number;
}

export interface RateLimit {
  perSecond: number;
  burst: number;
  closeAfterMs: number;
}

/** A token bucket: `perSecond` sustained, `burst` at once (docs/protocol.md §5). */
export class TokenBucket {
  private tokens: number;
  private at: number;
  private overSince: number | undefined;
  private lastDropAt = -Infinity;

  constructor(
    private readonly limit: RateLimit,
    now: number,
  ) {
    this.tokens = limit.burst;
    this.at = now;
  }

  /** "ok", "drop" (over budget), or "close" (over budget without a one-second break for `closeAfterMs`). */
  take(now: number): "ok" | "drop" | "close" {
    this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.at) / 1000) * this.limit.perSecond);
    this.at = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return "ok";
    }
    if (this.overSince === undefined || now - this.lastDropAt > 1000) this.overSince = now;
    this.lastDropAt = now;
    return now - this.overSince >= this.limit.closeAfterMs ? "close" : "drop";
  }
}

/** Counts bad frames in one-minute windows: log the first of each window, close at the limit (docs/protocol.md §1). */
export class BadFrameCounter {
  private windowStart = -Infinity;
  private inWindow = 0;
  constructor(private readonly limitPerMinute: number) {}

  /** "log" for the first bad frame of a window, "close" at the limit, else "count". */
  add(now: number): "log" | "count" | "close" {
    if (now - this.windowStart >= 60_000) {
      this.windowStart = now;
      this.inWindow = 0;
    }
    this.inWindow++;
    if (this.inWindow >= this.limitPerMinute) return "close";
    return this.inWindow === 1 ? "log" : "count";
  }
}

/** ws.send's options for a text frame, shared: one object, not one per send. */
const TEXT = { binary: false } as const;
const OPEN = 1;

export class Agent {
  readonly id: AgentId;
  readonly socket: WebSocket;
  /**
   * The TCP socket under `socket` (the upgrade request's), for state frames framed once for every agent (ws-frame.ts).
   * Writing to it beside ws keeps frames whole and in order because ws writes its own frames synchronously: the place
   * turns permessage-deflate off (server.ts) and never sends a Blob, the two cases where ws would queue a frame.
   */
  private readonly tcp: Socket | undefined;
  readonly connectedAt: number;
  /** The identity the agent declared at announce (display_name…), its token left out: never trusted by rules. */
  identity: JsonObject | undefined;
  /** What the place verified about the agent (a token, or a launch it made); ACL rules see only this (auth.ts). */
  verified: VerifiedIdentity | undefined;
  /** Frames that arrived while its announce's token was being verified, handled in order once it was. */
  held: { data: Buffer; binary: boolean }[] | undefined;
  avatarId: EntityId | undefined;
  /** Entities this agent spawned and that still exist. */
  readonly owned = new Set<EntityId>();
  /** The latest intent (docs/protocol.md §6.1), read by the simulation. */
  intent: Intent | undefined;
  /** The last revision this agent acknowledged (0 = none). */
  ackRevision = 0;
  /** The last revision sent to this agent (0 = none: its next state is a `set`). */
  lastSentRevision = 0;
  /** Revisions sent and not yet acknowledged, oldest first; never more than a few (backpressure, docs/protocol.md §5). */
  readonly unacked: number[] = [];
  /** When the oldest unacknowledged state was sent, for the ack timeout. */
  unackedSince: number | undefined;
  /** Size of the last state frame sent, which may sit in the socket buffer on its own. */
  lastStateBytes = 0;
  /** True after a tick skipped this agent: its next patch is based on its ack, so missed revisions coalesce. */
  lagging = false;
  missedPongs = 0;
  announceTimer: NodeJS.Timeout | undefined;
  /** Set once the connection is closing: nothing more is sent to it. */
  closing = false;
  /** Set once its entities and requests were cleaned up. */
  left = false;
  readonly bucket: TokenBucket;
  readonly badFrames: BadFrameCounter;
  readonly stats: AgentStats = {
    messagesReceived: 0,
    rateLimited: 0,
    badFrames: 0,
    dropped: 0,
    statesSent: 0,
    statesSkipped: 0,
    bytesSent: 0,
  };
  /** Per-feature state other modules keep on an agent (media subscriptions, pattern subscriptions…). */
  readonly extensions = new Map<string, unknown>();

  constructor(socket: WebSocket, now: number, rate: RateLimit, badFramesPerMinute: number, tcp?: Socket) {
    this.id = newAgentId();
    this.socket = socket;
    this.tcp = tcp;
    this.connectedAt = now;
    this.bucket = new TokenBucket(rate, now);
    this.badFrames = new BadFrameCounter(badFramesPerMinute);
  }

  get announced(): boolean {
    return this.avatarId !== undefined;
  }
  get displayName(): string {
    const name = this.identity?.display_name;
    return typeof name === "string" ? name : "";
  }

  /** Bytes written to the connection and not yet taken by the kernel (ws's bufferedAmount, read directly). */
  get bufferedBytes(): number {
    return this.tcp ? this.tcp.writableLength : this.socket.bufferedAmount;
  }

  /** Sends a text frame; false when the socket is no longer open. `sent` is called once it was written or failed. */
  sendText(data: string | Buffer, sent?: (error?: Error) => void): boolean {
    if (this.closing || this.socket.readyState !== OPEN) return false;
    this.socket.send(data, TEXT, sent);
    this.stats.bytesSent += data.length;
    return true;
  }

  /** Sends a frame made by ws-frame.ts textFrame as it is; false when the socket is no longer open. */
  sendFrame(frame: Buffer): boolean {
    if (this.closing || this.socket.readyState !== OPEN) return false;
    if (this.tcp) this.tcp.write(frame);
    else this.socket.send(payloadOf(frame), TEXT);
    this.stats.bytesSent += frame.length;
    return true;
  }

  /** Records an ack from an intent (docs/protocol.md §5). Returns true when the agent may now receive state again. */
  acknowledge(revision: number, now: number): boolean {
    if (revision === 0 && this.ackRevision !== 0) {
      // The agent lost its state and asks for a `set` (docs/protocol.md §5).
      this.ackRevision = 0;
      this.lastSentRevision = 0;
      this.unacked.length = 0;
      this.unackedSince = undefined;
      return true;
    }
    const unacked = this.unacked;
    // A loop, not indexOf: the array holds a few numbers, and the builtin's call costs more than the search.
    let at = unacked.length - 1;
    while (at >= 0 && unacked[at] !== revision) at--;
    if (at === -1) return false;
    this.ackRevision = revision;
    // Usually the newest state is acknowledged, leaving nothing: pop keeps the array's storage (length = 0 and
    // splice make new ones; ~6 ns against ~45).
    if (at === unacked.length - 1) while (unacked.length) unacked.pop();
    else unacked.splice(0, at + 1);
    this.unackedSince = unacked.length ? now : undefined;
    return true;
  }
}
