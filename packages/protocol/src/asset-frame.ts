// Asset frames on binary channel 3 (docs/protocol.md §9):
// [u8 channel 3][u16 BE message id][u16 BE header length][header JSON][bytes]. Shared by the place and clients.

export const ASSET_CHANNEL = 3;
/** Chunks are at most 1 MiB (reference). */
export const ASSET_CHUNK_BYTES = 1024 * 1024;
export const ASSET_ID_PATTERN = /^asset:sha256:[0-9a-f]{64}$/;

export const AssetMessage = { request: 1, data: 2, failure: 3 } as const;
export const AssetErrorCode = { notAvailable: 1, malformed: 2, notSupported: 3 } as const;

export type AssetFrame =
  | { kind: "request"; id: string; range: [number, number]; published_by?: string }
  | { kind: "data"; id: string; range: [number, number]; total_length: number; bytes: Uint8Array }
  | { kind: "failure"; id: string; error_reason: string; error_code: number };

export type AssetFrameResult = { ok: true; value: AssetFrame } | { ok: false; error: string };

export function isAssetId(x: unknown): x is string {
  return typeof x === "string" && ASSET_ID_PATTERN.test(x);
}

const isCount = (x: unknown): x is number => typeof x === "number" && Number.isSafeInteger(x) && x >= 0;
const isRange = (x: unknown): x is [number, number] =>
  Array.isArray(x) && x.length === 2 && isCount(x[0]) && isCount(x[1]);

/** Encodes a frame, channel byte included. */
export function encodeAssetFrame(frame: AssetFrame): Uint8Array {
  let fields: object;
  let bytes: Uint8Array = new Uint8Array(0);
  if (frame.kind === "data") {
    fields = { id: frame.id, range: frame.range, total_length: frame.total_length };
    bytes = frame.bytes;
  } else {
    const { kind: _kind, ...rest } = frame;
    fields = rest;
  }
  const header = new TextEncoder().encode(JSON.stringify(fields));
  if (header.length > 0xffff) throw new RangeError("asset frame header longer than 65535 bytes");
  const out = new Uint8Array(5 + header.length + bytes.length);
  const view = new DataView(out.buffer);
  out[0] = ASSET_CHANNEL;
  view.setUint16(1, AssetMessage[frame.kind]);
  view.setUint16(3, header.length);
  out.set(header, 5);
  out.set(bytes, 5 + header.length);
  return out;
}

/** Decodes a frame's payload (after the channel byte). Every malformed frame gets its own reason. */
export function decodeAssetFrame(payload: Uint8Array): AssetFrameResult {
  if (payload.length < 4) return { ok: false, error: "asset frame shorter than its 4-byte preamble" };
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const mid = view.getUint16(0);
  const headerLength = view.getUint16(2);
  if (4 + headerLength > payload.length) return { ok: false, error: "asset frame header runs past the frame" };
  let header: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(
      new TextDecoder("utf-8", { fatal: true }).decode(payload.subarray(4, 4 + headerLength)),
    );
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      return { ok: false, error: "asset frame header is not a JSON object" };
    header = parsed as Record<string, unknown>;
  } catch (e) {
    return { ok: false, error: `asset frame header is not JSON: ${(e as Error).message}` };
  }
  const id = header.id;
  if (!isAssetId(id))
    return {
      ok: false,
      error: `asset id must look like asset:sha256:<64 hex>, got ${JSON.stringify(id)?.slice(0, 80)}`,
    };
  const bytes = payload.subarray(4 + headerLength);
  switch (mid) {
    case AssetMessage.request:
      if (!isRange(header.range)) return { ok: false, error: "asset request needs range [offset, length]" };
      return {
        ok: true,
        value: {
          kind: "request",
          id,
          range: header.range,
          ...(typeof header.published_by === "string" ? { published_by: header.published_by } : {}),
        },
      };
    case AssetMessage.data:
      if (!isRange(header.range) || !isCount(header.total_length))
        return { ok: false, error: "asset data needs range [offset, length] and total_length" };
      if (header.range[1] !== bytes.length)
        return { ok: false, error: `asset data range says ${header.range[1]} bytes but carries ${bytes.length}` };
      if (header.range[0] + header.range[1] > header.total_length)
        return { ok: false, error: "asset data range runs past total_length" };
      return { ok: true, value: { kind: "data", id, range: header.range, total_length: header.total_length, bytes } };
    case AssetMessage.failure:
      return {
        ok: true,
        value: {
          kind: "failure",
          id,
          error_reason: typeof header.error_reason === "string" ? header.error_reason : "unknown",
          error_code: isCount(header.error_code) ? header.error_code : AssetErrorCode.notAvailable,
        },
      };
    default:
      return { ok: false, error: `unknown asset message id ${mid}` };
  }
}
