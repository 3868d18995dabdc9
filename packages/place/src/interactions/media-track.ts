// ["media_track", trackId, "subscribe"|"unsubscribe"] → ["media_track", "ok", trackId] (docs/protocol.md §3).
// Subscribing twice is idempotent (fix: the reference delivered duplicates).
import { mediaOf } from "../media.ts";
import type { InteractionHandler } from "../types.ts";
import { refuse } from "./refuse.ts";

export const mediaTrack: InteractionHandler = ({ ctx, agent, interaction }) => {
  const [, trackId, verb] = interaction.body;
  if (
    typeof trackId !== "number" ||
    (verb !== "subscribe" && verb !== "unsubscribe") ||
    interaction.body.length !== 3
  ) {
    refuse(`media_track takes ["media_track", trackId, "subscribe"|"unsubscribe"]`);
  }
  const media = mediaOf(ctx);
  const track = media.get(trackId);
  if (!track) refuse(`no such track ${trackId}`);
  if (verb === "subscribe") media.subscribe(track, agent);
  else media.unsubscribe(track, agent);
  return ["media_track", "ok", trackId];
};
