// Assets through a real place (docs/protocol.md §9): pulled from the publishing agent in chunks, verified, cached, and
// served over HTTP at GET /assets/<id>. Agents here speak channel 3 byte for byte.
import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ASSET_CHUNK_BYTES, decodeAssetFrame, encodeAssetFrame, type AssetFrame } from "@allo/protocol";
import { assetsOf } from "../src/assets.ts";
import type { RawAgent } from "../src/testing.ts";
import { setup } from "./helpers.ts";

const idOf = (bytes: Buffer) => `asset:sha256:${createHash("sha256").update(bytes).digest("hex")}`;
const httpOf = (url: string) => url.replace(/^ws:/, "http:").replace(/\/$/, "");
const assetFrames = (agent: RawAgent): AssetFrame[] =>
  agent.received
    .filter((m) => Buffer.isBuffer(m) && m[0] === 3)
    .map((m) => {
      const d = decodeAssetFrame(m.subarray(1));
      if (!d.ok) throw new Error(d.error);
      return d.value;
    });

/** Answers the place's requests for `id` with `bytes` (which may be wrong, to test verification). */
function provide(agent: RawAgent, id: string, bytes: Buffer): { requests: number } {
  const counter = { requests: 0 };
  agent.socket.on("message", (data: Buffer, isBinary: boolean) => {
    if (!isBinary || data[0] !== 3) return;
    const frame = decodeAssetFrame(data.subarray(1));
    if (!frame.ok || frame.value.kind !== "request") return;
    if (frame.value.id !== id)
      return agent.send(
        Buffer.from(encodeAssetFrame({ kind: "failure", id: frame.value.id, error_reason: "not mine", error_code: 1 })),
      );
    counter.requests++;
    const [offset, length] = frame.value.range;
    const end = Math.min(bytes.length, offset + length);
    agent.send(
      Buffer.from(
        encodeAssetFrame({
          kind: "data",
          id,
          range: [offset, end - offset],
          total_length: bytes.length,
          bytes: bytes.subarray(offset, end),
        }),
      ),
    );
  });
  return counter;
}

/** Pulls an asset the way a client does: the first chunk, then every following range. */
async function pull(agent: RawAgent, id: string): Promise<Buffer | string> {
  const chunks: Buffer[] = [];
  let offset = 0;
  let total = Infinity;
  while (offset < total) {
    const from = agent.received.length;
    agent.send(Buffer.from(encodeAssetFrame({ kind: "request", id, range: [offset, ASSET_CHUNK_BYTES] })));
    await agent.until(
      () => assetFrames({ ...agent, received: agent.received.slice(from) } as RawAgent).some((f) => f.id === id),
      15_000,
    );
    const frame = assetFrames({ ...agent, received: agent.received.slice(from) } as RawAgent).find((f) => f.id === id)!;
    if (frame.kind === "failure") return frame.error_reason;
    if (frame.kind !== "data") throw new Error("unexpected frame");
    expect(frame.range[0]).toBe(offset);
    expect(frame.bytes.length).toBeLessThanOrEqual(ASSET_CHUNK_BYTES);
    chunks.push(Buffer.from(frame.bytes));
    offset += frame.bytes.length;
    total = frame.total_length;
  }
  return Buffer.concat(chunks);
}

describe("assets", () => {
  it("a 5 MB asset published by one agent reaches another in chunks, and HTTP, intact; then comes from the cache", async () => {
    const {
      place,
      agents: [publisher, requester],
    } = await setup(2);
    const bytes = randomBytes(5 * 1024 * 1024 + 123);
    const id = idOf(bytes);
    const provider = provide(publisher, id, bytes);
    const got = await pull(requester, id);
    expect(Buffer.isBuffer(got) && got.equals(bytes)).toBe(true);
    expect(provider.requests).toBe(6); // 5 MiB + 123 bytes in 1 MiB chunks, pulled once
    const response = await fetch(`${httpOf(place.url)}/assets/${id}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/octet-stream");
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);
    expect(provider.requests).toBe(6);
    expect(assetsOf(place.ctx).stats).toMatchObject({ fetched: 1, hashMismatches: 0 });
  }, 30_000);

  it("HTTP fetches from the publishing agent on a miss (URL-encoded ids too)", async () => {
    const {
      place,
      agents: [publisher],
    } = await setup(1);
    const bytes = randomBytes(3000);
    const id = idOf(bytes);
    provide(publisher, id, bytes);
    const response = await fetch(`${httpOf(place.url)}/assets/${encodeURIComponent(id)}`);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it("refuses bytes that do not hash to the asset id", async () => {
    const {
      place,
      agents: [liar, requester],
    } = await setup(2);
    const real = randomBytes(2 * 1024 * 1024);
    const id = idOf(real);
    const forged = Buffer.from(real);
    forged[1_500_000] ^= 0xff;
    provide(liar, id, forged);
    expect(await pull(requester, id)).toBe("hash mismatch: the bytes do not hash to the asset id");
    expect(assetsOf(place.ctx).stats.hashMismatches).toBe(1);
    expect(assetsOf(place.ctx).has(id)).toBe(false);
    const response = await fetch(`${httpOf(place.url)}/assets/${id}`);
    expect(response.status).toBe(404);
    expect(await response.text()).toMatch(/hash mismatch/);
  }, 20_000);

  it("fails at once when every other agent says it does not have the asset", async () => {
    const {
      agents: [a, b, requester],
    } = await setup(3);
    provide(a, "asset:sha256:" + "0".repeat(64), Buffer.alloc(0));
    provide(b, "asset:sha256:" + "0".repeat(64), Buffer.alloc(0));
    expect(await pull(requester, "asset:sha256:" + "1".repeat(64))).toBe("no agent in the place has this asset");
  });

  it("fails the waiters when the source leaves mid-transfer", async () => {
    const {
      agents: [publisher, requester],
    } = await setup(2);
    const bytes = randomBytes(ASSET_CHUNK_BYTES + 10);
    const id = idOf(bytes);
    const provider = provide(publisher, id, bytes);
    publisher.socket.on("message", (data: Buffer, isBinary: boolean) => {
      if (isBinary && data[0] === 3 && provider.requests === 1) void publisher.close();
    });
    expect(await pull(requester, id)).toBe("the source failed: the agent that had it left");
  });

  it("answers malformed frames and ids with a readable error", async () => {
    const {
      place,
      agents: [a],
    } = await setup(1);
    const badRange = Buffer.from(
      encodeAssetFrame({ kind: "request", id: "asset:sha256:" + "a".repeat(64), range: [0, 1] }),
    );
    const header = JSON.stringify({ id: "asset:sha256:" + "a".repeat(64), range: "all" });
    badRange.writeUInt16BE(header.length, 3);
    a.send(Buffer.concat([badRange.subarray(0, 5), Buffer.from(header)]));
    await a.until(() => assetFrames(a).length === 1);
    expect(assetFrames(a)[0]).toEqual({
      kind: "failure",
      id: "asset:sha256:" + "a".repeat(64),
      error_reason: "asset request needs range [offset, length]",
      error_code: 2,
    });
    expect((await fetch(`${httpOf(place.url)}/assets/hello`)).status).toBe(400);
    expect(
      (await fetch(`${httpOf(place.url)}/assets/${"asset:sha256:" + "b".repeat(64)}`, { method: "POST" })).status,
    ).toBe(405);
  });
});
