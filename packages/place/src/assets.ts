// Assets (docs/protocol.md §9): content-addressed (`asset:sha256:<hex>`), pulled through the place from the agent that
// publishes them, in chunks of at most 1 MiB on binary channel 3, verified by hash, cached (bounded, least recently
// used first), and served over HTTP at GET /assets/<id> so browsers load textures and models directly.
//
// On a miss the place asks every other announced agent for the first chunk; the first that answers with data becomes
// the source and is asked for the rest, in order. A wrong hash, a source that fails or leaves, or no progress for
// `fetchTimeoutMs` fails every waiter with error code 1. Waiting requests, HTTP included, are answered when it ends.
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  ASSET_CHANNEL,
  ASSET_CHUNK_BYTES,
  AssetErrorCode,
  decodeAssetFrame,
  encodeAssetFrame,
  isAssetId,
  type AssetFrame,
} from "@allo/protocol";
import type { Agent } from "./agent.ts";
import type { PlaceContext } from "./types.ts";

export interface AssetOptions {
  /** Largest asset the place will fetch. Default 64 MiB. */
  maxAssetBytes: number;
  /** Total bytes the cache keeps. Default 256 MiB. */
  maxCacheBytes: number;
  /** A fetch that makes no progress for this long fails. Default 10 s. */
  fetchTimeoutMs: number;
}
export const DEFAULT_ASSET_OPTIONS: AssetOptions = {
  maxAssetBytes: 64 * 1024 * 1024,
  maxCacheBytes: 256 * 1024 * 1024,
  fetchTimeoutMs: 10_000,
};

type Outcome = { ok: true; bytes: Buffer } | { ok: false; reason: string };
type Waiter = { agent: Agent; range: [number, number] } | { done: (outcome: Outcome) => void };

interface Fetch {
  id: string;
  waiters: Waiter[];
  asked: Set<Agent>;
  failed: Set<Agent>;
  source?: Agent;
  buffer?: Buffer;
  received: number;
  timer: NodeJS.Timeout;
}

export interface AssetStats {
  served: number;
  fetched: number;
  hashMismatches: number;
  failed: number;
  refusedFrames: number;
  cachedBytes: number;
}

export class Assets {
  private cache = new Map<string, Buffer>();
  private cachedBytes = 0;
  private fetches = new Map<string, Fetch>();
  readonly stats: AssetStats = {
    served: 0,
    fetched: 0,
    hashMismatches: 0,
    failed: 0,
    refusedFrames: 0,
    cachedBytes: 0,
  };

  constructor(
    private readonly ctx: PlaceContext,
    readonly options: AssetOptions = DEFAULT_ASSET_OPTIONS,
  ) {}

  has(id: string): boolean {
    return this.cache.has(id);
  }

  /** A binary frame on channel 3 from an agent. */
  onFrame(agent: Agent, payload: Buffer): void {
    const decoded = decodeAssetFrame(payload);
    if (!decoded.ok) {
      this.stats.refusedFrames++;
      agent.stats.dropped++;
      const id = tryId(payload);
      if (id)
        this.send(agent, { kind: "failure", id, error_reason: decoded.error, error_code: AssetErrorCode.malformed });
      return;
    }
    const frame = decoded.value;
    if (frame.kind === "request") return this.onRequest(agent, frame.id, frame.range);
    const fetch = this.fetches.get(frame.id);
    if (!fetch || !fetch.asked.has(agent) || (fetch.source && fetch.source !== agent)) {
      this.stats.refusedFrames++;
      agent.stats.dropped++;
      return;
    }
    if (frame.kind === "failure") return this.providerFailed(fetch, agent, frame.error_reason);
    this.onData(fetch, agent, frame);
  }

  /** Resolves with the whole asset, from the cache or fetched from the agents (for HTTP). */
  get(id: string): Promise<Outcome> {
    const cached = this.fromCache(id);
    if (cached) return Promise.resolve({ ok: true, bytes: cached });
    return new Promise((done) => this.wait(id, { done }, undefined));
  }

  agentLeft(agent: Agent): void {
    for (const fetch of [...this.fetches.values()]) {
      fetch.waiters = fetch.waiters.filter((w) => !("agent" in w) || w.agent !== agent);
      if (fetch.asked.has(agent)) this.providerFailed(fetch, agent, "the agent that had it left");
    }
  }

  close(): void {
    for (const fetch of [...this.fetches.values()]) this.finish(fetch, { ok: false, reason: "place is closing" });
  }

