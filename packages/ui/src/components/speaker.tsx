// Speaker: a sound source. With `asset` it loops that sound; without, it allocates a live audio track
// (docs/protocol.md §3 allocate_track) and hands its id to onTrack, for the app to stream into.
import { onMount, splitProps, type JSX } from "solid-js";
import { PLACE_ENTITY_ID } from "@allo/protocol";
import { View, type ViewProps } from "./view.tsx";
import type { EntityNode } from "../node.ts";
import type { AssetRef } from "../asset.ts";

export type SpeakerProps = ViewProps & {
  /** A sound to loop: an asset id, or asset("./rain.ogg") / asset(bytes), published while it plays. */
  asset?: string | AssetRef;
  volume?: number;
  /** Live track: called with the track id once the place allocated it. */
  onTrack?: (trackId: number) => void;
  /** Live track format (default opus, 48 kHz mono). */
  format?: string;
  sampleRate?: number;
  channels?: number;
};

export function Speaker(props: SpeakerProps): JSX.Element {
  const [local, rest] = splitProps(props, ["asset", "volume", "onTrack", "format", "sampleRate", "channels", "ref"]);
  let node: EntityNode | undefined;
  onMount(() => {
    if (local.asset || !node) return;
    const target = node;
    void target.ready.then(async (id) => {
      const client = target.sync?.client;
      if (!client) return;
      const metadata = { sample_rate: local.sampleRate ?? 48000, channel_count: local.channels ?? 1 };
      const response = await client.request(id, PLACE_ENTITY_ID, [
        "allocate_track",
        "audio",
        local.format ?? "opus",
        metadata,
      ]);
      local.onTrack?.(Number(response[2]));
    });
  });
  return (
    <View
      {...rest}
      ref={(n: EntityNode) => {
        node = n;
        (local.ref as ((n: EntityNode) => void) | undefined)?.(n);
      }}
      sound_effect={
        local.asset ? { asset: local.asset, loop_count: 1e9, volume: local.volume ?? 0.5, starts_at: 0 } : undefined
      }
    />
  );
}
