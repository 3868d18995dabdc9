// The `set` frame a joiner gets (docs/protocol.md §5), encoded straight into bytes one entity at a time. The last frame
// is kept with each entity's byte range while the world's history can still say what changed since it, so the
// next one copies the unchanged entities' bytes and stringifies only what changed: a burst of joiners (a reconnect
// storm, where every arrival makes a revision) costs one full encode, then a memcpy and the changes per revision.
// The buffer of a replaced frame is reused once no send holds it: a fresh multi-megabyte allocation costs page
// faults, ~20 ms for 7.5 MB on these VMs, ten times the rebuild itself (docs/performance.md).
import type { EntityId } from "@allo/protocol";
import type { World } from "./world.ts";

const PREFIX = Buffer.from(`{"patch_style":"set","entities":{`);
const COMMA = 0x2c;
const COLON = 0x3a;
/** Room kept for `},"revision":N}` (N up to 2^53). */
const SUFFIX_ROOM = 32;
/** How long a spare block outlives the last `set` encode: joins come in bursts; at rest nothing is held. */
export const SPARE_KEEP_MS = 30_000;

interface Kept {
  revision: number;
  /** The frame: the start of `block`. */
  bytes: Buffer;
  /** The whole allocation the frame was written into (reused once replaced and no longer sent). */
  block: Buffer;
  /** The frame's entities in order, and where each one's `"id":{…}` member ends in `bytes` (exclusive). */
  ids: EntityId[];
  ends: Uint32Array;
}

export class SetFrames {
  private kept: Kept | undefined;
  /** The last frame's size: the first guess for the next whole-world encode. */
  private lastSize = 0;
  /** A block no frame and no send uses any more, for the next frame. */
  private spare: Buffer | undefined;
  /** When the last frame was encoded (performance.now()), for dropping the spare at rest. */
  private lastEncodeAt = -Infinity;
  /** Sends not yet completed, per block (weak: a send whose callback never came cannot pin memory). */
  private lent = new WeakMap<ArrayBufferLike, number>();
  /** The function each send of a block calls when done (one per block, see `lend`). */
  private returns = new WeakMap<ArrayBufferLike, () => void>();
  /** Blocks of replaced frames, waiting for their sends to complete before they become the spare. */
  private retired = new WeakSet<ArrayBufferLike>();
  /** Full encodes (every entity stringified) and incremental ones (unchanged bytes copied), for stats and tests. */
  readonly counts = { full: 0, incremental: 0 };

  constructor(private readonly world: World) {}

  get encodes(): number {
    return this.counts.full + this.counts.incremental;
  }

  /** Bytes held for later frames: the kept frame's block and the spare (0 at rest; sends in flight not counted). */
  get heldBytes(): number {
    return (this.kept?.block.length ?? 0) + (this.spare?.length ?? 0);
  }

  /**
   * The frame of the world's current revision; the same Buffer for every call at that revision. It stays valid
   * until the next revision's frame is encoded, unless lent: whoever keeps it longer (a socket) must `lend` it.
   */
  encode(): Buffer {
    const revision = this.world.revision;
    const kept = this.kept;
    if (kept?.revision === revision) return kept.bytes;
    this.lastEncodeAt = performance.now();
    const changes = kept && this.world.history.compose(kept.revision);
    this.kept = changes && kept ? this.incremental(kept, changes, revision) : this.full(revision);
    if (kept) this.retire(kept.block);
    return this.kept.bytes;
  }

  /**
   * Marks `frame` as being sent once more. The returned function must be called exactly once per `lend`, when that
   * send completed or failed (a socket's write callback, which Node calls once); it is the same function for every
   * send of one frame, so a burst of joiners makes no closure each.
   */
  lend(frame: Buffer): () => void {
    const key = frame.buffer;
    this.lent.set(key, (this.lent.get(key) ?? 0) + 1);
    let returned = this.returns.get(key);
    if (!returned) {
      returned = () => this.returned(key);
      this.returns.set(key, returned);
    }
    return returned;
  }

  private returned(key: ArrayBufferLike): void {
    const left = (this.lent.get(key) ?? 1) - 1;
    if (left > 0) {
      this.lent.set(key, left);
      return;
    }
    this.lent.delete(key);
    if (this.retired.has(key)) {
      this.retired.delete(key);
      this.keepSpare(Buffer.from(key));
    }
  }

  /**
   * Forgets the kept frame once the history no longer holds its revision (it cannot be rebuilt any more), and the
   * spare once no frame was encoded for SPARE_KEEP_MS. Call after each commit (and now and then when idle).
   */
  prune(now = performance.now()): void {
    if (this.kept && !this.world.history.canCompose(this.kept.revision)) this.forget();
    if (this.spare && now - this.lastEncodeAt > SPARE_KEEP_MS) this.spare = undefined;
  }

  /** Drops the kept frame: the next encode stringifies every entity (into the spare block, if one is held). */
  forget(): void {
    if (!this.kept) return;
    const block = this.kept.block;
    this.kept = undefined;
    this.retire(block);
  }

  private retire(block: Buffer): void {
    if (this.lent.has(block.buffer)) this.retired.add(block.buffer);
    else this.keepSpare(block);
  }

