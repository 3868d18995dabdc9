// Asset frames on binary channel 3 (docs/protocol.md §9): encode/decode round trip, and a reason for each bad frame.
import { describe, expect, it } from "vitest";
import { decodeAssetFrame, encodeAssetFrame, type AssetFrame } from "../src/asset-frame.ts";

const ID = "asset:sha256:" + "ab".repeat(32);
const payloadOf = (frame: AssetFrame) => encodeAssetFrame(frame).subarray(1);
function raw(mid: number, header: unknown, bytes = new Uint8Array(0)): Uint8Array {
  const h = new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  const out = new Uint8Array(4 + h.length + bytes.length);
  new DataView(out.buffer).setUint16(0, mid);
  new DataView(out.buffer).setUint16(2, h.length);
  out.set(h, 4);
  out.set(bytes, 4 + h.length);
  return out;
}

describe("asset frames", () => {
  it("round-trip requests, data and failures, channel byte first", () => {
    const frames: AssetFrame[] = [
      { kind: "request", id: ID, range: [0, 1024] },
      { kind: "data", id: ID, range: [10, 3], total_length: 13, bytes: new Uint8Array([1, 2, 3]) },
      { kind: "failure", id: ID, error_reason: "not here", error_code: 1 },
    ];
    for (const frame of frames) {
      const encoded = encodeAssetFrame(frame);
      expect(encoded[0]).toBe(3);
      expect(decodeAssetFrame(encoded.subarray(1))).toEqual({ ok: true, value: frame });
    }
  });

  it("refuses each malformed frame with its reason", () => {
    expect(decodeAssetFrame(new Uint8Array([0, 1]))).toEqual({
      ok: false,
      error: "asset frame shorter than its 4-byte preamble",
    });
    expect(decodeAssetFrame(new Uint8Array([0, 1, 0, 50, 1]))).toEqual({
      ok: false,
      error: "asset frame header runs past the frame",
    });
    expect(decodeAssetFrame(raw(1, "{nope")).ok).toBe(false);
    expect(decodeAssetFrame(raw(1, [1]))).toEqual({ ok: false, error: "asset frame header is not a JSON object" });
    expect(decodeAssetFrame(raw(1, { id: "hello", range: [0, 1] })).ok).toBe(false);
    expect(decodeAssetFrame(raw(1, { id: ID, range: [0] }))).toEqual({
      ok: false,
      error: "asset request needs range [offset, length]",
    });
    expect(decodeAssetFrame(raw(2, { id: ID, range: [0, 5], total_length: 5 }, new Uint8Array(3)))).toEqual({
      ok: false,
      error: "asset data range says 5 bytes but carries 3",
    });
    expect(decodeAssetFrame(raw(2, { id: ID, range: [4, 3], total_length: 5 }, new Uint8Array(3)))).toEqual({
      ok: false,
      error: "asset data range runs past total_length",
    });
    expect(decodeAssetFrame(raw(9, { id: ID }))).toEqual({ ok: false, error: "unknown asset message id 9" });
    expect(payloadOf({ kind: "request", id: ID, range: [0, 1] }).length).toBeGreaterThan(4);
  });
});
