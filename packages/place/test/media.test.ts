// Live media over a real place (docs/protocol.md §1 binary channels, §3 allocate_track / media_track).
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { MEDIA_BUFFER_LIMIT, mediaOf } from "../src/media.ts";
import type { RawAgent } from "../src/testing.ts";
import { setup, spawn } from "./helpers.ts";

/** [channel][u32 BE track id][packet] */
function frame(channel: number, trackId: number, packet: Buffer): Buffer {
  const out = Buffer.alloc(5 + packet.length);
  out[0] = channel;
  out.writeUInt32BE(trackId, 1);
  packet.copy(out, 5);
  return out;
}
const binaries = (agent: RawAgent): Buffer[] => agent.received.filter((m) => Buffer.isBuffer(m));
/** After this, every frame the agent sent before has been handled by the place (one agent's frames run in order). */
const settled = (agent: RawAgent) => agent.request(["list_agents"]);

async function audioTrack(agent: RawAgent, entity = agent.avatarId!): Promise<number> {
  const r = await agent.request(["allocate_track", "audio", "opus", { sample_rate: 48000, channel_count: 1 }], {
    sender: entity,
  });
  expect(r.slice(0, 2)).toEqual(["allocate_track", "ok"]);
  return r[2];
}

describe("allocate_track", () => {
  it("adds live_media to the sender entity, seen by others", async () => {
    const {
      agents: [a, b],
    } = await setup(2);
    const trackId = await audioTrack(a);
    await b.until(() => b.mirror?.entities[a.avatarId!]?.components.live_media !== undefined);
    expect(b.mirror!.entities[a.avatarId!].components.live_media).toEqual({
      track_id: trackId,
      type: "audio",
      format: "opus",
      metadata: { sample_rate: 48000, channel_count: 1 },
    });
  });

  it("normalises the legacy form", async () => {
    const {
      place,
      agents: [a],
    } = await setup(1);
    const r = await a.request(["allocate_track", "audio", 48000, 2, "opus"]);
    expect(r[1]).toBe("ok");
    expect(place.world.get(a.avatarId!)!.components.live_media).toEqual({
      track_id: r[2],
      type: "audio",
      format: "opus",
      metadata: { sample_rate: 48000, channel_count: 2, channel_layout: "stereo" },
    });
  });

  it("allows one track per entity and refuses malformed requests", async () => {
    const {
      agents: [a],
    } = await setup(1);
    await audioTrack(a);
    expect(await a.request(["allocate_track", "video", "mjpeg", { width: 64, height: 64 }])).toEqual([
      "allocate_track",
      "error",
      "only one track allowed per entity",
    ]);
    const other = await spawn(a, {});
    expect((await a.request(["allocate_track", "geometry", "x", {}], { sender: other }))[2]).toMatch(
      /"audio" or "video"/,
    );
    expect((await a.request(["allocate_track", "audio", "opus", "meta"], { sender: other }))[2]).toMatch(
      /metadata must be an object/,
    );
    expect((await a.request(["allocate_track", "audio", 48000, "one", "opus"], { sender: other }))[2]).toMatch(
      /allocate_track takes/,
    );
    expect(
      await a.request(["allocate_track", "video", "h264", { width: 640, height: 480 }], { sender: other }),
    ).toEqual(["allocate_track", "ok", expect.any(Number)]);
  });

  it("keeps live_media out of agents' hands", async () => {
    const {
      agents: [a],
    } = await setup(1);
    await audioTrack(a);
    expect(await a.request(["change_components", a.avatarId, "add_or_change", {}, "remove", ["live_media"]])).toEqual([
      "change_components",
      "error",
      "live_media is written by the place only",
    ]);
  });
});