  private onRequest(agent: Agent, id: string, range: [number, number]): void {
    const cached = this.fromCache(id);
    if (cached) return this.serve(agent, id, range, cached);
    this.wait(id, { agent, range }, agent);
  }

  private wait(id: string, waiter: Waiter, requester: Agent | undefined): void {
    const existing = this.fetches.get(id);
    if (existing) {
      existing.waiters.push(waiter);
      return;
    }
    const fetch: Fetch = {
      id,
      waiters: [waiter],
      asked: new Set(),
      failed: new Set(),
      received: 0,
      timer: this.timer(id),
    };
    this.fetches.set(id, fetch);
    for (const candidate of this.ctx.agents.values()) {
      if (candidate === requester || !candidate.announced || candidate.closing) continue;
      fetch.asked.add(candidate);
      this.send(candidate, { kind: "request", id, range: [0, ASSET_CHUNK_BYTES] });
    }
    if (fetch.asked.size === 0) this.finish(fetch, { ok: false, reason: "no agent in the place has this asset" });
  }

  private onData(fetch: Fetch, agent: Agent, frame: Extract<AssetFrame, { kind: "data" }>): void {
    if (!fetch.source) {
      if (frame.total_length > this.options.maxAssetBytes)
        return this.finish(fetch, { ok: false, reason: `asset is larger than ${this.options.maxAssetBytes} bytes` });
      fetch.source = agent;
      fetch.buffer = Buffer.allocUnsafe(frame.total_length);
    }
    const buffer = fetch.buffer!;
    const [offset, length] = frame.range;
    if (frame.total_length !== buffer.length || offset !== fetch.received || (length === 0 && buffer.length > 0)) {
      return this.finish(fetch, { ok: false, reason: "the source sent chunks out of order or of the wrong size" });
    }
    buffer.set(frame.bytes, offset);
    fetch.received += length;
    fetch.timer.refresh();
    if (fetch.received < buffer.length) {
      this.send(agent, {
        kind: "request",
        id: fetch.id,
        range: [fetch.received, Math.min(ASSET_CHUNK_BYTES, buffer.length - fetch.received)],
      });
      return;
    }
    if (`asset:sha256:${createHash("sha256").update(buffer).digest("hex")}` !== fetch.id) {
      this.stats.hashMismatches++;
      this.ctx.log.warn("asset refused: its bytes do not hash to its id", { asset: fetch.id, agent: agent.id });
      return this.finish(fetch, { ok: false, reason: "hash mismatch: the bytes do not hash to the asset id" });
    }
    this.stats.fetched++;
    this.store(fetch.id, buffer);
    this.finish(fetch, { ok: true, bytes: buffer });
  }

  private providerFailed(fetch: Fetch, agent: Agent, reason: string): void {
    fetch.failed.add(agent);
    if (fetch.source === agent) return this.finish(fetch, { ok: false, reason: `the source failed: ${reason}` });
    if (!fetch.source && fetch.failed.size >= fetch.asked.size)
      this.finish(fetch, { ok: false, reason: "no agent in the place has this asset" });
  }

  private finish(fetch: Fetch, outcome: Outcome): void {
    if (this.fetches.get(fetch.id) !== fetch) return;
    this.fetches.delete(fetch.id);
    clearTimeout(fetch.timer);
    if (!outcome.ok) this.stats.failed++;
    for (const waiter of fetch.waiters) {
      if ("done" in waiter) waiter.done(outcome);
      else if (outcome.ok) this.serve(waiter.agent, fetch.id, waiter.range, outcome.bytes);
      else
        this.send(waiter.agent, {
          kind: "failure",
          id: fetch.id,
          error_reason: outcome.reason,
          error_code: AssetErrorCode.notAvailable,
        });
    }
  }

  private timer(id: string): NodeJS.Timeout {
    const timer = setTimeout(() => {
      const fetch = this.fetches.get(id);
      if (fetch) this.finish(fetch, { ok: false, reason: "no agent delivered the asset in time" });
    }, this.options.fetchTimeoutMs);
    timer.unref();
    return timer;
  }

  private serve(agent: Agent, id: string, [offset, length]: [number, number], bytes: Buffer): void {
    if (offset > bytes.length || (offset === bytes.length && bytes.length > 0)) {
      return this.send(agent, {
        kind: "failure",
        id,
        error_reason: `range starts past the asset's ${bytes.length} bytes`,
        error_code: AssetErrorCode.malformed,
      });
    }
    const end = Math.min(bytes.length, offset + Math.min(length, ASSET_CHUNK_BYTES));
    this.stats.served++;
    this.send(agent, {
      kind: "data",
      id,
      range: [offset, end - offset],
      total_length: bytes.length,
      bytes: bytes.subarray(offset, end),
    });
  }

