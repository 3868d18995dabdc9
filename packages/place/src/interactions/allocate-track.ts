// ["allocate_track", type, format, {metadata}] or legacy ["allocate_track", "audio", 48000, 1, "opus"] →
// ["allocate_track", "ok", trackId] (docs/protocol.md §3). Adds `live_media {track_id, type, format, metadata}` to the
// sender entity; one track per entity. The legacy form is normalised (fix: the reference misread it).
import { isPlainObject, type JsonObject } from "@allo/protocol";
import { mediaOf, type TrackType } from "../media.ts";
import type { InteractionHandler } from "../types.ts";
import { refuse } from "./refuse.ts";

const USAGE = `allocate_track takes ["allocate_track", "audio"|"video", format, {metadata}] or ["allocate_track", "audio", sampleRate, channelCount, "opus"]`;

export const allocateTrack: InteractionHandler = ({ ctx, agent, interaction }) => {
  const { type, format, metadata } = readRequest(interaction.body);
  const entityId = interaction.senderEntityId;
  const entity = ctx.world.get(entityId);
  if (!entity) refuse("no such entity");
  if (entity.components.live_media !== undefined || mediaOf(ctx).trackOf(entityId))
    refuse("only one track allowed per entity");
  const track = mediaOf(ctx).allocate(entityId, agent, type);
  ctx.world.setComponent(entityId, "live_media", { track_id: track.id, type, format, metadata });
  return ["allocate_track", "ok", track.id];
};

function readRequest(body: unknown[]): { type: TrackType; format: string; metadata: JsonObject } {
  const [, type, second, third, fourth] = body;
  if (type !== "audio" && type !== "video")
    refuse(`track type must be "audio" or "video", not ${JSON.stringify(type) ?? "nothing"}`);
  if (typeof second === "number") {
    // Legacy: sample rate, channel count, format.
    if (
      body.length !== 5 ||
      !Number.isInteger(second) ||
      second <= 0 ||
      !Number.isInteger(third) ||
      (third as number) <= 0 ||
      typeof fourth !== "string" ||
      fourth === ""
    )
      refuse(USAGE);
    const channels = third as number;
    const layout = channels === 1 ? "mono" : channels === 2 ? "stereo" : undefined;
    return {
      type,
      format: fourth,
      metadata: { sample_rate: second, channel_count: channels, ...(layout ? { channel_layout: layout } : {}) },
    };
  }
  if (typeof second !== "string" || second === "" || body.length > 4) refuse(USAGE);
  if (third !== undefined && !isPlainObject(third)) refuse(`allocate_track metadata must be an object`);
  return { type, format: second, metadata: (third ?? {}) as JsonObject };
}