describe("relaying media frames", () => {
  it("audio frames from the origin reach subscribers byte-identical, and nobody else", async () => {
    const {
      agents: [speaker, listener, bystander],
    } = await setup(3);
    const trackId = await audioTrack(speaker);
    expect(await listener.request(["media_track", trackId, "subscribe"])).toEqual(["media_track", "ok", trackId]);
    expect(await listener.request(["media_track", trackId, "subscribe"])).toEqual(["media_track", "ok", trackId]); // idempotent
    const sent = Array.from({ length: 20 }, (_, i) => frame(0, trackId, randomBytes(40 + i * 7)));
    for (const f of sent) speaker.send(f);
    await settled(speaker);
    await listener.until(() => binaries(listener).length >= sent.length);
    await settled(bystander);
    expect(binaries(listener)).toEqual(sent);
    expect(binaries(bystander)).toEqual([]);
    expect(binaries(speaker)).toEqual([]);
  });

  it("drops frames from an agent that is not the track's origin, for unknown tracks, on the wrong channel, or too short", async () => {
    const {
      place,
      agents: [speaker, listener, impostor],
    } = await setup(3);
    const trackId = await audioTrack(speaker);
    await listener.request(["media_track", trackId, "subscribe"]);
    impostor.send(frame(0, trackId, Buffer.from("forged")));
    speaker.send(frame(0, trackId + 100, Buffer.from("no such track")));
    speaker.send(frame(4, trackId, Buffer.from("audio track on the video channel")));
    speaker.send(Buffer.from([0, 1, 2]));
    const genuine = frame(0, trackId, Buffer.from("genuine"));
    speaker.send(genuine);
    await settled(impostor);
    await settled(speaker);
    await listener.until(() => binaries(listener).length >= 1);
    await settled(listener);
    expect(binaries(listener)).toEqual([genuine]);
    expect(mediaOf(place.ctx).stats.framesRefused).toBe(4);
  });

  it("stops after unsubscribe", async () => {
    const {
      agents: [speaker, listener],
    } = await setup(2);
    const trackId = await audioTrack(speaker);
    await listener.request(["media_track", trackId, "subscribe"]);
    const first = frame(0, trackId, Buffer.from("one"));
    speaker.send(first);
    await listener.until(() => binaries(listener).length === 1);
    expect(await listener.request(["media_track", trackId, "unsubscribe"])).toEqual(["media_track", "ok", trackId]);
    speaker.send(frame(0, trackId, Buffer.from("two")));
    await settled(speaker);
    await settled(listener);
    expect(binaries(listener)).toEqual([first]);
  });

  it("frees a track with its entity", async () => {
    const {
      place,
      agents: [speaker, listener],
    } = await setup(2);
    const source = await spawn(speaker, {});
    const trackId = await audioTrack(speaker, source);
    await listener.request(["media_track", trackId, "subscribe"]);
    expect(mediaOf(place.ctx).size).toBe(1);
    expect(await speaker.request(["remove_entity", source])).toEqual(["remove_entity", "ok"]);
    expect(mediaOf(place.ctx).size).toBe(0);
    expect(await listener.request(["media_track", trackId, "subscribe"])).toEqual([
      "media_track",
      "error",
      `no such track ${trackId}`,
    ]);
    speaker.send(frame(0, trackId, Buffer.from("late")));
    await settled(speaker);
    await settled(listener);
    expect(binaries(listener)).toEqual([]);
  });

  it("drops media for a subscriber that does not read, so the place's memory stays bounded", async () => {
    const {
      place,
      agents: [camera, slow, fast],
    } = await setup(3);
    const trackId = (await camera.request(["allocate_track", "video", "mjpeg", { width: 1920, height: 1080 }]))[2];
    await slow.request(["media_track", trackId, "subscribe"]);
    await fast.request(["media_track", trackId, "subscribe"]);
    (slow.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    const packet = randomBytes(256 * 1024);
    const count = 160; // 40 MiB: far more than the kernel's socket buffers absorb
    for (let i = 0; i < count; i++) camera.send(frame(4, trackId, packet));
    await settled(camera);
    const slowAgent = [...place.agents.values()].find((x) => x.avatarId === slow.avatarId)!;
    const stats = mediaOf(place.ctx).stats;
    expect(stats.framesIn).toBe(count);
    expect(stats.framesDroppedSlow).toBeGreaterThan(0);
    expect(slowAgent.socket.bufferedAmount).toBeLessThanOrEqual(MEDIA_BUFFER_LIMIT + packet.length + 5);
    // A burst may overflow even a reading subscriber (media is dropped, never queued); once paced, every frame arrives.
    await settled(fast);
    const before = binaries(fast).length;
    for (let i = 0; i < 10; i++) {
      camera.send(frame(4, trackId, packet));
      await fast.until(() => binaries(fast).length === before + i + 1, 10_000);
    }
    expect(binaries(fast).every((b) => b.length === packet.length + 5 && b.subarray(5).equals(packet))).toBe(true);
    expect(slowAgent.socket.bufferedAmount).toBeLessThanOrEqual(MEDIA_BUFFER_LIMIT + packet.length + 5);
  }, 30_000);
});
