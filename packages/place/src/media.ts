// Live media (docs/protocol.md §1 binary channels 0 audio / 4 video, §3 allocate_track and media_track): tracks, their
// subscribers, and the relay of binary frames from a track's origin to its subscribers. A track dies with its entity
// (fix of the reference). A subscriber whose socket buffer is full gets its media dropped, so a slow reader never
// makes the place's memory grow.
import type { EntityId } from "@allo/protocol";
import type { Agent } from "./agent.ts";
import type { BinaryHandler, PlaceContext } from "./types.ts";

export type TrackType = "audio" | "video";
export const MEDIA_CHANNELS: Record<TrackType, number> = { audio: 0, video: 4 };
/** Above this many bytes waiting in a subscriber's socket, its media frames are dropped (media is worthless late). */
export const MEDIA_BUFFER_LIMIT = 512 * 1024;

export interface Track {
  id: number;
  entityId: EntityId;
  origin: Agent;
  type: TrackType;
  subscribers: Set<Agent>;
}

export interface MediaStats {
  /** Frames accepted from an origin. */
  framesIn: number;
  /** Frame copies sent to subscribers. */
  framesOut: number;
  /** Frames from an agent that is not the track's origin, for an unknown track, the wrong channel, or too short. */
  framesRefused: number;
  /** Copies not sent because the subscriber's socket was too full. */
  framesDroppedSlow: number;
}

export class Media {
  private tracks = new Map<number, Track>();
  private byEntity = new Map<EntityId, number>();
  /** Track ids count up from 1 and are never reused (docs/protocol.md §3.2). */
  private nextId = 1;
  readonly stats: MediaStats = { framesIn: 0, framesOut: 0, framesRefused: 0, framesDroppedSlow: 0 };

  constructor(private readonly ctx: PlaceContext) {}

  get size(): number {
    return this.tracks.size;
  }
  get(id: number): Track | undefined {
    return this.tracks.get(id);
  }
  trackOf(entityId: EntityId): Track | undefined {
    const id = this.byEntity.get(entityId);
    return id === undefined ? undefined : this.tracks.get(id);
  }

  allocate(entityId: EntityId, origin: Agent, type: TrackType): Track {
    const track: Track = { id: this.nextId++, entityId, origin, type, subscribers: new Set() };
    this.tracks.set(track.id, track);
    this.byEntity.set(entityId, track.id);
    return track;
  }

  subscribe(track: Track, agent: Agent): void {
    track.subscribers.add(agent);
    subscribedBy(agent).add(track.id);
  }

  unsubscribe(track: Track, agent: Agent): void {
    track.subscribers.delete(agent);
    subscribedBy(agent).delete(track.id);
  }

  entityRemoved(entityId: EntityId): void {
    const id = this.byEntity.get(entityId);
    if (id === undefined) return;
    this.byEntity.delete(entityId);
    const track = this.tracks.get(id);
    this.tracks.delete(id);
    for (const agent of track?.subscribers ?? []) subscribedBy(agent).delete(id);
  }

  agentLeft(agent: Agent): void {
    for (const id of subscribedBy(agent)) this.tracks.get(id)?.subscribers.delete(agent);
    agent.extensions.delete(SUBSCRIBED);
  }

  /** `payload` = [u32 BE track id][codec packet]; relayed with its channel byte, unchanged, to each subscriber. */
  relay(channel: number, from: Agent, payload: Buffer): void {
    const track = payload.length >= 4 ? this.tracks.get(payload.readUInt32BE(0)) : undefined;
    if (!track || track.origin !== from || MEDIA_CHANNELS[track.type] !== channel) {
      this.stats.framesRefused++;
      from.stats.dropped++;
      return;
    }
    this.stats.framesIn++;
    if (track.subscribers.size === 0) return;
    const frame = Buffer.allocUnsafe(payload.length + 1);
    frame[0] = channel;
    payload.copy(frame, 1);
    for (const agent of track.subscribers) {
      const socket = agent.socket;
      if (agent.closing || socket.readyState !== socket.OPEN) continue;
      if (socket.bufferedAmount > MEDIA_BUFFER_LIMIT) {
        this.stats.framesDroppedSlow++;
        continue;
      }
      socket.send(frame, { binary: true });
      agent.stats.bytesSent += frame.length;
      this.stats.framesOut++;
    }
  }
}

const SUBSCRIBED = "media.subscribed";
function subscribedBy(agent: Agent): Set<number> {
  let set = agent.extensions.get(SUBSCRIBED) as Set<number> | undefined;
  if (!set) agent.extensions.set(SUBSCRIBED, (set = new Set()));
  return set;
}

const KEY = "media";

/** The place's media tracks, created on first use; tracks die with their entity, subscriptions with their agent. */
export function mediaOf(ctx: PlaceContext): Media {
  let media = ctx.extensions.get(KEY) as Media | undefined;
  if (!media) {
    const created = new Media(ctx);
    media = created;
    ctx.extensions.set(KEY, created);
    ctx.hooks.onEntityRemoved.push((id) => created.entityRemoved(id));
    ctx.hooks.onAgentLeft.push((agent) => created.agentLeft(agent));
  }
  return media;
}

/** Binary handlers for channels 0 (audio) and 4 (video). */
export function installMedia(ctx: PlaceContext): Media {
  const media = mediaOf(ctx);
  for (const channel of Object.values(MEDIA_CHANNELS)) {
    const handler: BinaryHandler = (_ctx, agent, payload) => media.relay(channel, agent, payload);
    ctx.binaryHandlers.set(channel, handler);
  }
  return media;
}
