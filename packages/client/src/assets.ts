// Assets (docs/protocol.md §9): publish bytes in one call (the client then answers the place's requests for them on
// binary channel 3), and fetch an asset through the place, chunk by chunk, verified against its sha256 id.
//   const id = await publishAsset(client, bytes);      // or publishAssetFile(client, "model.glb") in Node
//   const bytes = await fetchAsset(other, id);
import {
  ASSET_CHANNEL,
  ASSET_CHUNK_BYTES,
  AssetErrorCode,
  decodeAssetFrame,
  encodeAssetFrame,
  isAssetId,
  type AssetFrame,
} from "@allo/protocol";
import type { AlloClient } from "./client.ts";
import { AlloError } from "./errors.ts";

/** `asset:sha256:<hex>` of the bytes (Web Crypto: Node ≥ 20 and browsers). */
export async function assetIdOf(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  return `asset:sha256:${Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

type DataFrame = Extract<AssetFrame, { kind: "data" }>;
type Listener = (frame: DataFrame | Extract<AssetFrame, { kind: "failure" }>) => void;

/** One per client: what it publishes, and who waits for which asset's frames. */
class AssetChannel {
  readonly published = new Map<string, Uint8Array>();
  readonly listeners = new Map<string, Listener>();
  readonly fetching = new Map<string, Promise<Uint8Array>>();

  constructor(private readonly client: AlloClient) {
    client.binary$.subscribe((frame) => {
      if (frame[0] === ASSET_CHANNEL) this.receive(frame.subarray(1));
    });
  }

  send(frame: AssetFrame): void {
    if (this.client.isOpen) this.client.sendBinary(encodeAssetFrame(frame));
  }

  private receive(payload: Uint8Array): void {
    const decoded = decodeAssetFrame(payload);
    if (!decoded.ok) return; // nothing to answer: a malformed frame from the place names no usable asset
    const frame = decoded.value;
    if (frame.kind === "request") return this.answer(frame.id, frame.range);
    this.listeners.get(frame.id)?.(frame);
  }

  /** The place asks for a range of something we may have published. */
  private answer(id: string, [offset, length]: [number, number]): void {
    const bytes = this.published.get(id);
    if (!bytes)
      return this.send({
        kind: "failure",
        id,
        error_reason: "not published by this agent",
        error_code: AssetErrorCode.notAvailable,
      });
    if (offset > bytes.length)
      return this.send({
        kind: "failure",
        id,
        error_reason: "range starts past the end",
        error_code: AssetErrorCode.malformed,
      });
    const end = Math.min(bytes.length, offset + Math.min(length, ASSET_CHUNK_BYTES));
    this.send({
      kind: "data",
      id,
      range: [offset, end - offset],
      total_length: bytes.length,
      bytes: bytes.subarray(offset, end),
    });
  }
}

/** Answers the place's asset requests from now on, "not published" included (else the place waits out its timeout). */
export function serveAssets(client: AlloClient): void {
  channelOf(client);
}

const channels = new WeakMap<AlloClient, AssetChannel>();
function channelOf(client: AlloClient): AssetChannel {
  let channel = channels.get(client);
  if (!channel) channels.set(client, (channel = new AssetChannel(client)));
  return channel;
}

/**
 * Publishes bytes under their content id; this client serves them to the place until unpublished or closed.
 * With `id` (the bytes' id, computed by the caller, e.g. with node:crypto) they are published before this returns,
 * so a request that arrives right after is answered; the place and fetchAsset still verify the hash.
 */
export async function publishAsset(
  client: AlloClient,
  bytes: Uint8Array,
  options: { id?: string } = {},
): Promise<string> {
  if (options.id !== undefined && !isAssetId(options.id))
    throw new AssetError(String(options.id), "asset ids look like asset:sha256:<64 hex digits>");
  const id = options.id ?? (await assetIdOf(bytes));
  channelOf(client).published.set(id, bytes);
  return id;
}

/** Node only: publishes a file's bytes. */
export async function publishAssetFile(client: AlloClient, path: string): Promise<string> {
  const { readFile } = await import("node:fs/promises");
  return publishAsset(client, new Uint8Array(await readFile(path)));
}

export function unpublishAsset(client: AlloClient, id: string): boolean {
  return channelOf(client).published.delete(id);
}

export class AssetError extends AlloError {
  constructor(
    readonly assetId: string,
    readonly reason: string,
  ) {
    super(`Asset ${assetId} could not be fetched: ${reason}`);
    this.name = "AssetError";
  }
}

/** Fetches an asset through the place, in chunks; rejects with AssetError (not available, wrong hash, timeout). */
export function fetchAsset(
  client: AlloClient,
  id: string,
  options: { chunkTimeoutMs?: number } = {},
): Promise<Uint8Array> {
  if (!isAssetId(id))
    return Promise.reject(new AssetError(String(id), "asset ids look like asset:sha256:<64 hex digits>"));
  const channel = channelOf(client);
  const running = channel.fetching.get(id);
  if (running) return running;
  const fetching = pull(channel, id, options.chunkTimeoutMs ?? 20_000).finally(() => {
    channel.fetching.delete(id);
    channel.listeners.delete(id);
  });
  channel.fetching.set(id, fetching);
  return fetching;
}

async function pull(channel: AssetChannel, id: string, chunkTimeoutMs: number): Promise<Uint8Array> {
  const chunk = (offset: number, length: number) =>
    new Promise<DataFrame>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new AssetError(id, `no answer within ${chunkTimeoutMs} ms`)),
        chunkTimeoutMs,
      );
      channel.listeners.set(id, (frame) => {
        clearTimeout(timer);
        if (frame.kind === "failure") reject(new AssetError(id, frame.error_reason));
        else if (frame.range[0] !== offset)
          reject(new AssetError(id, `expected bytes from ${offset}, got ${frame.range[0]}`));
        else resolve(frame);
      });
      channel.send({ kind: "request", id, range: [offset, length] });
    });
  const first = await chunk(0, ASSET_CHUNK_BYTES);
  const bytes = new Uint8Array(first.total_length);
  bytes.set(first.bytes, 0);
  let received = first.bytes.length;
  while (received < bytes.length) {
    const next = await chunk(received, Math.min(ASSET_CHUNK_BYTES, bytes.length - received));
    if (next.bytes.length === 0) throw new AssetError(id, "the place sent an empty chunk");
    bytes.set(next.bytes, received);
    received += next.bytes.length;
  }
  if ((await assetIdOf(bytes)) !== id) throw new AssetError(id, "hash mismatch: the bytes do not hash to the asset id");
  return bytes;
}