  private keepSpare(block: Buffer): void {
    // One spare: the bigger one.
    if (block.length > (this.spare?.length ?? 0)) this.spare = block;
  }

  /** A block of at least `size` bytes: the spare when it fits and is not far too big (else it goes), or a new one. */
  private block(size: number): Buffer {
    const spare = this.spare;
    this.spare = undefined;
    if (spare && spare.length >= size && spare.length <= size * 2 + 4096) return spare;
    // Slow: its own ArrayBuffer, never a slice of Node's shared pool, so it can be reused whole.
    return Buffer.allocUnsafeSlow(size + (size >> 3));
  }

  /**
   * Every entity, each stringified and written at once: the strings die young (cheap for the GC), where keeping
   * 10k of them alive until the end would have the scavenger copy megabytes.
   */
  private full(revision: number): Kept {
    this.counts.full++;
    const world = this.world;
    const ids: EntityId[] = new Array(world.size);
    const ends = new Uint32Array(world.size);
    let block = this.block(PREFIX.length + SUFFIX_ROOM + (this.lastSize || this.guessSize()));
    let at = PREFIX.copy(block, 0);
    let i = 0;
    for (const id of world.ids()) {
      const key = JSON.stringify(id);
      const value = JSON.stringify(world.get(id));
      // UTF-8 takes at most 3 bytes per UTF-16 unit; measure exactly only when that might not fit.
      const room = block.length - at - SUFFIX_ROOM;
      if ((key.length + value.length) * 3 + 2 > room) {
        const need = Buffer.byteLength(key) + Buffer.byteLength(value) + 2;
        if (need > room) {
          // The guess was short: size the rest by the entities written so far.
          const bigger = Buffer.allocUnsafeSlow(
            Math.ceil((at / Math.max(i, 1)) * world.size * 1.0625) + need + SUFFIX_ROOM,
          );
          block.copy(bigger, 0, 0, at);
          block = bigger;
        }
      }
      if (i) block[at++] = COMMA;
      at += block.write(key, at);
      block[at++] = COLON;
      at += block.write(value, at);
      ids[i] = id;
      ends[i++] = at;
    }
    at += block.write(suffixOf(revision), at);
    this.lastSize = at;
    return { revision, bytes: block.subarray(0, at), block, ids, ends };
  }

  /** The first frame's size, from the first few entities (it grows if the guess was short). */
  private guessSize(): number {
    let sampled = 0;
    let bytes = 0;
    for (const id of this.world.ids()) {
      bytes += Buffer.byteLength(JSON.stringify(this.world.get(id))) + id.length + 4;
      if (++sampled === 8) break;
    }
    return sampled ? Math.ceil((bytes / sampled) * this.world.size) : 0;
  }

  /** The kept frame with every entity changed since it re-encoded, removed ones dropped and added ones appended. */
  private incremental(kept: Kept, changes: ReadonlyMap<EntityId, unknown>, revision: number): Kept {
    this.counts.incremental++;
    const world = this.world;
    // Plan: runs of unchanged entities copied as one range [start, end) of the kept bytes, changed ones as strings.
    const plan: (string | number)[] = [];
    const ids: EntityId[] = [];
    const lengths: number[] = []; // byte length of each member of the new frame, for its ends
    const seen = new Set<EntityId>();
    let size = PREFIX.length;
    let runStart = -1;
    let runEnd = -1;
    const member = (id: EntityId) => {
      const m = `${JSON.stringify(id)}:${JSON.stringify(world.get(id))}`;
      const length = Buffer.byteLength(m);
      plan.push(m);
      ids.push(id);
      lengths.push(length);
      size += length + 1;
    };
    for (let i = 0; i < kept.ids.length; i++) {
      const id = kept.ids[i];
      if (!changes.has(id)) {
        const start = i === 0 ? PREFIX.length : kept.ends[i - 1] + 1;
        if (runStart < 0) runStart = start;
        runEnd = kept.ends[i];
        ids.push(id);
        lengths.push(runEnd - start);
        size += runEnd - start + 1;
        continue;
      }
      if (runStart >= 0) plan.push(runStart, runEnd);
      runStart = -1;
      seen.add(id);
      if (world.has(id)) member(id);
    }
    if (runStart >= 0) plan.push(runStart, runEnd);
    for (const id of changes.keys()) if (!seen.has(id) && world.has(id)) member(id);

    const suffix = suffixOf(revision);
    const total = size + Buffer.byteLength(suffix) - (ids.length ? 1 : 0);
    const block = this.block(total);
    let at = PREFIX.copy(block, 0);
    for (let p = 0; p < plan.length; p++) {
      if (p) block[at++] = COMMA;
      const step = plan[p];
      // A copied run keeps its inner commas: runs are consecutive members of the kept frame.
      if (typeof step === "string") at += block.write(step, at);
      else at += kept.bytes.copy(block, at, step, plan[++p] as number);
    }
    at += block.write(suffix, at);
    const ends = new Uint32Array(ids.length);
    let end = PREFIX.length;
    for (let i = 0; i < lengths.length; i++) {
      end += lengths[i] + (i ? 1 : 0);
      ends[i] = end;
    }
    this.lastSize = at;
    return { revision, bytes: block.subarray(0, at), block, ids, ends };
  }
}

function suffixOf(revision: number): string {
  return `},"revision":${revision}}`;
}