  private send(agent: Agent, frame: AssetFrame): void {
    const socket = agent.socket;
    if (agent.closing || socket.readyState !== socket.OPEN) return;
    const bytes = encodeAssetFrame(frame);
    socket.send(bytes, { binary: true });
    agent.stats.bytesSent += bytes.length;
  }

  private fromCache(id: string): Buffer | undefined {
    const bytes = this.cache.get(id);
    if (!bytes) return undefined;
    // Least recently used goes first: re-inserting moves it to the end of the Map's order.
    this.cache.delete(id);
    this.cache.set(id, bytes);
    return bytes;
  }

  private store(id: string, bytes: Buffer): void {
    if (bytes.length > this.options.maxCacheBytes) return;
    this.cache.set(id, bytes);
    this.cachedBytes += bytes.length;
    for (const [oldId, old] of this.cache) {
      if (this.cachedBytes <= this.options.maxCacheBytes) break;
      this.cache.delete(oldId);
      this.cachedBytes -= old.length;
    }
    this.stats.cachedBytes = this.cachedBytes;
  }
}

/** The id in a malformed frame's header, if it can be read, so the failure can name it. */
function tryId(payload: Buffer): string | undefined {
  if (payload.length < 4) return undefined;
  try {
    const id = (JSON.parse(payload.subarray(4, 4 + payload.readUInt16BE(2)).toString("utf8")) as { id?: unknown }).id;
    return isAssetId(id) ? id : undefined;
  } catch {
    return undefined; // the frame is already refused; without a readable id there is nobody to name in the failure
  }
}

const KEY = "assets";

export function assetsOf(ctx: PlaceContext, options?: Partial<AssetOptions>): Assets {
  let assets = ctx.extensions.get(KEY) as Assets | undefined;
  if (!assets) {
    const created = new Assets(ctx, { ...DEFAULT_ASSET_OPTIONS, ...options });
    assets = created;
    ctx.extensions.set(KEY, created);
    ctx.hooks.onAgentLeft.push((agent) => created.agentLeft(agent));
    ctx.hooks.onClose.push(() => created.close());
  }
  return assets;
}

/** The binary handler for channel 3. */
export function installAssets(ctx: PlaceContext, options?: Partial<AssetOptions>): Assets {
  const assets = assetsOf(ctx, options);
  ctx.binaryHandlers.set(ASSET_CHANNEL, (_ctx, agent, payload) => assets.onFrame(agent, payload));
  return assets;
}

/** GET|HEAD /assets/<id>: the verified bytes (fetched from the agents on a miss). False for any other route. */
export function serveAssetHttp(ctx: PlaceContext, req: IncomingMessage, res: ServerResponse): boolean {
  const path = (req.url ?? "/").split("?")[0];
  if (!path.startsWith("/assets/")) return false;
  const cors = { "access-control-allow-origin": "*" };
  const reply = (status: number, body: string) => {
    res.writeHead(status, {
      "content-type": "text/plain; charset=utf-8",
      "content-length": Buffer.byteLength(body),
      "cache-control": "no-store",
      ...cors,
    });
    res.end(body);
  };
  if (req.method !== "GET" && req.method !== "HEAD") {
    reply(405, "method not allowed\n");
    return true;
  }
  let id: string;
  try {
    id = decodeURIComponent(path.slice("/assets/".length));
  } catch {
    reply(400, "malformed asset id\n");
    return true;
  }
  if (!isAssetId(id)) {
    reply(400, "asset ids look like asset:sha256:<64 lowercase hex digits>\n");
    return true;
  }
  assetsOf(ctx)
    .get(id)
    .then(
      (outcome) => {
        if (res.destroyed) return;
        if (!outcome.ok) return reply(404, `asset not available: ${outcome.reason}\n`);
        res.writeHead(200, {
          "content-type": "application/octet-stream",
          "content-length": outcome.bytes.length,
          etag: `"${id.slice("asset:sha256:".length)}"`,
          "cache-control": "public, max-age=31536000, immutable",
          ...cors,
        });
        res.end(req.method === "HEAD" ? undefined : outcome.bytes);
      },
      (e) => {
        ctx.log.error("asset HTTP request failed", { asset: id, error: e });
        if (!res.headersSent) reply(500, "internal error\n");
      },
    );
  return true;
}
