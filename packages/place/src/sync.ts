// World state to agents (docs/protocol.md §5): revisions, patches per distinct base encoded once, backpressure.
import { CloseCode, entitiesPatch, PLACE_ENTITY_ID, type EntityId } from "@allo/protocol";
import type { Agent } from "./agent.ts";
import { SetFrames } from "./set-frame.ts";
import { textFrame } from "./ws-frame.ts";
import type { PlaceContext } from "./types.ts";
import type { World } from "./world.ts";

export interface SyncStats {
  ticks: number;
  revisionsMade: number;
  /** Distinct frames encoded (one per distinct base per revision, plus `set` frames). */
  framesEncoded: number;
  statesSent: number;
  statesSkipped: number;
}

export class Sync {
  readonly stats: SyncStats = { ticks: 0, revisionsMade: 0, framesEncoded: 0, statesSent: 0, statesSkipped: 0 };
  private flushScheduled = false;
  /** The place entity is created with the clock set (world.ts addPlaceEntity). */
  private lastClockAt: number;
  /** `set` frames: one per revision, each built from the last one while the history covers it (set-frame.ts). */
  readonly setFrames: SetFrames;
  private readonly lookup: (id: EntityId) => ReturnType<World["get"]>;

  constructor(
    private readonly ctx: PlaceContext,
    private readonly world: World,
  ) {
    this.lookup = (id) => world.get(id);
    this.setFrames = new SetFrames(world);
    this.lastClockAt = ctx.serverTime() * 1000;
  }

  /** One tick: simulation, clock, a new revision if anything changed, then states to agents. */
  tick(): void {
    this.stats.ticks++;
    const now = this.ctx.serverTime();
    const sim = this.ctx.simulation;
    if (sim) {
      try {
        sim.step(this.ctx, now);
      } catch (e) {
        this.ctx.log.error("simulation step failed", { error: e, stack: (e as Error)?.stack });
      }
    }
    try {
      this.updateClock(now);
    } catch (e) {
      this.ctx.log.error("clock update failed", { error: e });
    }
    this.flush();
  }

  /** Sends the next revision at once, coalesced within one event-loop turn (docs/protocol.md §5). */
  flushSoon(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  /** Makes a revision of pending changes and sends every agent what it is missing. */
  flush(): void {
    try {
      const changes = this.world.commit();
      if (changes) this.stats.revisionsMade++;
      const now = performance.now();
      this.setFrames.prune(now);
      this.sendStates(now);
    } catch (e) {
      this.ctx.log.error("state flush failed", { error: e });
    }
  }

  private updateClock(now: number): void {
    const nowMs = now * 1000;
    if (nowMs - this.lastClockAt < this.ctx.limits.clockIntervalMs) return;
    this.lastClockAt = nowMs;
    this.world.setComponent(PLACE_ENTITY_ID, "clock", { time: now });
  }

  private sendStates(nowMs: number): void {
    const revision = this.world.revision;
    const limits = this.ctx.limits;
    // Agents keeping up share one base (the last revision sent): its frame is kept at hand, other bases in a Map.
    let lastBase = 0;
    let lastFrame: Buffer | undefined;
    let byBase: Map<number, Buffer | undefined> | undefined;
    for (const agent of this.ctx.agents.values()) {
      if (!agent.announced || agent.closing) continue;
      if (agent.unackedSince !== undefined && nowMs - agent.unackedSince > limits.ackTimeoutMs) {
        this.ctx.disconnect(agent, CloseCode.ackTimeout, "no state acknowledged for too long");
        continue;
      }
      if (agent.lastSentRevision === revision) continue;
      const buffered = agent.bufferedBytes;
      // A state larger than the limit (a set of a big world) may sit in the buffer on its own for a while.
      if (buffered > limits.closeBufferedBytes + agent.lastStateBytes) {
        this.ctx.disconnect(agent, CloseCode.ackTimeout, "too much state buffered");
        continue;
      }
      if (agent.unacked.length > limits.maxUnackedStates || buffered > limits.skipBufferedBytes) {
        // Never queue state: missed revisions coalesce into the next patch (docs/protocol.md §5).
        agent.lagging = true;
        agent.stats.statesSkipped++;
        this.stats.statesSkipped++;
        continue;
      }
      // Keeping up: based on the last state sent (TCP is ordered); after a skip: based on the last ack. With no ack
      // yet, its set is still on the way (a big world's set fills the socket buffer, so the next tick skips it):
      // base on that set, not on 0, which would send the whole world again.
      const base = agent.lagging && agent.ackRevision !== 0 ? agent.ackRevision : agent.lastSentRevision;
      let frame: Buffer | undefined;
      if (base !== 0 && base === lastBase) {
        frame = lastFrame;
      } else if (base !== 0) {
        byBase ??= new Map();
        // A base the history no longer holds is remembered too (undefined): one compose per base, not per agent.
        frame = byBase.has(base) ? byBase.get(base) : this.encodeMerge(base, revision);
        byBase.set(base, frame);
        lastBase = base;
        lastFrame = frame;
      }
      if (frame) {
        if (agent.sendFrame(frame)) this.sent(agent, frame.length, revision, nowMs);
      } else {
        frame = this.encodeSet();
        // The set frame's buffer is reused for a later one once every send of it completed (set-frame.ts).
        const returned = this.setFrames.lend(frame);
        if (agent.sendText(frame, returned)) this.sent(agent, frame.length, revision, nowMs);
        else returned();
      }
    }
  }

  private sent(agent: Agent, bytes: number, revision: number, nowMs: number): void {
    agent.lastStateBytes = bytes;
    agent.lastSentRevision = revision;
    agent.unacked.push(revision);
    agent.unackedSince ??= nowMs;
    agent.lagging = false;
    agent.stats.statesSent++;
    this.stats.statesSent++;
  }

  /** The merge frame from `base`, framed for the wire (ws-frame.ts), or undefined when the history no longer holds it. */
  private encodeMerge(base: number, revision: number): Buffer | undefined {
    const changes = this.world.history.compose(base);
    if (!changes) return undefined;
    this.stats.framesEncoded++;
    const entities = JSON.stringify(entitiesPatch(changes, this.lookup));
    return textFrame(`{"patch_style":"merge","patch_from":${base},"revision":${revision},"entities":${entities}}`);
  }

  /** The whole world at the current revision; encoded once per revision and shared by every agent that needs it. */
  private encodeSet(): Buffer {
    const before = this.setFrames.encodes;
    const bytes = this.setFrames.encode();
    this.stats.framesEncoded += this.setFrames.encodes - before;
    return bytes;
  }
}
